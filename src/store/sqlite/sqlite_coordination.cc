// SqliteStore: coordination across replicas (fixed-window counters, leases). Global tables, not
// tenant-scoped. Every write is one statement on the writer connection in autocommit mode, so it
// is atomic on its own; the writer mutex serialises this process and SQLite's write lock (with
// busy_timeout) other processes on the same file.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"

namespace pm::store {

using sqlite::Guarded;
using sqlite::Stmt;

namespace {

// For a single-row INSERT/UPDATE ... RETURNING in autocommit mode: steps to SQLITE_DONE, which
// commits, so a failed commit throws here instead of being lost in a reset.
void Finish(Stmt& s) {
  while (s.Step()) {
  }
}

}  // namespace

Result<int64_t> SqliteStore::IncrementCounter(std::string_view key, int64_t window_start,
                                              int64_t expires_at) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("IncrementCounter", [&]() -> Result<int64_t> {
    Stmt s(*writer_,
           "INSERT INTO counters (key, window_start, count, expires_at) VALUES (?1, ?2, 1, ?3) "
           "ON CONFLICT (key, window_start) DO UPDATE SET count = counters.count + 1, "
           "expires_at = MAX(counters.expires_at, excluded.expires_at) "
           "RETURNING count");
    s.Bind(1, key);
    s.Bind(2, window_start);
    s.Bind(3, expires_at);
    if (!s.Step()) return MakeError(ErrorCode::kInternal, "IncrementCounter returned no row");
    int64_t count = s.Int64(0);
    Finish(s);
    return count;
  });
}

Result<int64_t> SqliteStore::GetCounter(std::string_view key, int64_t window_start) {
  auto reader = AcquireReader();
  return Guarded("GetCounter", [&]() -> Result<int64_t> {
    Stmt s(*reader, "SELECT count FROM counters WHERE key = ? AND window_start = ?");
    s.Bind(1, key);
    s.Bind(2, window_start);
    if (!s.Step()) return int64_t{0};
    return s.Int64(0);
  });
}

Status SqliteStore::ResetCounter(std::string_view key) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("ResetCounter", [&]() -> Status {
    Stmt s(*writer_, "DELETE FROM counters WHERE key = ?");
    s.Bind(1, key);
    s.Exec();
    return Status::Ok();
  });
}

Result<int> SqliteStore::DeleteExpiredCounters(int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DeleteExpiredCounters", [&]() -> Result<int> {
    Stmt s(*writer_, "DELETE FROM counters WHERE expires_at <= ?");
    s.Bind(1, now);
    return s.Exec();
  });
}

Result<bool> SqliteStore::TryAcquireLease(std::string_view name, std::string_view holder,
                                          int64_t now, int64_t ttl_ms) {
  if (ttl_ms <= 0) return MakeError(ErrorCode::kInvalidArgument, "lease ttl_ms must be > 0");
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("TryAcquireLease", [&]() -> Result<bool> {
    // One statement: insert a new lease, or take over the existing row when it is ours (renew)
    // or expired. When the row is another holder's live lease, the DO UPDATE's WHERE is false,
    // nothing changes and no row comes back.
    Stmt s(*writer_,
           "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3 + ?4) "
           "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
           "expires_at = excluded.expires_at "
           "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?3 "
           "RETURNING holder");
    s.Bind(1, name);
    s.Bind(2, holder);
    s.Bind(3, now);
    s.Bind(4, ttl_ms);
    bool acquired = s.Step();
    Finish(s);
    return acquired;
  });
}

Status SqliteStore::ReleaseLease(std::string_view name, std::string_view holder) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("ReleaseLease", [&]() -> Status {
    Stmt s(*writer_, "DELETE FROM leases WHERE name = ? AND holder = ?");
    s.Bind(1, name);
    s.Bind(2, holder);
    s.Exec();  // not holding it is not an error
    return Status::Ok();
  });
}

}  // namespace pm::store
