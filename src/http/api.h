// JSON API routes (/api/v1/...). Each Add*Routes appends its rows to the route table.
#pragma once

#include <atomic>

#include "app/accounts.h"
#include "app/audit_log.h"
#include "app/operators.h"
#include "app/palettes.h"
#include "app/quotas.h"
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
  app::AuditLog* audit_log = nullptr;
  // Buffered request metering (app/quotas.h); the usage route writes it out before reading.
  app::RequestMeter* request_meter = nullptr;
  // auth.operator_mfa_required: operators without TOTP are refused by the admin API
  // (http/api_admin_common.h). The server sets it from the config key.
  bool operator_mfa_required = false;
  app::Operators* operators = nullptr;
};

// What /readyz answers, also the palettemaker_ready gauge: the database (migrated) and the object
// store answer and the server is not draining.
struct Readiness {
  bool ready = false;
  bool draining = false;
  Status database = Status::Ok();
  Status storage = Status::Ok();
};
Readiness CheckReadiness(const ApiContext& api);

void AddHealthRoutes(Router& router, const ApiContext& api);
void AddAuthRoutes(Router& router, const ApiContext& api);
// /api/v1/me/password, /api/v1/me/mfa/..., DELETE /api/v1/me, password reset (api_account.cc).
void AddAccountSecurityRoutes(Router& router, const ApiContext& api);
// GET /api/v1/admin/outbox (api_outbox.cc).
void AddOutboxRoutes(Router& router, const ApiContext& api);
// Expires pm_session and pm_csrf (api_auth.cc).
void ClearSessionCookies(Exchange& ex, const config::Config& config);
void AddPaletteRoutes(Router& router, const ApiContext& api);
// GET /api/v1/t/{ws}/palettes/{id}/export (api_export.cc).
void AddExportRoutes(Router& router, const ApiContext& api);
// Share links: /api/v1/t/{ws}/palettes/{id}/shares and the public /api/v1/shared/{token}
// (api_shares.cc).
void AddShareRoutes(Router& router, const ApiContext& api);
void AddWorkspaceRoutes(Router& router, const ApiContext& api);
void AddAuditRoutes(Router& router, const ApiContext& api);
void AddUsageRoutes(Router& router, const ApiContext& api);
// The usage summary as GET /api/v1/t/{ws}/usage answers it (also for the operator API).
nlohmann::json UsageSummaryJson(const app::UsageSummary& summary);
// The admin API (operators; the setup link) and the owner's DELETE /api/v1/t/{ws}.
void AddAdminRoutes(Router& router, const ApiContext& api);
// The user and account JSON of sign-up, log-in, /me and the operator setup link.
nlohmann::json UserJson(const store::User& user);
nlohmann::json AccountJson(const app::AccountView& view);
// Every route the server serves, in order (the server and the route-table tests use this).
void AddAllRoutes(Router& router, const ApiContext& api);

}  // namespace pm::http
