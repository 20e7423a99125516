// Accounts endpoints: sign-up, log-in, log-out, me; and health probes.
#include "app/accounts.h"
#include "http/api.h"
#include "http/json_io.h"

namespace pm::http {

nlohmann::json UserJson(const store::User& u) {
  return {{"id", u.id.value},
          {"email", u.email},
          {"name", u.name},
          {"created_at", IsoTime(u.created_at)},
          {"mfa_enabled", u.totp_enabled_at.has_value()},
          {"is_operator", u.is_operator}};
}

nlohmann::json AccountJson(const app::AccountView& view) {
  nlohmann::json ws = nlohmann::json::array();
  for (const auto& m : view.memberships) {
    ws.push_back({{"id", m.workspace.id.value},
                  {"slug", m.workspace.slug},
                  {"name", m.workspace.name},
                  {"role", m.role},
                  {"personal", m.workspace.personal}});
  }
  return {{"user", UserJson(view.user)}, {"workspaces", ws}};
}

namespace {

bool SecureCookies(const config::Config& config, const Exchange& ex) {
  if (config.server.cookie_secure == "always") return true;
  if (config.server.cookie_secure == "never") return false;
  return ex.IsHttps();
}

void SetSessionCookies(Exchange& ex, const config::Config& config, const app::NewSession& s, int64_t now_ms) {
  int64_t max_age = std::max<int64_t>(0, (s.expires_at - now_ms) / 1000);
  bool secure = SecureCookies(config, ex);
  ex.AddCookie({"pm_session", s.token, max_age, /*http_only=*/true, secure});
  ex.AddCookie({"pm_csrf", s.csrf_token, max_age, /*http_only=*/false, secure});
}


struct Credentials {
  std::string email;
  std::string password;
  std::string name;
  std::string invitation;
  std::string totp;
};

Result<Credentials> ReadCredentials(Call& call, const config::Config& config, bool with_name) {
  PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, config.server.max_json_bytes));
  if (with_name) {
    PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"email", "password", "name", "invitation"}));
  } else {
    PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"email", "password", "totp"}));
  }
  Credentials c;
  PM_ASSIGN_OR_RETURN(auto email, StringField(body, "email", true));
  PM_ASSIGN_OR_RETURN(auto password, StringField(body, "password", true));
  c.email = *email;
  c.password = *password;
  if (!with_name) {
    PM_ASSIGN_OR_RETURN(auto totp, StringField(body, "totp", false));
    if (totp) c.totp = *totp;
  }
  if (with_name) {
    PM_ASSIGN_OR_RETURN(auto name, StringField(body, "name", false));
    if (name) c.name = *name;
    PM_ASSIGN_OR_RETURN(auto invitation, StringField(body, "invitation", false));
    if (invitation) c.invitation = *invitation;
  }
  return c;
}

}  // namespace

void ClearSessionCookies(Exchange& ex, const config::Config& config) {
  bool secure = SecureCookies(config, ex);
  ex.AddCookie({"pm_session", "", 0, true, secure});
  ex.AddCookie({"pm_csrf", "", 0, false, secure});
}

Readiness CheckReadiness(const ApiContext& api) {
  Readiness r;
  r.draining = api.draining && api.draining->load();
  r.database = api.services.store->Check();
  r.storage = api.services.objects->Check();
  r.ready = !r.draining && r.database.ok() && r.storage.ok();
  return r;
}

void AddHealthRoutes(Router& router, const ApiContext& api) {
  router.Add({"GET", "/healthz", Access::kPublic,
              [](Call& call) {
                SendJson(call.ex, 200, {{"status", "ok"}});
                return Status::Ok();
              },
              "Liveness: the process answers."});
  router.Add({"GET", "/readyz", Access::kPublic,
              [api](Call& call) {
                Readiness r = CheckReadiness(api);
                nlohmann::json body = {{"status", r.ready ? "ready" : r.draining ? "draining" : "not_ready"},
                                       {"database", r.database.ok() ? "ok" : r.database.error().message},
                                       {"storage", r.storage.ok() ? "ok" : r.storage.error().message}};
                SendJson(call.ex, r.ready ? 200 : 503, body);
                return Status::Ok();
              },
              "Readiness: database (migrated) and object store answer, and the server is not draining."});
}

void AddAuthRoutes(Router& router, const ApiContext& api) {
  const config::Config& config = *api.config;
  router.Add({"GET", "/api/v1/auth/options", Access::kPublic,
              [&config](Call& call) -> Status {
                SendJson(call.ex, 200, {{"signup", config.auth.signup}});
                return Status::Ok();
              },
              "What the sign-in page needs to know: the sign-up mode (open, invite or closed)."});
  router.Add({"POST", "/api/v1/auth/signup", Access::kPublic,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(Credentials c, ReadCredentials(call, config, true));
                PM_ASSIGN_OR_RETURN(app::SignedIn in, api.accounts->SignUp(c.email, c.password, c.name, c.invitation));
                SetSessionCookies(call.ex, config, in.session, api.services.clock->NowMillis());
                SendJson(call.ex, 201, AccountJson(in.account));
                return Status::Ok();
              },
              "Create an account and its personal workspace; starts a session.", /*csrf_exempt=*/true});
  router.Add({"POST", "/api/v1/auth/login", Access::kPublic,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(Credentials c, ReadCredentials(call, config, false));
                PM_ASSIGN_OR_RETURN(app::SignedIn in, api.accounts->LogIn(c.email, c.password, c.totp));
                SetSessionCookies(call.ex, config, in.session, api.services.clock->NowMillis());
                SendJson(call.ex, 200, AccountJson(in.account));
                return Status::Ok();
              },
              "Start a session.", /*csrf_exempt=*/true});
  router.Add({"POST", "/api/v1/auth/logout", Access::kUser,
              [api, &config](Call& call) -> Status {
                PM_RETURN_IF_ERROR(api.accounts->LogOut(*call.principal));
                ClearSessionCookies(call.ex, config);
                call.ex.SetStatus(204);
                return Status::Ok();
              },
              "End the current session."});
  router.Add({"POST", "/api/v1/auth/logout-all", Access::kUser,
              [api, &config](Call& call) -> Status {
                PM_RETURN_IF_ERROR(api.accounts->LogOutEverywhere(*call.principal));
                ClearSessionCookies(call.ex, config);
                call.ex.SetStatus(204);
                return Status::Ok();
              },
              "End every session of the signed-in user, this one included."});
  router.Add({"GET", "/api/v1/me", Access::kUser,
              [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(app::AccountView view, api.accounts->Me(*call.principal));
                SendJson(call.ex, 200, AccountJson(view));
                return Status::Ok();
              },
              "The signed-in user and their workspaces."});
}

void AddAllRoutes(Router& router, const ApiContext& api) {
  AddHealthRoutes(router, api);
  AddAuthRoutes(router, api);
  AddAccountSecurityRoutes(router, api);
  AddOutboxRoutes(router, api);
  AddWorkspaceRoutes(router, api);
  AddPaletteRoutes(router, api);
  AddExportRoutes(router, api);
  AddShareRoutes(router, api);
  AddAuditRoutes(router, api);
  AddUsageRoutes(router, api);
  AddAdminRoutes(router, api);
}

}  // namespace pm::http
