// PostgresStore: operators and the workspace lifecycle (suspension, soft-delete, purge). Operator
// reads run under OperatorRead/OperatorWrite (app.operator = 'on', see 0006_saas_controls.sql);
// a purge runs under the workspace's own TenantWrite scope.
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;
using postgres::Rows;

Status PostgresStore::PurgeTenant(TenantId tenant) {
  return Run("PurgeTenant", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_purge_palettes", "DELETE FROM palettes WHERE tenant_id = $1",
                                      Params().Add(tenant.value)));
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_purge_invitations",
                                      "DELETE FROM invitations WHERE tenant_id = $1",
                                      Params().Add(tenant.value)));
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_purge_tokens", "DELETE FROM api_tokens WHERE tenant_id = $1",
                                      Params().Add(tenant.value)));
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_purge_members",
                                      "DELETE FROM memberships WHERE tenant_id = $1",
                                      Params().Add(tenant.value)));
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_purge_usage", "DELETE FROM usage_daily WHERE tenant_id = $1",
                                      Params().Add(tenant.value)));
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_purge_tenant",
                                               "DELETE FROM tenants WHERE id = $1 RETURNING id",
                                               Params().Add(tenant.value)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "workspace not found");
    return Status::Ok();
  });
}

}  // namespace pm::store
