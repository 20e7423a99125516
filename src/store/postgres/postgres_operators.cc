// PostgresStore: operators and the workspace lifecycle (setup links, operator views of workspaces,
// plan, suspension, soft-delete, restore, purge).
//
// Scopes, narrowest that works: the list of every workspace runs under OperatorRead
// (app.operator = 'on', see 0006_saas_controls.sql: tenants, memberships; never palettes); a
// single workspace is read and changed under its own TenantRead/TenantWrite scope, as are the
// usage totals (aggregates of its palettes) and the purge; the purge list sets app.sweep_before.
// users, operator_setup and password_resets are global tables (no RLS).
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/user_row.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;
using postgres::Rows;

namespace {

constexpr const char* kUniqueViolation = "23505";


#define PM_OP_TENANT_COLUMNS \
  "t.id, t.slug, t.name, t.created_at, t.personal, t.plan, t.suspended_at, t.deleted_at, t.purge_after"

Workspace ReadTenant(const Rows& r, int i) {
  Workspace w;
  w.id = TenantId(r.Int64(i, 0));
  w.slug = r.Text(i, 1);
  w.name = r.Text(i, 2);
  w.created_at = r.Int64(i, 3);
  w.personal = r.Bool(i, 4);
  w.plan = r.Text(i, 5);
  if (!r.IsNull(i, 6)) w.suspended_at = r.Int64(i, 6);
  if (!r.IsNull(i, 7)) w.deleted_at = r.Int64(i, 7);
  if (!r.IsNull(i, 8)) w.purge_after = r.Int64(i, 8);
  return w;
}

#define PM_OP_SUMMARY_SELECT                                                       \
  "SELECT " PM_OP_TENANT_COLUMNS ", o.user_id, u.email, "                         \
  "(SELECT COUNT(*) FROM memberships c WHERE c.tenant_id = t.id) FROM tenants t " \
  "LEFT JOIN memberships o ON o.tenant_id = t.id AND o.role = 'owner' "          \
  "LEFT JOIN users u ON u.id = o.user_id "

TenantSummary ReadSummary(const Rows& r, int i) {
  TenantSummary out;
  out.workspace = ReadTenant(r, i);
  out.owner_id = UserId(r.Int64(i, 9));  // NULL reads as 0
  out.owner_email = r.Text(i, 10);
  out.members = r.Int64(i, 11);
  return out;
}

int StatusCode(const std::optional<TenantStatus>& status) {
  if (!status) return 0;
  switch (*status) {
    case TenantStatus::kActive: return 1;
    case TenantStatus::kSuspended: return 2;
    case TenantStatus::kDeleted: return 3;
  }
  return 0;
}

Error WorkspaceNotFound() { return MakeError(ErrorCode::kNotFound, "workspace not found"); }

#define PM_OP_RETURNING \
  " RETURNING id, slug, name, created_at, personal, plan, suspended_at, deleted_at, purge_after"

// One lifecycle UPDATE ... RETURNING; when it matched no row, tells the missing workspace
// (kNotFound) from one in the wrong state (kConflict with `conflict`).
Result<Workspace> UpdateTenant(Connection& c, const char* name, const char* sql, const Params& params,
                               TenantId tenant, const char* conflict) {
  PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared(name, sql, params));
  if (!r.empty()) return ReadTenant(r, 0);
  PM_ASSIGN_OR_RETURN(Rows exists, c.ExecPrepared("pm_op_tenant_exists", "SELECT 1 FROM tenants WHERE id = $1",
                                                  Params().Add(tenant.value)));
  if (exists.empty()) return WorkspaceNotFound();
  return MakeError(ErrorCode::kConflict, conflict);
}

}  // namespace

