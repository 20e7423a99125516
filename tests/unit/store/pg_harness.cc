#include "pg_harness.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <stdexcept>

#include "store/postgres/pg_connection.h"

namespace pm::store::testing {

PgEnv ReadPgEnv(const std::string& dir) {
  std::string path = dir + "/env";
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error(
        "PostgreSQL test cluster not running: " + path +
        " is missing. Run these tests through ctest (fixture `postgres` starts it: "
        "tests/services/postgres/pg.sh start " + dir + ")");
  }
  std::map<std::string, std::string> kv;
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  PgEnv env;
  env.url = kv["PM_TEST_POSTGRES_URL"];
  env.migration_url = kv["PM_TEST_POSTGRES_MIGRATION_URL"];
  env.admin_url = kv["PM_TEST_POSTGRES_ADMIN_URL"];
  env.host_dir = kv["PM_TEST_POSTGRES_HOST_DIR"];
  env.port = kv["PM_TEST_POSTGRES_PORT"];
  env.root = kv["PM_TEST_POSTGRES_ROOT"];
  if (env.url.empty() || env.migration_url.empty() || env.admin_url.empty()) {
    throw std::runtime_error(path + " lacks PM_TEST_POSTGRES_URL, _MIGRATION_URL or _ADMIN_URL");
  }
  return env;
}

const PgEnv& TestPgEnv() {
  static const PgEnv env = ReadPgEnv(std::string(PM_TEST_SERVICES_DIR) + "/postgres");
  return env;
}

std::string WithDatabase(const std::string& url, const std::string& db) {
  return url.substr(0, url.rfind('/') + 1) + db;
}

void ExecOrThrow(const std::string& url, const std::string& sql) {
  postgres::ConnectOptions o;
  o.url = url;
  o.what = "test";
  auto conn = postgres::Connection::Open(o);
  if (!conn.ok()) throw std::runtime_error(conn.error().message);
  auto r = (*conn)->Exec(sql);
  if (!r.ok()) throw std::runtime_error(r.error().message + " (in: " + sql + ")");
}

PgTestDatabase::PgTestDatabase(const PgEnv& env) : env_(env) {
  static std::atomic<int> counter{0};
  name_ = "pm_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  ExecOrThrow(env_.admin_url, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  ExecOrThrow(env_.admin_url, "CREATE DATABASE " + name_);
  // Keep in step with tests/services/postgres/pg.sh.
  ExecOrThrow(AdminUrl(),
              "REVOKE ALL ON DATABASE " + name_ + " FROM PUBLIC;"
              "GRANT CONNECT, TEMPORARY ON DATABASE " + name_ + " TO pm_migrator, pm_app;"
              "ALTER SCHEMA public OWNER TO pm_migrator;"
              "REVOKE ALL ON SCHEMA public FROM PUBLIC;"
              "GRANT USAGE ON SCHEMA public TO pm_app;"
              "ALTER DEFAULT PRIVILEGES FOR ROLE pm_migrator IN SCHEMA public "
              "  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO pm_app;"
              "ALTER DEFAULT PRIVILEGES FOR ROLE pm_migrator IN SCHEMA public "
              "  GRANT USAGE, SELECT ON SEQUENCES TO pm_app;");
}

PgTestDatabase::~PgTestDatabase() {
  try {
    ExecOrThrow(env_.admin_url, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // The cluster is gone (or restarting): it is thrown away as a whole anyway.
  }
}

std::string PgTestDatabase::SocketUrl(const std::string& role) const {
  return "postgres://" + role + "@/" + name_ + "?host=" + env_.host_dir + "&port=" + env_.port;
}

StoreOptions PgTestDatabase::Options() const {
  StoreOptions o;
  o.url = AppUrl();
  o.migration_url = MigrationUrl();
  o.pool_size = 4;
  o.statement_timeout_ms = 5000;
  o.connect_timeout_s = 5;
  return o;
}

}  // namespace pm::store::testing
