// Reading the audit log (app/audit.h writes it): a workspace's records for its owners and admins
// (signed in; never with an API token), and every record for platform operators.
// Thread-safe (stateless beyond Services). No HTTP types.
#pragma once

#include <optional>
#include <string>

#include "app/services.h"
#include "common/result.h"

namespace pm::app {

// A validated audit query (http/ parses and checks the parameters).
struct AuditQuery {
  std::optional<UserId> actor;
  std::string action;                  // exact name, or a prefix when it ends with '.'
  std::optional<int64_t> since;        // Unix ms, inclusive
  std::optional<int64_t> until;        // Unix ms, exclusive
  std::optional<int64_t> before_id;    // the cursor: records older than this id
  int limit = 50;                      // 1..200
  // Operators only: one workspace, by id or by slug (at most one of the two).
  std::optional<TenantId> workspace_id;
  std::string workspace_slug;
};

class AuditLog {
 public:
  static constexpr int kDefaultLimit = 50;
  static constexpr int kMaxLimit = 200;

  explicit AuditLog(Services services) : s_(services) {}

  // The workspace's records, newest first. kPermissionDenied without the view_audit capability
  // or with an API token. Operators' e-mail addresses and names are left out of a workspace's
  // view (the record still says an operator acted, and which one by id).
  Result<store::AuditPage> ForWorkspace(const TenantContext& ctx, const AuditQuery& query);

  // Every record (or one workspace's), newest first. kNotFound for anyone but an operator, so
  // the admin API does not advertise itself (http/ checks this first, too).
  Result<store::AuditPage> ForOperator(const Principal& principal, const AuditQuery& query);

 private:
  Services s_;
};

}  // namespace pm::app
