// PostgresStore: coordination across replicas (fixed-window counters, leases). Global tables,
// not tenant-scoped and without Row-Level Security (schema/postgres/0002_coordination.sql), so no
// app.tenant_id is set. Each write is one INSERT ... ON CONFLICT ... DO UPDATE, atomic under
// concurrency from any number of connections: a conflicting insert waits for the other
// transaction, then updates the committed row (READ COMMITTED re-checks the DO UPDATE's WHERE
// against it).
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;
using postgres::Rows;

Result<int64_t> PostgresStore::IncrementCounter(std::string_view key, int64_t window_start,
                                                int64_t expires_at) {
  int64_t count = 0;
  PM_RETURN_IF_ERROR(Run("IncrementCounter", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_counter_increment",
                               "INSERT INTO counters (key, window_start, count, expires_at) "
                               "VALUES ($1, $2, 1, $3) "
                               "ON CONFLICT (key, window_start) DO UPDATE SET "
                               "count = counters.count + 1, "
                               "expires_at = GREATEST(counters.expires_at, EXCLUDED.expires_at) "
                               "RETURNING count",
                               Params().Add(key).Add(window_start).Add(expires_at)));
    if (r.empty()) return MakeError(ErrorCode::kInternal, "IncrementCounter returned no row");
    count = r.Int64(0, 0);
    return Status::Ok();
  }));
  return count;
}

Result<int64_t> PostgresStore::GetCounter(std::string_view key, int64_t window_start) {
  int64_t count = 0;
  PM_RETURN_IF_ERROR(Run("GetCounter", GlobalRead(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_counter_get",
                                               "SELECT count FROM counters "
                                               "WHERE key = $1 AND window_start = $2",
                                               Params().Add(key).Add(window_start)));
    count = r.empty() ? 0 : r.Int64(0, 0);
    return Status::Ok();
  }));
  return count;
}

Status PostgresStore::ResetCounter(std::string_view key) {
  return Run("ResetCounter", GlobalWrite(), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_counter_reset", "DELETE FROM counters WHERE key = $1",
                                      Params().Add(key)));
    return Status::Ok();
  });
}

Result<int> PostgresStore::DeleteExpiredCounters(int64_t now) {
  int deleted = 0;
  PM_RETURN_IF_ERROR(Run("DeleteExpiredCounters", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_counter_sweep",
                                               "DELETE FROM counters WHERE expires_at <= $1",
                                               Params().Add(now)));
    deleted = static_cast<int>(r.Affected());
    return Status::Ok();
  }));
  return deleted;
}

Result<bool> PostgresStore::TryAcquireLease(std::string_view name, std::string_view holder,
                                            int64_t now, int64_t ttl_ms) {
  if (ttl_ms <= 0) return MakeError(ErrorCode::kInvalidArgument, "lease ttl_ms must be > 0");
  bool acquired = false;
  PM_RETURN_IF_ERROR(Run("TryAcquireLease", GlobalWrite(), [&](Connection& c) -> Status {
    // One statement: insert a new lease, or take over the existing row when it is ours (renew)
    // or expired. When the row is another holder's live lease, the DO UPDATE's WHERE is false,
    // nothing changes and no row comes back.
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_lease_acquire",
                               "INSERT INTO leases (name, holder, expires_at) "
                               "VALUES ($1, $2, $3::bigint + $4::bigint) "
                               "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, "
                               "expires_at = EXCLUDED.expires_at "
                               "WHERE leases.holder = EXCLUDED.holder "
                               "OR leases.expires_at <= $3::bigint "
                               "RETURNING holder",
                               Params().Add(name).Add(holder).Add(now).Add(ttl_ms)));
    acquired = !r.empty();
    return Status::Ok();
  }));
  return acquired;
}

Status PostgresStore::ReleaseLease(std::string_view name, std::string_view holder) {
  return Run("ReleaseLease", GlobalWrite(), [&](Connection& c) -> Status {
    // Not holding it is not an error.
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_lease_release",
                                      "DELETE FROM leases WHERE name = $1 AND holder = $2",
                                      Params().Add(name).Add(holder)));
    return Status::Ok();
  });
}

}  // namespace pm::store
