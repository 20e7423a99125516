// The Store contract suite: every case runs once per backend (DYNAMIC_SECTION per backend), so a
// new backend (PostgreSQL) joins by adding itself to StoreBackends() in store_contract.cc.
//
//   STORE_CONTRACT("palettes: CRUD", "[palettes]") {
//     auto store = OpenMigrated(harness);
//     ...
//   }
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace pm::store::testing {

// One fresh, empty database for one test case; destroyed (files removed) with the harness.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // A new Store on this harness's database. Calling it again "reopens": a second Store object
  // (a restart, or another replica/process) on the same data.
  virtual Result<std::unique_ptr<Store>> Open() = 0;
  // Runs SQL on the database behind the Store's back (e.g. to play a newer binary).
  virtual void ExecSqlForTest(const std::string& sql) = 0;
};

struct StoreBackend {
  std::string name;
  std::function<std::unique_ptr<StoreHarness>()> make;
};

// SQLite in pm_store_tests, PostgreSQL in pm_store_pg_tests (see store_contract.cc).
std::vector<StoreBackend> StoreBackends();

// Helpers shared by the contract cases (they REQUIRE success).
std::unique_ptr<Store> OpenMigrated(StoreHarness& harness);

struct Account {
  User user;
  Workspace workspace;
};
// Creates user `<name>@example.com` with workspace slug `<name>`.
Account MakeAccount(Store& store, const std::string& name, int64_t now = 1'000);

NewPalette SamplePalette(const std::string& name, UserId by);

}  // namespace pm::store::testing

#define PM_STORE_CAT_INNER(a, b) a##b
#define PM_STORE_CAT(a, b) PM_STORE_CAT_INNER(a, b)
#define PM_STORE_CONTRACT_IMPL(fn, title, tags)                                 \
  static void fn(::pm::store::testing::StoreHarness& harness);                  \
  TEST_CASE("store contract: " title, "[contract]" tags) {                      \
    for (const auto& backend : ::pm::store::testing::StoreBackends()) {         \
      DYNAMIC_SECTION(backend.name) {                                           \
        auto harness_ptr = backend.make();                                      \
        fn(*harness_ptr);                                                       \
      }                                                                         \
    }                                                                           \
  }                                                                             \
  static void fn([[maybe_unused]] ::pm::store::testing::StoreHarness& harness)
#define STORE_CONTRACT(title, tags) \
  PM_STORE_CONTRACT_IMPL(PM_STORE_CAT(StoreContractCase_, __LINE__), title, tags)
