// PostgresStore: the audit log (append-only: an INSERT policy and no UPDATE/DELETE policy, plus
// triggers; see schema/postgres/0006_saas_controls.sql).
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;

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

}  // namespace pm::store
