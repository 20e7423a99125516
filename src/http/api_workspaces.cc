// Workspace endpoints: POST /api/v1/workspaces, POST /api/v1/invitations/accept, and under
// /api/v1/t/{ws}: the workspace, members, leave, transfer, invitations, API tokens. Each tenant
// route declares its capability (checked centrally by the server after the tenant gate).
#include <charconv>

#include "app/workspaces.h"
#include "common/log.h"
#include "http/api.h"
#include "http/json_io.h"

namespace pm::http {
namespace {

using auth::Capability;

nlohmann::json WorkspaceJson(const store::Workspace& w) {
  return {{"id", w.id.value},
          {"slug", w.slug},
          {"name", w.name},
          {"personal", w.personal},
          {"created_at", IsoTime(w.created_at)}};
}

nlohmann::json MemberJson(const store::Member& m) {
  return {{"user_id", m.user_id.value},
          {"email", m.email},
          {"name", m.name},
          {"role", m.role},
          {"joined_at", IsoTime(m.joined_at)}};
}

nlohmann::json InvitationJson(const store::Invitation& i) {
  nlohmann::json j = {{"id", i.id.value},
                      {"email", i.email},
                      {"role", i.role},
                      {"created_at", IsoTime(i.created_at)},
                      {"expires_at", IsoTime(i.expires_at)}};
  j["invited_by"] = i.invited_by.value ? nlohmann::json(i.invited_by.value) : nlohmann::json(nullptr);
  return j;
}

nlohmann::json TokenJson(const store::ApiToken& t) {
  nlohmann::json j = {{"id", t.id.value},
                      {"name", t.name},
                      {"scope", t.scope},
                      {"user", {{"id", t.user_id.value}, {"email", t.user_email}}},
                      {"created_at", IsoTime(t.created_at)}};
  j["expires_at"] = t.expires_at ? nlohmann::json(IsoTime(*t.expires_at)) : nlohmann::json(nullptr);
  j["last_used_at"] = t.last_used_at ? nlohmann::json(IsoTime(*t.last_used_at)) : nlohmann::json(nullptr);
  return j;
}

// Ids that cannot exist are simply not found.
Result<int64_t> ParsePathId(const std::string& s, const char* what) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) {
    return MakeError(ErrorCode::kNotFound, std::string(what) + " not found");
  }
  return v;
}

Result<int64_t> UserIdField(const nlohmann::json& body) {
  auto it = body.find("user_id");
  if (it == body.end() || !it->is_number_integer() || it->get<int64_t>() <= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "user_id must be a positive integer");
  }
  return it->get<int64_t>();
}

std::string AcceptUrl(const Exchange& ex, const std::string& token) {
  std::string host = ex.Header("Host");
  if (host.empty()) return "/invite?token=" + token;
  return std::string(ex.IsHttps() ? "https://" : "http://") + host + "/invite?token=" + token;
}

}  // namespace

