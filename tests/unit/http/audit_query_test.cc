// The audit log's query parameters and the operators-only gate of the admin API.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "http/api_admin_common.h"
#include "http/audit_query.h"

namespace pm::http {
namespace {

Result<app::AuditQuery> Parse(const std::map<std::string, std::string>& params, bool operator_view = false) {
  return ParseAuditQuery(
      [&](const std::string& name) -> std::optional<std::string> {
        auto it = params.find(name);
        if (it == params.end()) return std::nullopt;
        return it->second;
      },
      operator_view);
}

// The parameter a 400 names.
void RefusedNaming(const std::map<std::string, std::string>& params, const std::string& name,
                   bool operator_view = false) {
  auto q = Parse(params, operator_view);
  INFO(params.begin()->first << "=" << params.begin()->second);
  REQUIRE_FALSE(q.ok());
  CHECK(q.error().code == ErrorCode::kInvalidArgument);
  CHECK(q.error().message.rfind(name, 0) == 0);
}

TEST_CASE("audit query: defaults and every parameter", "[http][audit]") {
  auto none = Parse({});
  REQUIRE(none.ok());
  CHECK(none->limit == 50);
  CHECK_FALSE(none->actor.has_value());
  CHECK(none->action.empty());
  CHECK_FALSE(none->since.has_value());
  CHECK_FALSE(none->until.has_value());
  CHECK_FALSE(none->before_id.has_value());

  auto all = Parse({{"actor", "12"},
                    {"action", "member."},
                    {"since", "1763895600000"},
                    {"until", "2026-11-23T12:00:00Z"},
                    {"cursor", "345"},
                    {"limit", "200"}});
  REQUIRE(all.ok());
  CHECK(all->actor == std::optional<UserId>(UserId(12)));
  CHECK(all->action == "member.");
  CHECK(all->since == std::optional<int64_t>(1763895600000));
  CHECK(all->until == std::optional<int64_t>(1795435200000));
  CHECK(all->before_id == std::optional<int64_t>(345));
  CHECK(all->limit == 200);
  CHECK(Parse({{"action", "token_x.created"}}).ok());
  CHECK(Parse({{"limit", "1"}})->limit == 1);
}

TEST_CASE("audit query: times as Unix ms or RFC 3339", "[http][audit]") {
  CHECK(*ParseTimeParam("0", "since") == 0);
  CHECK(*ParseTimeParam("1970-01-01T00:00:00Z", "since") == 0);
  CHECK(*ParseTimeParam("2026-11-23T11:00:00Z", "since") == 1795431600000);
  CHECK(*ParseTimeParam("2026-11-23t11:00:00.250z", "since") == 1795431600250);
  CHECK(*ParseTimeParam("2026-11-23T11:00:00.123456789Z", "since") == 1795431600123);
  CHECK(*ParseTimeParam("2026-11-23T12:00:00+01:00", "since") == 1795431600000);
  CHECK(*ParseTimeParam("2026-11-23T10:30:00-00:30", "since") == 1795431600000);
  CHECK(*ParseTimeParam("2024-02-29T00:00:00Z", "since") == 1709164800000);
  for (const char* bad : {"", "-1", "1.5", "abc", "2026-11-23", "2026-11-23T11:00:00", "2026-11-23 11:00:00Z",
                          "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-31T00:00:00Z",
                          "2026-11-23T24:00:00Z", "2026-11-23T11:60:00Z", "2026-11-23T11:00:60Z",
                          "2026-11-23T11:00:00.Z", "2026-11-23T11:00:00+0100", "2026-11-23T11:00:00+24:00",
                          "1969-12-31T23:59:59Z", "9999999999999999", "2026-11-23T11:00:00Zjunk"}) {
    INFO("'" << bad << "'");
    auto t = ParseTimeParam(bad, "until");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == ErrorCode::kInvalidArgument);
    CHECK(t.error().message.rfind("until must be a time", 0) == 0);
  }
}

TEST_CASE("audit query: bad values are 400 naming the parameter", "[http][audit]") {
  for (const char* v : {"", "0", "-3", "x", "1.0", "12a", "99999999999999999999"}) RefusedNaming({{"actor", v}}, "actor");
  for (const char* v : {"", ".", ".member", "member..removed", "Member.removed", "member removed", "member%",
                        "member.*"}) {
    RefusedNaming({{"action", v}}, "action");
  }
  RefusedNaming({{"action", std::string(65, 'a')}}, "action");
  RefusedNaming({{"since", "yesterday"}}, "since");
  RefusedNaming({{"until", "2026-02-30T00:00:00Z"}}, "until");
  RefusedNaming({{"since", "2000"}, {"until", "2000"}}, "since");
  RefusedNaming({{"since", "3000"}, {"until", "2000"}}, "since");
  for (const char* v : {"", "0", "abc", "-1"}) RefusedNaming({{"cursor", v}}, "cursor");
  for (const char* v : {"", "0", "201", "-1", "ten", "5.5"}) RefusedNaming({{"limit", v}}, "limit");
  // The workspace filter is the operators'.
  RefusedNaming({{"workspace", "team"}}, "workspace");
  for (const char* v : {"", "-team", "Team", "a", "x/y"}) RefusedNaming({{"workspace", v}}, "workspace", true);
}

TEST_CASE("audit query: operators pick a workspace by id or slug", "[http][audit]") {
  auto by_id = Parse({{"workspace", "42"}}, true);
  REQUIRE(by_id.ok());
  CHECK(by_id->workspace_id == std::optional<TenantId>(TenantId(42)));
  CHECK(by_id->workspace_slug.empty());
  auto by_slug = Parse({{"workspace", "team-7"}}, true);
  REQUIRE(by_slug.ok());
  CHECK_FALSE(by_slug->workspace_id.has_value());
  CHECK(by_slug->workspace_slug == "team-7");
  CHECK(AuditCursor(77) == "77");
  CHECK(Parse({{"cursor", AuditCursor(77)}})->before_id == std::optional<int64_t>(77));
}

TEST_CASE("admin API: only operators get in; everyone else sees no such endpoint", "[http][admin]") {
  auto nobody = CheckOperator(nullptr, false, "GET", "/api/v1/admin/audit");
  REQUIRE_FALSE(nobody.ok());
  CHECK(nobody.error().code == ErrorCode::kNotFound);
  CHECK(nobody.error().message == "no such endpoint: GET /api/v1/admin/audit");

  app::Principal user;
  user.user.id = UserId(5);
  auto member = CheckOperator(&user, false, "GET", "/api/v1/admin/audit");
  REQUIRE_FALSE(member.ok());
  CHECK(member.error().code == ErrorCode::kNotFound);
  CHECK(member.error().message == nobody.error().message);

  app::Principal op = user;
  op.user.is_operator = true;
  CHECK(CheckOperator(&op, false, "GET", "/api/v1/admin/audit").ok());
  // auth.operator_mfa_required: an operator without TOTP is told to turn it on.
  auto no_totp = CheckOperator(&op, true, "GET", "/api/v1/admin/audit");
  REQUIRE_FALSE(no_totp.ok());
  CHECK(no_totp.error().code == ErrorCode::kMfaSetupRequired);
  op.user.totp_enabled_at = 1'000;
  CHECK(CheckOperator(&op, true, "GET", "/api/v1/admin/audit").ok());
  // A non-operator is 404 whether or not MFA is required.
  CHECK(CheckOperator(&user, true, "GET", "/api/v1/admin/audit").error().code == ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pm::http
