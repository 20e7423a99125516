// The audit log's query parameters (GET /api/v1/t/{ws}/audit, GET /api/v1/admin/audit), parsed
// and checked: actor, action, since, until, cursor, limit, and for operators workspace. A bad
// value is kInvalidArgument naming the parameter. Pure functions (unit-tested without a server).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "app/audit_log.h"
#include "common/result.h"

namespace pm::http {

// Returns the parameter's value, or nullopt when the request does not have it.
using QueryLookup = std::function<std::optional<std::string>(const std::string& name)>;

// `operator_view`: the admin route, where `workspace` (a slug or an id) is allowed.
Result<app::AuditQuery> ParseAuditQuery(const QueryLookup& get, bool operator_view);

// A time as Unix milliseconds (digits only) or RFC 3339 ("2026-11-23T11:00:00Z",
// "2026-11-23T11:00:00.250+01:00"); fractions finer than a millisecond are cut. kInvalidArgument
// naming `what` otherwise.
Result<int64_t> ParseTimeParam(std::string_view value, const char* what);

// The opaque next_cursor string for a page that ends at record `before_id`.
std::string AuditCursor(int64_t before_id);

}  // namespace pm::http