void AddWorkspaceRoutes(Router& router, const ApiContext& api) {
  const int64_t max_json = api.config->server.max_json_bytes;
  app::Workspaces* ws = api.workspaces;

  router.Add({"POST", "/api/v1/workspaces", Access::kUser,
              [ws, max_json](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, max_json));
                PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"name", "slug"}));
                PM_ASSIGN_OR_RETURN(auto name, StringField(body, "name", true));
                PM_ASSIGN_OR_RETURN(auto slug, StringField(body, "slug", false));
                if (slug) PM_RETURN_IF_ERROR(app::ValidateSlug(*slug));  // given, even empty: must be valid
                PM_ASSIGN_OR_RETURN(store::Workspace w, ws->Create(*call.principal, *name, slug ? *slug : ""));
                nlohmann::json out = {{"workspace", WorkspaceJson(w)}, {"role", "owner"}};
                SendJson(call.ex, 201, out);
                return Status::Ok();
              },
              "Create a team workspace {name, slug?}; the caller is its owner."});
  router.Add({"POST", "/api/v1/invitations/accept", Access::kUser,
              [ws, max_json](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, max_json));
                PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"token"}));
                PM_ASSIGN_OR_RETURN(auto token, StringField(body, "token", true));
                PM_ASSIGN_OR_RETURN(store::Membership m, ws->Accept(call.principal->user, *token));
                SendJson(call.ex, 200, {{"workspace", WorkspaceJson(m.workspace)}, {"role", m.role}});
                return Status::Ok();
              },
              "Accept an invitation {token} sent to the signed-in user's e-mail address."});

  const std::string base = "/api/v1/t/{ws}";
  router.Add(TenantRoute("GET", base, Capability::kRead,
                         [](Call& call) -> Status {
                           nlohmann::json out = {{"workspace", WorkspaceJson(call.tenant->workspace)},
                                                 {"role", auth::RoleName(call.tenant->role)}};
                           SendJson(call.ex, 200, out);
                           return Status::Ok();
                         },
                         "The workspace and the caller's role in it."));
  router.Add(TenantRoute("GET", base + "/members", Capability::kRead,
                         [ws](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(auto members, ws->Members(*call.tenant));
                           nlohmann::json list = nlohmann::json::array();
                           for (const auto& m : members) list.push_back(MemberJson(m));
                           SendJson(call.ex, 200, {{"members", list}});
                           return Status::Ok();
                         },
                         "Every member: user id, e-mail, name, role, joined."));
  router.Add(TenantRoute("PATCH", base + "/members/{user_id}", Capability::kManageMembers,
                         [ws, max_json](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(int64_t id, ParsePathId(call.ex.Param("user_id"), "member"));
                           PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, max_json));
                           PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"role"}));
                           PM_ASSIGN_OR_RETURN(auto role, StringField(body, "role", true));
                           PM_ASSIGN_OR_RETURN(store::Member m, ws->ChangeRole(*call.tenant, UserId(id), *role));
                           SendJson(call.ex, 200, {{"member", MemberJson(m)}});
                           return Status::Ok();
                         },
                         "Change a member's role {role}: admin+; only the owner makes or changes admins."));
  router.Add(TenantRoute("DELETE", base + "/members/{user_id}", Capability::kManageMembers,
                         [ws](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(int64_t id, ParsePathId(call.ex.Param("user_id"), "member"));
                           PM_RETURN_IF_ERROR(ws->Remove(*call.tenant, UserId(id)));
                           call.ex.SetStatus(204);
                           return Status::Ok();
                         },
                         "Remove a member (never the owner) and their API tokens of this workspace."));
  router.Add(TenantRoute("POST", base + "/leave", Capability::kLeave,
                         [ws, max_json](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, max_json, true));
                           PM_RETURN_IF_ERROR(RejectUnknownFields(body, {}));
                           PM_RETURN_IF_ERROR(ws->Leave(*call.tenant));
                           call.ex.SetStatus(204);
                           return Status::Ok();
                         },
                         "Leave the workspace (the owner must transfer ownership first)."));
  router.Add(TenantRoute("POST", base + "/transfer", Capability::kOwnWorkspace,
                         [ws, max_json](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, max_json));
                           PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"user_id"}));
                           PM_ASSIGN_OR_RETURN(int64_t to, UserIdField(body));
                           PM_RETURN_IF_ERROR(ws->Transfer(*call.tenant, UserId(to)));
                           PM_ASSIGN_OR_RETURN(auto members, ws->Members(*call.tenant));
                           nlohmann::json list = nlohmann::json::array();
                           for (const auto& m : members) list.push_back(MemberJson(m));
                           SendJson(call.ex, 200, {{"members", list}});
                           return Status::Ok();
                         },
                         "Make another member the owner {user_id}; the old owner becomes admin."));

  router.Add(TenantRoute("POST", base + "/invitations", Capability::kManageMembers,
                         [ws, max_json](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, max_json));
                           PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"email", "role"}));
                           PM_ASSIGN_OR_RETURN(auto email, StringField(body, "email", true));
                           PM_ASSIGN_OR_RETURN(auto role, StringField(body, "role", true));
                           PM_ASSIGN_OR_RETURN(app::NewInvitationResult r, ws->Invite(*call.tenant, *email, *role));
                           std::string url = AcceptUrl(call.ex, r.token);
                           // No mail yet: the operator passes the link on (SMTP comes later).
                           log::Info("invitation created", {{"tenant_id", static_cast<long long>(call.tenant->tenant.value)},
                                                            {"email", r.invitation.email},
                                                            {"role", r.invitation.role},
                                                            {"accept_url", url}});
                           nlohmann::json j = InvitationJson(r.invitation);
                           j["token"] = r.token;
                           j["accept_url"] = url;
                           SendJson(call.ex, 201, {{"invitation", j}});
                           return Status::Ok();
                         },
                         "Invite {email, role} (admin+; admins only by the owner); the token is shown once."));
  router.Add(TenantRoute("GET", base + "/invitations", Capability::kManageMembers,
                         [ws](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(auto list, ws->Invitations(*call.tenant));
                           nlohmann::json out = nlohmann::json::array();
                           for (const auto& i : list) out.push_back(InvitationJson(i));
                           SendJson(call.ex, 200, {{"invitations", out}});
                           return Status::Ok();
                         },
                         "Pending invitations."));
  router.Add(TenantRoute("DELETE", base + "/invitations/{id}", Capability::kManageMembers,
                         [ws](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(int64_t id, ParsePathId(call.ex.Param("id"), "invitation"));
                           PM_RETURN_IF_ERROR(ws->CancelInvitation(*call.tenant, InvitationId(id)));
                           call.ex.SetStatus(204);
                           return Status::Ok();
                         },
                         "Cancel a pending invitation."));

  router.Add(TenantRoute("POST", base + "/tokens", Capability::kManageTokens,
                         [ws, max_json](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, max_json));
                           PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"name", "scope", "expires_in_days"}));
                           PM_ASSIGN_OR_RETURN(auto name, StringField(body, "name", true));
                           PM_ASSIGN_OR_RETURN(auto scope, StringField(body, "scope", true));
                           PM_ASSIGN_OR_RETURN(auto days, IntField(body, "expires_in_days"));
                           PM_ASSIGN_OR_RETURN(app::NewTokenResult r,
                                               ws->CreateToken(*call.tenant, *name, *scope, days));
                           nlohmann::json j = TokenJson(r.token);
                           j["user"]["email"] = call.principal->user.email;
                           j["token"] = r.secret;
                           SendJson(call.ex, 201, {{"token", j}});
                           return Status::Ok();
                         },
                         "Create an API token {name, scope: read|write, expires_in_days?}; shown once."));
  router.Add(TenantRoute("GET", base + "/tokens", Capability::kManageTokens,
                         [ws](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(auto list, ws->Tokens(*call.tenant));
                           nlohmann::json out = nlohmann::json::array();
                           for (const auto& t : list) out.push_back(TokenJson(t));
                           SendJson(call.ex, 200, {{"tokens", out}});
                           return Status::Ok();
                         },
                         "The caller's API tokens (admins: everyone's)."));
  router.Add(TenantRoute("DELETE", base + "/tokens/{id}", Capability::kManageTokens,
                         [ws](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(int64_t id, ParsePathId(call.ex.Param("id"), "token"));
                           PM_RETURN_IF_ERROR(ws->RevokeToken(*call.tenant, ApiTokenId(id)));
                           call.ex.SetStatus(204);
                           return Status::Ok();
                         },
                         "Revoke an API token (one's own; admins any)."));
}

}  // namespace pm::http
