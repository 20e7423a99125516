// Workspace roles, what each may do, and what an API token's scope leaves of it. The route table
// (http/) declares one Capability per tenant route and checks it centrally after the tenant gate;
// docs/PERMISSIONS.md is the matrix, checked against the route table by a unit test.
#pragma once

#include <optional>
#include <string_view>

namespace pm::auth {

enum class Role { kViewer = 0, kEditor = 1, kAdmin = 2, kOwner = 3 };

std::optional<Role> ParseRole(std::string_view name);
const char* RoleName(Role role);

enum class Capability {
  kRead,           // read the workspace, its members and palettes (every member)
  kEditPalettes,   // create, change, delete palettes (editor and above)
  kManageMembers,  // roles, removal, invitations (admin and above; admins get more limits in app/)
  kManageTokens,   // one's own API tokens (every member; admins also see and revoke others')
  kLeave,          // leave the workspace (every member but the owner, checked in app/)
  kOwnWorkspace,   // transfer ownership, delete the workspace (owner only)
  kViewUsage,      // usage against the plan's quotas (admin and above)
  kViewAudit,      // the workspace's audit log (admin and above)
};

// Every capability, in declaration order (tables, docs, tests).
inline constexpr Capability kAllCapabilities[] = {
    Capability::kRead,         Capability::kManageTokens, Capability::kLeave,
    Capability::kEditPalettes, Capability::kManageMembers, Capability::kOwnWorkspace,
    Capability::kViewUsage,    Capability::kViewAudit};

const char* CapabilityName(Capability capability);  // "read", "edit_palettes", ...
std::optional<Capability> ParseCapability(std::string_view name);

bool Allows(Role role, Capability capability);

// API tokens: a `read` token acts as a viewer, a `write` token as an editor, and never above its
// user's role (effective role = min(role, ceiling)). Only kRead and kEditPalettes can be used
// with a token; everything else (members, invitations, tokens themselves, leaving, ownership)
// needs a signed-in session, so a leaked token cannot mint tokens or change who is a member.
enum class TokenScope { kRead, kWrite };
std::optional<TokenScope> ParseTokenScope(std::string_view name);
const char* TokenScopeName(TokenScope scope);
Role EffectiveRole(Role role, TokenScope scope);
bool TokenUsable(Capability capability);

}  // namespace pm::auth
