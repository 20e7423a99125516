// JSON API routes (/api/v1/...). Each Add*Routes appends its rows to the route table.
#pragma once

#include <atomic>

#include "app/accounts.h"
#include "app/palettes.h"
#include "app/workspaces.h"
#include "config/config.h"
#include "http/router.h"

namespace pm::http {

struct ApiContext {
  app::Accounts* accounts = nullptr;
  app::Palettes* palettes = nullptr;
  app::Workspaces* workspaces = nullptr;
  app::Services services;
  const config::Config* config = nullptr;
  const std::atomic<bool>* draining = nullptr;  // set by Server::BeginDrain
};

void AddHealthRoutes(Router& router, const ApiContext& api);
void AddAuthRoutes(Router& router, const ApiContext& api);
// /api/v1/me/password, /api/v1/me/mfa/..., DELETE /api/v1/me, password reset (api_account.cc).
void AddAccountSecurityRoutes(Router& router, const ApiContext& api);
// GET /api/v1/admin/outbox (api_outbox.cc).
void AddOutboxRoutes(Router& router, const ApiContext& api);
// Expires pm_session and pm_csrf (api_auth.cc).
void ClearSessionCookies(Exchange& ex, const config::Config& config);
void AddPaletteRoutes(Router& router, const ApiContext& api);
void AddWorkspaceRoutes(Router& router, const ApiContext& api);
// Every route the server serves, in order (the server and the route-table tests use this).
void AddAllRoutes(Router& router, const ApiContext& api);

}  // namespace pm::http
