#include "store_contract.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

#ifdef PM_STORE_CONTRACT_POSTGRES
#include "pg_harness.h"
#endif

namespace pm::store::testing {

namespace {

// A temporary directory; the database lives in a subdirectory that does not exist yet, so every
// case also exercises "create the parent directory".
class SqliteHarness : public StoreHarness {
 public:
  SqliteHarness() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pm-store-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    path_ = dir_ + "/db/palettemaker.db";
  }
  ~SqliteHarness() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Result<std::unique_ptr<Store>> Open() override {
    StoreOptions options;
    options.url = "sqlite://" + path_;
    options.busy_timeout_ms = 5000;
    options.pool_size = 4;
    return OpenStore(options);
  }

  void ExecSqlForTest(const std::string& sql) override {
    sqlite3* db = nullptr;
    int rc = sqlite3_open(path_.c_str(), &db);
    char* err = nullptr;
    if (rc == SQLITE_OK) {
      sqlite3_busy_timeout(db, 5000);
      rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    }
    std::string message = err ? err : (db ? sqlite3_errmsg(db) : "open failed");
    sqlite3_free(err);
    sqlite3_close(db);
    if (rc != SQLITE_OK) throw std::runtime_error("ExecSqlForTest: " + message);
  }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace

// pm_store_tests runs the suite on SQLite; pm_store_pg_tests (the same sources compiled with
// PM_STORE_CONTRACT_POSTGRES, ctest fixture `postgres`) on PostgreSQL.
std::vector<StoreBackend> StoreBackends() {
#ifdef PM_STORE_CONTRACT_POSTGRES
  return {
      {"postgres", [] { return std::make_unique<PgHarness>(); }},
  };
#else
  return {
      {"sqlite", [] { return std::make_unique<SqliteHarness>(); }},
  };
#endif
}

std::unique_ptr<Store> OpenMigrated(StoreHarness& harness) {
  auto store = harness.Open();
  REQUIRE(store.ok());
  auto migrated = (*store)->Migrate();
  INFO((migrated.ok() ? "" : migrated.error().message));
  REQUIRE(migrated.ok());
  return std::move(store).value();
}

Account MakeAccount(Store& store, const std::string& name, int64_t now) {
  NewUser user{name + "@example.com", "User " + name, "$argon2id$fake-" + name};
  NewWorkspace ws{name, "Workspace " + name};
  auto created = store.CreateUserWithWorkspace(user, ws, now);
  INFO((created.ok() ? "" : created.error().message));
  REQUIRE(created.ok());
  return Account{created->first, created->second};
}

NewPalette SamplePalette(const std::string& name, UserId by) {
  NewPalette p;
  p.name = name;
  p.image.object_key = "tenants/1/images/" + name + ".png";
  p.image.format = "png";
  p.image.mime = "image/png";
  p.image.width = 640;
  p.image.height = 480;
  p.image.bytes = 12345;
  p.image.sha256 = std::string(64, 'a');
  p.colors_json = R"(["#112233","#445566"])";
  p.labels_json = R"(["A","B"])";
  p.coverage_json = "[0.6,0.4]";
  p.params_json = R"({"k":5})";
  p.created_by = by;
  return p;
}

}  // namespace pm::store::testing
