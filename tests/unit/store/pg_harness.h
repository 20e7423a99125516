// PostgreSQL for the store tests: the throwaway cluster started by the ctest fixture `postgres`
// (tests/services/postgres/pg.sh), and one fresh database per test case on it.
//
// The cluster's URLs come from PM_TEST_SERVICES_DIR/postgres/env. When that file is missing the
// PostgreSQL tests FAIL (never skip) with a message saying how to start the cluster.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"
#include "store_contract.h"

namespace pm::store::testing {

struct PgEnv {
  std::string url;            // pm_app @ palettemaker (TCP)
  std::string migration_url;  // pm_migrator @ palettemaker
  std::string admin_url;      // the superuser postgres @ postgres
  std::string host_dir;       // unix socket directory
  std::string port;
  std::string root;           // the cluster directory (for pg.sh restart)
};

// Reads `dir`/env as written by pg.sh. Throws std::runtime_error (a failing test) when missing.
PgEnv ReadPgEnv(const std::string& dir);
// The fixture's cluster: PM_TEST_SERVICES_DIR/postgres.
const PgEnv& TestPgEnv();

// `url` with its database name (the last path segment) replaced by `db`.
std::string WithDatabase(const std::string& url, const std::string& db);

// Runs `sql` (several statements allowed) on `url`; throws std::runtime_error on failure.
void ExecOrThrow(const std::string& url, const std::string& sql);

// A new empty database with the grants of pg.sh (pm_migrator owns schema public, pm_app gets DML
// on what pm_migrator creates); dropped (WITH (FORCE)) on destruction.
class PgTestDatabase {
 public:
  explicit PgTestDatabase(const PgEnv& env = TestPgEnv());
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string AppUrl() const { return WithDatabase(env_.url, name_); }
  std::string MigrationUrl() const { return WithDatabase(env_.migration_url, name_); }
  std::string AdminUrl() const { return WithDatabase(env_.admin_url, name_); }
  // The serving role's URL over the unix socket (?host=DIR&port=PORT), for `role`.
  std::string SocketUrl(const std::string& role) const;
  // Store options for the serving role with migration_url set (pool 4, statement timeout 5 s).
  StoreOptions Options() const;
  void ExecAsAdmin(const std::string& sql) const { ExecOrThrow(AdminUrl(), sql); }
  const PgEnv& env() const { return env_; }

 private:
  PgEnv env_;
  std::string name_;
};

class PgHarness : public StoreHarness {
 public:
  PgHarness() : db_(std::make_unique<PgTestDatabase>()) {}
  Result<std::unique_ptr<Store>> Open() override { return OpenStore(db_->Options()); }
  void ExecSqlForTest(const std::string& sql) override { db_->ExecAsAdmin(sql); }
  PgTestDatabase& db() { return *db_; }

 private:
  std::unique_ptr<PgTestDatabase> db_;
};

}  // namespace pm::store::testing
