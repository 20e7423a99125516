#include "app/workspaces.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "app/accounts.h"
#include "app/audit.h"
#include "app/quotas.h"
#include "app/text.h"
#include "common/crypto.h"
#include "common/log.h"

namespace pm::app {
namespace {

constexpr int kMaxNameChars = 100;
constexpr size_t kMaxSlugChars = 40;
constexpr int kSlugAttempts = 20;
constexpr const char* kTokenPrefix = "pm_";

Error Denied(const std::string& message) { return MakeError(ErrorCode::kPermissionDenied, message); }

std::string Ref(const char* kind, int64_t id) { return std::string(kind) + ":" + std::to_string(id); }

// An event in ctx's workspace with `details` (ids, roles, scopes: never e-mail addresses).
AuditEvent Event(const TenantContext& ctx, const char* action, std::string target,
                 const nlohmann::json& details = nlohmann::json::object()) {
  AuditEvent e = TenantEvent(ctx, action, std::move(target));
  e.details_json = details.dump();
  return e;
}

}  // namespace

Status ValidateSlug(std::string_view slug) {
  auto bad = [] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "slug must be 2 to 40 characters of a-z, 0-9 and '-', starting and ending with a letter or digit");
  };
  if (slug.size() < 2 || slug.size() > kMaxSlugChars) return bad();
  for (char c : slug) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return bad();
  }
  if (slug.front() == '-' || slug.back() == '-') return bad();
  return Status::Ok();
}

std::string SlugFromName(std::string_view name) {
  std::string slug;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80 && std::isalnum(u)) {
      slug += static_cast<char>(std::tolower(u));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= 30) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() < 2) slug = "workspace";
  return slug;
}

Status Workspaces::Require(const TenantContext& ctx, auth::Capability capability, const char* message) {
  if (ctx.token && !auth::TokenUsable(capability)) {
    return Denied("API tokens cannot do this; sign in to manage members, invitations and tokens");
  }
  if (!auth::Allows(ctx.role, capability)) return Denied(message);
  return Status::Ok();
}

Result<store::Workspace> Workspaces::Create(const Principal& principal, std::string_view name_raw,
                                            std::string_view slug) {
  PM_ASSIGN_OR_RETURN(std::string name, ValidateName(name_raw, "name", kMaxNameChars));
  const int64_t now = s_.clock->NowMillis();
  auto audited = [&](Result<store::Workspace> created) {
    if (created.ok()) {
      AuditEvent e = UserEvent(principal.user.id, "workspace.created", Ref("workspace", created->id.value));
      e.tenant = created->id;
      e.details_json = nlohmann::json{{"slug", created->slug}}.dump();
      Audit(s_, e);
    }
    return created;
  };
  if (!slug.empty()) {
    PM_RETURN_IF_ERROR(ValidateSlug(slug));
    return audited(
        s_.store->CreateWorkspace(principal.user.id, store::NewWorkspace{std::string(slug), name, false}, now));
  }
  std::string base = SlugFromName(name);
  for (int attempt = 0; attempt < kSlugAttempts; ++attempt) {
    std::string candidate = base;
    if (attempt > 0) {
      std::string suffix;
      for (char c : RandomToken(6)) {
        unsigned char u = static_cast<unsigned char>(c);
        if (std::isalnum(u)) suffix += static_cast<char>(std::tolower(u));
        if (suffix.size() == 5) break;
      }
      candidate += "-" + suffix;
    }
    auto created = s_.store->CreateWorkspace(principal.user.id, store::NewWorkspace{candidate, name, false}, now);
    if (created.ok() || created.error().code != ErrorCode::kConflict) {
      if (created.ok()) {
        log::Info("workspace created", {{"user_id", static_cast<long long>(principal.user.id.value)},
                                        {"tenant_id", static_cast<long long>(created->id.value)}});
      }
      return audited(std::move(created));
    }
  }
  return MakeError(ErrorCode::kUnavailable, "could not find a free workspace slug; pick one");
}

Result<std::vector<store::Member>> Workspaces::Members(const TenantContext& ctx) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kRead, "you cannot read this workspace"));
  return s_.store->ListMembers(ctx.tenant);
}