Result<int64_t> PostgresStore::CountOperators() {
  int64_t out = 0;
  PM_RETURN_IF_ERROR(Run("CountOperators", GlobalRead(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_op_count", "SELECT COUNT(*) FROM users WHERE is_operator",
                                               Params()));
    out = r.Int64(0, 0);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::CreateOperatorSetup(std::string_view token_hash, std::string_view email, int64_t now,
                                          int64_t expires_at) {
  return Run("CreateOperatorSetup", GlobalWrite(), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_op_setup_prune",
                                      "DELETE FROM operator_setup WHERE email = $1 OR expires_at <= $2",
                                      Params().Add(email).Add(now)));
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_op_setup_insert",
                                      "INSERT INTO operator_setup (token_hash, email, created_at, expires_at) "
                                      "VALUES ($1, $2, $3, $4)",
                                      Params().Add(token_hash).Add(email).Add(now).Add(expires_at)));
    return Status::Ok();
  });
}

Result<OperatorSetup> PostgresStore::FindOperatorSetup(std::string_view token_hash, int64_t now) {
  OperatorSetup out;
  PM_RETURN_IF_ERROR(Run("FindOperatorSetup", GlobalRead(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_op_setup_find",
                                               "SELECT token_hash, email, created_at, expires_at FROM "
                                               "operator_setup WHERE token_hash = $1 AND expires_at > $2",
                                               Params().Add(token_hash).Add(now)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "setup link not found or expired");
    out = OperatorSetup{r.Text(0, 0), r.Text(0, 1), r.Int64(0, 2), r.Int64(0, 3)};
    return Status::Ok();
  }));
  return out;
}

Result<User> PostgresStore::ConsumeOperatorSetup(std::string_view token_hash, int64_t now,
                                                 const OperatorClaim& claim) {
  User out;
  auto unique_error = [&](Connection& c, const Error& e) -> Error {
    if (c.last_sqlstate() == kUniqueViolation) {
      if (c.last_constraint() == "users_email_key") {
        return MakeError(ErrorCode::kAlreadyExists, "e-mail address is already registered");
      }
      if (c.last_constraint() == "tenants_slug_key") {
        return MakeError(ErrorCode::kConflict, "workspace slug '" + claim.personal.slug + "' is taken");
      }
    }
    return e;
  };
  PM_RETURN_IF_ERROR(Run("ConsumeOperatorSetup", GlobalWrite(), [&](Connection& c) -> Status {
    // DELETE ... RETURNING takes the row lock: of two concurrent uses, the second finds nothing.
    PM_ASSIGN_OR_RETURN(Rows link, c.ExecPrepared("pm_op_setup_take",
                                                  "DELETE FROM operator_setup WHERE token_hash = $1 AND "
                                                  "expires_at > $2 RETURNING email",
                                                  Params().Add(token_hash).Add(now)));
    if (link.empty()) return MakeError(ErrorCode::kNotFound, "setup link not found or expired");
    if (!link.Text(0, 0).empty() && link.Text(0, 0) != claim.email) {
      return MakeError(ErrorCode::kPermissionDenied, "this setup link is for another e-mail address");
    }
    int64_t id = 0;
    if (claim.existing) {
      id = claim.existing->value;
    } else {
      auto user = c.ExecPrepared("pm_op_user_insert",
                                 "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) "
                                 "RETURNING id",
                                 Params().Add(claim.user.email).Add(claim.user.name).Add(claim.user.password_hash).Add(now));
      if (!user.ok()) return unique_error(c, user.error());
      id = user->Int64(0, 0);
      // As at sign-up: the tenant id first, so app.tenant_id admits the inserts.
      PM_ASSIGN_OR_RETURN(Rows tid, c.ExecPrepared("pm_tenant_nextval",
                                                   "SELECT nextval(pg_get_serial_sequence("
                                                   "'tenants', 'id'))",
                                                   Params()));
      int64_t tenant = tid.Int64(0, 0);
      PM_RETURN_IF_ERROR(c.ExecPrepared("pm_set_tenant", "SELECT set_config('app.tenant_id', $1, true)",
                                        Params().Add(tenant)));
      auto ws = c.ExecPrepared("pm_op_tenant_insert",
                               "INSERT INTO tenants (id, slug, name, created_at, personal) OVERRIDING SYSTEM VALUE "
                               "VALUES ($1, $2, $3, $4, true)",
                               Params().Add(tenant).Add(claim.personal.slug).Add(claim.personal.name).Add(now));
      if (!ws.ok()) return unique_error(c, ws.error());
      PM_RETURN_IF_ERROR(c.ExecPrepared("pm_op_membership_insert",
                                        "INSERT INTO memberships (tenant_id, user_id, role, created_at) "
                                        "VALUES ($1, $2, 'owner', $3)",
                                        Params().Add(tenant).Add(id).Add(now)));
    }
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_op_promote",
                                               "UPDATE users SET is_operator = true WHERE id = $1 AND email = $2 "
                                               "RETURNING " PM_USER_COLUMNS,
                                               Params().Add(id).Add(claim.email)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "user not found");
    out = postgres::ReadUser(r, 0);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::CreatePasswordResetForUser(UserId user, std::string_view token_hash, int64_t now,
                                                 int64_t expires_at) {
  return Run("CreatePasswordResetForUser", GlobalWrite(), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_op_reset_insert",
                                      "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) "
                                      "VALUES ($1, $2, $3, $4)",
                                      Params().Add(user.value).Add(token_hash).Add(now).Add(expires_at)));
    return Status::Ok();
  });
}

