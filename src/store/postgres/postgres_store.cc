// PostgresStore: opening, the role check, the connection pool, running a call (transaction, RLS
// settings, retry), migrations and the readiness check. Accounts and palettes are in
// postgres_accounts.cc and postgres_palettes.cc.
#include "store/postgres/postgres_store.h"

#include <chrono>
#include <map>

#include "store/migrations.h"
#include "store/postgres/pg_connection.h"

namespace pm::store {

using postgres::Connection;
using postgres::ConnectOptions;
using postgres::Params;
using postgres::Rows;

namespace {

constexpr int kMaxPoolSize = 64;
// pg_advisory_lock key of Migrate(): "pmmigrat" in ASCII. Any constant works as long as every
// release uses the same one; it only has to differ from other applications' keys in this database.
constexpr int64_t kMigrationLockKey = 0x706d6d6967726174;

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int KnownVersion() {
  auto migrations = PostgresMigrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

Error NewerSchemaError(int64_t applied) {
  return MakeError(ErrorCode::kUnavailable,
                   "database schema version " + std::to_string(applied) +
                       " is newer than this binary (" + std::to_string(KnownVersion()) + ")");
}

Error WithPrefix(const Error& e, const std::string& prefix) {
  return MakeError(e.code, prefix + e.message);
}

}  // namespace

// --- Pool -------------------------------------------------------------------------------------

PostgresStore::Lease::Lease(PostgresStore* store, std::unique_ptr<Connection> conn)
    : store_(store), conn_(std::move(conn)) {}

PostgresStore::Lease::Lease(Lease&& other) noexcept
    : store_(other.store_), conn_(std::move(other.conn_)) {
  other.store_ = nullptr;
}

PostgresStore::Lease::~Lease() {
  if (store_ != nullptr) store_->Release(std::move(conn_));
}

PostgresStore::PostgresStore(const StoreOptions& options) : options_(options) {}
PostgresStore::~PostgresStore() = default;

ConnectOptions PostgresStore::ServingConnectOptions() const {
  ConnectOptions o;
  o.url = options_.url;
  o.what = "database.url";
  o.connect_timeout_s = options_.connect_timeout_s;
  o.statement_timeout_ms = options_.statement_timeout_ms;
  return o;
}

Result<PostgresStore::Lease> PostgresStore::Acquire() {
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(options_.pool_wait_ms);
    bool available = cv_.wait_until(lock, deadline, [this] {
      return !idle_.empty() || open_ < options_.pool_size;
    });
    if (!available) {
      return MakeError(ErrorCode::kUnavailable,
                       "postgres: all " + std::to_string(options_.pool_size) +
                           " database connections stayed busy for " +
                           std::to_string(options_.pool_wait_ms) + " ms");
    }
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;  // reserve the slot; the connection is opened below, outside the lock
    }
  }
  // A connection the server closed while it sat idle (restart, idle timeout) is replaced here,
  // in the same slot, before the call uses it.
  if (conn && conn->CheckIdle()) conn.reset();
  if (!conn) {
    auto opened = Connection::Open(ServingConnectOptions());
    if (!opened.ok()) {
      Release(nullptr);  // gives the slot back
      return opened.error();
    }
    conn = std::move(opened).value();
  }
  return Lease(this, std::move(conn));
}

void PostgresStore::Release(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (conn && !conn->broken() && !conn->InTransaction()) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  cv_.notify_one();
  // A dropped connection is closed here, outside the lock.
}

void PostgresStore::DropIdle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dropped.swap(idle_);
    open_ -= static_cast<int>(dropped.size());
  }
  cv_.notify_all();
  // Closed here, outside the lock.
}