Result<store::Member> Workspaces::Target(const TenantContext& ctx, UserId target) {
  auto member = s_.store->GetMember(ctx.tenant, target);
  if (!member.ok() && member.error().code == ErrorCode::kNotFound) {
    return MakeError(ErrorCode::kNotFound, "member not found");
  }
  return member;
}

Result<store::Member> Workspaces::ChangeRole(const TenantContext& ctx, UserId target, std::string_view role_name) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kManageMembers, "only owners and admins can change roles"));
  auto role = auth::ParseRole(role_name);
  if (!role) return MakeError(ErrorCode::kInvalidArgument, "role must be \"admin\", \"editor\" or \"viewer\"");
  PM_ASSIGN_OR_RETURN(store::Member member, Target(ctx, target));
  const bool caller_owner = ctx.role == auth::Role::kOwner;
  if (*role == auth::Role::kOwner) {
    if (!caller_owner) return Denied("only the owner can hand over ownership");
    return MakeError(ErrorCode::kInvalidArgument,
                     "ownership moves only by transfer: POST /api/v1/t/" + ctx.slug + "/transfer {user_id}");
  }
  if (member.role == "owner") {
    if (!caller_owner) return Denied("an admin cannot change the owner's role");
    return MakeError(ErrorCode::kConflict,
                     "the owner's role changes only by transferring ownership to another member first");
  }
  if (!caller_owner && (*role == auth::Role::kAdmin || member.role == "admin")) {
    return Denied("only the owner can make admins or change an admin's role");
  }
  PM_RETURN_IF_ERROR(s_.store->SetMemberRole(ctx.tenant, target, auth::RoleName(*role)));
  log::Info("member role changed", {{"tenant_id", static_cast<long long>(ctx.tenant.value)},
                                    {"user_id", static_cast<long long>(target.value)},
                                    {"by", static_cast<long long>(ctx.user.value)},
                                    {"role", auth::RoleName(*role)}});
  Audit(s_, Event(ctx, "member.role_changed", Ref("user", target.value),
                  {{"from", member.role}, {"to", auth::RoleName(*role)}}));
  member.role = auth::RoleName(*role);
  return member;
}

Status Workspaces::Remove(const TenantContext& ctx, UserId target) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kManageMembers, "only owners and admins can remove members"));
  PM_ASSIGN_OR_RETURN(store::Member member, Target(ctx, target));
  if (member.role == "owner") return Denied("the owner cannot be removed; the owner can transfer ownership first");
  if (member.role == "admin" && ctx.role != auth::Role::kOwner && target != ctx.user) {
    return Denied("only the owner can remove an admin");
  }
  PM_RETURN_IF_ERROR(s_.store->RemoveMember(ctx.tenant, target));
  log::Info("member removed", {{"tenant_id", static_cast<long long>(ctx.tenant.value)},
                               {"user_id", static_cast<long long>(target.value)},
                               {"by", static_cast<long long>(ctx.user.value)}});
  Audit(s_, Event(ctx, "member.removed", Ref("user", target.value), {{"role", member.role}}));
  return Status::Ok();
}

Status Workspaces::Leave(const TenantContext& ctx) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kLeave, "you cannot leave this workspace"));
  if (ctx.role == auth::Role::kOwner) {
    return MakeError(ErrorCode::kConflict,
                     "the owner cannot leave: transfer ownership to another member first (POST /api/v1/t/" + ctx.slug +
                         "/transfer)");
  }
  PM_RETURN_IF_ERROR(s_.store->RemoveMember(ctx.tenant, ctx.user));
  Audit(s_, Event(ctx, "member.left", Ref("user", ctx.user.value), {{"role", auth::RoleName(ctx.role)}}));
  return Status::Ok();
}