Result<std::vector<TenantSummary>> PostgresStore::ListTenantSummaries(const TenantFilter& filter) {
  std::vector<TenantSummary> out;
  PM_RETURN_IF_ERROR(Run("ListTenantSummaries", OperatorRead(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_op_tenant_list",
                               PM_OP_SUMMARY_SELECT
                               "WHERE t.id > $1 AND ($2 = '' OR strpos(t.slug, $2) > 0 OR "
                               "strpos(lower(t.name), $2) > 0 OR strpos(u.email, $2) > 0) AND ($3::int = 0 "
                               "OR ($3::int = 1 AND t.deleted_at IS NULL AND t.suspended_at IS NULL) "
                               "OR ($3::int = 2 AND t.deleted_at IS NULL AND t.suspended_at IS NOT NULL) "
                               "OR ($3::int = 3 AND t.deleted_at IS NOT NULL)) ORDER BY t.id LIMIT $4",
                               Params().Add(filter.after_id).Add(filter.query).Add(StatusCode(filter.status)).Add(
                                   filter.limit)));
    out.clear();
    for (int i = 0; i < r.size(); ++i) out.push_back(ReadSummary(r, i));
    return Status::Ok();
  }));
  return out;
}

Result<TenantSummary> PostgresStore::GetTenantSummary(TenantId tenant) {
  TenantSummary out;
  PM_RETURN_IF_ERROR(Run("GetTenantSummary", TenantRead(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_op_tenant_get", PM_OP_SUMMARY_SELECT "WHERE t.id = $1",
                                               Params().Add(tenant.value)));
    if (r.empty()) return WorkspaceNotFound();
    out = ReadSummary(r, 0);
    return Status::Ok();
  }));
  return out;
}

Result<TenantUsageTotals> PostgresStore::GetTenantUsageTotals(TenantId tenant) {
  TenantUsageTotals out;
  PM_RETURN_IF_ERROR(Run("GetTenantUsageTotals", TenantRead(tenant), [&](Connection& c) -> Status {
    // Duplicates share their source's object: each stored image counts once.
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_op_tenant_usage",
                                               "SELECT (SELECT COUNT(*) FROM palettes WHERE tenant_id = $1), "
                                               "(SELECT COALESCE(SUM(b), 0)::bigint FROM (SELECT "
                                               "MAX(image_bytes) AS b FROM palettes WHERE tenant_id = $1 "
                                               "GROUP BY object_key) x)",
                                               Params().Add(tenant.value)));
    out = TenantUsageTotals{r.Int64(0, 0), r.Int64(0, 1)};
    return Status::Ok();
  }));
  return out;
}

