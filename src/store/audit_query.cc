#include "store/audit_query.h"

#include <string>

namespace pm::store {

Status CheckAuditQuery(const AuditFilter& filter, int limit) {
  if (filter.tenant.has_value() == filter.all_tenants) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "an audit read is either one workspace's (tenant) or an operator's (all_tenants)");
  }
  if (!filter.tenant_slug.empty() && !filter.all_tenants) {
    return MakeError(ErrorCode::kInvalidArgument, "tenant_slug narrows an operator's audit read only");
  }
  if (limit < 1 || limit > kMaxAuditPage) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "limit must be from 1 to " + std::to_string(kMaxAuditPage));
  }
  return Status::Ok();
}

}  // namespace pm::store
