// Store contract: migrations, readiness, reopening, refusing a newer schema.
#include <string>

#include "store_contract.h"

namespace pm::store::testing {
namespace {

STORE_CONTRACT("schema: Migrate is idempotent and Migrations lists status", "[store][schema]") {
  auto opened = harness.Open();
  REQUIRE(opened.ok());
  Store& store = **opened;

  // Before migrating: not ready, everything pending.
  auto check = store.Check();
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().code == ErrorCode::kUnavailable);
  auto pending = store.Migrations();
  REQUIRE(pending.ok());
  REQUIRE_FALSE(pending->empty());
  for (const auto& m : *pending) CHECK_FALSE(m.applied);

  auto first = store.Migrate();
  REQUIRE(first.ok());
  CHECK(*first == static_cast<int>(pending->size()));
  auto second = store.Migrate();
  REQUIRE(second.ok());
  CHECK(*second == 0);
  CHECK(store.Check().ok());

  auto list = store.Migrations();
  REQUIRE(list.ok());
  REQUIRE(list->size() == pending->size());
  for (size_t i = 0; i < list->size(); ++i) {
    CHECK((*list)[i].version == static_cast<int>(i) + 1);
    CHECK((*list)[i].applied);
    CHECK_FALSE((*list)[i].name.empty());
  }
  CHECK((*list)[0].name == "init");
}

STORE_CONTRACT("schema: reopening the database keeps the data", "[store][schema]") {
  PaletteId palette_id;
  TenantId tenant;
  {
    auto store = OpenMigrated(harness);
    Account a = MakeAccount(*store, "alice");
    tenant = a.workspace.id;
    auto p = store->CreatePalette(tenant, SamplePalette("kept", a.user.id), 5'000);
    REQUIRE(p.ok());
    palette_id = p->id;
    REQUIRE(store->CreateSession(Session{"tok", "csrf", a.user.id, 1, 1'000'000}).ok());
  }
  auto reopened = harness.Open();
  REQUIRE(reopened.ok());
  Store& store = **reopened;
  CHECK(store.Check().ok());  // still fully migrated
  auto again = store.Migrate();
  REQUIRE(again.ok());
  CHECK(*again == 0);
  auto user = store.FindUserByEmail("alice@example.com");
  REQUIRE(user.ok());
  auto p = store.GetPalette(tenant, palette_id);
  REQUIRE(p.ok());
  CHECK(p->name == "kept");
  CHECK(store.FindSession("tok", 2).ok());
}

STORE_CONTRACT("schema: a database migrated by a newer binary is refused", "[store][schema]") {
  auto store = OpenMigrated(harness);
  auto list = store->Migrations();
  REQUIRE(list.ok());
  const int known = list->back().version;
  const int future = known + 7;
  harness.ExecSqlForTest(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
      std::to_string(future) + ", 'from_the_future', 0)");

  const std::string expected = "database schema version " + std::to_string(future) +
                               " is newer than this binary (" + std::to_string(known) + ")";
  auto migrated = store->Migrate();
  REQUIRE_FALSE(migrated.ok());
  CHECK(migrated.error().code == ErrorCode::kUnavailable);
  CHECK(migrated.error().message == expected);

  auto check = store->Check();
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().code == ErrorCode::kUnavailable);
  CHECK(check.error().message == expected);

  // Migrations() still answers, listing the unknown version as applied.
  auto after = store->Migrations();
  REQUIRE(after.ok());
  REQUIRE(after->size() == list->size() + 1);
  CHECK(after->back().version == future);
  CHECK(after->back().name == "from_the_future");
  CHECK(after->back().applied);

  // A fresh Store on the same database refuses as well.
  auto reopened = harness.Open();
  REQUIRE(reopened.ok());
  auto refused = (*reopened)->Migrate();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == expected);
}

}  // namespace
}  // namespace pm::store::testing
