#include "http/audit_query.h"

#include <charconv>

#include "app/workspaces.h"

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

int Digits(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

bool DigitsAt(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  return AllDigits(s.substr(pos, n));
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (s.size() < 20 || !DigitsAt(s, 0, 4) || s[4] != '-' || !DigitsAt(s, 5, 2) || s[7] != '-' ||
      !DigitsAt(s, 8, 2) || (s[10] != 'T' && s[10] != 't') || !DigitsAt(s, 11, 2) || s[13] != ':' ||
      !DigitsAt(s, 14, 2) || s[16] != ':' || !DigitsAt(s, 17, 2)) {
    return std::nullopt;
  }
  const int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  const int hour = Digits(s, 11, 2), minute = Digits(s, 14, 2), second = Digits(s, 17, 2);
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    const size_t n = pos - start;
    if (n == 0 || n > 9) return std::nullopt;
    for (size_t i = 0; i < 3; ++i) millis = millis * 10 + (i < n ? s[start + i] - '0' : 0);
  }
  int64_t offset_min = 0;
  std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset_min = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && DigitsAt(zone, 1, 2) && zone[3] == ':' &&
             DigitsAt(zone, 4, 2)) {
    const int oh = Digits(zone, 1, 2), om = Digits(zone, 4, 2);
    if (oh > 23 || om > 59) return std::nullopt;
    offset_min = (zone[0] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  const int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
                          offset_min * 60;
  return seconds * 1000 + millis;
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
  } else if (auto t = ParseRfc3339(value); t && *t >= 0) {
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
