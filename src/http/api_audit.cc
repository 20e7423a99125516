// The audit log's read endpoints: GET /api/v1/t/{ws}/audit (the workspace's owners and admins,
// signed in) and GET /api/v1/admin/audit (platform operators; everyone else gets 404).
#include <nlohmann/json.hpp>

#include "app/audit_log.h"
#include "http/api.h"
#include "http/api_admin_common.h"
#include "http/audit_query.h"
#include "http/json_io.h"

namespace pm::http {
namespace {

QueryLookup Lookup(const Exchange& ex) {
  return [&ex](const std::string& name) -> std::optional<std::string> {
    if (!ex.HasQuery(name)) return std::nullopt;
    return ex.Query(name);
  };
}

nlohmann::json EntryJson(const store::AuditEntry& e) {
  const store::AuditRecord& r = e.record;
  nlohmann::json j = {{"id", r.id}, {"at", IsoTime(r.created_at)}};
  if (r.tenant_id) {
    j["workspace"] = {{"id", r.tenant_id->value},
                      {"slug", e.tenant_slug ? nlohmann::json(*e.tenant_slug) : nlohmann::json(nullptr)}};
  } else {
    j["workspace"] = nullptr;
  }
  if (r.actor_id) {
    nlohmann::json actor = {{"id", r.actor_id->value}, {"kind", r.actor_kind}};
    if (e.actor_email) actor["email"] = *e.actor_email;
    if (e.actor_name) actor["name"] = *e.actor_name;
    j["actor"] = std::move(actor);
  } else {
    j["actor"] = nullptr;
  }
  j["action"] = r.action;
  j["target"] = r.target;
  j["ip"] = r.ip;
  j["user_agent"] = r.user_agent;
  j["request_id"] = r.request_id;
  auto details = nlohmann::json::parse(r.details_json, nullptr, false);
  j["details"] = details.is_object() ? std::move(details) : nlohmann::json::object();
  return j;
}

void SendPage(Exchange& ex, const store::AuditPage& page) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : page.entries) entries.push_back(EntryJson(e));
  nlohmann::json out = {{"entries", std::move(entries)}};
  out["next_cursor"] = page.next_before ? nlohmann::json(AuditCursor(*page.next_before)) : nlohmann::json(nullptr);
  SendJson(ex, 200, out);
}

}  // namespace

void AddAuditRoutes(Router& router, const ApiContext& api) {
  router.Add(TenantRoute("GET", "/api/v1/t/{ws}/audit", auth::Capability::kViewAudit,
                         [api](Call& call) -> Status {
                           PM_ASSIGN_OR_RETURN(app::AuditQuery q, ParseAuditQuery(Lookup(call.ex), false));
                           PM_ASSIGN_OR_RETURN(store::AuditPage page, api.audit_log->ForWorkspace(*call.tenant, q));
                           SendPage(call.ex, page);
                           return Status::Ok();
                         },
                         "The workspace's audit log, newest first: ?actor=&action=&since=&until=&cursor=&limit=."));
  // Public in the route table on purpose: RequireOperator answers 404 to everyone but an
  // operator, also to callers without a session (see api_admin_common.h).
  router.Add({"GET", "/api/v1/admin/audit", Access::kPublic,
              [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(app::Principal op, RequireOperator(call, api));
                PM_ASSIGN_OR_RETURN(app::AuditQuery q, ParseAuditQuery(Lookup(call.ex), true));
                PM_ASSIGN_OR_RETURN(store::AuditPage page, api.audit_log->ForOperator(op, q));
                SendPage(call.ex, page);
                return Status::Ok();
              },
              "Operators: every workspace's audit log, ?workspace=&actor=&action=&since=&until=&cursor=&limit=."});
}

}  // namespace pm::http