Status Workspaces::Transfer(const TenantContext& ctx, UserId to) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kOwnWorkspace, "only the owner can transfer the workspace"));
  if (to == ctx.user) return MakeError(ErrorCode::kInvalidArgument, "you already own this workspace");
  auto target = Target(ctx, to);
  if (!target.ok()) {
    if (target.error().code == ErrorCode::kNotFound) {
      return MakeError(ErrorCode::kNotFound, "the new owner must be a member of this workspace");
    }
    return target.error();
  }
  PM_RETURN_IF_ERROR(s_.store->TransferOwnership(ctx.tenant, ctx.user, to));
  log::Info("ownership transferred", {{"tenant_id", static_cast<long long>(ctx.tenant.value)},
                                      {"from", static_cast<long long>(ctx.user.value)},
                                      {"to", static_cast<long long>(to.value)}});
  Audit(s_, Event(ctx, "workspace.ownership_transferred", Ref("user", to.value),
                  {{"from", ctx.user.value}, {"to", to.value}}));
  return Status::Ok();
}

Result<NewInvitationResult> Workspaces::Invite(const TenantContext& ctx, std::string_view email_raw,
                                               std::string_view role_name) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kManageMembers, "only owners and admins can invite members"));
  PM_ASSIGN_OR_RETURN(std::string email, NormalizeEmail(email_raw));
  auto role = auth::ParseRole(role_name);
  if (!role || *role == auth::Role::kOwner) {
    return MakeError(ErrorCode::kInvalidArgument, "role must be \"admin\", \"editor\" or \"viewer\"");
  }
  if (*role == auth::Role::kAdmin && ctx.role != auth::Role::kOwner) return Denied("only the owner can invite admins");
  PM_ASSIGN_OR_RETURN(auto members, s_.store->ListMembers(ctx.tenant));
  for (const auto& m : members) {
    if (m.email == email) return MakeError(ErrorCode::kAlreadyExists, email + " is already a member of this workspace");
  }
  const int64_t now = s_.clock->NowMillis();
  // The plan's member cap counts pending invitations; re-inviting an address replaces its
  // pending invitation, so that one takes no new place.
  PM_ASSIGN_OR_RETURN(auto pending, s_.store->ListInvitations(ctx.tenant, now));
  bool replaces = std::any_of(pending.begin(), pending.end(), [&](const auto& i) { return i.email == email; });
  PM_RETURN_IF_ERROR(Quotas(s_).CheckMemberSlot(ctx.tenant, /*adding_invitation=*/true, replaces));
  NewInvitationResult out;
  out.token = RandomToken(32);
  store::NewInvitation inv{email, auth::RoleName(*role), Sha256Hex(out.token), ctx.user, now + kInvitationTtlMs};
  PM_ASSIGN_OR_RETURN(out.invitation, s_.store->CreateInvitation(ctx.tenant, inv, now));
  Audit(s_, Event(ctx, "invitation.created", Ref("invitation", out.invitation.id.value),
                  {{"role", out.invitation.role}, {"expires_at", out.invitation.expires_at}}));
  return out;
}

Result<std::vector<store::Invitation>> Workspaces::Invitations(const TenantContext& ctx) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kManageMembers, "only owners and admins can see invitations"));
  return s_.store->ListInvitations(ctx.tenant, s_.clock->NowMillis());
}

Status Workspaces::CancelInvitation(const TenantContext& ctx, InvitationId id) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kManageMembers, "only owners and admins can cancel invitations"));
  PM_RETURN_IF_ERROR(s_.store->DeleteInvitation(ctx.tenant, id));
  Audit(s_, Event(ctx, "invitation.revoked", Ref("invitation", id.value)));
  return Status::Ok();
}

