#include "http/audit_query.h"

#include <charconv>

#include "app/workspaces.h"
#include "common/rfc3339.h"

namespace pm::http {
namespace {

constexpr size_t kMaxActionChars = 64;
// Unix ms up to the year 9999 (253402300799999) fit in 15 digits.
constexpr size_t kMaxMillisDigits = 15;

Error Bad(const std::string& message) { return MakeError(ErrorCode::kInvalidArgument, message); }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A positive integer of at most 18 digits (fits int64).
std::optional<int64_t> PositiveInt(std::string_view s) {
  if (!AllDigits(s) || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v <= 0) return std::nullopt;
  return v;
}

Status CheckAction(const std::string& action) {
  auto bad = [] {
    return Bad("action must be an action name like member.removed, or a prefix ending in '.' like member. "
               "(up to 64 characters of a-z, 0-9, '_' and '.')");
  };
  if (action.empty() || action.size() > kMaxActionChars || action.front() == '.') return bad();
  char previous = 0;
  for (char c : action) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok || (c == '.' && previous == '.')) return bad();
    previous = c;
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> ParseTimeParam(std::string_view value, const char* what) {
  if (AllDigits(value)) {
    if (value.size() <= kMaxMillisDigits) {
      int64_t v = 0;
      std::from_chars(value.data(), value.data() + value.size(), v);
      return v;
    }
  } else if (auto t = ParseRfc3339Millis(value); t && *t >= 0) {
    return *t;
  }
  return Bad(std::string(what) +
             " must be a time as Unix milliseconds (e.g. 1763895600000) or RFC 3339 in UTC (e.g. "
             "2026-11-23T11:00:00Z)");
}

std::string AuditCursor(int64_t before_id) { return std::to_string(before_id); }

Result<app::AuditQuery> ParseAuditQuery(const QueryLookup& get, bool operator_view) {
  app::AuditQuery q;
  q.limit = app::AuditLog::kDefaultLimit;
  if (auto v = get("actor")) {
    auto id = PositiveInt(*v);
    if (!id) return Bad("actor must be a user id (a positive integer)");
    q.actor = UserId(*id);
  }
  if (auto v = get("action")) {
    PM_RETURN_IF_ERROR(CheckAction(*v));
    q.action = *v;
  }
  if (auto v = get("since")) {
    PM_ASSIGN_OR_RETURN(int64_t t, ParseTimeParam(*v, "since"));
    q.since = t;
  }
  if (auto v = get("until")) {
    PM_ASSIGN_OR_RETURN(int64_t t, ParseTimeParam(*v, "until"));
    q.until = t;
  }
  if (q.since && q.until && *q.since >= *q.until) return Bad("since must be earlier than until");
  if (auto v = get("cursor")) {
    auto id = PositiveInt(*v);
    if (!id) return Bad("cursor must be a next_cursor value this API returned");
    q.before_id = *id;
  }
  if (auto v = get("limit")) {
    auto n = PositiveInt(*v);
    if (!n || *n > app::AuditLog::kMaxLimit) return Bad("limit must be an integer from 1 to 200");
    q.limit = static_cast<int>(*n);
  }
  if (auto v = get("workspace")) {
    if (!operator_view) return Bad("workspace is a filter of the operators' audit log only (/api/v1/admin/audit)");
    if (auto id = PositiveInt(*v)) {
      q.workspace_id = TenantId(*id);
    } else if (app::ValidateSlug(*v).ok()) {
      q.workspace_slug = *v;
    } else {
      return Bad("workspace must be a workspace id or slug");
    }
  }
  return q;
}

}  // namespace pm::http
