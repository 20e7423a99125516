// What both backends check before reading the audit log (Store::ListAudit). Private to src/store/.
#pragma once

#include "common/result.h"
#include "store/records.h"

namespace pm::store {

inline constexpr int kMaxAuditPage = 200;

// kInvalidArgument unless exactly one of filter.tenant / filter.all_tenants is set, tenant_slug
// is used only with all_tenants, and 1 <= limit <= kMaxAuditPage.
Status CheckAuditQuery(const AuditFilter& filter, int limit);

}  // namespace pm::store
