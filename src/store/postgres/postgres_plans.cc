// PostgresStore: plans and metering. usage_daily is tenant-scoped under FORCEd Row-Level Security
// (0006): every call runs under its tenant's scope (app.tenant_id) and has tenant_id in its WHERE.
// The request counter lives in the global counters table (no RLS; key chosen by app/). Each
// upsert is one INSERT ... ON CONFLICT ... DO UPDATE: a conflicting insert waits for the other
// transaction and then re-checks the DO UPDATE's WHERE against the committed row, so the capped
// add holds across any number of connections and replicas.
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;
using postgres::Rows;

Status PostgresStore::AddUsage(TenantId tenant, int64_t day, std::string_view metric, int64_t n) {
  if (n == 0) return Status::Ok();
  return Run("AddUsage", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared(
        "pm_usage_add",
        "INSERT INTO usage_daily (tenant_id, day, metric, count) "
        "VALUES ($1, $2, $3, GREATEST($4::bigint, 0)) "
        "ON CONFLICT (tenant_id, day, metric) DO UPDATE SET "
        "count = GREATEST(usage_daily.count + $4::bigint, 0)",
        Params().Add(tenant.value).Add(day).Add(metric).Add(n)));
    return Status::Ok();
  });
}

Result<std::optional<int64_t>> PostgresStore::AddUsageWithin(TenantId tenant, int64_t day,
                                                             std::string_view metric, int64_t n,
                                                             int64_t cap) {
  if (n <= 0) return MakeError(ErrorCode::kInvalidArgument, "AddUsageWithin needs n > 0");
  if (n > cap) return std::optional<int64_t>();
  std::optional<int64_t> out;
  PM_RETURN_IF_ERROR(Run("AddUsageWithin", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_usage_add_within",
                               "INSERT INTO usage_daily (tenant_id, day, metric, count) "
                               "VALUES ($1, $2, $3, $4) "
                               "ON CONFLICT (tenant_id, day, metric) DO UPDATE SET "
                               "count = usage_daily.count + $4::bigint "
                               "WHERE usage_daily.count + $4::bigint <= $5::bigint "
                               "RETURNING count",
                               Params().Add(tenant.value).Add(day).Add(metric).Add(n).Add(cap)));
    out.reset();
    if (!r.empty()) out = r.Int64(0, 0);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<UsageCount>> PostgresStore::ListUsage(TenantId tenant, int64_t from_day,
                                                         int64_t to_day) {
  std::vector<UsageCount> out;
  PM_RETURN_IF_ERROR(Run("ListUsage", TenantRead(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_usage_list",
                                               "SELECT day, metric, count FROM usage_daily "
                                               "WHERE tenant_id = $1 AND day >= $2 AND day <= $3 "
                                               "ORDER BY day, metric",
                                               Params().Add(tenant.value).Add(from_day).Add(to_day)));
    out.clear();
    for (int i = 0; i < r.size(); ++i) out.push_back(UsageCount{r.Int64(i, 0), r.Text(i, 1), r.Int64(i, 2)});
    return Status::Ok();
  }));
  return out;
}

Result<TenantUsage> PostgresStore::GetTenantUsage(TenantId tenant, int64_t now) {
  TenantUsage u;
  PM_RETURN_IF_ERROR(Run("GetTenantUsage", TenantRead(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared(
                    "pm_tenant_usage",
                    "SELECT t.plan, "
                    "  (SELECT COUNT(*) FROM memberships WHERE tenant_id = t.id), "
                    "  (SELECT COUNT(*) FROM invitations WHERE tenant_id = t.id AND expires_at > $2), "
                    "  (SELECT COUNT(*) FROM palettes WHERE tenant_id = t.id), "
                    "  (SELECT COALESCE(SUM(b), 0) FROM (SELECT MAX(image_bytes) AS b FROM palettes "
                    "     WHERE tenant_id = t.id GROUP BY object_key) AS per_object) "
                    "FROM tenants t WHERE t.id = $1",
                    Params().Add(tenant.value).Add(now)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "workspace not found");
    u.plan = r.Text(0, 0);
    u.members = r.Int64(0, 1);
    u.pending_invitations = r.Int64(0, 2);
    u.palettes = r.Int64(0, 3);
    u.stored_bytes = r.Int64(0, 4);
    return Status::Ok();
  }));
  return u;
}

Result<int64_t> PostgresStore::CountRequest(TenantId tenant, int64_t day,
                                            std::string_view counter_key, int64_t window_start,
                                            int64_t expires_at) {
  int64_t count = 0;
  PM_RETURN_IF_ERROR(Run("CountRequest", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared(
        "pm_usage_request",
        "INSERT INTO usage_daily (tenant_id, day, metric, count) VALUES ($1, $2, 'requests', 1) "
        "ON CONFLICT (tenant_id, day, metric) DO UPDATE SET count = usage_daily.count + 1",
        Params().Add(tenant.value).Add(day)));
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_usage_request_counter",
                               "INSERT INTO counters (key, window_start, count, expires_at) "
                               "VALUES ($1, $2, 1, $3) "
                               "ON CONFLICT (key, window_start) DO UPDATE SET "
                               "count = counters.count + 1, "
                               "expires_at = GREATEST(counters.expires_at, EXCLUDED.expires_at) "
                               "RETURNING count",
                               Params().Add(counter_key).Add(window_start).Add(expires_at)));
    if (r.empty()) return MakeError(ErrorCode::kInternal, "CountRequest returned no row");
    count = r.Int64(0, 0);
    return Status::Ok();
  }));
  return count;
}

}  // namespace pm::store
