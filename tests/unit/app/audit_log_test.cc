// The audit log as the use cases write and read it, on a real SQLite store with an injected clock:
// records carry the clock's time and the current request's ip/user agent/request id; who may read
// a workspace's log; the operators' read.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "app/accounts.h"
#include "app/audit.h"
#include "app/audit_log.h"
#include "app/workspaces.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "objects/memory_object_store.h"
#include "store/store.h"

using namespace pm;
using namespace pm::app;

namespace {

struct AuditFixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  FakeClock clock;
  objects::MemoryObjectStore objects{&clock};
  config::Config config;

  AuditFixture() {
    REQUIRE(InitCrypto());
    dir = std::filesystem::temp_directory_path() /
          ("pm-audit-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    store::StoreOptions o;
    o.url = "sqlite://" + (dir / "db.sqlite").string();
    store = std::move(store::OpenStore(o)).value();
    REQUIRE(store->Migrate().ok());
  }
  ~AuditFixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  Services services() { return {store.get(), &objects, &config, &clock}; }
};

const char* kPassword = "correct horse battery staple";

struct Member {
  Principal principal;
  TenantContext ctx;
};

}  // namespace

TEST_CASE("audit log: use cases record who did what, when and from where, and admins read it", "[app][audit]") {
  AuditFixture f;
  Accounts accounts(f.services());
  Workspaces ws(f.services());
  AuditLog log(f.services());

  auto owner_in = accounts.SignUp("owner@example.com", kPassword, "Owner");
  REQUIRE(owner_in.ok());
  auto owner = accounts.Authenticate(owner_in->session.token);
  REQUIRE(owner.ok());
  {
    ScopedRequest req(RequestMeta{"10.0.0.7", "unit-agent/1", "req-create"});
    REQUIRE(ws.Create(*owner, "Team", "team").ok());
  }
  auto ctx = accounts.EnterWorkspace(*owner, "team");
  REQUIRE(ctx.ok());

  // A viewer joins through an invitation.
  auto viewer_in = accounts.SignUp("viewer@example.com", kPassword, "Viewer");
  REQUIRE(viewer_in.ok());
  auto viewer = accounts.Authenticate(viewer_in->session.token);
  REQUIRE(viewer.ok());
  auto inv = ws.Invite(*ctx, "viewer@example.com", "viewer");
  REQUIRE(inv.ok());
  f.clock.AdvanceMillis(5'000);
  REQUIRE(ws.Accept(viewer->user, inv->token).ok());
  auto viewer_ctx = accounts.EnterWorkspace(*viewer, "team");
  REQUIRE(viewer_ctx.ok());
  REQUIRE(ws.ChangeRole(*ctx, viewer->user.id, "editor").ok());
  REQUIRE(ws.ChangeRole(*ctx, viewer->user.id, "viewer").ok());

  AuditQuery q;
  auto page = log.ForWorkspace(*ctx, q);
  REQUIRE(page.ok());
  REQUIRE(page->entries.size() == 5);
  const auto& created = page->entries.back();
  CHECK(created.record.action == "workspace.created");
  CHECK(created.record.created_at == 1'700'000'000'000);
  CHECK(created.record.ip == "10.0.0.7");
  CHECK(created.record.user_agent == "unit-agent/1");
  CHECK(created.record.request_id == "req-create");
  CHECK(created.record.actor_id == std::optional<UserId>(owner->user.id));
  CHECK(created.record.tenant_id == std::optional<TenantId>(ctx->tenant));
  const auto& accepted = page->entries[2];
  CHECK(accepted.record.action == "invitation.accepted");
  CHECK(accepted.record.created_at == 1'700'000'005'000);
  CHECK(accepted.record.actor_id == std::optional<UserId>(viewer->user.id));
  CHECK(accepted.record.ip.empty());  // outside a request
  CHECK(page->entries[0].record.details_json == R"({"from":"editor","to":"viewer"})");

  q.action = "member.";
  q.limit = 1;
  auto first = log.ForWorkspace(*ctx, q);
  REQUIRE(first.ok());
  REQUIRE(first->entries.size() == 1);
  REQUIRE(first->next_before.has_value());
  q.before_id = first->next_before;
  auto second = log.ForWorkspace(*ctx, q);
  REQUIRE(second.ok());
  REQUIRE(second->entries.size() == 1);
  CHECK_FALSE(second->next_before.has_value());
  CHECK(second->entries[0].record.details_json == R"({"from":"viewer","to":"editor"})");

  // Who may read: not a viewer, not an API token (even the owner's), and no operator filter here.
  AuditQuery all;
  auto denied = log.ForWorkspace(*viewer_ctx, all);
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().code == ErrorCode::kPermissionDenied);
  TenantContext token_ctx = *ctx;
  token_ctx.token = auth::TokenScope::kWrite;
  CHECK(log.ForWorkspace(token_ctx, all).error().code == ErrorCode::kPermissionDenied);
  AuditQuery scoped;
  scoped.workspace_slug = "team";
  CHECK(log.ForWorkspace(*ctx, scoped).error().code == ErrorCode::kInvalidArgument);
  AuditQuery too_many;
  too_many.limit = 201;
  CHECK(log.ForWorkspace(*ctx, too_many).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("audit log: operators read everything, and a workspace view hides operators addresses",
          "[app][audit]") {
  AuditFixture f;
  Accounts accounts(f.services());
  Workspaces ws(f.services());
  AuditLog log(f.services());
  auto a_in = accounts.SignUp("a@example.com", kPassword, "A");
  auto b_in = accounts.SignUp("b@example.com", kPassword, "B");
  auto op_in = accounts.SignUp("op@example.com", kPassword, "Op");
  REQUIRE((a_in.ok() && b_in.ok() && op_in.ok()));
  auto a = accounts.Authenticate(a_in->session.token);
  auto b = accounts.Authenticate(b_in->session.token);
  auto op = accounts.Authenticate(op_in->session.token);
  REQUIRE((a.ok() && b.ok() && op.ok()));
  REQUIRE(ws.Create(*a, "Alpha", "alpha").ok());
  auto beta = ws.Create(*b, "Beta", "beta");
  REQUIRE(beta.ok());
  auto alpha_ctx = accounts.EnterWorkspace(*a, "alpha");
  REQUIRE(alpha_ctx.ok());
  // An operator acted on alpha (as the operator features will record it).
  AuditEvent e;
  e.action = "admin.workspace_suspended";
  e.tenant = alpha_ctx->tenant;
  e.actor = op->user.id;
  e.actor_kind = "operator";
  e.target = "workspace:" + std::to_string(alpha_ctx->tenant.value);
  Audit(f.services(), e);

  auto alpha = log.ForWorkspace(*alpha_ctx, AuditQuery{});
  REQUIRE(alpha.ok());
  REQUIRE(alpha->entries.size() == 2);
  CHECK(alpha->entries[0].record.actor_kind == "operator");
  CHECK(alpha->entries[0].record.actor_id == std::optional<UserId>(op->user.id));
  CHECK_FALSE(alpha->entries[0].actor_email.has_value());
  CHECK_FALSE(alpha->entries[0].actor_name.has_value());
  CHECK(alpha->entries[1].actor_email == std::optional<std::string>("a@example.com"));

  // Not an operator: not found, whatever the query.
  auto refused = log.ForOperator(*a, AuditQuery{});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kNotFound);

  Principal operator_principal = *op;
  operator_principal.user.is_operator = true;
  auto everything = log.ForOperator(operator_principal, AuditQuery{});
  REQUIRE(everything.ok());
  // Three sign-ups (auth.signup), two workspaces created, the operator's action.
  CHECK(everything->entries.size() == 6);
  CHECK(everything->entries[0].actor_email == std::optional<std::string>("op@example.com"));
  AuditQuery by_slug;
  by_slug.workspace_slug = "beta";
  auto only_beta = log.ForOperator(operator_principal, by_slug);
  REQUIRE(only_beta.ok());
  REQUIRE(only_beta->entries.size() == 1);
  CHECK(only_beta->entries[0].tenant_slug == std::optional<std::string>("beta"));
  AuditQuery by_id;
  by_id.workspace_id = beta->id;
  auto beta_by_id = log.ForOperator(operator_principal, by_id);
  REQUIRE(beta_by_id.ok());
  CHECK(beta_by_id->entries.size() == 1);
  AuditQuery both = by_id;
  both.workspace_slug = "beta";
  CHECK(log.ForOperator(operator_principal, both).error().code == ErrorCode::kInvalidArgument);
}
