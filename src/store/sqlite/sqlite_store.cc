// SqliteStore: opening, the connection pool, migrations and the readiness check. Accounts and
// palettes are in sqlite_accounts.cc and sqlite_palettes.cc.
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <SQLiteCpp/Database.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "store/migrations.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"

namespace pm::store {

using sqlite::Connection;
using sqlite::Guarded;
using sqlite::Stmt;
using sqlite::WriteTransaction;

namespace {

constexpr int kMaxPoolSize = 64;

// Creates the missing ancestors of the database file, each 0750 (less the umask): the database
// holds password hashes, so it is not world-readable by default.
Status CreateParentDirectories(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status::Ok();
  std::vector<std::filesystem::path> missing;
  std::error_code ec;
  for (auto p = parent; !p.empty() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0750) != 0 && errno != EEXIST) {
      return MakeError(ErrorCode::kUnavailable, "database.url: cannot create directory " +
                                                    it->string() + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

// Process-wide SQLite settings, once, before the library initialises: memory statistics off,
// because with them on every sqlite3_malloc takes one global mutex that all reader threads
// contend on. sqlite3_config fails harmlessly (SQLITE_MISUSE) if SQLite is already initialised.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

int KnownVersion() {
  auto migrations = SqliteMigrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

Error NewerSchemaError(int64_t applied) {
  return MakeError(ErrorCode::kUnavailable,
                   "database schema version " + std::to_string(applied) +
                       " is newer than this binary (" + std::to_string(KnownVersion()) + ")");
}

}  // namespace

SqliteStore::SqliteStore() = default;
SqliteStore::~SqliteStore() = default;

SqliteStore::ReaderLease::~ReaderLease() {
  {
    std::lock_guard<std::mutex> lock(store_.pool_mu_);
    store_.idle_readers_.push_back(conn_);
  }
  store_.pool_cv_.notify_one();
}

SqliteStore::ReaderLease SqliteStore::AcquireReader() {
  std::unique_lock<std::mutex> lock(pool_mu_);
  pool_cv_.wait(lock, [this] { return !idle_readers_.empty(); });
  Connection* conn = idle_readers_.back();
  idle_readers_.pop_back();
  return ReaderLease(*this, conn);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const StoreOptions& options) {
  if (path.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "database.url: sqlite:// needs a file path");
  }
  if (path == ":memory:" || path.rfind("file:", 0) == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "database.url: sqlite:// needs a plain file path (not " + path + ")");
  }
  if (options.pool_size < 1 || options.pool_size > kMaxPoolSize) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "database.pool_size must be between 1 and " + std::to_string(kMaxPoolSize) +
                         " inclusive (got " + std::to_string(options.pool_size) + ")");
  }
  if (options.busy_timeout_ms < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "database.busy_timeout_ms must be >= 0");
  }
  PM_RETURN_IF_ERROR(CreateParentDirectories(path));
  ConfigureSqliteOnce();

  std::unique_ptr<SqliteStore> store(new SqliteStore());
  auto opened = Guarded("open " + path, [&]() -> Status {
    // The writer first: it creates the file and switches it to WAL before readers attach.
    store->writer_ = std::make_unique<Connection>(path, Connection::Mode::kWriter,
                                                  options.busy_timeout_ms);
    for (int i = 0; i < options.pool_size; ++i) {
      store->readers_.push_back(std::make_unique<Connection>(path, Connection::Mode::kReader,
                                                             options.busy_timeout_ms));
      store->idle_readers_.push_back(store->readers_.back().get());
    }
    return Status::Ok();
  });
  if (!opened.ok()) return opened.error();
  return store;
}

int64_t SqliteStore::AppliedVersion(Connection& conn) {
  {
    Stmt exists(conn,
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
    if (!exists.Step()) return -1;
  }
  Stmt max(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  max.Step();
  return max.Int64(0);
}

Result<int> SqliteStore::Migrate() {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("Migrate", [&]() -> Result<int> {
    Connection& conn = *writer_;
    conn.db().exec(kCreateMigrationsTable);
    int64_t applied_version = AppliedVersion(conn);
    if (applied_version > KnownVersion()) return NewerSchemaError(applied_version);

    int applied = 0;
    for (const EmbeddedMigration& m : SqliteMigrations()) {
      WriteTransaction tx(conn);
      // Checked inside the write lock: another process may have applied it meanwhile.
      bool done;
      {
        Stmt is_applied(conn, "SELECT 1 FROM schema_migrations WHERE version = ?");
        is_applied.Bind(1, m.version);
        done = is_applied.Step();
      }
      if (done) continue;  // ~WriteTransaction rolls back the empty transaction
      conn.db().exec(m.sql);
      Stmt record(conn,
                  "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
      record.Bind(1, m.version);
      record.Bind(2, m.name);
      record.Bind(3, NowMillis());
      record.Exec();
      tx.Commit();
      ++applied;
    }
    return applied;
  });
}

Result<std::vector<MigrationInfo>> SqliteStore::Migrations() {
  auto reader = AcquireReader();
  return Guarded("Migrations", [&]() -> Result<std::vector<MigrationInfo>> {
    std::map<int, MigrationInfo> by_version;
    for (const EmbeddedMigration& m : SqliteMigrations()) {
      by_version[m.version] = MigrationInfo{m.version, m.name, false};
    }
    if (AppliedVersion(*reader) >= 0) {
      // Rows the binary does not know (a newer binary migrated this file) are listed too.
      Stmt rows(*reader, "SELECT version, name FROM schema_migrations ORDER BY version");
      while (rows.Step()) {
        int version = rows.Int(0);
        auto& info = by_version[version];
        info.version = version;
        if (info.name.empty()) info.name = rows.Text(1);
        info.applied = true;
      }
    }
    std::vector<MigrationInfo> out;
    out.reserve(by_version.size());
    for (auto& [version, info] : by_version) out.push_back(std::move(info));
    return out;
  });
}

Status SqliteStore::Check() {
  auto reader = AcquireReader();
  return Guarded("Check", [&]() -> Status {
    int64_t applied = AppliedVersion(*reader);
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

}  // namespace pm::store
