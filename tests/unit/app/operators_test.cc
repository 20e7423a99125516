// Operators: the suspension rule, plan names, setup links (with a fake clock), provisioning and
// the owner's delete, on a real SQLite store.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <vector>

#include "app/accounts.h"
#include "app/operators.h"
#include "app/workspaces.h"
#include "auth/password.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "objects/memory_object_store.h"
#include "store/store.h"

using namespace pm;
using namespace pm::app;

TEST_CASE("operators: a suspended workspace refuses writes and allows reads", "[app][operators]") {
  store::Workspace active;
  CHECK(RefuseWritesWhenSuspended(active, true).ok());
  CHECK(RefuseWritesWhenSuspended(active, false).ok());
  store::Workspace suspended;
  suspended.suspended_at = 5;
  CHECK(RefuseWritesWhenSuspended(suspended, false).ok());
  Status refused = RefuseWritesWhenSuspended(suspended, true);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kWorkspaceSuspended);
  CHECK(refused.error().message ==
        "this workspace is suspended by the operators: it is read-only until it is reactivated");
}

TEST_CASE("operators: plan names are [a-z0-9_-]{1,40}", "[app][operators]") {
  for (const char* ok : {"pro", "free", "team_2", "enterprise-eu", "0"}) CHECK(Operators::ValidPlanName(ok));
  CHECK(Operators::ValidPlanName(std::string(40, 'a')));
  for (const std::string& bad : std::vector<std::string>{"", "Pro", "pro plan", "pro!", "é", std::string(41, 'a')}) {
    INFO(bad);
    CHECK_FALSE(Operators::ValidPlanName(bad));
  }
}

namespace {

struct OpsFixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  FakeClock clock;
  objects::MemoryObjectStore objects{&clock};
  config::Config config;

  OpsFixture() {
    REQUIRE(InitCrypto());
    dir = std::filesystem::temp_directory_path() /
          ("pm-ops-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    store::StoreOptions o;
    o.url = "sqlite://" + (dir / "db.sqlite").string();
    store = std::move(store::OpenStore(o)).value();
    REQUIRE(store->Migrate().ok());
    config.server.public_url = "https://pm.example.com";
  }
  ~OpsFixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  Services services() { return {store.get(), &objects, &config, &clock}; }
};

const char* kPassword = "correct horse battery staple";

}  // namespace