Result<Workspace> PostgresStore::SetTenantPlan(TenantId tenant, std::string_view plan) {
  Workspace out;
  PM_RETURN_IF_ERROR(Run("SetTenantPlan", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(out, UpdateTenant(c, "pm_op_plan", "UPDATE tenants SET plan = $2 WHERE id = $1" PM_OP_RETURNING,
                                          Params().Add(tenant.value).Add(plan), tenant, ""));
    return Status::Ok();
  }));
  return out;
}

Result<Workspace> PostgresStore::SuspendTenant(TenantId tenant, int64_t now) {
  Workspace out;
  PM_RETURN_IF_ERROR(Run("SuspendTenant", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(out, UpdateTenant(c, "pm_op_suspend",
                                          "UPDATE tenants SET suspended_at = COALESCE(suspended_at, $2) "
                                          "WHERE id = $1 AND deleted_at IS NULL" PM_OP_RETURNING,
                                          Params().Add(tenant.value).Add(now), tenant,
                                          "the workspace is deleted: restore it first"));
    return Status::Ok();
  }));
  return out;
}

Result<Workspace> PostgresStore::ReactivateTenant(TenantId tenant) {
  Workspace out;
  PM_RETURN_IF_ERROR(Run("ReactivateTenant", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(out, UpdateTenant(c, "pm_op_reactivate",
                                          "UPDATE tenants SET suspended_at = NULL WHERE id = $1 AND "
                                          "deleted_at IS NULL" PM_OP_RETURNING,
                                          Params().Add(tenant.value), tenant,
                                          "the workspace is deleted: restore it first"));
    return Status::Ok();
  }));
  return out;
}

Result<Workspace> PostgresStore::SoftDeleteTenant(TenantId tenant, int64_t now, int64_t purge_after) {
  Workspace out;
  PM_RETURN_IF_ERROR(Run("SoftDeleteTenant", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(out, UpdateTenant(c, "pm_op_soft_delete",
                                          "UPDATE tenants SET deleted_at = $2, purge_after = $3 WHERE id = $1 "
                                          "AND deleted_at IS NULL" PM_OP_RETURNING,
                                          Params().Add(tenant.value).Add(now).Add(purge_after), tenant,
                                          "the workspace is already deleted"));
    return Status::Ok();
  }));
  return out;
}

Result<Workspace> PostgresStore::RestoreTenant(TenantId tenant, int64_t now) {
  Workspace out;
  PM_RETURN_IF_ERROR(Run("RestoreTenant", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(out, UpdateTenant(c, "pm_op_restore",
                                          "UPDATE tenants SET deleted_at = NULL, purge_after = NULL WHERE id = $1 "
                                          "AND deleted_at IS NOT NULL AND purge_after > $2" PM_OP_RETURNING,
                                          Params().Add(tenant.value).Add(now), tenant,
                                          "the workspace is not deleted, or its grace period is over"));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<TenantId>> PostgresStore::ListTenantsToPurge(int64_t now, int limit) {
  std::vector<TenantId> out;
  // A read in a transaction, so the transaction-local app.sweep_before holds for the SELECT.
  const Scope sweep{Access::kRead, true, {}, {}};
  PM_RETURN_IF_ERROR(Run("ListTenantsToPurge", sweep, [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_set_sweep_before", "SELECT set_config('app.sweep_before', $1, true)",
                                      Params().Add(now)));
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_op_purge_list",
                                               "SELECT id FROM tenants WHERE deleted_at IS NOT NULL AND "
                                               "purge_after <= $1 ORDER BY purge_after, id LIMIT $2",
                                               Params().Add(now).Add(limit)));
    out.clear();
    for (int i = 0; i < r.size(); ++i) out.push_back(TenantId(r.Int64(i, 0)));
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::PurgeTenant(TenantId tenant) {
  return Run("PurgeTenant", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_purge_shares", "DELETE FROM share_links WHERE tenant_id = $1",
                                      Params().Add(tenant.value)));
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