int PostgresStore::OpenConnectionsForTest() {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

// --- Running a call ---------------------------------------------------------------------------

Status PostgresStore::RunOnce(const Scope& scope, Connection& conn,
                              const std::function<Status(Connection&)>& body) {
  bool tx = scope.transaction || scope.tenant.value != 0 || scope.user.value != 0 ||
            scope.operator_scope;
  if (tx) {
    PM_RETURN_IF_ERROR(conn.Exec("BEGIN"));
    if (scope.tenant.value != 0) {
      PM_RETURN_IF_ERROR(conn.ExecPrepared("pm_set_tenant",
                                           "SELECT set_config('app.tenant_id', $1, true)",
                                           Params().Add(scope.tenant.value)));
    }
    if (scope.user.value != 0) {
      PM_RETURN_IF_ERROR(conn.ExecPrepared("pm_set_user",
                                           "SELECT set_config('app.user_id', $1, true)",
                                           Params().Add(scope.user.value)));
    }
    if (scope.operator_scope) {
      PM_RETURN_IF_ERROR(conn.Exec("SELECT set_config('app.operator', 'on', true)"));
    }
  }
  PM_RETURN_IF_ERROR(body(conn));
  if (tx) PM_RETURN_IF_ERROR(conn.Exec("COMMIT"));
  return Status::Ok();
}

Status PostgresStore::Run(std::string_view op, const Scope& scope,
                          const std::function<Status(Connection&)>& body) {
  for (int attempt = 0;; ++attempt) {
    auto lease = Acquire();
    if (!lease.ok()) return WithPrefix(lease.error(), std::string(op) + ": ");
    Connection& conn = **lease;
    conn.ResetCounters();
    Status status = RunOnce(scope, conn, body);
    if (status.ok()) return status;
    if (!conn.broken()) {
      // A failed statement or an error of the body (kNotFound, a mapped constraint): undo
      // whatever the transaction did. A connection left in a transaction is not pooled again.
      if (conn.InTransaction()) (void)conn.Exec("ROLLBACK");
      return status;
    }
    // The connection is gone; ~Lease drops it. The idle ones most likely went with it (a server
    // restart ends every session): drop them too rather than fail the retry on one of them.
    DropIdle();
    // Retry once on a fresh connection when that cannot repeat a write: reads always, writes
    // only if nothing of them ran (failed at BEGIN).
    bool retry = attempt == 0 && (scope.access == Access::kRead || conn.succeeded() == 0);
    if (!retry) return status;
  }
}

// --- Opening ----------------------------------------------------------------------------------

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const StoreOptions& options) {
  if (options.pool_size < 1 || options.pool_size > kMaxPoolSize) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "database.pool_size must be between 1 and " + std::to_string(kMaxPoolSize) +
                         " inclusive (got " + std::to_string(options.pool_size) + ")");
  }
  if (options.statement_timeout_ms < 0 || options.statement_timeout_ms > 600000) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "database.statement_timeout_ms must be between 0 and 600000 inclusive");
  }
  if (options.connect_timeout_s < 1 || options.connect_timeout_s > 300) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "database.connect_timeout_s must be between 1 and 300 inclusive");
  }
  if (options.pool_wait_ms < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "pool_wait_ms must be >= 0");
  }
  std::unique_ptr<PostgresStore> store(new PostgresStore(options));
  auto first = Connection::Open(store->ServingConnectOptions());
  if (!first.ok()) return first.error();

  // Row-Level Security does not apply to superusers nor to roles with BYPASSRLS: serving as one
  // would leave the tenant_id conditions in the code as the only wall between tenants.
  auto role = (*first)->Exec(
      "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user");
  if (!role.ok()) return WithPrefix(role.error(), "database.url: checking the role: ");
  if (role->empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "database.url: the connected role is not in pg_roles");
  }
  std::string name = role->Text(0, 0);
  if (role->Bool(0, 1) || role->Bool(0, 2)) {
    std::string what = role->Bool(0, 1) ? "is a superuser" : "has BYPASSRLS";
    return MakeError(ErrorCode::kInvalidArgument,
                     "database.url: role " + name + " " + what +
                         "; Row-Level Security would not apply — connect as an ordinary role");
  }
  store->open_ = 1;
  store->idle_.push_back(std::move(first).value());
  return store;
}

// --- Schema -----------------------------------------------------------------------------------