TEST_CASE("operators: the first-start link, its expiry and single use", "[app][operators]") {
  OpsFixture f;
  Operators ops(f.services());
  auto first = ops.FirstStartLink();
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK((*first)->url.rfind("https://pm.example.com/setup?token=", 0) == 0);
  CHECK((*first)->expires_at == f.clock.NowMillis() + 24 * 3600 * 1000);
  const std::string token = (*first)->token;
  CHECK(ops.InspectSetupLink(token)->valid);
  CHECK_FALSE(ops.InspectSetupLink("nope")->valid);
  CHECK_FALSE(ops.InspectSetupLink(std::string(500, 'x'))->valid);

  // Bad input changes nothing.
  CHECK(ops.CompleteSetup(token, "not-an-email", kPassword, "").error().code == ErrorCode::kInvalidArgument);
  CHECK(ops.CompleteSetup(token, "op@example.com", "short", "").error().code == ErrorCode::kInvalidArgument);
  CHECK(ops.CompleteSetup("wrong", "op@example.com", kPassword, "").error().code == ErrorCode::kInvalidArgument);
  CHECK(ops.InspectSetupLink(token)->valid);

  auto op = ops.CompleteSetup(token, "Op@Example.com", kPassword, "The Operator");
  REQUIRE(op.ok());
  CHECK(op->is_operator);
  CHECK(op->email == "op@example.com");
  CHECK(op->name == "The Operator");
  CHECK(auth::VerifyPassword(kPassword, op->password_hash));
  auto again = ops.CompleteSetup(token, "op2@example.com", kPassword, "");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kInvalidArgument);
  CHECK_FALSE(ops.InspectSetupLink(token)->valid);
  // An operator exists now: no first-start link.
  CHECK_FALSE(ops.FirstStartLink()->has_value());

  // A link expires after 24 hours.
  auto bound = ops.CreateSetupLink("late@example.com");
  REQUIRE(bound.ok());
  CHECK(ops.InspectSetupLink(bound->token)->email == "late@example.com");
  f.clock.AdvanceMillis(24 * 3600 * 1000);
  CHECK_FALSE(ops.InspectSetupLink(bound->token)->valid);
  CHECK(ops.CompleteSetup(bound->token, "late@example.com", kPassword, "").error().code ==
        ErrorCode::kInvalidArgument);
  CHECK(ops.CreateSetupLink("bad address").error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("operators: promoting an existing account needs its password", "[app][operators]") {
  OpsFixture f;
  Accounts accounts(f.services());
  Operators ops(f.services());
  auto user = accounts.SignUp("ada@example.com", kPassword, "Ada");
  REQUIRE(user.ok());
  auto link = ops.CreateSetupLink("ada@example.com");
  REQUIRE(link.ok());
  CHECK(ops.CompleteSetup(link->token, "eve@example.com", kPassword, "").error().code ==
        ErrorCode::kPermissionDenied);
  CHECK(ops.CompleteSetup(link->token, "ada@example.com", "wrong password", "").error().code ==
        ErrorCode::kUnauthenticated);
  CHECK_FALSE(f.store->GetUser(user->account.user.id)->is_operator);
  auto promoted = ops.CompleteSetup(link->token, "ada@example.com", kPassword, "");
  REQUIRE(promoted.ok());
  CHECK(promoted->id == user->account.user.id);
  CHECK(promoted->is_operator);
  CHECK(f.store->ListMemberships(promoted->id)->size() == 1);  // no second personal workspace
}

TEST_CASE("operators: only operators administer; provisioning makes the owner and a set-password link",
          "[app][operators]") {
  OpsFixture f;
  Accounts accounts(f.services());
  Operators ops(f.services());
  auto signed_up = accounts.SignUp("user@example.com", kPassword, "");
  REQUIRE(signed_up.ok());
  auto user = accounts.Authenticate(signed_up->session.token);
  REQUIRE(user.ok());
  CHECK(Operators::RequireOperator(*user).error().code == ErrorCode::kNotFound);
  CHECK(ops.ListTenants(*user, "", "", "", 50).error().code == ErrorCode::kNotFound);
  CHECK(ops.Suspend(*user, signed_up->account.memberships[0].workspace.id).error().code == ErrorCode::kNotFound);

  auto link = ops.CreateSetupLink("");
  REQUIRE(link.ok());
  auto op_user = ops.CompleteSetup(link->token, "op@example.com", kPassword, "");
  REQUIRE(op_user.ok());
  Principal op{*op_user, "", ""};
  CHECK_FALSE(ops.NeedsMfa(op));
  f.config.auth.operator_mfa_required = true;
  CHECK(ops.NeedsMfa(op));
  op.user.totp_enabled_at = 1;
  CHECK_FALSE(ops.NeedsMfa(op));

  // Bad input creates nothing.
  CHECK(ops.Provision(op, "", "", "new@example.com", "", std::nullopt).error().code == ErrorCode::kInvalidArgument);
  CHECK(ops.Provision(op, "Acme", "Bad Slug", "new@example.com", "", std::nullopt).error().code ==
        ErrorCode::kInvalidArgument);
  CHECK(ops.Provision(op, "Acme", "", "nope", "", std::nullopt).error().code == ErrorCode::kInvalidArgument);
  CHECK(ops.Provision(op, "Acme", "", "new@example.com", "", std::string("Pro!")).error().code ==
        ErrorCode::kInvalidArgument);
  CHECK(f.store->FindUserByEmail("new@example.com").error().code == ErrorCode::kNotFound);

  auto made = ops.Provision(op, "Acme", "acme", "New@Example.com", "Newt", std::string("pro"));
  REQUIRE(made.ok());
  CHECK(made->owner_created);
  REQUIRE(made->owner_setup_link.has_value());
  CHECK(made->owner_setup_link->rfind("https://pm.example.com/reset?token=", 0) == 0);
  CHECK(made->tenant.summary.workspace.slug == "acme");
  CHECK(made->tenant.summary.workspace.plan == "pro");
  CHECK(made->tenant.summary.owner_email == "new@example.com");
  auto owner = f.store->FindUserByEmail("new@example.com");
  REQUIRE(owner.ok());
  CHECK(owner->name == "Newt");
  // No usable password until the link is used.
  CHECK(accounts.LogIn("new@example.com", "").error().code == ErrorCode::kUnauthenticated);
  CHECK(accounts.LogIn("new@example.com", "!provisioned").error().code == ErrorCode::kUnauthenticated);
  // An existing owner with a password gets no link.
  auto second = ops.Provision(op, "Second", "", "user@example.com", "", std::nullopt);
  REQUIRE(second.ok());
  CHECK_FALSE(second->owner_created);
  CHECK_FALSE(second->owner_setup_link.has_value());
  CHECK(second->tenant.summary.workspace.plan.empty());
  CHECK(ops.Provision(op, "Again", "acme", "user@example.com", "", std::nullopt).error().code ==
        ErrorCode::kConflict);

  // Lifecycle with the grace period from config.
  f.config.jobs.delete_grace_days = 3;
  const TenantId acme = made->tenant.summary.workspace.id;
  auto deleted = ops.Delete(op, acme);
  REQUIRE(deleted.ok());
  CHECK(*deleted->summary.workspace.purge_after == f.clock.NowMillis() + 3 * 24 * 3600 * 1000);
  CHECK(ops.Delete(op, acme).error().code == ErrorCode::kConflict);
  f.clock.AdvanceMillis(3 * 24 * 3600 * 1000);
  CHECK(ops.Restore(op, acme).error().code == ErrorCode::kConflict);  // grace over
  CHECK(ops.GetTenant(op, TenantId(424242)).error().code == ErrorCode::kNotFound);
}

TEST_CASE("operators: owners delete their team workspace, never a personal one", "[app][operators]") {
  OpsFixture f;
  Accounts accounts(f.services());
  Workspaces workspaces(f.services());
  Operators ops(f.services());
  auto owner = accounts.SignUp("ada@example.com", kPassword, "");
  REQUIRE(owner.ok());
  auto principal = accounts.Authenticate(owner->session.token);
  REQUIRE(principal.ok());
  REQUIRE(workspaces.Create(*principal, "Team", "team").ok());
  auto personal = accounts.EnterWorkspace(*principal, owner->account.memberships[0].workspace.slug);
  REQUIRE(personal.ok());
  CHECK(ops.DeleteOwnWorkspace(*personal).error().code == ErrorCode::kConflict);
  auto team = accounts.EnterWorkspace(*principal, "team");
  REQUIRE(team.ok());
  TenantContext as_admin = *team;
  as_admin.role = auth::Role::kAdmin;
  CHECK(ops.DeleteOwnWorkspace(as_admin).error().code == ErrorCode::kPermissionDenied);
  auto deleted = ops.DeleteOwnWorkspace(*team);
  REQUIRE(deleted.ok());
  CHECK(deleted->deleted_at.has_value());
  CHECK(accounts.EnterWorkspace(*principal, "team").error().code == ErrorCode::kNotFound);
}
