#include "app/operators.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

#include "app/accounts.h"
#include "app/audit.h"
#include "app/mailer.h"
#include "app/text.h"
#include "app/workspaces.h"
#include "auth/password.h"
#include "common/crypto.h"
#include "common/log.h"

namespace pm::app {
namespace {

constexpr size_t kMaxTokenBytes = 128;
constexpr size_t kMaxPasswordBytes = 1024;
constexpr size_t kMaxQueryBytes = 254;
constexpr int kMaxNameChars = 100;
constexpr int kSlugAttempts = 20;
constexpr int kMaxLimit = 100;
// Not an Argon2id string: VerifyPassword never accepts it, so the account has no usable password
// until its owner sets one through the set-password link.
constexpr const char* kUnusablePassword = "!provisioned";

Error LinkUnusable() {
  return MakeError(ErrorCode::kInvalidArgument,
                   "this setup link is invalid, expired or already used; ask for a new one "
                   "(palettemaker admin create --email ...)");
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A personal workspace's slug: the e-mail's (SlugFromEmail), then with a random suffix of
// letters and digits once it was taken.
std::string SlugCandidate(const std::string& base, int attempt) {
  if (attempt == 0) return base;
  std::string suffix;
  while (suffix.size() < 5) {
    for (char c : RandomToken(6)) {
      if (std::isalnum(static_cast<unsigned char>(c))) suffix += static_cast<char>(std::tolower(c));
      if (suffix.size() == 5) break;
    }
  }
  return base + "-" + suffix;
}

std::string Target(TenantId tenant) { return "tenant:" + std::to_string(tenant.value); }

}  // namespace

std::string SetupUrl(const config::Config& config, std::string_view token) {
  return config.PublicUrl() + "/setup?token=" + std::string(token);
}

Status RefuseWritesWhenSuspended(const store::Workspace& workspace, bool is_write) {
  if (!is_write || !workspace.suspended_at) return Status::Ok();
  return MakeError(ErrorCode::kWorkspaceSuspended,
                   "this workspace is suspended by the operators: it is read-only until it is reactivated");
}

Status Operators::CheckPlan(std::string_view plan) const {
  if (!ValidPlanName(plan)) {
    return MakeError(ErrorCode::kInvalidArgument, "plan must be 1 to 40 characters of a-z, 0-9, '_' and '-'");
  }
  if (config::FindPlan(*s_.config, plan) == nullptr) {
    std::string names;
    for (const config::Plan& p : s_.config->plans.plans) names += (names.empty() ? "" : ", ") + p.name;
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown plan '" + std::string(plan) + "': the configured plans are " + names);
  }
  return Status::Ok();
}

bool Operators::ValidPlanName(std::string_view plan) {
  if (plan.empty() || plan.size() > 40) return false;
  return std::all_of(plan.begin(), plan.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// --- Setup links -----------------------------------------------------------------------------

Result<OperatorSetupLink> Operators::CreateSetupLink(std::string_view email_raw) {
  std::string email;
  if (!email_raw.empty()) {
    PM_ASSIGN_OR_RETURN(email, NormalizeEmail(email_raw));
  }
  OperatorSetupLink link;
  link.token = RandomToken(32);
  const int64_t now = s_.clock->NowMillis();
  link.expires_at = now + kSetupTtlMs;
  PM_RETURN_IF_ERROR(s_.store->CreateOperatorSetup(Sha256Hex(link.token), email, now, link.expires_at));
  link.url = SetupUrl(*s_.config, link.token);
  return link;
}

Result<std::optional<OperatorSetupLink>> Operators::FirstStartLink() {
  PM_ASSIGN_OR_RETURN(int64_t operators, s_.store->CountOperators());
  if (operators > 0) return std::optional<OperatorSetupLink>();
  PM_ASSIGN_OR_RETURN(OperatorSetupLink link, CreateSetupLink(""));
  return std::optional<OperatorSetupLink>(std::move(link));
}

Result<OperatorSetupInfo> Operators::InspectSetupLink(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return OperatorSetupInfo{};
  auto found = s_.store->FindOperatorSetup(Sha256Hex(token), s_.clock->NowMillis());
  if (!found.ok()) {
    if (found.error().code == ErrorCode::kNotFound) return OperatorSetupInfo{};
    return found.error();
  }
  return OperatorSetupInfo{true, found->email};
}

Result<store::User> Operators::CompleteSetup(std::string_view token, std::string_view email_raw,
                                             std::string_view password, std::string_view name_raw) {
  if (token.empty() || token.size() > kMaxTokenBytes) return LinkUnusable();
  const std::string hash = Sha256Hex(token);
  auto link = s_.store->FindOperatorSetup(hash, s_.clock->NowMillis());
  if (!link.ok()) return link.error().code == ErrorCode::kNotFound ? LinkUnusable() : link.error();
  PM_ASSIGN_OR_RETURN(std::string email, NormalizeEmail(email_raw));
  if (!link->email.empty() && link->email != email) {
    return MakeError(ErrorCode::kPermissionDenied, "this setup link is for another e-mail address");
  }
  if (password.empty() || password.size() > kMaxPasswordBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "password must be 1 to 1024 bytes long");
  }

  store::OperatorClaim claim;
  claim.email = email;
  auto existing = s_.store->FindUserByEmail(email);
  if (existing.ok()) {
    // Promoting an account needs its password: the link alone does not hand over an account.
    if (!auth::VerifyPassword(password, existing->password_hash)) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "this e-mail address has an account: enter that account's password to make it an operator");
    }
    claim.existing = existing->id;
  } else if (existing.error().code != ErrorCode::kNotFound) {
    return existing.error();
  } else {
    if (password.size() < static_cast<size_t>(s_.config->auth.min_password_length)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "password must be " + std::to_string(s_.config->auth.min_password_length) + " to " +
                           std::to_string(kMaxPasswordBytes) + " bytes long");
    }
    std::string name;
    if (Trim(name_raw).empty()) {
      name = email.substr(0, email.find('@'));
      if (Utf8Length(name) > kMaxNameChars) name = "operator";
    } else {
      PM_ASSIGN_OR_RETURN(name, ValidateName(name_raw, "name", kMaxNameChars));
    }
    PM_ASSIGN_OR_RETURN(std::string password_hash, auth::HashPassword(password));
    claim.user = store::NewUser{email, name, password_hash};
    claim.personal.name = Utf8Length(name + "'s workspace") > kMaxNameChars ? "Personal workspace" : name + "'s workspace";
    claim.personal.personal = true;
  }

