// Store contract: team workspaces, members, ownership transfer, invitations, API tokens.
#include "store_contract.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace pm::store::testing {
namespace {

ErrorCode CodeOf(const Status& s) { return s.ok() ? ErrorCode::kInternal : s.error().code; }

STORE_CONTRACT("workspaces: create a team workspace; slugs stay unique", "[store][workspaces]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  CHECK(ada.workspace.personal);
  auto team = store->CreateWorkspace(ada.user.id, NewWorkspace{"team", "The Team", false}, 50);
  REQUIRE(team.ok());
  CHECK(team->slug == "team");
  CHECK_FALSE(team->personal);
  auto gate = store->FindMembership(ada.user.id, "team");
  REQUIRE(gate.ok());
  CHECK(gate->role == "owner");
  CHECK_FALSE(gate->workspace.personal);
  auto own = store->FindMembership(ada.user.id, "ada");
  REQUIRE(own.ok());
  CHECK(own->workspace.personal);

  auto taken = store->CreateWorkspace(ada.user.id, NewWorkspace{"team", "Again", false}, 51);
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.error().code == ErrorCode::kConflict);
  auto taken_personal = store->CreateWorkspace(ada.user.id, NewWorkspace{"ada", "Again", false}, 51);
  REQUIRE_FALSE(taken_personal.ok());
  CHECK(taken_personal.error().code == ErrorCode::kConflict);
  auto all = store->ListMemberships(ada.user.id);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  // Her own personal workspace first (the team is older here), then by creation.
  CHECK((*all)[0].workspace.slug == "ada");
  CHECK((*all)[1].workspace.slug == "team");
  // Another's personal workspace is listed by creation like a team's.
  Account bob = MakeAccount(*store, "bob", 2'000);
  REQUIRE(store->CreateInvitation(bob.workspace.id, NewInvitation{"ada@example.com", "viewer", "h-ada", bob.user.id, 9'999}, 2'000).ok());
  REQUIRE(store->AcceptInvitation("h-ada", ada.user.id, 3'000).ok());
  auto three = store->ListMemberships(ada.user.id);
  REQUIRE(three.ok());
  REQUIRE(three->size() == 3);
  CHECK((*three)[0].workspace.slug == "ada");
  CHECK((*three)[1].workspace.slug == "team");
  CHECK((*three)[2].workspace.slug == "bob");
}

STORE_CONTRACT("workspaces: members, roles, removal and ownership transfer", "[store][workspaces]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  Account eve = MakeAccount(*store, "eve");
  const TenantId t = ada.workspace.id;
  auto inv = store->CreateInvitation(t, NewInvitation{"bob@example.com", "editor", "hash-bob", ada.user.id, 10'000}, 100);
  REQUIRE(inv.ok());
  auto joined = store->AcceptInvitation("hash-bob", bob.user.id, 2'000);
  REQUIRE(joined.ok());
  CHECK(joined->workspace.id == t);
  CHECK(joined->role == "editor");

  auto members = store->ListMembers(t);
  REQUIRE(members.ok());
  REQUIRE(members->size() == 2);
  CHECK((*members)[0].user_id == ada.user.id);
  CHECK((*members)[0].role == "owner");
  CHECK((*members)[0].email == "ada@example.com");
  CHECK((*members)[1].user_id == bob.user.id);
  CHECK((*members)[1].role == "editor");
  CHECK((*members)[1].joined_at == 2'000);

  // Another tenant sees none of it.
  auto eves = store->ListMembers(eve.workspace.id);
  REQUIRE(eves.ok());
  CHECK(eves->size() == 1);
  CHECK(CodeOf(store->SetMemberRole(eve.workspace.id, bob.user.id, "admin")) == ErrorCode::kNotFound);
  CHECK(CodeOf(store->RemoveMember(eve.workspace.id, bob.user.id)) == ErrorCode::kNotFound);
  CHECK(CodeOf(store->TransferOwnership(eve.workspace.id, ada.user.id, bob.user.id)) == ErrorCode::kConflict);

  REQUIRE(store->SetMemberRole(t, bob.user.id, "admin").ok());
  CHECK(store->GetMember(t, bob.user.id)->role == "admin");
  CHECK(CodeOf(store->SetMemberRole(t, eve.user.id, "admin")) == ErrorCode::kNotFound);
  auto missing = store->GetMember(t, eve.user.id);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);

  // Transfer: to a non-member is kNotFound and changes nothing; from a non-owner is kConflict.
  CHECK(CodeOf(store->TransferOwnership(t, ada.user.id, eve.user.id)) == ErrorCode::kNotFound);
  CHECK(store->GetMember(t, ada.user.id)->role == "owner");
  CHECK(CodeOf(store->TransferOwnership(t, bob.user.id, ada.user.id)) == ErrorCode::kConflict);
  REQUIRE(store->TransferOwnership(t, ada.user.id, bob.user.id).ok());
  CHECK(store->GetMember(t, ada.user.id)->role == "admin");
  CHECK(store->GetMember(t, bob.user.id)->role == "owner");
  // The owner's row is untouchable except by transfer, and nobody is made owner by a role change.
  CHECK(CodeOf(store->SetMemberRole(t, bob.user.id, "viewer")) == ErrorCode::kConflict);
  CHECK(CodeOf(store->RemoveMember(t, bob.user.id)) == ErrorCode::kConflict);
  CHECK(CodeOf(store->SetMemberRole(t, ada.user.id, "owner")) == ErrorCode::kInvalidArgument);
  CHECK(CodeOf(store->RemoveMember(t, eve.user.id)) == ErrorCode::kNotFound);
  auto owners = store->ListMembers(t);
  REQUIRE(owners.ok());
  CHECK(std::count_if(owners->begin(), owners->end(), [](const Member& m) { return m.role == "owner"; }) == 1);

  // Removal takes the member's tokens of this workspace with it.
  auto tok = store->CreateApiToken(t, NewApiToken{ada.user.id, "ci", "read", "tok-ada", std::nullopt}, 300);
  REQUIRE(tok.ok());
  auto other = store->CreateApiToken(ada.workspace.id, NewApiToken{bob.user.id, "bob's", "write", "tok-bob", 9'999}, 300);
  REQUIRE(other.ok());
  REQUIRE(store->RemoveMember(t, ada.user.id).ok());
  CHECK(CodeOf(store->RemoveMember(t, ada.user.id)) == ErrorCode::kNotFound);
  CHECK_FALSE(store->FindApiToken("tok-ada").ok());
  CHECK(store->FindApiToken("tok-bob").ok());
  CHECK_FALSE(store->FindMembership(ada.user.id, "ada").ok());
}

STORE_CONTRACT("invitations: replace, list pending, expire, single use", "[store][workspaces]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  Account eve = MakeAccount(*store, "eve");
  const TenantId t = ada.workspace.id;
  auto first = store->CreateInvitation(t, NewInvitation{"bob@example.com", "viewer", "h1", ada.user.id, 1'000}, 100);
  REQUIRE(first.ok());
  CHECK(first->id.value > 0);
  auto second = store->CreateInvitation(t, NewInvitation{"bob@example.com", "editor", "h2", ada.user.id, 2'000}, 110);
  REQUIRE(second.ok());
  auto carol = store->CreateInvitation(t, NewInvitation{"carol@example.com", "admin", "h3", ada.user.id, 500}, 120);
  REQUIRE(carol.ok());

  auto pending = store->ListInvitations(t, 400);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 2);  // bob's second replaced the first
  CHECK((*pending)[0].email == "carol@example.com");
  CHECK((*pending)[1].role == "editor");
  CHECK((*pending)[1].token_hash == "h2");
  CHECK(store->ListInvitations(t, 600)->size() == 1);  // carol's expired
  CHECK(store->ListInvitations(eve.workspace.id, 0)->empty());

  CHECK_FALSE(store->FindInvitation("h1", 400).ok());   // replaced
  CHECK_FALSE(store->FindInvitation("h3", 600).ok());   // expired
  auto found = store->FindInvitation("h2", 400);
  REQUIRE(found.ok());
  CHECK(found->tenant_id == t);
  CHECK(found->invited_by == ada.user.id);

  auto expired = store->AcceptInvitation("h3", eve.user.id, 600);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().code == ErrorCode::kNotFound);
  auto already = store->AcceptInvitation("h2", ada.user.id, 400);
  REQUIRE_FALSE(already.ok());
  CHECK(already.error().code == ErrorCode::kAlreadyExists);
  CHECK(store->FindInvitation("h2", 400).ok());  // still pending
  REQUIRE(store->AcceptInvitation("h2", bob.user.id, 400).ok());
  auto twice = store->AcceptInvitation("h2", eve.user.id, 401);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::kNotFound);

  CHECK(CodeOf(store->DeleteInvitation(eve.workspace.id, carol->id)) == ErrorCode::kNotFound);
  REQUIRE(store->DeleteInvitation(t, carol->id).ok());
  CHECK(CodeOf(store->DeleteInvitation(t, carol->id)) == ErrorCode::kNotFound);
}

STORE_CONTRACT("invitations: the sweep deletes expired ones of every tenant, and only those",
               "[store][workspaces]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account eve = MakeAccount(*store, "eve");
  REQUIRE(store->CreateInvitation(ada.workspace.id, NewInvitation{"a@example.com", "viewer", "s1", ada.user.id, 100}, 1).ok());
  REQUIRE(store->CreateInvitation(eve.workspace.id, NewInvitation{"b@example.com", "viewer", "s2", eve.user.id, 200}, 1).ok());
  REQUIRE(store->CreateInvitation(eve.workspace.id, NewInvitation{"c@example.com", "viewer", "s3", eve.user.id, 900}, 1).ok());
  auto none = store->DeleteExpiredInvitations(99);
  REQUIRE(none.ok());
  CHECK(*none == 0);
  auto swept = store->DeleteExpiredInvitations(200);
  REQUIRE(swept.ok());
  CHECK(*swept == 2);
  CHECK(store->ListInvitations(ada.workspace.id, 0)->empty());
  auto left = store->ListInvitations(eve.workspace.id, 0);
  REQUIRE(left.ok());
  REQUIRE(left->size() == 1);
  CHECK((*left)[0].token_hash == "s3");
  CHECK(store->FindInvitation("s3", 200).ok());
}

STORE_CONTRACT("api tokens: create, list, find, touch at most once a minute, delete", "[store][workspaces]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account eve = MakeAccount(*store, "eve");
  const TenantId t = ada.workspace.id;
  auto a = store->CreateApiToken(t, NewApiToken{ada.user.id, "ci", "write", "ha", 5'000}, 100);
  REQUIRE(a.ok());
  CHECK(a->id.value > 0);
  auto e = store->CreateApiToken(eve.workspace.id, NewApiToken{eve.user.id, "eve", "read", "he", std::nullopt}, 100);
  REQUIRE(e.ok());

  auto mine = store->ListApiTokens(t, ada.user.id);
  REQUIRE(mine.ok());
  REQUIRE(mine->size() == 1);
  CHECK((*mine)[0].name == "ci");
  CHECK((*mine)[0].scope == "write");
  CHECK((*mine)[0].user_email == "ada@example.com");
  CHECK((*mine)[0].expires_at == std::optional<int64_t>(5'000));
  CHECK_FALSE((*mine)[0].last_used_at.has_value());
  CHECK(store->ListApiTokens(t, eve.user.id)->empty());
  CHECK(store->ListApiTokens(t, std::nullopt)->size() == 1);

  auto found = store->FindApiToken("he");
  REQUIRE(found.ok());
  CHECK(found->tenant_id == eve.workspace.id);
  CHECK_FALSE(found->expires_at.has_value());
  CHECK_FALSE(store->FindApiToken("nope").ok());

  REQUIRE(store->TouchApiToken(t, a->id, 10'000, 60'000).ok());
  CHECK(store->FindApiToken("ha")->last_used_at == std::optional<int64_t>(10'000));
  REQUIRE(store->TouchApiToken(t, a->id, 30'000, 60'000).ok());  // within the minute: no write
  CHECK(store->FindApiToken("ha")->last_used_at == std::optional<int64_t>(10'000));
  REQUIRE(store->TouchApiToken(t, a->id, 80'000, 60'000).ok());
  CHECK(store->FindApiToken("ha")->last_used_at == std::optional<int64_t>(80'000));
  REQUIRE(store->TouchApiToken(eve.workspace.id, a->id, 900'000, 60'000).ok());  // foreign: no-op
  CHECK(store->FindApiToken("ha")->last_used_at == std::optional<int64_t>(80'000));

  CHECK(CodeOf(store->DeleteApiToken(eve.workspace.id, a->id, std::nullopt)) == ErrorCode::kNotFound);
  CHECK(CodeOf(store->DeleteApiToken(t, a->id, eve.user.id)) == ErrorCode::kNotFound);
  REQUIRE(store->DeleteApiToken(t, a->id, ada.user.id).ok());
  CHECK_FALSE(store->FindApiToken("ha").ok());
  CHECK(CodeOf(store->DeleteApiToken(t, a->id, std::nullopt)) == ErrorCode::kNotFound);
}

STORE_CONTRACT("workspaces: racing accepts use an invitation once; racing transfers keep one owner",
               "[store][workspaces][concurrency]") {
  auto store = OpenMigrated(harness);
  auto second = harness.Open();  // another replica on the same database
  REQUIRE(second.ok());
  Account ada = MakeAccount(*store, "ada");
  const TenantId t = ada.workspace.id;
  std::vector<Account> others;
  for (int i = 0; i < 4; ++i) others.push_back(MakeAccount(*store, "m" + std::to_string(i)));
  for (int round = 0; round < 5; ++round) {
    const std::string hash = "race-" + std::to_string(round);
    REQUIRE(store->CreateInvitation(t, NewInvitation{"x" + std::to_string(round) + "@example.com", "viewer", hash,
                                                     ada.user.id, 1'000'000},
                                    10).ok());
    std::atomic<int> joined{0};
    std::atomic<int> other_errors{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        Store& s = i % 2 ? **second : *store;
        auto r = s.AcceptInvitation(hash, others[i].user.id, 2'000 + round);
        if (r.ok()) {
          ++joined;
        } else if (r.error().code != ErrorCode::kNotFound && r.error().code != ErrorCode::kAlreadyExists) {
          ++other_errors;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(joined.load() <= 1);
    CHECK(other_errors.load() == 0);
    // Used by the one that joined; still pending when every taker was a member already.
    CHECK(store->FindInvitation(hash, 2'000).ok() == (joined.load() == 0));
  }
  // Everyone is a member now (or was already); the owner hands the workspace around from two
  // replicas at once: whatever interleaving, exactly one owner remains.
  for (auto& o : others) {
    if (!store->GetMember(t, o.user.id).ok()) {
      REQUIRE(store->CreateInvitation(t, NewInvitation{o.user.email, "admin", "join-" + o.user.email, ada.user.id, 1'000'000}, 10).ok());
      REQUIRE(store->AcceptInvitation("join-" + o.user.email, o.user.id, 3'000).ok());
    }
  }
  std::vector<UserId> everyone{ada.user.id};
  for (auto& o : others) everyone.push_back(o.user.id);
  std::atomic<int> other_errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      Store& s = i % 2 ? **second : *store;
      for (int k = 0; k < 20; ++k) {
        UserId from = everyone[(i + k) % everyone.size()];
        UserId to = everyone[(i + k + 1) % everyone.size()];
        Status st = s.TransferOwnership(t, from, to);
        if (!st.ok() && st.error().code != ErrorCode::kConflict) ++other_errors;
        Status demote = s.SetMemberRole(t, to, "viewer");  // races the transfers; never hits the owner
        if (!demote.ok() && demote.error().code != ErrorCode::kConflict) ++other_errors;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(other_errors.load() == 0);
  auto members = store->ListMembers(t);
  REQUIRE(members.ok());
  CHECK(members->size() == everyone.size());
  CHECK(std::count_if(members->begin(), members->end(), [](const Member& m) { return m.role == "owner"; }) == 1);
}

}  // namespace
}  // namespace pm::store::testing
