#include "auth/roles.h"

#include <algorithm>

namespace pm::auth {

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "owner") return Role::kOwner;
  if (name == "admin") return Role::kAdmin;
  if (name == "editor") return Role::kEditor;
  if (name == "viewer") return Role::kViewer;
  return std::nullopt;
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kOwner: return "owner";
    case Role::kAdmin: return "admin";
    case Role::kEditor: return "editor";
    case Role::kViewer: return "viewer";
  }
  return "viewer";
}

const char* CapabilityName(Capability capability) {
  switch (capability) {
    case Capability::kRead: return "read";
    case Capability::kEditPalettes: return "edit_palettes";
    case Capability::kManageMembers: return "manage_members";
    case Capability::kManageTokens: return "manage_tokens";
    case Capability::kLeave: return "leave";
    case Capability::kOwnWorkspace: return "own_workspace";
    case Capability::kViewUsage: return "view_usage";
    case Capability::kViewAudit: return "view_audit";
  }
  return "read";
}

std::optional<Capability> ParseCapability(std::string_view name) {
  for (Capability c : kAllCapabilities) {
    if (name == CapabilityName(c)) return c;
  }
  return std::nullopt;
}

bool Allows(Role role, Capability capability) {
  switch (capability) {
    case Capability::kRead: return true;
    case Capability::kManageTokens: return true;
    case Capability::kLeave: return true;
    case Capability::kEditPalettes: return role >= Role::kEditor;
    case Capability::kManageMembers: return role >= Role::kAdmin;
    case Capability::kOwnWorkspace: return role == Role::kOwner;
    case Capability::kViewUsage: return role >= Role::kAdmin;
    case Capability::kViewAudit: return role >= Role::kAdmin;
  }
  return false;
}

std::optional<TokenScope> ParseTokenScope(std::string_view name) {
  if (name == "read") return TokenScope::kRead;
  if (name == "write") return TokenScope::kWrite;
  return std::nullopt;
}

const char* TokenScopeName(TokenScope scope) { return scope == TokenScope::kWrite ? "write" : "read"; }

Role EffectiveRole(Role role, TokenScope scope) {
  return std::min(role, scope == TokenScope::kWrite ? Role::kEditor : Role::kViewer);
}

bool TokenUsable(Capability capability) {
  return capability == Capability::kRead || capability == Capability::kEditPalettes;
}

}  // namespace pm::auth
