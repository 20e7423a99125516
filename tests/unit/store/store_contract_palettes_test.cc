// Store contract: palettes — CRUD, tenant isolation, list order and keyset pagination.
#include <algorithm>
#include <set>

#include "store_contract.h"

namespace pm::store::testing {
namespace {

// Every page of the tenant's list, following `next`.
std::vector<Palette> ListAll(Store& store, TenantId tenant, int limit, int* pages = nullptr) {
  std::vector<Palette> all;
  std::optional<PageCursor> cursor;
  int count = 0;
  do {
    auto page = store.ListPalettes(tenant, cursor, limit);
    REQUIRE(page.ok());
    REQUIRE(static_cast<int>(page->items.size()) <= limit);
    for (auto& p : page->items) all.push_back(p);
    cursor = page->next;
    ++count;
    REQUIRE(count < 10'000);
  } while (cursor);
  if (pages) *pages = count;
  return all;
}

STORE_CONTRACT("palettes: create, get, update, delete", "[store][palettes]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "pat");
  TenantId t = a.workspace.id;

  auto created = store->CreatePalette(t, SamplePalette("Sunset", a.user.id), 1'000);
  REQUIRE(created.ok());
  const Palette& p = *created;
  CHECK(p.id.value > 0);
  CHECK(p.tenant_id == t);
  CHECK(p.name == "Sunset");
  CHECK(p.image.object_key == "tenants/1/images/Sunset.png");
  CHECK(p.image.format == "png");
  CHECK(p.image.mime == "image/png");
  CHECK(p.image.width == 640);
  CHECK(p.image.height == 480);
  CHECK(p.image.bytes == 12345);
  CHECK(p.image.sha256 == std::string(64, 'a'));
  CHECK(p.colors_json == R"(["#112233","#445566"])");
  CHECK(p.labels_json == R"(["A","B"])");
  CHECK(p.coverage_json == "[0.6,0.4]");
  CHECK(p.regions_json == "[]");
  CHECK(p.region_colors_json == "[]");
  CHECK(p.params_json == R"({"k":5})");
  CHECK(p.position == 1);
  CHECK(p.created_by == a.user.id);
  CHECK(p.created_at == 1'000);
  CHECK(p.updated_at == 1'000);

  auto got = store->GetPalette(t, p.id);
  REQUIRE(got.ok());
  CHECK(got->name == "Sunset");
  CHECK(got->colors_json == p.colors_json);
  CHECK(got->position == 1);

  // Partial update: only the name (and updated_at) change.
  PaletteUpdate rename;
  rename.name = "Dusk";
  auto renamed = store->UpdatePalette(t, p.id, rename, 2'000);
  REQUIRE(renamed.ok());
  CHECK(renamed->name == "Dusk");
  CHECK(renamed->colors_json == p.colors_json);
  CHECK(renamed->params_json == p.params_json);
  CHECK(renamed->created_at == 1'000);
  CHECK(renamed->updated_at == 2'000);
  CHECK(renamed->position == 1);

  PaletteUpdate regions;
  regions.colors_json = R"(["#000000"])";
  regions.labels_json = R"(["A"])";
  regions.coverage_json = "[1]";
  regions.regions_json = "[[[0,0],[1,0],[1,1]]]";
  regions.region_colors_json = R"([{"avg":"#010101","swatch":0}])";
  regions.params_json = R"({"k":1})";
  auto updated = store->UpdatePalette(t, p.id, regions, 3'000);
  REQUIRE(updated.ok());
  CHECK(updated->name == "Dusk");
  CHECK(updated->colors_json == R"(["#000000"])");
  CHECK(updated->labels_json == R"(["A"])");
  CHECK(updated->coverage_json == "[1]");
  CHECK(updated->regions_json == "[[[0,0],[1,0],[1,1]]]");
  CHECK(updated->region_colors_json == R"([{"avg":"#010101","swatch":0}])");
  CHECK(updated->params_json == R"({"k":1})");
  CHECK(updated->updated_at == 3'000);
  auto reread = store->GetPalette(t, p.id);
  REQUIRE(reread.ok());
  CHECK(reread->regions_json == "[[[0,0],[1,0],[1,1]]]");

  auto deleted = store->DeletePalette(t, p.id);
  REQUIRE(deleted.ok());
  CHECK(deleted->id == p.id);
  CHECK(deleted->image.object_key == "tenants/1/images/Sunset.png");  // to delete the object

  for (auto code : {store->GetPalette(t, p.id).error().code,
                    store->DeletePalette(t, p.id).error().code,
                    store->UpdatePalette(t, p.id, rename, 4'000).error().code}) {
    CHECK(code == ErrorCode::kNotFound);
  }
}

STORE_CONTRACT("palettes: a palette without creator or image", "[store][palettes]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "imp");
  NewPalette bare;
  bare.name = "Imported";
  auto created = store->CreatePalette(a.workspace.id, bare, 10);
  REQUIRE(created.ok());
  CHECK(created->created_by.value == 0);
  CHECK(created->image.object_key.empty());
  CHECK(created->colors_json == "[]");
  CHECK(created->params_json == "{}");
}

STORE_CONTRACT("palettes: creating in a missing workspace is kNotFound", "[store][palettes]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "ghost");
  auto created = store->CreatePalette(TenantId(a.workspace.id.value + 999),
                                      SamplePalette("x", a.user.id), 10);
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().code == ErrorCode::kNotFound);
}

STORE_CONTRACT("palettes: tenants are isolated", "[store][palettes][isolation]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "tenant-a");
  Account b = MakeAccount(*store, "tenant-b");
  auto pa = store->CreatePalette(a.workspace.id, SamplePalette("A's", a.user.id), 100);
  REQUIRE(pa.ok());
  auto pb = store->CreatePalette(b.workspace.id, SamplePalette("B's", b.user.id), 100);
  REQUIRE(pb.ok());
  CHECK(pb->position == 1);  // positions count per tenant

  TenantId tb = b.workspace.id;
  auto get = store->GetPalette(tb, pa->id);
  REQUIRE_FALSE(get.ok());
  CHECK(get.error().code == ErrorCode::kNotFound);

  PaletteUpdate hijack;
  hijack.name = "pwned";
  hijack.colors_json = "[]";
  auto upd = store->UpdatePalette(tb, pa->id, hijack, 200);
  REQUIRE_FALSE(upd.ok());
  CHECK(upd.error().code == ErrorCode::kNotFound);

  auto del = store->DeletePalette(tb, pa->id);
  REQUIRE_FALSE(del.ok());
  CHECK(del.error().code == ErrorCode::kNotFound);
  // Same answer as for an id that does not exist at all (no existence leak).
  auto absent = store->GetPalette(tb, PaletteId(pa->id.value + pb->id.value + 1000));
  REQUIRE_FALSE(absent.ok());
  CHECK(get.error().message == absent.error().message);

  // B's list holds only B's palette; a cursor pointing into A's rows shows nothing of A.
  auto list_b = store->ListPalettes(tb, std::nullopt, 50);
  REQUIRE(list_b.ok());
  REQUIRE(list_b->items.size() == 1);
  CHECK(list_b->items[0].id == pb->id);
  auto cursor_b = store->ListPalettes(tb, PageCursor{pa->position + 1, pa->id.value + 1}, 50);
  REQUIRE(cursor_b.ok());
  for (const auto& p : cursor_b->items) CHECK(p.tenant_id == tb);

  // A's row is unchanged.
  auto a_row = store->GetPalette(a.workspace.id, pa->id);
  REQUIRE(a_row.ok());
  CHECK(a_row->name == "A's");
  CHECK(a_row->colors_json == pa->colors_json);
  CHECK(a_row->updated_at == 100);
  auto list_a = store->ListPalettes(a.workspace.id, std::nullopt, 50);
  REQUIRE(list_a.ok());
  REQUIRE(list_a->items.size() == 1);
  CHECK(list_a->items[0].id == pa->id);
}

STORE_CONTRACT("palettes: list is newest first and pages without dupes or misses",
               "[store][palettes][list]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "lister");
  Account other = MakeAccount(*store, "noise");
  TenantId t = a.workspace.id;

  auto empty = store->ListPalettes(t, std::nullopt, 10);
  REQUIRE(empty.ok());
  CHECK(empty->items.empty());
  CHECK_FALSE(empty->next.has_value());

  std::vector<PaletteId> created;  // oldest first
  for (int i = 0; i < 25; ++i) {
    auto p = store->CreatePalette(t, SamplePalette("p" + std::to_string(i), a.user.id), 1'000 + i);
    REQUIRE(p.ok());
    CHECK(p->position == i + 1);
    created.push_back(p->id);
    // Interleave another tenant's rows: they must neither appear nor shift positions.
    REQUIRE(store->CreatePalette(other.workspace.id, SamplePalette("n", other.user.id), 1).ok());
  }

  auto first = store->ListPalettes(t, std::nullopt, 10);
  REQUIRE(first.ok());
  REQUIRE(first->items.size() == 10);
  CHECK(first->items[0].id == created.back());  // newest on top
  REQUIRE(first->next.has_value());
  CHECK(first->next->id == first->items.back().id.value);
  CHECK(first->next->position == first->items.back().position);

  int pages = 0;
  auto all = ListAll(*store, t, 10, &pages);
  CHECK(pages == 3);
  REQUIRE(all.size() == 25);
  std::set<int64_t> ids;
  for (size_t i = 0; i < all.size(); ++i) {
    ids.insert(all[i].id.value);
    CHECK(all[i].tenant_id == t);
    CHECK(all[i].id == created[created.size() - 1 - i]);
    if (i > 0) CHECK(all[i - 1].position > all[i].position);
  }
  CHECK(ids.size() == 25);

  // Exact multiple of the page size: the last full page has no `next`.
  int exact_pages = 0;
  CHECK(ListAll(*store, t, 5, &exact_pages).size() == 25);
  CHECK(exact_pages == 5);
  CHECK(ListAll(*store, t, 1000).size() == 25);
  CHECK(ListAll(*store, t, 1).size() == 25);

  // A palette created between pages goes on top and does not disturb the pages that follow.
  auto page1 = store->ListPalettes(t, std::nullopt, 10);
  REQUIRE(page1.ok());
  REQUIRE(store->CreatePalette(t, SamplePalette("late", a.user.id), 9'000).ok());
  auto page2 = store->ListPalettes(t, page1->next, 10);
  REQUIRE(page2.ok());
  REQUIRE(page2->items.size() == 10);
  CHECK(page2->items[0].id == created[created.size() - 11]);

  for (int bad : {0, -1, 1001}) {
    auto r = store->ListPalettes(t, std::nullopt, bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
}

STORE_CONTRACT("palettes: deleting does not break pagination", "[store][palettes][list]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "deleter");
  TenantId t = a.workspace.id;
  std::vector<PaletteId> ids;
  for (int i = 0; i < 12; ++i) {
    auto p = store->CreatePalette(t, SamplePalette("p", a.user.id), i);
    REQUIRE(p.ok());
    ids.push_back(p->id);
  }
  auto page1 = store->ListPalettes(t, std::nullopt, 5);
  REQUIRE(page1.ok());
  // Delete the cursor row itself and one row on the next page.
  REQUIRE(store->DeletePalette(t, page1->items.back().id).ok());
  REQUIRE(store->DeletePalette(t, ids[5]).ok());
  auto rest = store->ListPalettes(t, page1->next, 100);
  REQUIRE(rest.ok());
  CHECK(rest->items.size() == 12 - 5 - 1);
  CHECK_FALSE(rest->next.has_value());
  for (const auto& p : rest->items) CHECK(p.position < page1->items.back().position);
}

}  // namespace
}  // namespace pm::store::testing
