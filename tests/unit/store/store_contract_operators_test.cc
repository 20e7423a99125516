// Store contract: operators (setup links, promotion), operator views of workspaces, and the
// workspace lifecycle (plan, suspension, soft-delete, restore, the purge list, PurgeTenant).
#include "store_contract.h"

#include <atomic>
#include <thread>
#include <vector>

namespace pm::store::testing {
namespace {

ErrorCode CodeOf(const Status& s) { return s.ok() ? ErrorCode::kInternal : s.error().code; }
template <typename T>
ErrorCode CodeOf(const Result<T>& r) { return r.ok() ? ErrorCode::kInternal : r.error().code; }

OperatorClaim NewOperator(const std::string& name) {
  OperatorClaim c;
  c.email = name + "@example.com";
  c.user = NewUser{c.email, name, "$argon2id$fake"};
  c.personal = NewWorkspace{name, name + "'s workspace", true};
  return c;
}

STORE_CONTRACT("operators: setup links are single use, expire, and bind an e-mail", "[store][operators]") {
  auto store = OpenMigrated(harness);
  REQUIRE(store->CountOperators().value() == 0);

  REQUIRE(store->CreateOperatorSetup("h1", "", 100, 1'000).ok());
  auto found = store->FindOperatorSetup("h1", 500);
  REQUIRE(found.ok());
  CHECK(found->email.empty());
  CHECK(found->expires_at == 1'000);
  CHECK(CodeOf(store->FindOperatorSetup("h1", 1'000)) == ErrorCode::kNotFound);  // expired
  CHECK(CodeOf(store->FindOperatorSetup("nope", 500)) == ErrorCode::kNotFound);

  // A new link for the same address ("" here) replaces the unused one.
  REQUIRE(store->CreateOperatorSetup("h2", "", 200, 5'000).ok());
  CHECK(CodeOf(store->FindOperatorSetup("h1", 500)) == ErrorCode::kNotFound);

  // Expired: refused, and nothing is created.
  CHECK(CodeOf(store->ConsumeOperatorSetup("h2", 5'000, NewOperator("ada"))) == ErrorCode::kNotFound);
  CHECK(CodeOf(store->FindUserByEmail("ada@example.com")) == ErrorCode::kNotFound);

  auto ada = store->ConsumeOperatorSetup("h2", 300, NewOperator("ada"));
  REQUIRE(ada.ok());
  CHECK(ada->is_operator);
  CHECK(ada->email == "ada@example.com");
  CHECK(store->CountOperators().value() == 1);
  auto personal = store->FindMembership(ada->id, "ada");
  REQUIRE(personal.ok());
  CHECK(personal->workspace.personal);
  CHECK(personal->role == "owner");
  // Single use.
  CHECK(CodeOf(store->ConsumeOperatorSetup("h2", 300, NewOperator("bob"))) == ErrorCode::kNotFound);

  // A link bound to an address: another address is refused and the link stays usable.
  Account bob = MakeAccount(*store, "bob");
  REQUIRE(store->CreateOperatorSetup("h3", "bob@example.com", 400, 9'000).ok());
  CHECK(CodeOf(store->ConsumeOperatorSetup("h3", 500, NewOperator("eve"))) == ErrorCode::kPermissionDenied);
  CHECK(CodeOf(store->FindUserByEmail("eve@example.com")) == ErrorCode::kNotFound);
  // The existing user is promoted (no new account, no new workspace).
  OperatorClaim promote;
  promote.email = "bob@example.com";
  promote.existing = bob.user.id;
  auto promoted = store->ConsumeOperatorSetup("h3", 500, promote);
  REQUIRE(promoted.ok());
  CHECK(promoted->id == bob.user.id);
  CHECK(promoted->is_operator);
  CHECK(store->GetUser(bob.user.id)->is_operator);
  CHECK(store->CountOperators().value() == 2);
  CHECK(store->ListMemberships(bob.user.id)->size() == 1);

  // Creating a user whose e-mail is taken fails as a whole: the link is not used up.
  REQUIRE(store->CreateOperatorSetup("h4", "", 600, 9'000).ok());
  CHECK(CodeOf(store->ConsumeOperatorSetup("h4", 700, NewOperator("bob"))) == ErrorCode::kAlreadyExists);
  CHECK(store->FindOperatorSetup("h4", 700).ok());
  OperatorClaim slug_taken = NewOperator("carol");
  slug_taken.personal.slug = "bob";
  CHECK(CodeOf(store->ConsumeOperatorSetup("h4", 700, slug_taken)) == ErrorCode::kConflict);
  CHECK(CodeOf(store->FindUserByEmail("carol@example.com")) == ErrorCode::kNotFound);
  CHECK(store->FindOperatorSetup("h4", 700).ok());
}

STORE_CONTRACT("operators: a setup link raced by several claimants makes exactly one operator", "[store][operators]") {
  auto store = OpenMigrated(harness);
  REQUIRE(store->CreateOperatorSetup("race", "", 100, 9'000).ok());
  std::atomic<int> won{0}, lost{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto r = store->ConsumeOperatorSetup("race", 200, NewOperator("racer" + std::to_string(i)));
      if (r.ok()) {
        ++won;
      } else if (r.error().code == ErrorCode::kNotFound) {
        ++lost;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(won == 1);
  CHECK(lost == 3);
  CHECK(store->CountOperators().value() == 1);
}

STORE_CONTRACT("operators: a password reset row for a provisioned owner", "[store][operators]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  CHECK(store->CreatePasswordResetForUser(ada.user.id, "reset-hash", 100, 900).ok());
  // The token hash is unique.
  CHECK_FALSE(store->CreatePasswordResetForUser(ada.user.id, "reset-hash", 100, 900).ok());
}

STORE_CONTRACT("operators: workspace summaries, search, status filter and paging", "[store][operators]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  auto team = store->CreateWorkspace(ada.user.id, NewWorkspace{"paint-team", "Paint Team", false}, 50);
  REQUIRE(team.ok());
  REQUIRE(store->CreateInvitation(team->id, NewInvitation{"bob@example.com", "editor", "inv", ada.user.id, 9'999}, 60).ok());
  REQUIRE(store->AcceptInvitation("inv", bob.user.id, 70).ok());

  TenantFilter all;
  auto list = store->ListTenantSummaries(all);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 3);
  CHECK((*list)[0].workspace.slug == "ada");
  CHECK((*list)[0].owner_id == ada.user.id);
  CHECK((*list)[0].owner_email == "ada@example.com");
  CHECK((*list)[0].members == 1);
  CHECK((*list)[2].workspace.slug == "paint-team");
  CHECK((*list)[2].members == 2);
  CHECK((*list)[2].owner_email == "ada@example.com");

  TenantFilter by_name;
  by_name.query = "paint";
  CHECK(store->ListTenantSummaries(by_name)->size() == 1);
  TenantFilter by_owner;
  by_owner.query = "ada@";
  CHECK(store->ListTenantSummaries(by_owner)->size() == 2);  // her personal and the team
  TenantFilter wildcard;
  wildcard.query = "%";
  CHECK(store->ListTenantSummaries(wildcard)->empty());  // plain text, not a pattern

  TenantFilter page;
  page.limit = 2;
  auto first = store->ListTenantSummaries(page);
  REQUIRE(first->size() == 2);
  page.after_id = first->back().workspace.id.value;
  auto second = store->ListTenantSummaries(page);
  REQUIRE(second->size() == 1);
  CHECK((*second)[0].workspace.slug == "paint-team");

  REQUIRE(store->SuspendTenant(bob.workspace.id, 100).ok());
  REQUIRE(store->SoftDeleteTenant(team->id, 100, 1'000).ok());
  TenantFilter active;
  active.status = TenantStatus::kActive;
  auto a = store->ListTenantSummaries(active);
  REQUIRE(a->size() == 1);
  CHECK((*a)[0].workspace.slug == "ada");
  TenantFilter suspended;
  suspended.status = TenantStatus::kSuspended;
  auto s = store->ListTenantSummaries(suspended);
  REQUIRE(s->size() == 1);
  CHECK((*s)[0].workspace.slug == "bob");
  TenantFilter deleted;
  deleted.status = TenantStatus::kDeleted;
  auto d = store->ListTenantSummaries(deleted);
  REQUIRE(d->size() == 1);
  CHECK((*d)[0].workspace.slug == "paint-team");
  CHECK((*d)[0].workspace.purge_after == 1'000);

  auto one = store->GetTenantSummary(team->id);
  REQUIRE(one.ok());
  CHECK(one->workspace.deleted_at == 100);
  CHECK(one->members == 2);
  CHECK(CodeOf(store->GetTenantSummary(TenantId(999'999))) == ErrorCode::kNotFound);
}

STORE_CONTRACT("operators: usage totals count palettes and distinct stored bytes", "[store][operators]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  CHECK(store->GetTenantUsageTotals(ada.workspace.id)->palettes == 0);
  CHECK(store->GetTenantUsageTotals(ada.workspace.id)->storage_bytes == 0);
  auto p = store->CreatePalette(ada.workspace.id, SamplePalette("one", ada.user.id), 10);
  REQUIRE(p.ok());
  REQUIRE(store->CreatePalette(ada.workspace.id, SamplePalette("two", ada.user.id), 11).ok());
  REQUIRE(store->DuplicatePalette(ada.workspace.id, p->id, "one", [](const auto&) { return std::string("one (2)"); },
                                  ada.user.id, 12).ok());
  auto totals = store->GetTenantUsageTotals(ada.workspace.id);
  REQUIRE(totals.ok());
  CHECK(totals->palettes == 3);
  CHECK(totals->storage_bytes == 2 * 12345);  // the duplicate shares its source's image
  CHECK(store->GetTenantUsageTotals(bob.workspace.id)->palettes == 0);
}

STORE_CONTRACT("operators: plan, suspend, reactivate, soft-delete and restore", "[store][operators]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  const TenantId t = ada.workspace.id;
  const TenantId missing(999'999);

  auto plan = store->SetTenantPlan(t, "pro");
  REQUIRE(plan.ok());
  CHECK(plan->plan == "pro");
  CHECK(CodeOf(store->SetTenantPlan(missing, "pro")) == ErrorCode::kNotFound);

  auto suspended = store->SuspendTenant(t, 100);
  REQUIRE(suspended.ok());
  CHECK(suspended->suspended_at == 100);
  CHECK(store->SuspendTenant(t, 200)->suspended_at == 100);  // kept
  CHECK(store->FindMembership(ada.user.id, "ada")->workspace.suspended_at == 100);
  auto active = store->ReactivateTenant(t);
  REQUIRE(active.ok());
  CHECK_FALSE(active->suspended_at.has_value());
  CHECK(CodeOf(store->SuspendTenant(missing, 1)) == ErrorCode::kNotFound);
  CHECK(CodeOf(store->ReactivateTenant(missing)) == ErrorCode::kNotFound);

  auto deleted = store->SoftDeleteTenant(t, 300, 1'300);
  REQUIRE(deleted.ok());
  CHECK(deleted->deleted_at == 300);
  CHECK(deleted->purge_after == 1'300);
  // Gone for its members at once.
  CHECK(CodeOf(store->FindMembership(ada.user.id, "ada")) == ErrorCode::kNotFound);
  CHECK(store->ListMemberships(ada.user.id)->empty());
  CHECK(CodeOf(store->SoftDeleteTenant(t, 400, 1'400)) == ErrorCode::kConflict);
  CHECK(CodeOf(store->SuspendTenant(t, 400)) == ErrorCode::kConflict);
  CHECK(CodeOf(store->ReactivateTenant(t)) == ErrorCode::kConflict);
  CHECK(CodeOf(store->SoftDeleteTenant(missing, 1, 2)) == ErrorCode::kNotFound);

  // Restore only within the grace period.
  CHECK(CodeOf(store->RestoreTenant(t, 1'300)) == ErrorCode::kConflict);
  auto restored = store->RestoreTenant(t, 1'299);
  REQUIRE(restored.ok());
  CHECK_FALSE(restored->deleted_at.has_value());
  CHECK_FALSE(restored->purge_after.has_value());
  CHECK(store->FindMembership(ada.user.id, "ada").ok());
  CHECK(CodeOf(store->RestoreTenant(t, 1'299)) == ErrorCode::kConflict);  // not deleted
  CHECK(CodeOf(store->RestoreTenant(missing, 1)) == ErrorCode::kNotFound);
}

STORE_CONTRACT("operators: the purge list and PurgeTenant leave other tenants alone", "[store][operators]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  Account eve = MakeAccount(*store, "eve");
  const TenantId t = ada.workspace.id;
  REQUIRE(store->CreatePalette(t, SamplePalette("mine", ada.user.id), 10).ok());
  REQUIRE(store->CreatePalette(bob.workspace.id, SamplePalette("bobs", bob.user.id), 10).ok());
  REQUIRE(store->CreateInvitation(t, NewInvitation{"x@example.com", "viewer", "inv-x", ada.user.id, 9'999}, 10).ok());
  REQUIRE(store->CreateApiToken(t, NewApiToken{ada.user.id, "ci", "read", "tok-hash", std::nullopt}, 10).ok());
  REQUIRE(store->CreateInvitation(t, NewInvitation{"bob@example.com", "editor", "inv-bob", ada.user.id, 9'999}, 10).ok());
  REQUIRE(store->AcceptInvitation("inv-bob", bob.user.id, 11).ok());

  REQUIRE(store->SoftDeleteTenant(t, 100, 1'000).ok());
  REQUIRE(store->SoftDeleteTenant(eve.workspace.id, 100, 5'000).ok());
  CHECK(store->ListTenantsToPurge(999, 10)->empty());
  auto due = store->ListTenantsToPurge(1'000, 10);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 1);
  CHECK((*due)[0] == t);
  CHECK(store->ListTenantsToPurge(5'000, 10)->size() == 2);
  CHECK(store->ListTenantsToPurge(5'000, 1)->size() == 1);

  REQUIRE(store->PurgeTenant(t).ok());
  CHECK(CodeOf(store->GetTenantSummary(t)) == ErrorCode::kNotFound);
  CHECK(store->ListPalettes(t, std::nullopt, 100)->items.empty());
  CHECK(store->ListMembers(t)->empty());
  CHECK(store->ListApiTokens(t, std::nullopt)->empty());
  CHECK(CodeOf(store->FindApiToken("tok-hash")) == ErrorCode::kNotFound);
  CHECK(store->ListInvitations(t, 0)->empty());
  CHECK(store->ListTenantsToPurge(5'000, 10)->size() == 1);
  CHECK(CodeOf(store->PurgeTenant(t)) == ErrorCode::kNotFound);
  // Users and the other workspaces stay, with their palettes and memberships.
  CHECK(store->GetUser(ada.user.id).ok());
  CHECK(store->ListPalettes(bob.workspace.id, std::nullopt, 100)->items.size() == 1);
  CHECK(store->ListMemberships(bob.user.id)->size() == 1);
  CHECK(store->GetTenantSummary(eve.workspace.id).ok());
  CHECK(store->GetTenantSummary(bob.workspace.id)->members == 1);
}

}  // namespace
}  // namespace pm::store::testing
