// The admin API (/api/v1/admin/...): the operator setup link (public), and workspace
// administration for platform operators. Plus the owner's DELETE /api/v1/t/{ws}.
//
// Admin routes are registered as public rows and authenticate in OperatorOnly
// (http/api_admin_common.h: RequireOperator), so that anonymous callers, non-operators and API
// tokens all get the same 404 as a path that does not exist: the admin API does not advertise
// itself. Then auth.operator_mfa_required (403 mfa_setup_required without TOTP) and, as for every
// cookie-authenticated write, X-CSRF-Token.
// Nothing here returns a palette's name, colours or image: only counts and byte sums.
#include <charconv>

#include "app/operators.h"
#include "http/api.h"
#include "http/api_admin_common.h"
#include "http/json_io.h"

namespace pm::http {
namespace {

using auth::Capability;

nlohmann::json OptionalTime(const std::optional<int64_t>& t) {
  return t ? nlohmann::json(IsoTime(*t)) : nlohmann::json(nullptr);
}

const char* StatusName(const store::Workspace& w) {
  if (w.deleted_at) return "deleted";
  if (w.suspended_at) return "suspended";
  return "active";
}

nlohmann::json TenantJson(const app::TenantView& v) {
  const store::Workspace& w = v.summary.workspace;
  nlohmann::json j = {{"id", w.id.value},
                      {"slug", w.slug},
                      {"name", w.name},
                      {"personal", w.personal},
                      {"plan", w.plan},
                      {"status", StatusName(w)},
                      {"created_at", IsoTime(w.created_at)},
                      {"suspended_at", OptionalTime(w.suspended_at)},
                      {"deleted_at", OptionalTime(w.deleted_at)},
                      {"purge_after", OptionalTime(w.purge_after)},
                      {"members", v.summary.members},
                      {"palettes", v.usage.palettes},
                      {"storage_bytes", v.usage.storage_bytes}};
  j["owner"] = v.summary.owner_id.value
                   ? nlohmann::json{{"id", v.summary.owner_id.value}, {"email", v.summary.owner_email}}
                   : nlohmann::json(nullptr);
  return j;
}

// Wraps an operator handler: see the file comment (http/api_admin_common.h does the checks).
Handler OperatorOnly(const ApiContext& api, std::function<Status(Call&, const app::Principal&)> handler) {
  return [api, handler = std::move(handler)](Call& call) -> Status {
    PM_ASSIGN_OR_RETURN(app::Principal principal, RequireOperator(call, api));
    call.principal = &principal;
    return handler(call, principal);
  };
}

Result<TenantId> TenantParam(const Exchange& ex) {
  const std::string& s = ex.Param("id");
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) {
    return MakeError(ErrorCode::kNotFound, "workspace not found");
  }
  return TenantId(v);
}

Result<int> ParseLimit(const Exchange& ex) {
  if (!ex.HasQuery("limit")) return 50;
  std::string s = ex.Query("limit");
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 100) {
    return MakeError(ErrorCode::kInvalidArgument, "limit must be an integer from 1 to 100");
  }
  return v;
}

// A body that must be empty or {}.
Status NoBody(Exchange& ex, const config::Config& config) {
  PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(ex, config.server.max_json_bytes, /*allow_empty=*/true));
  return RejectUnknownFields(body, {});
}

void SendTenant(Exchange& ex, int status, const app::TenantView& view) {
  SendJson(ex, status, {{"tenant", TenantJson(view)}});
}

bool SecureCookies(const config::Config& config, const Exchange& ex) {
  if (config.server.cookie_secure == "always") return true;
  if (config.server.cookie_secure == "never") return false;
  return ex.IsHttps();
}

// As sign-up sets them (api_auth.cc).
void SetSessionCookies(Exchange& ex, const config::Config& config, const app::NewSession& s, int64_t now_ms) {
  int64_t max_age = std::max<int64_t>(0, (s.expires_at - now_ms) / 1000);
  bool secure = SecureCookies(config, ex);
  ex.AddCookie({"pm_session", s.token, max_age, /*http_only=*/true, secure});
  ex.AddCookie({"pm_csrf", s.csrf_token, max_age, /*http_only=*/false, secure});
}

