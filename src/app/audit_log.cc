#include "app/audit_log.h"

#include "auth/roles.h"

namespace pm::app {
namespace {

store::AuditFilter Narrowed(const AuditQuery& q) {
  store::AuditFilter f;
  f.actor = q.actor;
  f.action = q.action;
  f.since = q.since;
  f.until = q.until;
  return f;
}

Status CheckLimit(const AuditQuery& q) {
  if (q.limit < 1 || q.limit > AuditLog::kMaxLimit) {
    return MakeError(ErrorCode::kInvalidArgument, "limit must be an integer from 1 to 200");
  }
  return Status::Ok();
}

}  // namespace

Result<store::AuditPage> AuditLog::ForWorkspace(const TenantContext& ctx, const AuditQuery& query) {
  if (ctx.token) {
    return MakeError(ErrorCode::kPermissionDenied, "API tokens cannot read the audit log; sign in to read it");
  }
  if (!auth::Allows(ctx.role, auth::Capability::kViewAudit)) {
    return MakeError(ErrorCode::kPermissionDenied, "only the owner and admins can read the audit log");
  }
  if (query.workspace_id || !query.workspace_slug.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "workspace is a filter of the operators' audit log only");
  }
  PM_RETURN_IF_ERROR(CheckLimit(query));
  store::AuditFilter filter = Narrowed(query);
  filter.tenant = ctx.tenant;
  PM_ASSIGN_OR_RETURN(store::AuditPage page, s_.store->ListAudit(filter, query.before_id, query.limit));
  for (auto& e : page.entries) {
    if (e.record.actor_kind == "operator") {
      e.actor_email.reset();
      e.actor_name.reset();
    }
  }
  return page;
}

Result<store::AuditPage> AuditLog::ForOperator(const Principal& principal, const AuditQuery& query) {
  if (!principal.user.is_operator) return MakeError(ErrorCode::kNotFound, "not found");
  PM_RETURN_IF_ERROR(CheckLimit(query));
  if (query.workspace_id && !query.workspace_slug.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "workspace is either an id or a slug");
  }
  store::AuditFilter filter = Narrowed(query);
  if (query.workspace_id) {
    filter.tenant = query.workspace_id;
  } else {
    filter.all_tenants = true;
    filter.tenant_slug = query.workspace_slug;
  }
  return s_.store->ListAudit(filter, query.before_id, query.limit);
}

}  // namespace pm::app
