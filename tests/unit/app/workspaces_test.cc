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

// --- Use cases on a real SQLite store with an injected clock ----------------------------------

#include <unistd.h>

#include <filesystem>

#include "app/accounts.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "objects/memory_object_store.h"
#include "store/store.h"

namespace {

struct WsFixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  FakeClock clock;
  objects::MemoryObjectStore objects{&clock};
  config::Config config;

  WsFixture() {
    REQUIRE(InitCrypto());
    dir = std::filesystem::temp_directory_path() /
          ("pm-ws-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    store::StoreOptions o;
    o.url = "sqlite://" + (dir / "db.sqlite").string();
    store = std::move(store::OpenStore(o)).value();
    REQUIRE(store->Migrate().ok());
  }
  ~WsFixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  Services services() { return {store.get(), &objects, &config, &clock}; }
};

const char* kPassword = "correct horse battery staple";

}  // namespace

TEST_CASE("invite-only sign-up admits exactly the invited address; invitations expire after 7 days",
          "[app][workspaces]") {
  WsFixture f;
  Accounts accounts(f.services());
  Workspaces ws(f.services());
  auto owner = accounts.SignUp("owner@example.com", kPassword, "Owner");
  REQUIRE(owner.ok());
  auto principal = accounts.Authenticate(owner->session.token);
  REQUIRE(principal.ok());
  auto team = ws.Create(*principal, "Team", "team");
  REQUIRE(team.ok());
  auto ctx = accounts.EnterWorkspace(*principal, "team");
  REQUIRE(ctx.ok());

  f.config.auth.signup = "invite";
  CHECK(accounts.SignUp("new@example.com", kPassword, "").error().code == ErrorCode::kPermissionDenied);
  auto inv = ws.Invite(*ctx, "New@Example.com", "editor");
  REQUIRE(inv.ok());
  // closed: not even with an invitation.
  f.config.auth.signup = "closed";
  CHECK(accounts.SignUp("new@example.com", kPassword, "", inv->token).error().code == ErrorCode::kPermissionDenied);
  f.config.auth.signup = "invite";
  CHECK(accounts.SignUp("other@example.com", kPassword, "", inv->token).error().code == ErrorCode::kPermissionDenied);
  CHECK(accounts.SignUp("new@example.com", kPassword, "", "not-a-token").error().code == ErrorCode::kNotFound);
  auto joined = accounts.SignUp("new@example.com", kPassword, "", inv->token);
  REQUIRE(joined.ok());
  bool in_team = false;
  for (const auto& m : joined->account.memberships) in_team |= (m.workspace.slug == "team" && m.role == "editor");
  CHECK(in_team);

  // 7 days later to the millisecond, an invitation is gone.
  auto late = ws.Invite(*ctx, "late@example.com", "viewer");
  REQUIRE(late.ok());
  f.clock.AdvanceMillis(Workspaces::kInvitationTtlMs - 1);
  CHECK(ws.Invitations(*ctx)->size() == 1);
  f.clock.AdvanceMillis(1);
  CHECK(ws.Invitations(*ctx)->empty());
  CHECK(accounts.SignUp("late@example.com", kPassword, "", late->token).error().code == ErrorCode::kNotFound);
}

TEST_CASE("API tokens: expiry by the clock, last_used_at at most once a minute, scope caps the role",
          "[app][workspaces]") {
  WsFixture f;
  Accounts accounts(f.services());
  Workspaces ws(f.services());
  auto owner = accounts.SignUp("owner@example.com", kPassword, "Owner");
  REQUIRE(owner.ok());
  auto principal = accounts.Authenticate(owner->session.token);
  REQUIRE(principal.ok());
  const std::string slug = owner->account.memberships[0].workspace.slug;
  auto ctx = accounts.EnterWorkspace(*principal, slug);
  REQUIRE(ctx.ok());

  auto day = ws.CreateToken(*ctx, "ci", "write", 1);
  REQUIRE(day.ok());
  auto entry = accounts.EnterWorkspaceWithToken("Bearer " + day->secret, slug);
  REQUIRE(entry.ok());
  CHECK(entry->tenant.role == auth::Role::kEditor);  // an owner's write token acts as an editor
  CHECK(entry->tenant.token == auth::TokenScope::kWrite);
  auto used = [&] {
    auto tokens = ws.Tokens(*ctx);
    REQUIRE(tokens.ok());
    std::optional<int64_t> out;
    for (const auto& t : *tokens) {
      if (t.id == day->token.id) out = t.last_used_at;
    }
    return out;
  };
  const int64_t first = f.clock.NowMillis();
  CHECK(used() == first);
  f.clock.AdvanceMillis(59'000);
  REQUIRE(accounts.EnterWorkspaceWithToken("bearer " + day->secret, slug).ok());  // scheme is case-insensitive
  CHECK(used() == first);  // no write within the minute
  f.clock.AdvanceMillis(2'000);
  REQUIRE(accounts.EnterWorkspaceWithToken("Bearer " + day->secret, slug).ok());
  CHECK(used() == f.clock.NowMillis());

  f.clock.AdvanceMillis(24 * 3600 * 1000);
  auto expired = accounts.EnterWorkspaceWithToken("Bearer " + day->secret, slug);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().code == ErrorCode::kUnauthenticated);
  CHECK(expired.error().message.find("expired") != std::string::npos);

  auto read = ws.CreateToken(*ctx, "r", "read", std::nullopt);
  REQUIRE(read.ok());
  auto as_reader = accounts.EnterWorkspaceWithToken("Bearer " + read->secret, slug);
  REQUIRE(as_reader.ok());
  CHECK(as_reader->tenant.role == auth::Role::kViewer);
  // A token cannot manage tokens, even one of an owner.
  CHECK(ws.CreateToken(as_reader->tenant, "x", "read", std::nullopt).error().code == ErrorCode::kPermissionDenied);
  CHECK(ws.Tokens(as_reader->tenant).error().code == ErrorCode::kPermissionDenied);
}