void AddSetupRoutes(Router& router, const ApiContext& api) {
  const config::Config& config = *api.config;
  router.Add({"GET", "/api/v1/admin/setup", Access::kPublic,
              [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(app::OperatorSetupInfo info,
                                    api.operators->InspectSetupLink(call.ex.Query("token")));
                nlohmann::json email = info.email.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.email);
                SendJson(call.ex, 200, {{"valid", info.valid}, {"email", email}});
                return Status::Ok();
              },
              "Whether an operator setup link is usable, and the e-mail address it is for."});
  router.Add({"POST", "/api/v1/admin/setup", Access::kPublic,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, config.server.max_json_bytes));
                PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"token", "email", "password", "name"}));
                PM_ASSIGN_OR_RETURN(auto token, StringField(body, "token", true));
                PM_ASSIGN_OR_RETURN(auto email, StringField(body, "email", true));
                PM_ASSIGN_OR_RETURN(auto password, StringField(body, "password", true));
                PM_ASSIGN_OR_RETURN(auto name, StringField(body, "name", false));
                PM_ASSIGN_OR_RETURN(store::User user,
                                    api.operators->CompleteSetup(*token, *email, *password, name.value_or("")));
                PM_ASSIGN_OR_RETURN(app::SignedIn in, api.accounts->SignInVerified(user));
                SetSessionCookies(call.ex, config, in.session, api.services.clock->NowMillis());
                SendJson(call.ex, 201, AccountJson(in.account));
                return Status::Ok();
              },
              "Take an operator setup link: create (or promote) the operator and sign in.",
              /*csrf_exempt=*/true});
}

