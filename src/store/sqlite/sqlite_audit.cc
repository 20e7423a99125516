// SqliteStore: the audit log (append-only; the schema's triggers refuse UPDATE and DELETE).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"

namespace pm::store {

using sqlite::Guarded;
using sqlite::Stmt;

Status SqliteStore::AppendAudit(const AuditRecord& r) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("AppendAudit", [&]() -> Status {
    Stmt s(*writer_,
           "INSERT INTO audit_log (created_at, tenant_id, actor_id, actor_kind, action, target, ip, "
           "user_agent, request_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, r.created_at);
    if (r.tenant_id) s.Bind(2, r.tenant_id->value); else s.BindNull(2);
    if (r.actor_id) s.Bind(3, r.actor_id->value); else s.BindNull(3);
    s.Bind(4, r.actor_kind);
    s.Bind(5, r.action);
    s.Bind(6, r.target);
    s.Bind(7, r.ip);
    s.Bind(8, r.user_agent);
    s.Bind(9, r.request_id);
    s.Bind(10, r.details_json);
    s.Exec();
    return Status::Ok();
  });
}

}  // namespace pm::store
