// PostgresStore: the audit log (append-only: an INSERT policy and no UPDATE/DELETE policy, plus
// triggers; see schema/postgres/0006_saas_controls.sql). ListAudit reads one tenant's records
// with `a.tenant_id = $n` in its WHERE and app.tenant_id set (the audit_log_tenant_select policy),
// or, for operators, every record under app.operator (audit_log_operator_select).
#include <string>

#include "store/audit_query.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;
using postgres::Rows;

Status PostgresStore::AppendAudit(const AuditRecord& r) {
  return Run("AppendAudit", GlobalWrite(), [&](Connection& c) -> Status {
    Params p;
    p.Add(r.created_at);
    if (r.tenant_id) p.Add(r.tenant_id->value); else p.AddNull();
    if (r.actor_id) p.Add(r.actor_id->value); else p.AddNull();
    p.Add(r.actor_kind).Add(r.action).Add(r.target).Add(r.ip).Add(r.user_agent).Add(r.request_id)
        .Add(r.details_json);
    PM_RETURN_IF_ERROR(c.ExecPrepared(
        "pm_audit_append",
        "INSERT INTO audit_log (created_at, tenant_id, actor_id, actor_kind, action, target, ip, "
        "user_agent, request_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        p));
    return Status::Ok();
  });
}

Result<AuditPage> PostgresStore::ListAudit(const AuditFilter& filter, std::optional<int64_t> before_id,
                                           int limit) {
  PM_RETURN_IF_ERROR(CheckAuditQuery(filter, limit));
  // Only the conditions in use go into the statement, so the planner can use the
  // (tenant_id, id), (actor_id, id) or (action, id) index.
  std::string sql =
      "SELECT a.id, a.created_at, a.tenant_id, a.actor_id, a.actor_kind, a.action, a.target, a.ip, "
      "a.user_agent, a.request_id, a.details, u.email, u.name, t.slug FROM audit_log a "
      "LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN tenants t ON t.id = a.tenant_id WHERE true";
  Params p;
  int n = 0;
  auto next = [&n] { return "$" + std::to_string(++n); };
  if (filter.tenant) {
    sql += " AND a.tenant_id = " + next();
    p.Add(filter.tenant->value);
  }
  if (!filter.tenant_slug.empty()) {
    sql += " AND a.tenant_id = (SELECT id FROM tenants WHERE slug = " + next() + ")";
    p.Add(filter.tenant_slug);
  }
  if (filter.actor) {
    sql += " AND a.actor_id = " + next();
    p.Add(filter.actor->value);
  }
  if (!filter.action.empty()) {
    if (filter.action.back() == '.') {
      sql += " AND substr(a.action, 1, " + std::to_string(filter.action.size()) + ") = " + next();
    } else {
      sql += " AND a.action = " + next();
    }
    p.Add(filter.action);
  }
  if (filter.since) {
    sql += " AND a.created_at >= " + next();
    p.Add(*filter.since);
  }
  if (filter.until) {
    sql += " AND a.created_at < " + next();
    p.Add(*filter.until);
  }
  if (before_id) {
    sql += " AND a.id < " + next();
    p.Add(*before_id);
  }
  sql += " ORDER BY a.id DESC LIMIT " + next();
  p.Add(limit + 1);  // one more tells whether another page follows

  AuditPage page;
  const Scope scope = filter.tenant ? TenantRead(*filter.tenant) : OperatorRead();
  PM_RETURN_IF_ERROR(Run("ListAudit", scope, [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.Exec(sql, p));
    page = AuditPage{};  // a retried read starts over
    for (int i = 0; i < r.size(); ++i) {
      if (i == limit) {
        page.next_before = page.entries.back().record.id;
        break;
      }
      AuditEntry e;
      AuditRecord& rec = e.record;
      rec.id = r.Int64(i, 0);
      rec.created_at = r.Int64(i, 1);
      if (!r.IsNull(i, 2)) rec.tenant_id = TenantId(r.Int64(i, 2));
      if (!r.IsNull(i, 3)) rec.actor_id = UserId(r.Int64(i, 3));
      rec.actor_kind = r.Text(i, 4);
      rec.action = r.Text(i, 5);
      rec.target = r.Text(i, 6);
      rec.ip = r.Text(i, 7);
      rec.user_agent = r.Text(i, 8);
      rec.request_id = r.Text(i, 9);
      rec.details_json = r.Text(i, 10);
      if (!r.IsNull(i, 11)) e.actor_email = r.Text(i, 11);
      if (!r.IsNull(i, 12)) e.actor_name = r.Text(i, 12);
      if (!r.IsNull(i, 13)) e.tenant_slug = r.Text(i, 13);
      page.entries.push_back(std::move(e));
    }
    return Status::Ok();
  }));
  return page;
}

}  // namespace pm::store
