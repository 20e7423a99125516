// SnapshotDatabase for SQLite: VACUUM INTO on its own read-only connection.
#include <sqlite3.h>

#include <string_view>

#include "store/snapshot.h"

namespace pm::store {

Status SnapshotDatabase(const StoreOptions& options, const std::string& dest) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (options.url.compare(0, kSqlite.size(), kSqlite) != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a snapshot is only made of an SQLite database; for PostgreSQL use pg_dump "
                     "(see docs/OPERATIONS.md, \"Backups on PostgreSQL and S3\")");
  }
  const std::string path = options.url.substr(kSqlite.size());
  sqlite3* db = nullptr;
  // Read-only, not created: a backup of a database that does not exist is an error, not an
  // empty file. NOMUTEX: this connection is used by this thread only.
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  auto fail = [&](const std::string& what) {
    std::string message = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return MakeError(ErrorCode::kUnavailable, message);
  };
  if (rc != SQLITE_OK) return fail("cannot open the database " + path);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  sqlite3_stmt* stmt = nullptr;
  rc = sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return fail("cannot snapshot " + path);
  sqlite3_bind_text(stmt, 1, dest.c_str(), static_cast<int>(dest.size()), SQLITE_TRANSIENT);
  rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return fail("VACUUM INTO " + dest + " failed");
  sqlite3_close(db);
  return Status::Ok();
}

}  // namespace pm::store