  const std::string base = SlugFromEmail(email);
  for (int attempt = 0; attempt < kSlugAttempts; ++attempt) {
    if (!claim.existing) {
      claim.personal.slug = SlugCandidate(base, attempt);
    }
    auto user = s_.store->ConsumeOperatorSetup(hash, s_.clock->NowMillis(), claim);
    if (!user.ok()) {
      if (user.error().code == ErrorCode::kConflict && !claim.existing) continue;  // slug taken
      if (user.error().code == ErrorCode::kNotFound) return LinkUnusable();
      if (user.error().code == ErrorCode::kAlreadyExists) {
        return MakeError(ErrorCode::kConflict, "an account with this e-mail address was just created; try again");
      }
      return user.error();
    }
    AuditEvent event;
    event.action = "operator.created";
    event.actor = user->id;
    event.actor_kind = "operator";
    event.target = "user:" + std::to_string(user->id.value);
    event.details_json = nlohmann::json{{"promoted", claim.existing.has_value()}}.dump();
    Audit(s_, event);
    log::Info("operator created", {{"user_id", static_cast<long long>(user->id.value)},
                                   {"promoted", claim.existing.has_value()}});
    return user;
  }
  return MakeError(ErrorCode::kUnavailable, "could not find a free workspace slug; try again");
}

// --- Admin API -------------------------------------------------------------------------------

Status Operators::RequireOperator(const Principal& principal) {
  if (!principal.user.is_operator) return MakeError(ErrorCode::kNotFound, "not found");
  return Status::Ok();
}

bool Operators::NeedsMfa(const Principal& principal) const {
  return s_.config->auth.operator_mfa_required && !principal.user.totp_enabled_at.has_value();
}

Result<TenantView> Operators::View(TenantId tenant) {
  TenantView view;
  PM_ASSIGN_OR_RETURN(view.summary, s_.store->GetTenantSummary(tenant));
  PM_ASSIGN_OR_RETURN(view.usage, s_.store->GetTenantUsageTotals(tenant));
  return view;
}

void Operators::AuditOperator(const Principal& op, TenantId tenant, const std::string& action,
                              const std::string& details_json) {
  AuditEvent event;
  event.action = action;
  event.tenant = tenant;
  event.actor = op.user.id;
  event.actor_kind = "operator";
  event.target = Target(tenant);
  event.details_json = details_json;
  Audit(s_, event);
}

int64_t Operators::PurgeAfter(int64_t now) const {
  return now + int64_t{s_.config->jobs.delete_grace_days} * 24 * 3600 * 1000;
}

