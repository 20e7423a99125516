// SqliteStore: plans and metering. usage_daily rows are tenant-scoped (tenant_id in every WHERE
// and every key); the request counter lives in the global counters table (key chosen by app/).
// Writes run on the writer connection under writer_mu_; SQLite's write lock (busy_timeout)
// serialises them with other processes on the same file, so the capped upsert is atomic.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"

namespace pm::store {

using sqlite::Guarded;
using sqlite::Stmt;
using sqlite::WriteTransaction;

Status SqliteStore::AddUsage(TenantId tenant, int64_t day, std::string_view metric, int64_t n) {
  if (n == 0) return Status::Ok();
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("AddUsage", [&]() -> Status {
    Stmt s(*writer_,
           "INSERT INTO usage_daily (tenant_id, day, metric, count) VALUES (?1, ?2, ?3, MAX(?4, 0)) "
           "ON CONFLICT (tenant_id, day, metric) DO UPDATE SET "
           "count = MAX(usage_daily.count + ?4, 0)");
    s.Bind(1, tenant.value);
    s.Bind(2, day);
    s.Bind(3, metric);
    s.Bind(4, n);
    s.Exec();
    return Status::Ok();
  });
}

Result<std::optional<int64_t>> SqliteStore::AddUsageWithin(TenantId tenant, int64_t day,
                                                           std::string_view metric, int64_t n,
                                                           int64_t cap) {
  if (n <= 0) return MakeError(ErrorCode::kInvalidArgument, "AddUsageWithin needs n > 0");
  if (n > cap) return std::optional<int64_t>();
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("AddUsageWithin", [&]() -> Result<std::optional<int64_t>> {
    // A refused update (its WHERE false) returns no row and changes nothing.
    Stmt s(*writer_,
           "INSERT INTO usage_daily (tenant_id, day, metric, count) VALUES (?1, ?2, ?3, ?4) "
           "ON CONFLICT (tenant_id, day, metric) DO UPDATE SET count = usage_daily.count + ?4 "
           "WHERE usage_daily.count + ?4 <= ?5 "
           "RETURNING count");
    s.Bind(1, tenant.value);
    s.Bind(2, day);
    s.Bind(3, metric);
    s.Bind(4, n);
    s.Bind(5, cap);
    std::optional<int64_t> out;
    if (s.Step()) out = s.Int64(0);
    // Steps to SQLITE_DONE, which commits (autocommit): a failed commit throws here.
    while (s.Step()) {
    }
    return out;
  });
}

Result<std::vector<UsageCount>> SqliteStore::ListUsage(TenantId tenant, int64_t from_day,
                                                       int64_t to_day) {
  auto reader = AcquireReader();
  return Guarded("ListUsage", [&]() -> Result<std::vector<UsageCount>> {
    Stmt s(*reader,
           "SELECT day, metric, count FROM usage_daily "
           "WHERE tenant_id = ? AND day >= ? AND day <= ? ORDER BY day, metric");
    s.Bind(1, tenant.value);
    s.Bind(2, from_day);
    s.Bind(3, to_day);
    std::vector<UsageCount> out;
    while (s.Step()) out.push_back(UsageCount{s.Int64(0), s.Text(1), s.Int64(2)});
    return out;
  });
}

Result<TenantUsage> SqliteStore::GetTenantUsage(TenantId tenant, int64_t now) {
  auto reader = AcquireReader();
  return Guarded("GetTenantUsage", [&]() -> Result<TenantUsage> {
    // One statement, so the figures come from one snapshot.
    Stmt s(*reader,
           "SELECT t.plan, "
           "  (SELECT COUNT(*) FROM memberships WHERE tenant_id = t.id), "
           "  (SELECT COUNT(*) FROM invitations WHERE tenant_id = t.id AND expires_at > ?2), "
           "  (SELECT COUNT(*) FROM palettes WHERE tenant_id = t.id), "
           "  (SELECT COALESCE(SUM(b), 0) FROM (SELECT MAX(image_bytes) AS b FROM palettes "
           "     WHERE tenant_id = t.id GROUP BY object_key)) "
           "FROM tenants t WHERE t.id = ?1");
    s.Bind(1, tenant.value);
    s.Bind(2, now);
    if (!s.Step()) return MakeError(ErrorCode::kNotFound, "workspace not found");
    TenantUsage u;
    u.plan = s.Text(0);
    u.members = s.Int64(1);
    u.pending_invitations = s.Int64(2);
    u.palettes = s.Int64(3);
    u.stored_bytes = s.Int64(4);
    return u;
  });
}

Result<int64_t> SqliteStore::CountRequest(TenantId tenant, int64_t day,
                                          std::string_view counter_key, int64_t window_start,
                                          int64_t expires_at) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("CountRequest", [&]() -> Result<int64_t> {
    WriteTransaction tx(*writer_);
    {
      Stmt s(*writer_,
             "INSERT INTO usage_daily (tenant_id, day, metric, count) VALUES (?, ?, 'requests', 1) "
             "ON CONFLICT (tenant_id, day, metric) DO UPDATE SET count = usage_daily.count + 1");
      s.Bind(1, tenant.value);
      s.Bind(2, day);
      s.Exec();
    }
    int64_t count = 0;
    {
      Stmt s(*writer_,
             "INSERT INTO counters (key, window_start, count, expires_at) VALUES (?1, ?2, 1, ?3) "
             "ON CONFLICT (key, window_start) DO UPDATE SET count = counters.count + 1, "
             "expires_at = MAX(counters.expires_at, excluded.expires_at) "
             "RETURNING count");
      s.Bind(1, counter_key);
      s.Bind(2, window_start);
      s.Bind(3, expires_at);
      if (!s.Step()) return MakeError(ErrorCode::kInternal, "CountRequest returned no row");
      count = s.Int64(0);
      while (s.Step()) {
      }
    }
    tx.Commit();
    return count;
  });
}

}  // namespace pm::store