Result<int64_t> PostgresStore::AppliedVersion(Connection& conn) {
  PM_ASSIGN_OR_RETURN(Rows exists,
                      conn.Exec("SELECT to_regclass('schema_migrations') IS NOT NULL"));
  if (!exists.Bool(0, 0)) return int64_t{-1};
  PM_ASSIGN_OR_RETURN(Rows max, conn.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return max.Int64(0, 0);
}

Result<int> PostgresStore::Migrate() {
  ConnectOptions o = ServingConnectOptions();
  if (!options_.migration_url.empty()) {
    o.url = options_.migration_url;
    o.what = "database.migration_url";
  }
  // No statement_timeout: waiting for the lock and running DDL may take longer than a request.
  o.statement_timeout_ms = 0;
  PM_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(o));

  // Session-level: held across the per-migration transactions, released by the unlock below or,
  // if this process dies, when the server closes the connection.
  auto locked = conn->Exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")");
  if (!locked.ok()) return WithPrefix(locked.error(), "Migrate: taking the migration lock: ");

  auto apply = [&]() -> Result<int> {
    PM_ASSIGN_OR_RETURN(int64_t applied_version, AppliedVersion(*conn));
    if (applied_version < 0) {
      // Created only when missing, so a serving role without CREATE can still run Migrate() on
      // an up-to-date database (and learn that there is nothing to do).
      PM_RETURN_IF_ERROR(conn->Exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
      applied_version = 0;
    }
    if (applied_version > KnownVersion()) return NewerSchemaError(applied_version);

    int applied = 0;
    for (const EmbeddedMigration& m : PostgresMigrations()) {
      // We hold the lock: nobody else applies migrations meanwhile.
      PM_ASSIGN_OR_RETURN(Rows done, conn->Exec("SELECT 1 FROM schema_migrations WHERE version = $1",
                                                Params().Add(m.version)));
      if (!done.empty()) continue;
      std::string label = "migration " + std::to_string(m.version) + "_" + m.name + ": ";
      auto step = [&]() -> Status {
        PM_RETURN_IF_ERROR(conn->Exec("BEGIN"));
        PM_RETURN_IF_ERROR(conn->Exec(m.sql));
        PM_RETURN_IF_ERROR(conn->Exec(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            Params().Add(m.version).Add(m.name).Add(NowMillis())));
        PM_RETURN_IF_ERROR(conn->Exec("COMMIT"));
        return Status::Ok();
      };
      Status s = step();
      if (!s.ok()) {
        if (!conn->broken() && conn->InTransaction()) (void)conn->Exec("ROLLBACK");
        return WithPrefix(s.error(), label);
      }
      ++applied;
    }
    return applied;
  };
  Result<int> result = apply();
  if (!conn->broken()) {
    (void)conn->Exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")");
  }
  return result;
}

Result<std::vector<MigrationInfo>> PostgresStore::Migrations() {
  std::vector<MigrationInfo> out;
  PM_RETURN_IF_ERROR(Run("Migrations", GlobalRead(), [&](Connection& c) -> Status {
    std::map<int, MigrationInfo> by_version;
    for (const EmbeddedMigration& m : PostgresMigrations()) {
      by_version[m.version] = MigrationInfo{m.version, m.name, false};
    }
    PM_ASSIGN_OR_RETURN(int64_t applied, AppliedVersion(c));
    if (applied >= 0) {
      // Rows the binary does not know (a newer binary migrated this database) are listed too.
      PM_ASSIGN_OR_RETURN(Rows rows,
                          c.Exec("SELECT version, name FROM schema_migrations ORDER BY version"));
      for (int i = 0; i < rows.size(); ++i) {
        int version = rows.Int(i, 0);
        auto& info = by_version[version];
        info.version = version;
        if (info.name.empty()) info.name = rows.Text(i, 1);
        info.applied = true;
      }
    }
    out.clear();
    for (auto& [version, info] : by_version) out.push_back(std::move(info));
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::Check() {
  return Run("Check", GlobalRead(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(int64_t applied, AppliedVersion(c));
    int known = KnownVersion();
    if (applied > known) return NewerSchemaError(applied);
    if (applied < known) {
      return MakeError(ErrorCode::kUnavailable,
                       "database schema version " + std::to_string(applied < 0 ? 0 : applied) +
                           " is older than this binary (" + std::to_string(known) +
                           "); run `palettemaker migrate`");
    }
    return Status::Ok();
  });
}

// --- Test hook --------------------------------------------------------------------------------

Result<std::vector<std::string>> PostgresStore::RunUnscopedQueryForTest(TenantId tenant,
                                                                        const std::string& sql,
                                                                        UserId user) {
  std::vector<std::string> out;
  Scope scope{Access::kRead, true, tenant, user};
  PM_RETURN_IF_ERROR(Run("RunUnscopedQueryForTest", scope, [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows rows, c.Exec(sql));
    out.clear();
    for (int i = 0; i < rows.size(); ++i) out.push_back(rows.Text(i, 0));
    return Status::Ok();
  }));
  return out;
}

}  // namespace pm::store
