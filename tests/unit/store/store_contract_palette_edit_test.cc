// Store contract: palette editing — region labels and background (0003), compare-and-set
// updates, duplicates sharing their object, reordering and moving within the list.
#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "store/palette_order.h"
#include "store_contract.h"

namespace pm::store::testing {
namespace {

std::vector<int64_t> ListIds(Store& store, TenantId tenant) {
  auto page = store.ListPalettes(tenant, std::nullopt, 1000);
  REQUIRE(page.ok());
  std::vector<int64_t> ids;
  for (const auto& p : page->items) ids.push_back(p.id.value);
  return ids;
}

std::vector<PaletteId> AsIds(const std::vector<int64_t>& v) {
  std::vector<PaletteId> out;
  for (int64_t id : v) out.emplace_back(id);
  return out;
}

std::vector<int64_t> Make(Store& store, const Account& a, int n) {
  std::vector<int64_t> ids;  // oldest first
  for (int i = 0; i < n; ++i) {
    auto p =
        store.CreatePalette(a.workspace.id, SamplePalette("p" + std::to_string(i), a.user.id), 1'000 + i);
    REQUIRE(p.ok());
    ids.push_back(p->id.value);
  }
  return ids;
}

STORE_CONTRACT("palettes: region labels and background index", "[store][palettes][edit]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "editor");
  TenantId t = a.workspace.id;
  auto p = store->CreatePalette(t, SamplePalette("x", a.user.id), 1'000);
  REQUIRE(p.ok());
  CHECK(p->region_labels_json == "[]");
  CHECK_FALSE(p->background_index.has_value());

  PaletteUpdate u;
  u.region_labels_json = R"(["00","01"])";
  u.background_index = std::optional<int>(1);
  auto set = store->UpdatePalette(t, p->id, u, 2'000);
  REQUIRE(set.ok());
  CHECK(set->region_labels_json == R"(["00","01"])");
  REQUIRE(set->background_index.has_value());
  CHECK(*set->background_index == 1);

  // Unset in the update: unchanged.
  PaletteUpdate rename;
  rename.name = "y";
  auto kept = store->UpdatePalette(t, p->id, rename, 3'000);
  REQUIRE(kept.ok());
  CHECK(kept->region_labels_json == R"(["00","01"])");
  REQUIRE(kept->background_index.has_value());
  CHECK(*kept->background_index == 1);
  auto got = store->GetPalette(t, p->id);
  REQUIRE(got.ok());
  CHECK(*got->background_index == 1);

  // Set to none.
  PaletteUpdate clear;
  clear.background_index = std::optional<int>();
  auto cleared = store->UpdatePalette(t, p->id, clear, 4'000);
  REQUIRE(cleared.ok());
  CHECK_FALSE(cleared->background_index.has_value());
  CHECK_FALSE(store->GetPalette(t, p->id)->background_index.has_value());
}

STORE_CONTRACT("palettes: updated_at only moves forward, if_updated_at is compare-and-set",
               "[store][palettes][edit]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "cas");
  Account b = MakeAccount(*store, "cas-other");
  TenantId t = a.workspace.id;
  auto p = store->CreatePalette(t, SamplePalette("x", a.user.id), 5'000);
  REQUIRE(p.ok());

  // Same millisecond (or a clock that stepped back): still strictly later.
  PaletteUpdate u;
  u.name = "one";
  auto first = store->UpdatePalette(t, p->id, u, 5'000);
  REQUIRE(first.ok());
  CHECK(first->updated_at == 5'001);
  auto back = store->UpdatePalette(t, p->id, u, 10);
  REQUIRE(back.ok());
  CHECK(back->updated_at == 5'002);

  PaletteUpdate cas;
  cas.name = "two";
  cas.if_updated_at = 5'002;
  auto ok = store->UpdatePalette(t, p->id, cas, 6'000);
  REQUIRE(ok.ok());
  CHECK(ok->name == "two");
  CHECK(ok->updated_at == 6'000);

  cas.name = "stale";  // still expects 5'002
  auto stale = store->UpdatePalette(t, p->id, cas, 7'000);
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.error().code == ErrorCode::kConflict);
  CHECK(store->GetPalette(t, p->id)->name == "two");

  // Missing, or another tenant's: kNotFound, never kConflict.
  auto missing = store->UpdatePalette(t, PaletteId(p->id.value + 1000), cas, 7'000);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  cas.if_updated_at = 6'000;
  auto foreign = store->UpdatePalette(b.workspace.id, p->id, cas, 7'000);
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.error().code == ErrorCode::kNotFound);
  CHECK(store->GetPalette(t, p->id)->name == "two");
}

STORE_CONTRACT("palettes: duplicate copies every field, shares the object, goes on top",
               "[store][palettes][duplicate]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "dup");
  Account other = MakeAccount(*store, "dup-other");
  TenantId t = a.workspace.id;
  auto src = store->CreatePalette(t, SamplePalette("Sunset", a.user.id), 1'000);
  REQUIRE(src.ok());
  REQUIRE(store->CreatePalette(t, SamplePalette("Sunset (2)", a.user.id), 1'001).ok());
  REQUIRE(store->CreatePalette(t, SamplePalette("Dawn", a.user.id), 1'002).ok());
  REQUIRE(store->CreatePalette(other.workspace.id, SamplePalette("Sunset (3)", other.user.id), 1).ok());
  PaletteUpdate u;
  u.regions_json = "[[[0,0],[4,0],[4,4]]]";
  u.region_colors_json = R"([{"centroid":[2.7,1.3]}])";
  u.region_labels_json = R"(["00"])";
  u.params_json = R"({"k":7,"regions":{"strategy":"otsu"}})";
  u.background_index = std::optional<int>(1);
  REQUIRE(store->UpdatePalette(t, src->id, u, 2'000).ok());
  auto before = store->GetPalette(t, src->id);
  REQUIRE(before.ok());

  std::vector<std::string> seen;
  std::string prefix_seen;
  auto copy = store->DuplicatePalette(
      t, src->id, "Sunset",
      [&](const std::vector<std::string>& taken) {
        seen = taken;
        return std::string("Sunset (3)");
      },
      a.user.id, 9'000);
  REQUIRE(copy.ok());
  std::sort(seen.begin(), seen.end());
  // Only this tenant's names with the prefix: not "Dawn", not the other tenant's "Sunset (3)".
  CHECK(seen == std::vector<std::string>{"Sunset", "Sunset (2)"});
  CHECK(copy->id != src->id);
  CHECK(copy->tenant_id == t);
  CHECK(copy->name == "Sunset (3)");
  CHECK(copy->image.object_key == before->image.object_key);
  CHECK(copy->image.sha256 == before->image.sha256);
  CHECK(copy->image.width == before->image.width);
  CHECK(copy->image.bytes == before->image.bytes);
  CHECK(copy->colors_json == before->colors_json);
  CHECK(copy->labels_json == before->labels_json);
  CHECK(copy->coverage_json == before->coverage_json);
  CHECK(copy->regions_json == before->regions_json);
  CHECK(copy->region_colors_json == before->region_colors_json);
  CHECK(copy->region_labels_json == before->region_labels_json);
  CHECK(copy->params_json == before->params_json);
  REQUIRE(copy->background_index.has_value());
  CHECK(*copy->background_index == 1);
  CHECK(copy->created_at == 9'000);
  CHECK(copy->updated_at == 9'000);
  CHECK(copy->created_by == a.user.id);
  CHECK(ListIds(*store, t).front() == copy->id.value);  // on top

  // Both reference the key; after deleting one, the other still does.
  CHECK(*store->ObjectKeyInUse(t, before->image.object_key));
  REQUIRE(store->DeletePalette(t, src->id).ok());
  CHECK(*store->ObjectKeyInUse(t, before->image.object_key));
  REQUIRE(store->DeletePalette(t, copy->id).ok());
  CHECK_FALSE(*store->ObjectKeyInUse(t, before->image.object_key));

  // A missing source, or another tenant's: kNotFound, and the chooser is not even asked.
  bool asked = false;
  auto chooser = [&](const std::vector<std::string>&) {
    asked = true;
    return std::string("x");
  };
  auto gone = store->DuplicatePalette(t, src->id, "Sunset", chooser, a.user.id, 10'000);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == ErrorCode::kNotFound);
  auto theirs = ListIds(*store, other.workspace.id);
  auto foreign = store->DuplicatePalette(t, PaletteId(theirs[0]), "S", chooser, a.user.id, 10'000);
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.error().code == ErrorCode::kNotFound);
  CHECK(ListIds(*store, other.workspace.id).size() == 1);
}

STORE_CONTRACT("palettes: the name prefix matches code points, not LIKE patterns",
               "[store][palettes][duplicate]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "prefix");
  TenantId t = a.workspace.id;
  for (const char* name : {"50% off_", "50% off_ (2)", "50x off_", "Été", "Été (2)", "Ete"}) {
    REQUIRE(store->CreatePalette(t, SamplePalette(name, a.user.id), 1).ok());
  }
  auto src = ListIds(*store, t).back();
  for (auto [prefix, want] :
       {std::pair<std::string, std::set<std::string>>{"50% off_", {"50% off_", "50% off_ (2)"}},
        {"Été", {"Été", "Été (2)"}}}) {
    std::set<std::string> seen;
    auto copy = store->DuplicatePalette(
        t, PaletteId(src), prefix,
        [&](const std::vector<std::string>& taken) {
          seen = std::set<std::string>(taken.begin(), taken.end());
          return prefix + " (copy)";
        },
        a.user.id, 2);
    REQUIRE(copy.ok());
    INFO(prefix);
    CHECK(seen == want);
    REQUIRE(store->DeletePalette(t, copy->id).ok());
  }
}

STORE_CONTRACT("palettes: concurrent duplicates never pick the same name", "[store][palettes][duplicate]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "dupes");
  TenantId t = a.workspace.id;
  auto src = store->CreatePalette(t, SamplePalette("Base", a.user.id), 1);
  REQUIRE(src.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto copy = store->DuplicatePalette(
            t, src->id, "Base",
            [](const std::vector<std::string>& taken) {
              return "Base (" + std::to_string(taken.size() + 1) + ")";  // 1 + number of copies
            },
            a.user.id, 2);
        if (!copy.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  auto page = store->ListPalettes(t, std::nullopt, 100);
  REQUIRE(page.ok());
  std::set<std::string> names;
  std::set<int64_t> positions;
  for (const auto& p : page->items) {
    names.insert(p.name);
    positions.insert(p.position);
  }
  CHECK(page->items.size() == 21);
  CHECK(names.size() == 21);
  CHECK(positions.size() == 21);
}

// The race DELETE must survive: a copy made while its source is deleted. Whenever the copy
// exists, the deleter's ObjectKeyInUse (asked after its delete, as Palettes::Delete does) must
// have seen it; otherwise the shared object would be deleted under the copy.
STORE_CONTRACT("palettes: a duplicate racing the delete of its source never loses the object",
               "[store][palettes][duplicate][concurrency]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "racer");
  TenantId t = a.workspace.id;
  int copies = 0;
  for (int i = 0; i < 100; ++i) {
    NewPalette np = SamplePalette("race" + std::to_string(i), a.user.id);
    auto src = store->CreatePalette(t, np, i);
    REQUIRE(src.ok());
    Result<Palette> copy = MakeError(ErrorCode::kInternal, "not run");
    Result<bool> in_use = MakeError(ErrorCode::kInternal, "not run");
    bool deleted = false;
    std::thread dup([&] {
      copy = store->DuplicatePalette(
          t, src->id, "race",
          [](const std::vector<std::string>& taken) { return "race copy " + std::to_string(taken.size()); },
          a.user.id, i);
    });
    std::thread del([&] {
      deleted = store->DeletePalette(t, src->id).ok();
      in_use = store->ObjectKeyInUse(t, np.image.object_key);
    });
    dup.join();
    del.join();
    REQUIRE(deleted);
    REQUIRE(in_use.ok());
    if (copy.ok()) {
      ++copies;
      INFO("iteration " << i);
      CHECK(*in_use);  // the deleter saw the copy: it keeps the object
      REQUIRE(store->DeletePalette(t, copy->id).ok());
    } else {
      CHECK(copy.error().code == ErrorCode::kNotFound);
      CHECK_FALSE(*in_use);
    }
  }
  INFO(copies << " of 100 copies won the race");
  CHECK(ListIds(*store, t).empty());
}

STORE_CONTRACT("palettes: reorder rewrites positions, a different set is kConflict",
               "[store][palettes][order]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "order");
  Account b = MakeAccount(*store, "order-other");
  TenantId t = a.workspace.id;
  auto ids = Make(*store, a, 6);  // oldest first; the list shows them newest first
  auto theirs = Make(*store, b, 2);
  CHECK(ListIds(*store, t) == std::vector<int64_t>(ids.rbegin(), ids.rend()));

  std::vector<int64_t> want = {ids[2], ids[0], ids[5], ids[4], ids[1], ids[3]};
  REQUIRE(store->ReorderPalettes(t, AsIds(want)).ok());
  CHECK(ListIds(*store, t) == want);
  REQUIRE(store->ReorderPalettes(t, AsIds(want)).ok());  // idempotent
  CHECK(ListIds(*store, t) == want);
  CHECK(ListIds(*store, b.workspace.id) == std::vector<int64_t>{theirs[1], theirs[0]});

  // New palettes still go on top.
  auto fresh = store->CreatePalette(t, SamplePalette("new", a.user.id), 5);
  REQUIRE(fresh.ok());
  CHECK(ListIds(*store, t).front() == fresh->id.value);
  want.insert(want.begin(), fresh->id.value);

  for (const auto& bad : std::vector<std::vector<int64_t>>{
           {},                                                                          // empty
           {want.begin(), want.end() - 1},                                              // one missing
           {want[0], want[1], want[2], want[3], want[4], want[5], want[6], theirs[0]},  // foreign
           {want[0], want[1], want[2], want[3], want[4], want[5], want[5]},             // duplicate
           {want[0], want[1], want[2], want[3], want[4], want[5], 999'999}}) {
    auto r = store->ReorderPalettes(t, AsIds(bad));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kConflict);
  }
  CHECK(ListIds(*store, t) == want);  // nothing changed
}

STORE_CONTRACT("palettes: move top, bottom, up, down", "[store][palettes][order]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "mover");
  Account b = MakeAccount(*store, "mover-other");
  TenantId t = a.workspace.id;
  auto ids = Make(*store, a, 4);
  auto theirs = Make(*store, b, 1);
  // List: 3 2 1 0 (by index into ids).
  auto order = [&](std::initializer_list<int> idx) {
    std::vector<int64_t> v;
    for (int i : idx) v.push_back(ids[static_cast<size_t>(i)]);
    return v;
  };
  auto move = [&](int i, PaletteMove m) {
    auto r = store->MovePalette(t, PaletteId(ids[static_cast<size_t>(i)]), m);
    REQUIRE(r.ok());
    CHECK(r->id.value == ids[static_cast<size_t>(i)]);
  };
  move(1, PaletteMove::kTop);
  CHECK(ListIds(*store, t) == order({1, 3, 2, 0}));
  move(1, PaletteMove::kTop);  // already there
  CHECK(ListIds(*store, t) == order({1, 3, 2, 0}));
  move(3, PaletteMove::kBottom);
  CHECK(ListIds(*store, t) == order({1, 2, 0, 3}));
  move(3, PaletteMove::kBottom);  // already there (and at position 0 now: no room below)
  move(1, PaletteMove::kBottom);  // renumbers rather than go negative
  CHECK(ListIds(*store, t) == order({2, 0, 3, 1}));
  move(3, PaletteMove::kUp);
  CHECK(ListIds(*store, t) == order({2, 3, 0, 1}));
  move(2, PaletteMove::kUp);  // top already
  CHECK(ListIds(*store, t) == order({2, 3, 0, 1}));
  move(2, PaletteMove::kDown);
  CHECK(ListIds(*store, t) == order({3, 2, 0, 1}));
  move(1, PaletteMove::kDown);  // bottom already
  CHECK(ListIds(*store, t) == order({3, 2, 0, 1}));
  auto page = store->ListPalettes(t, std::nullopt, 100);
  REQUIRE(page.ok());
  for (const auto& p : page->items) CHECK(p.position >= 0);

  // Another tenant's palette, or a missing one: kNotFound, nothing moves.
  auto foreign = store->MovePalette(t, PaletteId(theirs[0]), PaletteMove::kTop);
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.error().code == ErrorCode::kNotFound);
  auto missing = store->MovePalette(t, PaletteId(999'999), PaletteMove::kUp);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  CHECK(ListIds(*store, t) == order({3, 2, 0, 1}));
}

// The planner alone: ties (which an import could produce) are renumbered, gaps are kept.
TEST_CASE("palette order: plans", "[store][order]") {
  std::vector<PositionRow> rows = {{10, 9}, {11, 7}, {12, 3}};  // top first, with gaps
  CHECK(PlanOrder(rows, {10, 11, 12}).empty());
  auto swap = PlanOrder(rows, {11, 10, 12});
  REQUIRE(swap.size() == 2);
  CHECK(swap[0].id == 11);
  CHECK(swap[0].position == 9);
  CHECK(swap[1].id == 10);
  CHECK(swap[1].position == 7);
  auto top = PlanMove(rows, 2, PaletteMove::kTop);
  REQUIRE(top.size() == 1);
  CHECK(top[0].position == 10);
  auto bottom = PlanMove(rows, 0, PaletteMove::kBottom);
  REQUIRE(bottom.size() == 1);
  CHECK(bottom[0].position == 2);

  std::vector<PositionRow> ties = {{5, 4}, {3, 4}, {2, 1}};
  auto renumbered = PlanMove(ties, 1, PaletteMove::kUp);  // -> 3 5 2 as 3 2 1
  std::map<int64_t, int64_t> pos;
  for (const auto& r : ties) pos[r.id] = r.position;
  for (const auto& c : renumbered) pos[c.id] = c.position;
  CHECK(pos[3] == 3);
  CHECK(pos[5] == 2);
  CHECK(pos[2] == 1);

  CHECK(SameIds(rows, {12, 10, 11}));
  CHECK_FALSE(SameIds(rows, {12, 10}));
  CHECK_FALSE(SameIds(rows, {12, 10, 10}));
  CHECK_FALSE(SameIds(rows, {12, 10, 13}));
}

}  // namespace
}  // namespace pm::store::testing
