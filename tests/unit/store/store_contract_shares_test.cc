// Store contract: read-only share links (create, list active, revoke, the global look-up by token
// hash) and their tenant isolation.
#include "store_contract.h"

namespace pm::store::testing {
namespace {

ErrorCode CodeOf(const Status& s) { return s.ok() ? ErrorCode::kInternal : s.error().code; }
template <typename T>
ErrorCode CodeOf(const Result<T>& r) {
  return r.ok() ? ErrorCode::kInternal : r.error().code;
}

Palette MustCreate(Store& store, const Account& a, const std::string& name) {
  auto p = store.CreatePalette(a.workspace.id, SamplePalette(name, a.user.id), 10);
  REQUIRE(p.ok());
  return *p;
}

STORE_CONTRACT("shares: create, list active newest first, revoke, find by token hash", "[store][shares]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  const TenantId t = ada.workspace.id;
  Palette p = MustCreate(*store, ada, "Sunset");
  Palette other = MustCreate(*store, ada, "Other");

  auto first = store->CreateShareLink(t, NewShareLink{p.id, "hash-1", ada.user.id}, 100);
  REQUIRE(first.ok());
  CHECK(first->tenant_id == t);
  CHECK(first->palette_id == p.id);
  CHECK(first->created_by == ada.user.id);
  CHECK(first->created_by_name == ada.user.name);
  CHECK(first->created_at == 100);
  CHECK_FALSE(first->revoked_at);
  auto second = store->CreateShareLink(t, NewShareLink{p.id, "hash-2", ada.user.id}, 200);
  REQUIRE(second.ok());
  REQUIRE(store->CreateShareLink(t, NewShareLink{other.id, "hash-3", ada.user.id}, 300).ok());

  auto list = store->ListShareLinks(t, p.id);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].id == second->id);
  CHECK((*list)[1].id == first->id);

  auto found = store->FindShareLink("hash-1");
  REQUIRE(found.ok());
  CHECK(found->id == first->id);
  CHECK(found->tenant_id == t);
  CHECK(found->palette_id == p.id);
  CHECK(CodeOf(store->FindShareLink("no-such-hash")) == ErrorCode::kNotFound);

  // Revoking through another palette's id changes nothing.
  CHECK(CodeOf(store->RevokeShareLink(t, other.id, first->id, 400)) == ErrorCode::kNotFound);
  REQUIRE(store->FindShareLink("hash-1").ok());
  REQUIRE(store->RevokeShareLink(t, p.id, first->id, 400).ok());
  CHECK(CodeOf(store->RevokeShareLink(t, p.id, first->id, 500)) == ErrorCode::kNotFound);
  CHECK(CodeOf(store->FindShareLink("hash-1")) == ErrorCode::kNotFound);
  auto after = store->ListShareLinks(t, p.id);
  REQUIRE(after.ok());
  REQUIRE(after->size() == 1);
  CHECK((*after)[0].id == second->id);
  CHECK(CodeOf(store->RevokeShareLink(t, p.id, ShareLinkId(999'999), 500)) == ErrorCode::kNotFound);

  // An unknown palette: nothing to create, nothing listed.
  CHECK(CodeOf(store->CreateShareLink(t, NewShareLink{PaletteId(999'999), "hash-x", ada.user.id}, 600)) ==
        ErrorCode::kNotFound);
  auto none = store->ListShareLinks(t, PaletteId(999'999));
  REQUIRE(none.ok());
  CHECK(none->empty());
}

STORE_CONTRACT("shares: a share of tenant A is out of reach through tenant B", "[store][shares]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  Palette p = MustCreate(*store, ada, "Ada's");
  auto share = store->CreateShareLink(ada.workspace.id, NewShareLink{p.id, "hash-a", ada.user.id}, 100);
  REQUIRE(share.ok());

  // B cannot link A's palette, list its links or revoke them, even knowing every id.
  CHECK(CodeOf(store->CreateShareLink(bob.workspace.id, NewShareLink{p.id, "hash-b", bob.user.id}, 200)) ==
        ErrorCode::kNotFound);
  auto listed = store->ListShareLinks(bob.workspace.id, p.id);
  REQUIRE(listed.ok());
  CHECK(listed->empty());
  CHECK(CodeOf(store->RevokeShareLink(bob.workspace.id, p.id, share->id, 300)) == ErrorCode::kNotFound);
  // Still active for A.
  auto mine = store->ListShareLinks(ada.workspace.id, p.id);
  REQUIRE(mine.ok());
  REQUIRE(mine->size() == 1);
  CHECK(store->FindShareLink("hash-a").ok());
}

STORE_CONTRACT("shares: deleting the palette deletes its links, a soft-deleted workspace's links do not open",
               "[store][shares]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  const TenantId t = ada.workspace.id;
  Palette gone = MustCreate(*store, ada, "Gone");
  Palette kept = MustCreate(*store, ada, "Kept");
  REQUIRE(store->CreateShareLink(t, NewShareLink{gone.id, "hash-gone", ada.user.id}, 100).ok());
  REQUIRE(store->CreateShareLink(t, NewShareLink{kept.id, "hash-kept", ada.user.id}, 100).ok());
  REQUIRE(store->DeletePalette(t, gone.id).ok());
  CHECK(CodeOf(store->FindShareLink("hash-gone")) == ErrorCode::kNotFound);
  auto listed = store->ListShareLinks(t, gone.id);
  REQUIRE(listed.ok());
  CHECK(listed->empty());

  // Suspended: still readable. Soft-deleted: not found; restored: readable again.
  REQUIRE(store->SuspendTenant(t, 200).ok());
  CHECK(store->FindShareLink("hash-kept").ok());
  REQUIRE(store->SoftDeleteTenant(t, 300, 10'000).ok());
  CHECK(CodeOf(store->FindShareLink("hash-kept")) == ErrorCode::kNotFound);
  REQUIRE(store->RestoreTenant(t, 400).ok());
  CHECK(store->FindShareLink("hash-kept").ok());

  // Purging the workspace removes its links with it.
  REQUIRE(store->PurgeTenant(t).ok());
  CHECK(CodeOf(store->FindShareLink("hash-kept")) == ErrorCode::kNotFound);
}

STORE_CONTRACT("shares: the creator's erasure keeps the link, without a name", "[store][shares]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  const TenantId t = ada.workspace.id;
  REQUIRE(store->CreateInvitation(t, NewInvitation{"bob@example.com", "editor", "inv-bob", ada.user.id, 9'999}, 1).ok());
  REQUIRE(store->AcceptInvitation("inv-bob", bob.user.id, 2).ok());
  Palette p = MustCreate(*store, ada, "Shared");
  REQUIRE(store->CreateShareLink(t, NewShareLink{p.id, "hash-bob", bob.user.id}, 100).ok());
  REQUIRE(store->PurgeTenant(bob.workspace.id).ok());
  REQUIRE(store->DeleteUser(bob.user.id).ok());
  auto found = store->FindShareLink("hash-bob");
  REQUIRE(found.ok());
  CHECK(found->created_by == UserId());
  CHECK(found->created_by_name.empty());
}

}  // namespace
}  // namespace pm::store::testing