Result<TenantPage> Operators::ListTenants(const Principal& op, std::string_view query, std::string_view status,
                                          std::string_view cursor, int limit) {
  PM_RETURN_IF_ERROR(RequireOperator(op));
  store::TenantFilter filter;
  filter.query = Lower(Trim(query));
  if (filter.query.size() > kMaxQueryBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "q must be at most 254 bytes");
  }
  if (status == "active") {
    filter.status = store::TenantStatus::kActive;
  } else if (status == "suspended") {
    filter.status = store::TenantStatus::kSuspended;
  } else if (status == "deleted") {
    filter.status = store::TenantStatus::kDeleted;
  } else if (!status.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "status must be active, suspended or deleted");
  }
  if (!cursor.empty()) {
    int64_t after = 0;
    auto [p, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), after);
    if (ec != std::errc() || p != cursor.data() + cursor.size() || after < 0) {
      return MakeError(ErrorCode::kInvalidArgument, "cursor is not one this server returned");
    }
    filter.after_id = after;
  }
  if (limit < 1 || limit > kMaxLimit) {
    return MakeError(ErrorCode::kInvalidArgument, "limit must be an integer from 1 to 100");
  }
  filter.limit = limit + 1;  // one more tells whether a next page exists
  PM_ASSIGN_OR_RETURN(std::vector<store::TenantSummary> rows, s_.store->ListTenantSummaries(filter));
  TenantPage page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(static_cast<size_t>(limit));
    page.next_cursor = std::to_string(rows.back().workspace.id.value);
  }
  for (store::TenantSummary& row : rows) {
    TenantView view;
    // Aggregates only, each under its own workspace's scope (RLS on PostgreSQL).
    PM_ASSIGN_OR_RETURN(view.usage, s_.store->GetTenantUsageTotals(row.workspace.id));
    view.summary = std::move(row);
    page.items.push_back(std::move(view));
  }
  return page;
}

Result<TenantView> Operators::GetTenant(const Principal& op, TenantId tenant) {
  PM_RETURN_IF_ERROR(RequireOperator(op));
  return View(tenant);
}

Result<ProvisionedTenant> Operators::Provision(const Principal& op, std::string_view name_raw, std::string_view slug,
                                               std::string_view owner_email, std::string_view owner_name_raw,
                                               std::optional<std::string> plan) {
  PM_RETURN_IF_ERROR(RequireOperator(op));
  // Everything is checked before anything is created.
  PM_ASSIGN_OR_RETURN(std::string name, ValidateName(name_raw, "name", kMaxNameChars));
  if (!slug.empty()) {
    PM_RETURN_IF_ERROR(ValidateSlug(slug));
  }
  PM_ASSIGN_OR_RETURN(std::string email, NormalizeEmail(owner_email));
  std::string owner_name;
  if (!Trim(owner_name_raw).empty()) {
    PM_ASSIGN_OR_RETURN(owner_name, ValidateName(owner_name_raw, "owner_name", kMaxNameChars));
  }
  if (plan) PM_RETURN_IF_ERROR(CheckPlan(*plan));

  ProvisionedTenant out;
  store::User owner;
  auto existing = s_.store->FindUserByEmail(email);
  if (existing.ok()) {
    owner = std::move(existing).value();
  } else if (existing.error().code != ErrorCode::kNotFound) {
    return existing.error();
  } else {
    if (owner_name.empty()) {
      owner_name = email.substr(0, email.find('@'));
      if (Utf8Length(owner_name) > kMaxNameChars) owner_name = "user";
    }
    // Like sign-up: the new user gets a personal workspace too.
    store::NewUser user{email, owner_name, kUnusablePassword};
    std::string ws_name = owner_name + "'s workspace";
    if (Utf8Length(ws_name) > kMaxNameChars) ws_name = "Personal workspace";
    const std::string base = SlugFromEmail(email);
    bool created = false;
    for (int attempt = 0; attempt < kSlugAttempts && !created; ++attempt) {
      auto made = s_.store->CreateUserWithWorkspace(user, store::NewWorkspace{SlugCandidate(base, attempt), ws_name, true},
                                                    s_.clock->NowMillis());
      if (made.ok()) {
        owner = made->first;
        created = true;
      } else if (made.error().code == ErrorCode::kAlreadyExists) {
        PM_ASSIGN_OR_RETURN(owner, s_.store->FindUserByEmail(email));  // raced another provision
        created = true;
      } else if (made.error().code != ErrorCode::kConflict) {
        return made.error();
      }
    }
    if (!created) return MakeError(ErrorCode::kUnavailable, "could not find a free workspace slug; try again");
    out.owner_created = true;
  }

  Workspaces workspaces(s_);
  PM_ASSIGN_OR_RETURN(store::Workspace ws, workspaces.Create(Principal{owner, {}, {}}, name, slug));
  if (plan) {
    PM_RETURN_IF_ERROR(s_.store->SetTenantPlan(ws.id, *plan));
  }

  if (owner.password_hash == kUnusablePassword) {
    // A new owner (or one provisioned before who never set a password) gets a set-password link.
    const std::string token = RandomToken(32);
    const int64_t now = s_.clock->NowMillis();
    PM_RETURN_IF_ERROR(s_.store->CreatePasswordResetForUser(owner.id, Sha256Hex(token), now, now + kOwnerLinkTtlMs));
    out.owner_setup_link = s_.config->PublicUrl() + "/reset?token=" + token;
    // Also by e-mail (SMTP when configured; always into the outbox). The link is in the answer
    // too, so a failed send only means the operator passes it on.
    auto sent = Mailer(s_).Send(owner.email, "Set your Palette Maker password",
                                "A Palette Maker workspace was created for you: " + ws.name +
                                    "\n\nSet your password within 7 days with this link (it works once):\n" +
                                    *out.owner_setup_link + "\n");
    if (!sent.ok()) {
      log::Warn("owner setup e-mail not stored", {{"tenant_id", static_cast<long long>(ws.id.value)},
                                                   {"error", sent.error().message}});
    }
  }
  nlohmann::json details = {{"owner", "user:" + std::to_string(owner.id.value)}, {"owner_created", out.owner_created}};
  if (plan) details["plan"] = *plan;
  AuditOperator(op, ws.id, "tenant.provisioned", details.dump());
  PM_ASSIGN_OR_RETURN(out.tenant, View(ws.id));
  return out;
}

