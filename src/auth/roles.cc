#include "auth/roles.h"

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

bool Allows(Role role, Capability capability) {
  switch (capability) {
    case Capability::kRead: return true;
    case Capability::kEditPalettes: return role >= Role::kEditor;
    case Capability::kManageMembers: return role >= Role::kAdmin;
    case Capability::kOwnWorkspace: return role == Role::kOwner;
  }
  return false;
}

}  // namespace pm::auth
