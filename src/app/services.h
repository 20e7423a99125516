// The dependencies every use case needs, wired once by cli/ (the only place that turns Config
// into concrete backends). Non-owning pointers; all pointees outlive the services.
#pragma once

#include <optional>
#include <string>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/ids.h"
#include "config/config.h"
#include "objects/object_store.h"
#include "store/store.h"

namespace pm::app {

struct Services {
  store::Store* store = nullptr;
  objects::ObjectStore* objects = nullptr;
  const config::Config* config = nullptr;
  const Clock* clock = nullptr;
};

// Who is calling, once a session or an API token has been checked.
struct Principal {
  store::User user;
  std::string session_hash;  // empty for non-session credentials
  std::string csrf_hash;
};

// A principal inside one workspace, produced only by Accounts::EnterWorkspace (the tenant gate).
// Every tenant-scoped use case takes one, so it cannot run without a membership check.
// With an API token, `role` is already the effective one (min of the member's role and the
// token's scope) and `token` is set; routes that need a session refuse such a context.
struct TenantContext {
  TenantId tenant;
  std::string slug;
  UserId user;
  auth::Role role = auth::Role::kViewer;
  store::Workspace workspace;
  std::optional<auth::TokenScope> token;  // set when authenticated by an API token
};

}  // namespace pm::app