Result<TenantView> Operators::SetPlan(const Principal& op, TenantId tenant, std::string_view plan) {
  PM_RETURN_IF_ERROR(RequireOperator(op));
  PM_RETURN_IF_ERROR(CheckPlan(plan));
  PM_RETURN_IF_ERROR(s_.store->SetTenantPlan(tenant, plan));
  AuditOperator(op, tenant, "tenant.plan_changed", nlohmann::json{{"plan", plan}}.dump());
  return View(tenant);
}

Result<TenantView> Operators::Suspend(const Principal& op, TenantId tenant) {
  PM_RETURN_IF_ERROR(RequireOperator(op));
  PM_RETURN_IF_ERROR(s_.store->SuspendTenant(tenant, s_.clock->NowMillis()));
  AuditOperator(op, tenant, "tenant.suspended", "{}");
  return View(tenant);
}

Result<TenantView> Operators::Reactivate(const Principal& op, TenantId tenant) {
  PM_RETURN_IF_ERROR(RequireOperator(op));
  PM_RETURN_IF_ERROR(s_.store->ReactivateTenant(tenant));
  AuditOperator(op, tenant, "tenant.reactivated", "{}");
  return View(tenant);
}

Result<TenantView> Operators::Delete(const Principal& op, TenantId tenant) {
  PM_RETURN_IF_ERROR(RequireOperator(op));
  const int64_t now = s_.clock->NowMillis();
  PM_ASSIGN_OR_RETURN(store::Workspace ws, s_.store->SoftDeleteTenant(tenant, now, PurgeAfter(now)));
  AuditOperator(op, tenant, "tenant.deleted", nlohmann::json{{"purge_after", *ws.purge_after}}.dump());
  return View(tenant);
}

Result<TenantView> Operators::Restore(const Principal& op, TenantId tenant) {
  PM_RETURN_IF_ERROR(RequireOperator(op));
  PM_RETURN_IF_ERROR(s_.store->RestoreTenant(tenant, s_.clock->NowMillis()));
  AuditOperator(op, tenant, "tenant.restored", "{}");
  return View(tenant);
}

// --- Owners ------------------------------------------------------------------------------------

Result<store::Workspace> Operators::DeleteOwnWorkspace(const TenantContext& ctx) {
  if (ctx.token || ctx.role != auth::Role::kOwner) {
    return MakeError(ErrorCode::kPermissionDenied, "only the owner can delete this workspace");
  }
  if (ctx.workspace.personal) {
    return MakeError(ErrorCode::kConflict, "a personal workspace cannot be deleted");
  }
  const int64_t now = s_.clock->NowMillis();
  PM_ASSIGN_OR_RETURN(store::Workspace ws, s_.store->SoftDeleteTenant(ctx.tenant, now, PurgeAfter(now)));
  AuditEvent event = TenantEvent(ctx, "workspace.deleted", Target(ctx.tenant));
  event.details_json = nlohmann::json{{"purge_after", *ws.purge_after}}.dump();
  Audit(s_, event);
  return ws;
}

}  // namespace pm::app
