#include "app/audit.h"

#include <utility>

#include "common/log.h"

namespace pm::app {

namespace {
thread_local RequestMeta t_request;
}  // namespace

const RequestMeta& CurrentRequest() { return t_request; }

ScopedRequest::ScopedRequest(RequestMeta meta) : previous_(std::move(t_request)) {
  t_request = std::move(meta);
}

ScopedRequest::~ScopedRequest() { t_request = std::move(previous_); }

AuditEvent TenantEvent(const TenantContext& ctx, std::string action, std::string target) {
  AuditEvent e;
  e.action = std::move(action);
  e.tenant = ctx.tenant;
  e.actor = ctx.user;
  e.actor_kind = ctx.token ? "token" : "user";
  e.target = std::move(target);
  return e;
}

AuditEvent UserEvent(UserId user, std::string action, std::string target) {
  AuditEvent e;
  e.action = std::move(action);
  e.actor = user;
  e.target = std::move(target);
  return e;
}

void Audit(const Services& services, const AuditEvent& event) {
  store::AuditRecord r;
  r.created_at = services.clock->NowMillis();
  r.tenant_id = event.tenant;
  r.actor_id = event.actor;
  r.actor_kind = event.actor_kind;
  r.action = event.action;
  r.target = event.target;
  const RequestMeta& req = CurrentRequest();
  r.ip = req.ip;
  r.user_agent = req.user_agent.substr(0, 512);
  r.request_id = req.request_id;
  r.details_json = event.details_json.empty() ? "{}" : event.details_json;
  Status st = services.store->AppendAudit(r);
  if (!st.ok()) {
    log::Error("audit append failed",
               {{"action", event.action}, {"error", st.error().message}, {"request_id", req.request_id}});
  }
}

}  // namespace pm::app