Result<store::Membership> Workspaces::Accept(const store::User& user, std::string_view token) {
  auto not_found = [] { return MakeError(ErrorCode::kNotFound, "invitation not found or expired"); };
  if (token.empty() || token.size() > 128) return not_found();
  const std::string hash = Sha256Hex(token);
  const int64_t now = s_.clock->NowMillis();
  auto inv = s_.store->FindInvitation(hash, now);
  if (!inv.ok()) return inv.error().code == ErrorCode::kNotFound ? not_found() : inv.error();
  if (inv->email != user.email) return Denied("this invitation was sent to another e-mail address");
  // The plan's member cap (a member already gets the 409 below instead).
  auto existing = s_.store->GetMember(inv->tenant_id, user.id);
  if (!existing.ok() && existing.error().code != ErrorCode::kNotFound) return existing.error();
  if (!existing.ok()) {
    PM_RETURN_IF_ERROR(Quotas(s_).CheckMemberSlot(inv->tenant_id, /*adding_invitation=*/false, false));
  }
  auto joined = s_.store->AcceptInvitation(hash, user.id, now);
  if (!joined.ok()) {
    if (joined.error().code == ErrorCode::kNotFound) return not_found();
    if (joined.error().code == ErrorCode::kAlreadyExists) {
      return MakeError(ErrorCode::kAlreadyExists, "you are already a member of this workspace");
    }
    return joined.error();
  }
  log::Info("invitation accepted", {{"tenant_id", static_cast<long long>(joined->workspace.id.value)},
                                    {"user_id", static_cast<long long>(user.id.value)},
                                    {"role", joined->role}});
  AuditEvent e = UserEvent(user.id, "invitation.accepted", Ref("invitation", inv->id.value));
  e.tenant = joined->workspace.id;
  e.details_json = nlohmann::json{{"role", joined->role}}.dump();
  Audit(s_, e);
  return joined;
}

Result<NewTokenResult> Workspaces::CreateToken(const TenantContext& ctx, std::string_view name_raw,
                                               std::string_view scope_name, std::optional<int64_t> expires_in_days) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kManageTokens, "you cannot create tokens here"));
  PM_ASSIGN_OR_RETURN(std::string name, ValidateName(name_raw, "name", kMaxNameChars));
  auto scope = auth::ParseTokenScope(scope_name);
  if (!scope) return MakeError(ErrorCode::kInvalidArgument, "scope must be \"read\" or \"write\"");
  if (*scope == auth::TokenScope::kWrite && !auth::Allows(ctx.role, auth::Capability::kEditPalettes)) {
    return Denied("your role in this workspace can only create read tokens");
  }
  if (expires_in_days && (*expires_in_days < 1 || *expires_in_days > kMaxTokenDays)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expires_in_days must be an integer from 1 to " + std::to_string(kMaxTokenDays));
  }
  const int64_t now = s_.clock->NowMillis();
  NewTokenResult out;
  out.secret = kTokenPrefix + RandomToken(32);
  store::NewApiToken t{ctx.user, name, auth::TokenScopeName(*scope), Sha256Hex(out.secret), std::nullopt};
  if (expires_in_days) t.expires_at = now + *expires_in_days * 24 * 3600 * 1000;
  PM_ASSIGN_OR_RETURN(out.token, s_.store->CreateApiToken(ctx.tenant, t, now));
  log::Info("api token created", {{"tenant_id", static_cast<long long>(ctx.tenant.value)},
                                  {"user_id", static_cast<long long>(ctx.user.value)},
                                  {"token_id", static_cast<long long>(out.token.id.value)}});
  // Never the token itself (nor its hash).
  Audit(s_, Event(ctx, "token.created", Ref("token", out.token.id.value),
                  {{"scope", out.token.scope},
                   {"expires_at", out.token.expires_at ? nlohmann::json(*out.token.expires_at) : nlohmann::json(nullptr)}}));
  return out;
}

Result<std::vector<store::ApiToken>> Workspaces::Tokens(const TenantContext& ctx) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kManageTokens, "you cannot list tokens here"));
  std::optional<UserId> only;
  if (!auth::Allows(ctx.role, auth::Capability::kManageMembers)) only = ctx.user;
  return s_.store->ListApiTokens(ctx.tenant, only);
}

Status Workspaces::RevokeToken(const TenantContext& ctx, ApiTokenId id) {
  PM_RETURN_IF_ERROR(Require(ctx, auth::Capability::kManageTokens, "you cannot revoke tokens here"));
  std::optional<UserId> only;
  if (!auth::Allows(ctx.role, auth::Capability::kManageMembers)) only = ctx.user;
  PM_RETURN_IF_ERROR(s_.store->DeleteApiToken(ctx.tenant, id, only));
  log::Info("api token revoked", {{"tenant_id", static_cast<long long>(ctx.tenant.value)},
                                  {"by", static_cast<long long>(ctx.user.value)},
                                  {"token_id", static_cast<long long>(id.value)}});
  Audit(s_, Event(ctx, "token.revoked", Ref("token", id.value)));
  return Status::Ok();
}

}  // namespace pm::app
