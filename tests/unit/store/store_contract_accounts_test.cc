// Store contract: users, workspaces, memberships, sessions.
#include "store_contract.h"

namespace pm::store::testing {
namespace {

STORE_CONTRACT("accounts: user and workspace are created together", "[store][accounts]") {
  auto store = OpenMigrated(harness);
  auto created = store->CreateUserWithWorkspace(
      NewUser{"ada@example.com", "Ada", "$argon2id$hash"}, NewWorkspace{"ada", "Ada's"}, 42);
  REQUIRE(created.ok());
  const User& u = created->first;
  const Workspace& w = created->second;
  CHECK(u.id.value > 0);
  CHECK(u.email == "ada@example.com");
  CHECK(u.name == "Ada");
  CHECK(u.password_hash == "$argon2id$hash");
  CHECK(u.created_at == 42);
  CHECK(w.id.value > 0);
  CHECK(w.slug == "ada");
  CHECK(w.name == "Ada's");
  CHECK(w.created_at == 42);

  auto by_email = store->FindUserByEmail("ada@example.com");
  REQUIRE(by_email.ok());
  CHECK(by_email->id == u.id);
  CHECK(by_email->password_hash == "$argon2id$hash");
  auto by_id = store->GetUser(u.id);
  REQUIRE(by_id.ok());
  CHECK(by_id->email == "ada@example.com");

  auto missing = store->FindUserByEmail("nobody@example.com");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  auto missing_id = store->GetUser(UserId(u.id.value + 1000));
  REQUIRE_FALSE(missing_id.ok());
  CHECK(missing_id.error().code == ErrorCode::kNotFound);

  auto memberships = store->ListMemberships(u.id);
  REQUIRE(memberships.ok());
  REQUIRE(memberships->size() == 1);
  CHECK((*memberships)[0].role == "owner");
  CHECK((*memberships)[0].workspace.id == w.id);
  CHECK((*memberships)[0].workspace.slug == "ada");

  auto gate = store->FindMembership(u.id, "ada");
  REQUIRE(gate.ok());
  CHECK(gate->role == "owner");
  CHECK(gate->workspace.id == w.id);
  CHECK(gate->workspace.name == "Ada's");
}

STORE_CONTRACT("accounts: duplicate e-mail is kAlreadyExists and creates nothing",
               "[store][accounts]") {
  auto store = OpenMigrated(harness);
  Account first = MakeAccount(*store, "bob");
  auto dup = store->CreateUserWithWorkspace(
      NewUser{"bob@example.com", "Other Bob", "h"}, NewWorkspace{"bob-two", "Bob 2"}, 2);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == ErrorCode::kAlreadyExists);

  // Nothing half-created: the original user is untouched and "bob-two" is still free.
  auto user = store->FindUserByEmail("bob@example.com");
  REQUIRE(user.ok());
  CHECK(user->name == "User bob");
  auto memberships = store->ListMemberships(first.user.id);
  REQUIRE(memberships.ok());
  CHECK(memberships->size() == 1);
  auto later = store->CreateUserWithWorkspace(
      NewUser{"carol@example.com", "Carol", "h"}, NewWorkspace{"bob-two", "Carol's"}, 3);
  REQUIRE(later.ok());
}

STORE_CONTRACT("accounts: duplicate slug is kConflict and creates nothing", "[store][accounts]") {
  auto store = OpenMigrated(harness);
  MakeAccount(*store, "team");
  auto dup = store->CreateUserWithWorkspace(NewUser{"dave@example.com", "Dave", "h"},
                                            NewWorkspace{"team", "Dave's"}, 2);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == ErrorCode::kConflict);

  // Nothing half-created: no user row for dave, so the e-mail can still sign up.
  auto user = store->FindUserByEmail("dave@example.com");
  REQUIRE_FALSE(user.ok());
  CHECK(user.error().code == ErrorCode::kNotFound);
  auto retry = store->CreateUserWithWorkspace(NewUser{"dave@example.com", "Dave", "h"},
                                              NewWorkspace{"dave", "Dave's"}, 3);
  REQUIRE(retry.ok());
  auto memberships = store->ListMemberships(retry->first.id);
  REQUIRE(memberships.ok());
  REQUIRE(memberships->size() == 1);
  CHECK((*memberships)[0].workspace.slug == "dave");
}

STORE_CONTRACT("accounts: FindMembership is the tenant gate", "[store][accounts]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "erin");
  Account b = MakeAccount(*store, "frank");

  auto other = store->FindMembership(b.user.id, "erin");  // exists, not a member
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == ErrorCode::kNotFound);
  auto unknown = store->FindMembership(a.user.id, "no-such-workspace");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  // Same message for both: the answer does not leak whether the slug exists.
  CHECK(other.error().message == unknown.error().message);

  auto none = store->ListMemberships(UserId(a.user.id.value + b.user.id.value + 100));
  REQUIRE(none.ok());
  CHECK(none->empty());
}

STORE_CONTRACT("accounts: sessions create, find, expire, delete", "[store][sessions]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "gina");

  REQUIRE(store->CreateSession(Session{"live", "csrf-live", a.user.id, 100, 10'000}).ok());
  REQUIRE(store->CreateSession(Session{"old", "csrf-old", a.user.id, 100, 500}).ok());
  REQUIRE(store->CreateSession(Session{"older", "csrf-older", a.user.id, 100, 400}).ok());

  auto found = store->FindSession("live", 9'999);
  REQUIRE(found.ok());
  CHECK(found->token_hash == "live");
  CHECK(found->csrf_hash == "csrf-live");
  CHECK(found->user_id == a.user.id);
  CHECK(found->created_at == 100);
  CHECK(found->expires_at == 10'000);

  // Expired at and after expires_at.
  auto at_expiry = store->FindSession("live", 10'000);
  REQUIRE_FALSE(at_expiry.ok());
  CHECK(at_expiry.error().code == ErrorCode::kNotFound);
  auto unknown = store->FindSession("nope", 1);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);

  // Sweep at 500: "old" (expires_at == 500) and "older" go, "live" stays.
  auto swept = store->DeleteExpiredSessions(500);
  REQUIRE(swept.ok());
  CHECK(*swept == 2);
  CHECK_FALSE(store->FindSession("old", 1).ok());  // gone even when asked before its expiry
  CHECK(store->FindSession("live", 501).ok());
  auto swept_again = store->DeleteExpiredSessions(500);
  REQUIRE(swept_again.ok());
  CHECK(*swept_again == 0);

  REQUIRE(store->DeleteSession("live").ok());
  auto deleted = store->FindSession("live", 501);
  REQUIRE_FALSE(deleted.ok());
  CHECK(deleted.error().code == ErrorCode::kNotFound);
  CHECK(store->DeleteSession("live").ok());  // logging out twice is fine
}

}  // namespace
}  // namespace pm::store::testing
