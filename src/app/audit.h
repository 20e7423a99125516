// The audit log, as the use cases write it: Audit(services, event) appends one record with the
// time from the clock and the ip, user agent and request id of the request this thread is
// serving (http/ sets them with a ScopedRequest around each request; empty outside one).
//
// Rows hold ids, never e-mail addresses (see store::AuditRecord), so they stay pseudonymous once
// a user is erased. A failed append is logged at error level and does not undo or fail the
// action it describes (which has already happened).
#pragma once

#include <optional>
#include <string>

#include "app/services.h"
#include "common/ids.h"

namespace pm::app {

// The request the current thread serves.
struct RequestMeta {
  std::string ip;
  std::string user_agent;
  std::string request_id;
};
const RequestMeta& CurrentRequest();

// Sets CurrentRequest() for this thread while alive (restores the previous one after).
class ScopedRequest {
 public:
  explicit ScopedRequest(RequestMeta meta);
  ~ScopedRequest();
  ScopedRequest(const ScopedRequest&) = delete;
  ScopedRequest& operator=(const ScopedRequest&) = delete;

 private:
  RequestMeta previous_;
};

struct AuditEvent {
  std::string action;                  // e.g. "auth.login", "member.role_changed"
  std::optional<TenantId> tenant;      // none: not about one workspace
  std::optional<UserId> actor;         // none: anonymous or the system
  std::string actor_kind = "user";     // user|token|operator|system|anonymous
  std::string target;                  // e.g. "user:12", "palette:7", "token:3"
  std::string details_json = "{}";     // a JSON object; no e-mail addresses
};

// An event in `ctx`'s workspace by its principal (actor_kind "token" for an API token).
AuditEvent TenantEvent(const TenantContext& ctx, std::string action, std::string target = {});
// An event by a signed-in user outside any one workspace.
AuditEvent UserEvent(UserId user, std::string action, std::string target = {});

void Audit(const Services& services, const AuditEvent& event);

}  // namespace pm::app
