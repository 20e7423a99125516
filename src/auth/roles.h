// Workspace roles and what each may do. Checked by http/ after the tenant gate.
#pragma once

#include <optional>
#include <string_view>

namespace pm::auth {

enum class Role { kViewer = 0, kEditor = 1, kAdmin = 2, kOwner = 3 };

std::optional<Role> ParseRole(std::string_view name);
const char* RoleName(Role role);

// Ordered capabilities: each role has every capability of the roles below it.
enum class Capability { kRead, kEditPalettes, kManageMembers, kOwnWorkspace };

bool Allows(Role role, Capability capability);

}  // namespace pm::auth