void AddTenantAdminRoutes(Router& router, const ApiContext& api) {
  const config::Config& config = *api.config;
  app::Operators* ops = api.operators;
  router.Add({"GET", "/api/v1/admin/tenants", Access::kPublic,
              OperatorOnly(api,
                           [ops](Call& call, const app::Principal& op) -> Status {
                             PM_ASSIGN_OR_RETURN(int limit, ParseLimit(call.ex));
                             PM_ASSIGN_OR_RETURN(app::TenantPage page,
                                                 ops->ListTenants(op, call.ex.Query("q"), call.ex.Query("status"),
                                                                  call.ex.Query("cursor"), limit));
                             nlohmann::json items = nlohmann::json::array();
                             for (const auto& v : page.items) items.push_back(TenantJson(v));
                             SendJson(call.ex, 200,
                                      {{"tenants", items},
                                       {"next_cursor", page.next_cursor ? nlohmann::json(*page.next_cursor)
                                                                        : nlohmann::json(nullptr)}});
                             return Status::Ok();
                           }),
              "Operators: list and search workspaces with their usage."});
  router.Add({"POST", "/api/v1/admin/tenants", Access::kPublic,
              OperatorOnly(api,
                           [ops, &config](Call& call, const app::Principal& op) -> Status {
                             PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, config.server.max_json_bytes));
                             PM_RETURN_IF_ERROR(
                                 RejectUnknownFields(body, {"name", "slug", "owner_email", "owner_name", "plan"}));
                             PM_ASSIGN_OR_RETURN(auto name, StringField(body, "name", true));
                             PM_ASSIGN_OR_RETURN(auto slug, StringField(body, "slug", false));
                             PM_ASSIGN_OR_RETURN(auto owner_email, StringField(body, "owner_email", true));
                             PM_ASSIGN_OR_RETURN(auto owner_name, StringField(body, "owner_name", false));
                             PM_ASSIGN_OR_RETURN(auto plan, StringField(body, "plan", false));
                             PM_ASSIGN_OR_RETURN(app::ProvisionedTenant made,
                                                 ops->Provision(op, *name, slug.value_or(""), *owner_email,
                                                                owner_name.value_or(""), plan));
                             nlohmann::json out = {{"tenant", TenantJson(made.tenant)},
                                                   {"owner_created", made.owner_created}};
                             out["owner_setup_link"] = made.owner_setup_link
                                                           ? nlohmann::json(*made.owner_setup_link)
                                                           : nlohmann::json(nullptr);
                             SendJson(call.ex, 201, out);
                             return Status::Ok();
                           }),
              "Operators: provision a workspace with its owner and plan."});
  router.Add({"GET", "/api/v1/admin/tenants/{id}", Access::kPublic,
              OperatorOnly(api,
                           [ops, api](Call& call, const app::Principal& op) -> Status {
                             PM_ASSIGN_OR_RETURN(TenantId id, TenantParam(call.ex));
                             PM_ASSIGN_OR_RETURN(app::TenantView v, ops->GetTenant(op, id));
                             // The same plan and metered usage its owners and admins see
                             // (GET /api/v1/t/{ws}/usage): counts only, never content.
                             if (api.request_meter) api.request_meter->Flush();
                             PM_ASSIGN_OR_RETURN(app::UsageSummary usage, app::SummarizeUsage(api.services, id));
                             SendJson(call.ex, 200, {{"tenant", TenantJson(v)}, {"usage", UsageSummaryJson(usage)}});
                             return Status::Ok();
                           }),
              "Operators: one workspace with its plan, limits and metered usage."});
  router.Add({"PATCH", "/api/v1/admin/tenants/{id}", Access::kPublic,
              OperatorOnly(api,
                           [ops, &config](Call& call, const app::Principal& op) -> Status {
                             PM_ASSIGN_OR_RETURN(TenantId id, TenantParam(call.ex));
                             PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, config.server.max_json_bytes));
                             PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"plan"}));
                             PM_ASSIGN_OR_RETURN(auto plan, StringField(body, "plan", true));
                             PM_ASSIGN_OR_RETURN(app::TenantView v, ops->SetPlan(op, id, *plan));
                             SendTenant(call.ex, 200, v);
                             return Status::Ok();
                           }),
              "Operators: change a workspace's plan."});
  router.Add({"DELETE", "/api/v1/admin/tenants/{id}", Access::kPublic,
              OperatorOnly(api,
                           [ops, &config](Call& call, const app::Principal& op) -> Status {
                             PM_ASSIGN_OR_RETURN(TenantId id, TenantParam(call.ex));
                             PM_RETURN_IF_ERROR(NoBody(call.ex, config));
                             PM_ASSIGN_OR_RETURN(app::TenantView v, ops->Delete(op, id));
                             SendTenant(call.ex, 200, v);
                             return Status::Ok();
                           }),
              "Operators: soft-delete a workspace (purged after jobs.delete_grace_days)."});
  using Action = Result<app::TenantView> (app::Operators::*)(const app::Principal&, TenantId);
  const std::pair<const char*, Action> actions[] = {{"suspend", &app::Operators::Suspend},
                                                    {"reactivate", &app::Operators::Reactivate},
                                                    {"restore", &app::Operators::Restore}};
  for (const auto& [verb, action] : actions) {
    router.Add({"POST", std::string("/api/v1/admin/tenants/{id}/") + verb, Access::kPublic,
                OperatorOnly(api,
                             [ops, &config, action = action](Call& call, const app::Principal& op) -> Status {
                               PM_ASSIGN_OR_RETURN(TenantId id, TenantParam(call.ex));
                               PM_RETURN_IF_ERROR(NoBody(call.ex, config));
                               PM_ASSIGN_OR_RETURN(app::TenantView v, (ops->*action)(op, id));
                               SendTenant(call.ex, 200, v);
                               return Status::Ok();
                             }),
                std::string("Operators: ") + verb + " a workspace."});
  }
}

}  // namespace

void AddAdminRoutes(Router& router, const ApiContext& api) {
  AddSetupRoutes(router, api);
  AddTenantAdminRoutes(router, api);
  const config::Config& config = *api.config;
  router.Add(TenantRoute("DELETE", "/api/v1/t/{ws}", Capability::kOwnWorkspace,
                         [api, &config](Call& call) -> Status {
                           PM_RETURN_IF_ERROR(NoBody(call.ex, config));
                           PM_ASSIGN_OR_RETURN(store::Workspace w, api.operators->DeleteOwnWorkspace(*call.tenant));
                           SendJson(call.ex, 200,
                                    {{"workspace",
                                      {{"id", w.id.value},
                                       {"slug", w.slug},
                                       {"name", w.name},
                                       {"deleted_at", OptionalTime(w.deleted_at)},
                                       {"purge_after", OptionalTime(w.purge_after)}}}});
                           return Status::Ok();
                         },
                         "Owner: delete the team workspace (restorable by the operators until purge_after)."));
}

}  // namespace pm::http
