// Workspace use cases: team workspaces, members and roles, ownership transfer, invitations and
// API tokens. Thread-safe (stateless beyond Services). No HTTP types.
//
// The route table checks each route's capability centrally (http/router.h); the checks here are
// the second line, and the finer rules that depend on the target (an admin cannot touch the
// owner or other admins, only the owner makes admins, the owner cannot leave).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/services.h"
#include "common/result.h"

namespace pm::app {

// An invitation as created: the raw token is shown once, only its hash is stored.
struct NewInvitationResult {
  store::Invitation invitation;
  std::string token;
};

struct NewTokenResult {
  store::ApiToken token;
  std::string secret;  // "pm_" + 43 base64url characters; shown once
};

class Workspaces {
 public:
  static constexpr int64_t kInvitationTtlMs = int64_t{7} * 24 * 3600 * 1000;
  static constexpr int64_t kTokenTouchIntervalMs = 60 * 1000;
  static constexpr int kMaxTokenDays = 3650;

  explicit Workspaces(Services services) : s_(services) {}

  // A team workspace owned by the caller. `slug` empty: made from the name (a random suffix when
  // taken). kInvalidArgument (bad name/slug), kConflict (slug taken).
  Result<store::Workspace> Create(const Principal& principal, std::string_view name, std::string_view slug);

  Result<std::vector<store::Member>> Members(const TenantContext& ctx);
  // kNotFound (not a member), kPermissionDenied (the rules above), kInvalidArgument (bad role;
  // "owner" by the owner: use Transfer), kConflict (the owner's own role).
  Result<store::Member> ChangeRole(const TenantContext& ctx, UserId target, std::string_view role);
  Status Remove(const TenantContext& ctx, UserId target);
  // kConflict for the owner (transfer first).
  Status Leave(const TenantContext& ctx);
  // Owner only; `to` becomes owner, the caller admin, in one transaction.
  Status Transfer(const TenantContext& ctx, UserId to);

  // Admins invite editors/viewers; only the owner invites admins. Re-inviting an address replaces
  // its pending invitation. kAlreadyExists when the address is already a member.
  Result<NewInvitationResult> Invite(const TenantContext& ctx, std::string_view email, std::string_view role);
  Result<std::vector<store::Invitation>> Invitations(const TenantContext& ctx);
  Status CancelInvitation(const TenantContext& ctx, InvitationId id);
  // The signed-in user joins the invitation's workspace. kNotFound (unknown, used or expired),
  // kPermissionDenied (sent to another address), kAlreadyExists (already a member).
  Result<store::Membership> Accept(const store::User& user, std::string_view token);

  // Any member; a viewer only `read`. `expires_in_days` 1..kMaxTokenDays or none (never).
  Result<NewTokenResult> CreateToken(const TenantContext& ctx, std::string_view name, std::string_view scope,
                                     std::optional<int64_t> expires_in_days);
  // The caller's tokens; admins and the owner see everyone's.
  Result<std::vector<store::ApiToken>> Tokens(const TenantContext& ctx);
  // The caller's own; admins and the owner any. kNotFound otherwise.
  Status RevokeToken(const TenantContext& ctx, ApiTokenId id);

 private:
  Status Require(const TenantContext& ctx, auth::Capability capability, const char* message);
  Result<store::Member> Target(const TenantContext& ctx, UserId target);

  Services s_;
};

// Exposed for tests. A workspace slug: 2-40 characters of a-z, 0-9 and '-', starting and ending
// with a letter or digit.
Status ValidateSlug(std::string_view slug);
std::string SlugFromName(std::string_view name);

}  // namespace pm::app
