// Store contract: account security -- a user's sessions, password resets, TOTP, recovery codes,
// the outbox and erasure.
#include "store_contract.h"

namespace pm::store::testing {
namespace {

bool SessionLive(Store& store, const std::string& hash) { return store.FindSession(hash, 0).ok(); }

STORE_CONTRACT("account security: DeleteUserSessions keeps only the named one, and others' sessions",
               "[store][account_security]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  for (const char* h : {"a1", "a2", "a3"}) {
    REQUIRE(store->CreateSession(Session{h, std::string("c") + h, ada.user.id, 1, 10'000}).ok());
  }
  REQUIRE(store->CreateSession(Session{"b1", "cb1", bob.user.id, 1, 10'000}).ok());
  auto n = store->DeleteUserSessions(ada.user.id, std::string("a2"));
  REQUIRE(n.ok());
  CHECK(*n == 2);
  CHECK_FALSE(SessionLive(*store, "a1"));
  CHECK(SessionLive(*store, "a2"));
  CHECK_FALSE(SessionLive(*store, "a3"));
  CHECK(SessionLive(*store, "b1"));
  auto all = store->DeleteUserSessions(ada.user.id, std::nullopt);
  REQUIRE(all.ok());
  CHECK(*all == 1);
  CHECK_FALSE(SessionLive(*store, "a2"));
  CHECK(SessionLive(*store, "b1"));
}

STORE_CONTRACT("account security: SetPasswordHash revokes the other sessions", "[store][account_security]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  REQUIRE(store->CreateSession(Session{"keep", "c1", ada.user.id, 1, 10'000}).ok());
  REQUIRE(store->CreateSession(Session{"drop", "c2", ada.user.id, 1, 10'000}).ok());
  REQUIRE(store->SetPasswordHash(ada.user.id, "$argon2id$new", "keep").ok());
  CHECK(store->GetUser(ada.user.id)->password_hash == "$argon2id$new");
  CHECK(SessionLive(*store, "keep"));
  CHECK_FALSE(SessionLive(*store, "drop"));
  CHECK(store->SetPasswordHash(UserId(ada.user.id.value + 100), "x", "").error().code == ErrorCode::kNotFound);
}

STORE_CONTRACT("account security: a reset token is single-use, expires, and is bound to its user",
               "[store][account_security]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  REQUIRE(store->CreateSession(Session{"s-ada", "c", ada.user.id, 1, 1'000'000}).ok());
  REQUIRE(store->CreateSession(Session{"s-bob", "c2", bob.user.id, 1, 1'000'000}).ok());
  REQUIRE(store->CreatePasswordReset(ada.user.id, "r-ada", 100, 1'000).ok());
  REQUIRE(store->CreatePasswordReset(bob.user.id, "r-bob", 100, 1'000).ok());
  CHECK(store->CreatePasswordReset(UserId(bob.user.id.value + 100), "r-x", 100, 1'000).error().code ==
        ErrorCode::kNotFound);

  // Expired at exactly expires_at.
  auto late = store->ConsumePasswordReset("r-bob", "$argon2id$late", 1'000);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == ErrorCode::kNotFound);
  CHECK(store->GetUser(bob.user.id)->password_hash == "$argon2id$fake-bob");
  CHECK(SessionLive(*store, "s-bob"));

  auto used = store->ConsumePasswordReset("r-ada", "$argon2id$new", 999);
  REQUIRE(used.ok());
  CHECK(*used == ada.user.id);  // the token's own user, whoever asks
  CHECK(store->GetUser(ada.user.id)->password_hash == "$argon2id$new");
  CHECK(store->GetUser(bob.user.id)->password_hash == "$argon2id$fake-bob");
  CHECK_FALSE(SessionLive(*store, "s-ada"));
  CHECK(SessionLive(*store, "s-bob"));

  auto again = store->ConsumePasswordReset("r-ada", "$argon2id$again", 999);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kNotFound);
  CHECK(store->GetUser(ada.user.id)->password_hash == "$argon2id$new");
  CHECK(store->ConsumePasswordReset("unknown", "x", 1).error().code == ErrorCode::kNotFound);

  auto swept = store->DeleteStalePasswordResets(1'000);
  REQUIRE(swept.ok());
  CHECK(*swept == 2);  // the used one and the expired one
}

STORE_CONTRACT("account security: TOTP enrolment, steps never go back, recovery codes are single-use",
               "[store][account_security]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  REQUIRE(store->SetTotpSecret(ada.user.id, "JBSWY3DPEHPK3PXP").ok());
  auto u = store->GetUser(ada.user.id);
  CHECK(u->totp_secret == "JBSWY3DPEHPK3PXP");
  CHECK_FALSE(u->totp_enabled_at.has_value());

  REQUIRE(store->EnableTotp(ada.user.id, 50, 777, {"h1", "h2"}).ok());
  u = store->GetUser(ada.user.id);
  CHECK(u->totp_enabled_at == std::optional<int64_t>(777));
  CHECK(u->totp_last_step == std::optional<int64_t>(50));
  CHECK(*store->CountRecoveryCodes(ada.user.id) == 2);

  CHECK(*store->AdvanceTotpStep(ada.user.id, 50) == false);  // replay
  CHECK(*store->AdvanceTotpStep(ada.user.id, 49) == false);
  CHECK(*store->AdvanceTotpStep(ada.user.id, 51) == true);
  CHECK(*store->AdvanceTotpStep(ada.user.id, 51) == false);
  CHECK(store->AdvanceTotpStep(UserId(ada.user.id.value + 100), 1).error().code == ErrorCode::kNotFound);

  CHECK(*store->UseRecoveryCode(ada.user.id, "h1", 900) == true);
  CHECK(*store->UseRecoveryCode(ada.user.id, "h1", 901) == false);
  CHECK(*store->UseRecoveryCode(ada.user.id, "nope", 901) == false);
  CHECK(*store->CountRecoveryCodes(ada.user.id) == 1);
  REQUIRE(store->ReplaceRecoveryCodes(ada.user.id, {"n1", "n2", "n3"}).ok());
  CHECK(*store->CountRecoveryCodes(ada.user.id) == 3);
  CHECK(*store->UseRecoveryCode(ada.user.id, "h2", 902) == false);  // old codes are gone

  REQUIRE(store->DisableTotp(ada.user.id).ok());
  u = store->GetUser(ada.user.id);
  CHECK(u->totp_secret.empty());
  CHECK_FALSE(u->totp_enabled_at.has_value());
  CHECK_FALSE(u->totp_last_step.has_value());
  CHECK(*store->CountRecoveryCodes(ada.user.id) == 0);
}

STORE_CONTRACT("account security: outbox append, mark, list newest first", "[store][account_security]") {
  auto store = OpenMigrated(harness);
  OutboxMessage m;
  m.recipient = "ada@example.com";
  m.subject = "Reset";
  m.body = "link";
  m.created_at = 10;
  auto first = store->AppendOutbox(m);
  REQUIRE(first.ok());
  CHECK(first->id > 0);
  m.subject = "Second";
  auto second = store->AppendOutbox(m);
  REQUIRE(second.ok());
  REQUIRE(store->MarkOutboxSent(first->id, 20, "").ok());
  REQUIRE(store->MarkOutboxSent(second->id, std::nullopt, "connection refused").ok());
  CHECK(store->MarkOutboxSent(second->id + 100, 1, "").error().code == ErrorCode::kNotFound);
  auto list = store->ListOutbox(10);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].subject == "Second");
  CHECK_FALSE((*list)[0].sent_at.has_value());
  CHECK((*list)[0].error == "connection refused");
  CHECK((*list)[1].sent_at == std::optional<int64_t>(20));
  CHECK((*list)[1].recipient == "ada@example.com");
  CHECK((*list)[1].body == "link");
  CHECK(store->ListOutbox(1)->size() == 1);
  CHECK(store->ListOutbox(0).error().code == ErrorCode::kInvalidArgument);
}

STORE_CONTRACT("account security: counter-key locks only ever get longer, and expire", "[store][account_security]") {
  auto store = OpenMigrated(harness);
  CHECK(*store->GetCounter("lock:a", 0) == 0);
  REQUIRE(store->LockCounterKey("lock:a", 5'000).ok());
  CHECK(*store->GetCounter("lock:a", 0) == 5'000);
  REQUIRE(store->LockCounterKey("lock:a", 3'000).ok());
  CHECK(*store->GetCounter("lock:a", 0) == 5'000);
  REQUIRE(store->LockCounterKey("lock:a", 9'000).ok());
  CHECK(*store->GetCounter("lock:a", 0) == 9'000);
  CHECK(*store->GetCounter("lock:b", 0) == 0);
  REQUIRE(store->DeleteExpiredCounters(9'000).ok());
  CHECK(*store->GetCounter("lock:a", 0) == 0);
}

STORE_CONTRACT("account security: DeleteUser removes the user and what hangs off them, nothing else",
               "[store][account_security]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  // Ada is a member of Bob's workspace with a token there, made a palette and an invitation.
  REQUIRE(store->CreateInvitation(bob.workspace.id, NewInvitation{"ada@example.com", "editor", "h-ada", bob.user.id, 9'999}, 10).ok());
  REQUIRE(store->AcceptInvitation("h-ada", ada.user.id, 20).ok());
  REQUIRE(store->CreateInvitation(bob.workspace.id, NewInvitation{"eve@example.com", "viewer", "h-eve", ada.user.id, 9'999}, 10).ok());
  REQUIRE(store->CreateApiToken(bob.workspace.id, NewApiToken{ada.user.id, "ci", "write", "tok-ada", std::nullopt}, 30).ok());
  auto palette = store->CreatePalette(bob.workspace.id, SamplePalette("by-ada", ada.user.id), 40);
  REQUIRE(palette.ok());
  REQUIRE(store->CreateSession(Session{"s-ada", "c", ada.user.id, 1, 1'000'000}).ok());
  REQUIRE(store->CreatePasswordReset(ada.user.id, "r-ada", 1, 1'000'000).ok());
  REQUIRE(store->EnableTotp(ada.user.id, 1, 1, {"code"}).ok());
  REQUIRE(store->PurgeTenant(ada.workspace.id).ok());

  REQUIRE(store->DeleteUser(ada.user.id).ok());
  CHECK(store->GetUser(ada.user.id).error().code == ErrorCode::kNotFound);
  CHECK(store->FindUserByEmail("ada@example.com").error().code == ErrorCode::kNotFound);
  CHECK_FALSE(SessionLive(*store, "s-ada"));
  CHECK(store->FindApiToken("tok-ada").error().code == ErrorCode::kNotFound);
  CHECK(store->ListMemberships(ada.user.id)->empty());
  CHECK(store->GetMember(bob.workspace.id, ada.user.id).error().code == ErrorCode::kNotFound);
  auto members = store->ListMembers(bob.workspace.id);
  REQUIRE(members.ok());
  REQUIRE(members->size() == 1);
  CHECK((*members)[0].user_id == bob.user.id);
  // Bob's workspace keeps its palette and the invitation Ada sent.
  CHECK(store->GetPalette(bob.workspace.id, palette->id).ok());
  CHECK(store->FindInvitation("h-eve", 100).ok());
  CHECK(store->DeleteUser(ada.user.id).error().code == ErrorCode::kNotFound);

  // The e-mail address is free again.
  auto again = store->CreateUserWithWorkspace(NewUser{"ada@example.com", "Ada", "h"}, NewWorkspace{"ada", "Ada"}, 50);
  REQUIRE(again.ok());
  CHECK(again->first.id != ada.user.id);
  CHECK(*store->CountRecoveryCodes(again->first.id) == 0);
}

}  // namespace
}  // namespace pm::store::testing
