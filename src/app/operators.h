// Operator use cases: the one-time setup links that create platform operators, and the admin
// API's workspace administration (list/search with usage, provision, plan, suspend, reactivate,
// soft-delete, restore); plus the owner's own soft-delete of a team workspace.
//
// Tenant isolation: operators administer workspaces but never read their content. Nothing here
// returns a palette's name, colours or image; the usage totals are counts and byte sums, read per
// workspace under that workspace's own scope.
//
// Callers (http/api_admin.cc) check that the principal is an operator (RequireOperator) before
// any admin use case; each use case checks again. Every operator action is audited with
// actor_kind "operator". Thread-safe (stateless beyond Services). No HTTP types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/services.h"
#include "common/result.h"

namespace pm::app {

struct OperatorSetupLink {
  std::string token;  // shown once; only its SHA-256 is stored
  std::string url;    // {PublicUrl()}/setup?token=...
  int64_t expires_at = 0;
};

struct OperatorSetupInfo {
  bool valid = false;
  std::string email;  // the address the link is bound to ("" = any)
};

// A workspace as operators see it.
struct TenantView {
  store::TenantSummary summary;
  store::TenantUsageTotals usage;
};

struct TenantPage {
  std::vector<TenantView> items;
  std::optional<std::string> next_cursor;
};

struct ProvisionedTenant {
  TenantView tenant;
  bool owner_created = false;
  std::optional<std::string> owner_setup_link;  // {PublicUrl()}/reset?token=..., shown once
};

class Operators {
 public:
  static constexpr int64_t kSetupTtlMs = int64_t{24} * 3600 * 1000;
  static constexpr int64_t kOwnerLinkTtlMs = int64_t{7} * 24 * 3600 * 1000;

  explicit Operators(Services services) : s_(services) {}

  // --- Setup links
  // A new link (valid 24 h) bound to `email` ("" = any address), replacing the unused one for the
  // same address. kInvalidArgument for a malformed address.
  Result<OperatorSetupLink> CreateSetupLink(std::string_view email);
  // At start-up: a link for "any address" when no operator exists yet; none otherwise.
  Result<std::optional<OperatorSetupLink>> FirstStartLink();
  // Never fails for a bad token: {valid: false}.
  Result<OperatorSetupInfo> InspectSetupLink(std::string_view token);
  // Takes the link: creates the operator account (with a personal workspace, as sign-up does) or,
  // when the address belongs to a user, checks that user's password and promotes them.
  // kInvalidArgument (unknown/used/expired link, bad e-mail/password/name), kPermissionDenied (the
  // link is for another address), kUnauthenticated (wrong password of the existing account).
  Result<store::User> CompleteSetup(std::string_view token, std::string_view email, std::string_view password,
                                    std::string_view name);

  // --- Admin API (operators only)
  // kNotFound unless the principal is an operator: the admin API does not advertise itself.
  static Status RequireOperator(const Principal& principal);
  // True when auth.operator_mfa_required and the operator has not enabled TOTP.
  bool NeedsMfa(const Principal& principal) const;

  // `query`: substring of slug, name or owner e-mail (case-insensitive, <= 254 bytes);
  // `status`: "", "active", "suspended" or "deleted"; `cursor`: a next_cursor or ""; limit 1..100.
  Result<TenantPage> ListTenants(const Principal& op, std::string_view query, std::string_view status,
                                 std::string_view cursor, int limit);
  Result<TenantView> GetTenant(const Principal& op, TenantId tenant);
  // A team workspace `name` (slug optional) owned by `owner_email`: an existing user, or a new one
  // with an unusable password and a set-password link (password_resets, 7 days). The same link is
  // issued for an existing owner who never set a password (a retried provision).
  Result<ProvisionedTenant> Provision(const Principal& op, std::string_view name, std::string_view slug,
                                      std::string_view owner_email, std::string_view owner_name,
                                      std::optional<std::string> plan);
  Result<TenantView> SetPlan(const Principal& op, TenantId tenant, std::string_view plan);
  Result<TenantView> Suspend(const Principal& op, TenantId tenant);
  Result<TenantView> Reactivate(const Principal& op, TenantId tenant);
  // deleted_at = now, purge_after = now + jobs.delete_grace_days. kConflict when already deleted.
  Result<TenantView> Delete(const Principal& op, TenantId tenant);
  // kConflict unless deleted and still within its grace period.
  Result<TenantView> Restore(const Principal& op, TenantId tenant);

  // --- Owners
  // The owner soft-deletes their team workspace (same grace period). kPermissionDenied unless
  // owner (or with an API token); kConflict for a personal workspace.
  Result<store::Workspace> DeleteOwnWorkspace(const TenantContext& ctx);

  // Exposed for tests: a plan name is [a-z0-9_-]{1,40}.
  // ValidPlanName and configured ([plans.<name>]); kInvalidArgument naming the plans otherwise.
  Status CheckPlan(std::string_view plan) const;
  static bool ValidPlanName(std::string_view plan);

 private:
  Result<TenantView> View(TenantId tenant);
  void AuditOperator(const Principal& op, TenantId tenant, const std::string& action,
                     const std::string& details_json);
  int64_t PurgeAfter(int64_t now) const;

  Services s_;
};

// A suspended workspace is read-only: kWorkspaceSuspended for a write (`is_write`), whoever asks.
// Called by the server for every tenant route right after the tenant gate.
Status RefuseWritesWhenSuspended(const store::Workspace& workspace, bool is_write);

// The link for a new operator when none exists (cli serve, cli admin create).
std::string SetupUrl(const config::Config& config, std::string_view token);

}  // namespace pm::app
