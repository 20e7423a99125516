// Store contract: plans and metering (usage_daily, live tenant figures, request counting).
// Tenant isolation: every case checks that another workspace's figures stay untouched. The
// concurrency case uses two Store objects on one database (two replicas).
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "store_contract.h"

namespace pm::store::testing {
namespace {

int64_t CountOf(const std::vector<UsageCount>& rows, int64_t day, const std::string& metric) {
  for (const auto& r : rows) {
    if (r.day == day && r.metric == metric) return r.count;
  }
  return 0;
}

std::vector<UsageCount> List(Store& store, TenantId t, int64_t from, int64_t to) {
  auto r = store.ListUsage(t, from, to);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

TenantUsage Live(Store& store, TenantId t, int64_t now) {
  auto r = store.GetTenantUsage(t, now);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

STORE_CONTRACT("plans: AddUsage adds per day and metric, never below 0, per tenant", "[plans]") {
  auto store = OpenMigrated(harness);
  auto ada = MakeAccount(*store, "ada");
  auto bob = MakeAccount(*store, "bob");
  TenantId t = ada.workspace.id;
  REQUIRE(store->AddUsage(t, 100, "uploads", 1).ok());
  REQUIRE(store->AddUsage(t, 100, "uploads", 2).ok());
  REQUIRE(store->AddUsage(t, 100, "upload_bytes", 5000).ok());
  REQUIRE(store->AddUsage(t, 101, "uploads", 1).ok());
  REQUIRE(store->AddUsage(t, 99, "detections", 4).ok());
  REQUIRE(store->AddUsage(t, 99, "detections", -10).ok());  // clamps at 0
  REQUIRE(store->AddUsage(t, 102, "extractions", -1).ok());  // a new row starts at 0
  REQUIRE(store->AddUsage(t, 103, "uploads", 0).ok());       // no-op

  auto rows = List(*store, t, 0, 1000);
  CHECK(CountOf(rows, 100, "uploads") == 3);
  CHECK(CountOf(rows, 100, "upload_bytes") == 5000);
  CHECK(CountOf(rows, 101, "uploads") == 1);
  CHECK(CountOf(rows, 99, "detections") == 0);
  CHECK(CountOf(rows, 102, "extractions") == 0);
  // Ordered by day, then metric.
  for (size_t i = 1; i < rows.size(); ++i) {
    CHECK((rows[i - 1].day < rows[i].day ||
           (rows[i - 1].day == rows[i].day && rows[i - 1].metric < rows[i].metric)));
  }
  // The range is inclusive at both ends.
  auto only100 = List(*store, t, 100, 100);
  REQUIRE(only100.size() == 2);
  CHECK(only100[0].metric == "upload_bytes");
  CHECK(only100[1].metric == "uploads");
  // Another tenant sees none of it.
  CHECK(List(*store, bob.workspace.id, 0, 1000).empty());
}

STORE_CONTRACT("plans: AddUsageWithin refuses past the cap and changes nothing", "[plans]") {
  auto store = OpenMigrated(harness);
  auto ada = MakeAccount(*store, "ada");
  auto bob = MakeAccount(*store, "bob");
  TenantId t = ada.workspace.id;
  for (int i = 1; i <= 3; ++i) {
    auto r = store->AddUsageWithin(t, 7, "detections", 1, 3);
    REQUIRE(r.ok());
    REQUIRE(r->has_value());
    CHECK(**r == i);
  }
  auto refused = store->AddUsageWithin(t, 7, "detections", 1, 3);
  REQUIRE(refused.ok());
  CHECK_FALSE(refused->has_value());
  CHECK(CountOf(List(*store, t, 7, 7), 7, "detections") == 3);
  // n larger than the cap on a fresh row: refused without a row.
  auto too_big = store->AddUsageWithin(t, 8, "detections", 5, 4);
  REQUIRE(too_big.ok());
  CHECK_FALSE(too_big->has_value());
  CHECK(List(*store, t, 8, 8).empty());
  // Another day and another tenant have their own counts.
  auto next_day = store->AddUsageWithin(t, 8, "detections", 1, 3);
  REQUIRE((next_day.ok() && next_day->has_value() && **next_day == 1));
  auto other = store->AddUsageWithin(bob.workspace.id, 7, "detections", 1, 3);
  REQUIRE((other.ok() && other->has_value() && **other == 1));
  // Giving a reservation back makes room again.
  REQUIRE(store->AddUsage(t, 7, "detections", -1).ok());
  auto again = store->AddUsageWithin(t, 7, "detections", 1, 3);
  REQUIRE((again.ok() && again->has_value() && **again == 3));
  CHECK_FALSE(store->AddUsageWithin(t, 7, "detections", 0, 3).ok());
}

STORE_CONTRACT("plans: AddUsageWithin holds the cap across replicas and threads", "[plans][concurrency]") {
  auto a = OpenMigrated(harness);
  auto b_open = harness.Open();
  REQUIRE(b_open.ok());
  auto b = std::move(b_open).value();
  auto ada = MakeAccount(*a, "ada");
  TenantId t = ada.workspace.id;
  constexpr int kCap = 10;
  std::atomic<int> granted{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    Store* s = (i % 2 == 0) ? a.get() : b.get();
    threads.emplace_back([&, s] {
      for (int j = 0; j < 8; ++j) {
        auto r = s->AddUsageWithin(t, 42, "detections", 1, kCap);
        if (!r.ok()) {
          ++failed;
        } else if (r->has_value()) {
          ++granted;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failed == 0);
  CHECK(granted == kCap);
  CHECK(CountOf(List(*b, t, 42, 42), 42, "detections") == kCap);
}

STORE_CONTRACT("plans: GetTenantUsage counts members, invitations, palettes and distinct bytes", "[plans]") {
  auto store = OpenMigrated(harness);
  auto ada = MakeAccount(*store, "ada");
  auto bob = MakeAccount(*store, "bob");
  auto cat = MakeAccount(*store, "cat");
  TenantId t = ada.workspace.id;

  auto empty = Live(*store, t, 1'000);
  CHECK(empty.plan == "");
  CHECK(empty.members == 1);
  CHECK(empty.pending_invitations == 0);
  CHECK(empty.palettes == 0);
  CHECK(empty.stored_bytes == 0);

  REQUIRE(store->CreateInvitation(t, NewInvitation{"bob@example.com", "editor", "h-bob", ada.user.id, 10'000}, 1'000).ok());
  REQUIRE(store->CreateInvitation(t, NewInvitation{"dan@example.com", "viewer", "h-dan", ada.user.id, 3'000}, 1'000).ok());
  REQUIRE(store->AcceptInvitation("h-bob", bob.user.id, 2'000).ok());

  auto p1 = SamplePalette("one", ada.user.id);
  p1.image.object_key = "tenants/x/images/one.png";
  p1.image.bytes = 1000;
  auto p2 = SamplePalette("two", ada.user.id);
  p2.image.object_key = "tenants/x/images/two.png";
  p2.image.bytes = 250;
  auto c1 = store->CreatePalette(t, p1, 2'000);
  REQUIRE(c1.ok());
  REQUIRE(store->CreatePalette(t, p2, 2'000).ok());
  // A duplicate shares its source's object: counted once in stored bytes.
  auto dup = store->DuplicatePalette(
      t, c1->id, "one", [](const std::vector<std::string>&) { return std::string("one (2)"); },
      ada.user.id, 2'500);
  REQUIRE(dup.ok());
  // Another tenant's palette does not count here.
  REQUIRE(store->CreatePalette(cat.workspace.id, SamplePalette("theirs", cat.user.id), 2'000).ok());

  auto u = Live(*store, t, 2'500);
  CHECK(u.members == 2);
  CHECK(u.pending_invitations == 1);  // dan's, until it expires
  CHECK(u.palettes == 3);
  CHECK(u.stored_bytes == 1250);
  CHECK(Live(*store, t, 3'000).pending_invitations == 0);

  auto theirs = Live(*store, cat.workspace.id, 2'500);
  CHECK(theirs.members == 1);
  CHECK(theirs.palettes == 1);
  CHECK(theirs.stored_bytes == 12345);

  CHECK(store->GetTenantUsage(TenantId{999'999}, 1'000).error().code == ErrorCode::kNotFound);
}

STORE_CONTRACT("plans: CountRequest meters the day and counts the window", "[plans]") {
  auto store = OpenMigrated(harness);
  auto ada = MakeAccount(*store, "ada");
  auto bob = MakeAccount(*store, "bob");
  TenantId t = ada.workspace.id;
  for (int i = 1; i <= 3; ++i) {
    auto r = store->CountRequest(t, 5, "requests:ada", 60'000, 180'000);
    REQUIRE(r.ok());
    CHECK(*r == i);
  }
  auto next_window = store->CountRequest(t, 5, "requests:ada", 120'000, 240'000);
  REQUIRE((next_window.ok() && *next_window == 1));
  auto other = store->CountRequest(bob.workspace.id, 5, "requests:bob", 60'000, 180'000);
  REQUIRE((other.ok() && *other == 1));

  CHECK(CountOf(List(*store, t, 5, 5), 5, "requests") == 4);
  CHECK(CountOf(List(*store, bob.workspace.id, 5, 5), 5, "requests") == 1);
  auto window = store->GetCounter("requests:ada", 60'000);
  REQUIRE((window.ok() && *window == 3));
}

}  // namespace pm::store::testing
