#include <catch2/catch.hpp>

#include "app/workspaces.h"
#include "auth/roles.h"

using namespace pm;
using namespace pm::app;

TEST_CASE("workspace slugs: 2-40 of a-z 0-9 '-', letter or digit at both ends", "[app][workspaces]") {
  for (const char* ok : {"ab", "a1", "team", "design-team", "x-y-z", "0-9", "a--b"}) {
    INFO(ok);
    CHECK(ValidateSlug(ok).ok());
  }
  CHECK(ValidateSlug(std::string(40, 'a')).ok());
  for (const std::string bad : {"", "a", "-ab", "ab-", "Ab", "a b", "a_b", "a.b", "a/b", "é-b", "ab\n"}) {
    INFO(bad);
    REQUIRE_FALSE(ValidateSlug(bad).ok());
    CHECK(ValidateSlug(bad).error().code == ErrorCode::kInvalidArgument);
  }
  CHECK_FALSE(ValidateSlug(std::string(41, 'a')).ok());
}

TEST_CASE("slugs made from names are valid slugs", "[app][workspaces]") {
  CHECK(SlugFromName("Design Team!") == "design-team");
  CHECK(SlugFromName("  Ünïcode  Team ") == "n-code-team");  // non-ASCII letters become separators
  CHECK(SlugFromName("!!!") == "workspace");
  CHECK(SlugFromName("a") == "workspace");
  CHECK(SlugFromName(std::string(200, 'x')).size() <= 30);
  for (const char* name : {"Design Team!", "---", "日本", "a_b_c", "  x  y  ", "UPPER lower 123"}) {
    INFO(name);
    CHECK(ValidateSlug(SlugFromName(name)).ok());
  }
}

TEST_CASE("token scopes parse and cap the role", "[app][workspaces]") {
  CHECK(auth::ParseTokenScope("read") == auth::TokenScope::kRead);
  CHECK(auth::ParseTokenScope("write") == auth::TokenScope::kWrite);
  CHECK_FALSE(auth::ParseTokenScope("admin").has_value());
  CHECK_FALSE(auth::ParseTokenScope("").has_value());
  CHECK(auth::TokenUsable(auth::Capability::kRead));
  CHECK(auth::TokenUsable(auth::Capability::kEditPalettes));
  CHECK_FALSE(auth::TokenUsable(auth::Capability::kManageTokens));
  CHECK_FALSE(auth::TokenUsable(auth::Capability::kManageMembers));
  CHECK_FALSE(auth::TokenUsable(auth::Capability::kLeave));
  CHECK_FALSE(auth::TokenUsable(auth::Capability::kOwnWorkspace));
}
