#include "app/accounts.h"

#include <algorithm>
#include <cctype>

#include "app/audit.h"
#include "app/quotas.h"
#include "app/background.h"
#include "app/login_throttle.h"
#include "app/text.h"
#include "auth/password.h"
#include "common/crypto.h"
#include "common/log.h"

namespace pm::app {
namespace {

constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxPasswordBytes = 1024;
constexpr int kMaxNameChars = 100;
constexpr int kSlugAttempts = 20;
constexpr int64_t kTokenTouchIntervalMs = 60 * 1000;

Error InvalidCredentials() {
  return MakeError(ErrorCode::kUnauthenticated, "invalid e-mail or password");
}

}  // namespace

Accounts::Accounts(Services services) : s_(services), background_(std::make_unique<BackgroundQueue>()) {}

// Runs the queued background work (reset e-mails) before the services go away.
Accounts::~Accounts() = default;

void Accounts::DrainBackgroundForTest() { background_->DrainForTest(); }

Result<std::string> NormalizeEmail(std::string_view raw) {
  std::string email = Trim(raw);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto bad = [] { return MakeError(ErrorCode::kInvalidArgument, "email must be an e-mail address like name@example.com"); };
  if (email.empty() || email.size() > kMaxEmailBytes) return bad();
  size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || at != email.rfind('@') || at + 1 >= email.size()) return bad();
  std::string_view domain = std::string_view(email).substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return bad();
  for (unsigned char c : email) {
    if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' || c == '\\') return bad();
  }
  if (Utf8Length(email) < 0) return bad();
  return email;
}

std::string SlugFromEmail(std::string_view email) {
  std::string slug;
  for (char c : email.substr(0, email.find('@'))) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      slug += static_cast<char>(std::tolower(u));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= 40) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() < 2) slug = "workspace";
  return slug;
}

Status Accounts::CheckNewPassword(std::string_view password, std::string_view field) const {
  if (password.size() < static_cast<size_t>(s_.config->auth.min_password_length) ||
      password.size() > kMaxPasswordBytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + " must be " + std::to_string(s_.config->auth.min_password_length) +
                         " to " + std::to_string(kMaxPasswordBytes) + " bytes long");
  }
  return Status::Ok();
}

Result<NewSession> Accounts::StartSession(UserId user) {
  NewSession out;
  out.token = RandomToken(32);
  out.csrf_token = RandomToken(32);
  int64_t now = s_.clock->NowMillis();
  out.expires_at = now + int64_t{s_.config->auth.session_ttl_hours} * 3600 * 1000;
  store::Session session;
  session.token_hash = Sha256Hex(out.token);
  session.csrf_hash = Sha256Hex(out.csrf_token);
  session.user_id = user;
  session.created_at = now;
  session.expires_at = out.expires_at;
  PM_RETURN_IF_ERROR(s_.store->CreateSession(session));
  return out;
}

Result<AccountView> Accounts::View(const store::User& user) {
  PM_ASSIGN_OR_RETURN(auto memberships, s_.store->ListMemberships(user.id));
  return AccountView{user, std::move(memberships)};
}

Result<SignedIn> Accounts::SignUp(std::string_view email_raw, std::string_view password,
                                  std::string_view name_raw, std::string_view invitation) {
  if (s_.config->auth.signup == "closed") {
    return MakeError(ErrorCode::kPermissionDenied,
                     "sign-up is closed on this server: accounts are created by an operator");
  }
  if (s_.config->auth.signup == "invite" && invitation.empty()) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "sign-up on this server needs an invitation: ask a workspace admin to invite you");
  }
  PM_ASSIGN_OR_RETURN(std::string email, NormalizeEmail(email_raw));
  std::string invitation_hash;
  std::optional<store::Invitation> invitation_row;
  if (!invitation.empty()) {
    // Checked before anything is created; AcceptInvitation checks again in its transaction.
    auto inv = invitation.size() > 128
                   ? Result<store::Invitation>(MakeError(ErrorCode::kNotFound, "invitation not found or expired"))
                   : s_.store->FindInvitation(Sha256Hex(invitation), s_.clock->NowMillis());
    if (!inv.ok()) {
      if (inv.error().code == ErrorCode::kNotFound) {
        return MakeError(ErrorCode::kNotFound, "invitation not found or expired");
      }
      return inv.error();
    }
    if (inv->email != email) {
      return MakeError(ErrorCode::kPermissionDenied, "this invitation was sent to another e-mail address");
    }
    // The workspace must have room for one more member (its plan), before anything is created.
    PM_RETURN_IF_ERROR(Quotas(s_).CheckMemberSlot(inv->tenant_id, /*adding_invitation=*/false, false));
    invitation_hash = inv->token_hash;
    invitation_row = *inv;
  }
  PM_RETURN_IF_ERROR(CheckNewPassword(password, "password"));
  std::string name;
  if (Trim(name_raw).empty()) {
    name = email.substr(0, email.find('@'));
    if (Utf8Length(name) > kMaxNameChars) name = "user";
  } else {
    PM_ASSIGN_OR_RETURN(name, ValidateName(name_raw, "name", kMaxNameChars));
  }
  // Fail fast on a known duplicate before paying for Argon2id; the UNIQUE constraint still
  // decides races.
  if (s_.store->FindUserByEmail(email).ok()) {
    return MakeError(ErrorCode::kAlreadyExists, "an account with this e-mail already exists");
  }
  PM_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(password));

  store::NewUser new_user{email, name, hash};
  std::string base = SlugFromEmail(email);
  for (int attempt = 0; attempt < kSlugAttempts; ++attempt) {
    store::NewWorkspace ws;
    ws.slug = attempt == 0 ? base : base + "-" + RandomToken(4).substr(0, 5);
    std::transform(ws.slug.begin(), ws.slug.end(), ws.slug.begin(), [](unsigned char c) {
      return std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '-';
    });
    ws.name = name + "'s workspace";
    if (Utf8Length(ws.name) > kMaxNameChars) ws.name = "Personal workspace";
    auto created = s_.store->CreateUserWithWorkspace(new_user, ws, s_.clock->NowMillis());
    if (!created.ok()) {
      if (created.error().code == ErrorCode::kConflict) continue;  // slug taken: try another
      if (created.error().code == ErrorCode::kAlreadyExists) {
        return MakeError(ErrorCode::kAlreadyExists, "an account with this e-mail already exists");
      }
      return created.error();
    }
    const store::User& user = created.value().first;
    if (!invitation_hash.empty()) {
      auto joined = s_.store->AcceptInvitation(invitation_hash, user.id, s_.clock->NowMillis());
      // The account exists either way; an invitation that went away meanwhile (cancelled,
      // expired, used) only means the new user is not in that workspace.
      if (!joined.ok()) {
        log::Warn("invitation not accepted at sign-up", {{"error", joined.error().message}});
      } else {
        AuditEvent e = UserEvent(user.id, "invitation.accepted", "invitation:" + std::to_string(invitation_row->id.value));
        e.tenant = joined->workspace.id;
        e.details_json = "{\"role\":\"" + joined->role + "\"}";
        Audit(s_, e);
      }
    }
    PM_ASSIGN_OR_RETURN(NewSession session, StartSession(user.id));
    PM_ASSIGN_OR_RETURN(AccountView view, View(user));
    Audit(s_, UserEvent(user.id, "auth.signup", "user:" + std::to_string(user.id.value)));
    log::Info("user signed up", {{"user_id", static_cast<long long>(user.id.value)},
                                 {"tenant_id", static_cast<long long>(created.value().second.id.value)}});
    return SignedIn{std::move(view), std::move(session)};
  }
  return MakeError(ErrorCode::kUnavailable, "could not find a free workspace slug; try again");
}

Result<SignedIn> Accounts::LogIn(std::string_view email_raw, std::string_view password, std::string_view totp) {
  auto email = NormalizeEmail(email_raw);
  if (!email.ok() || password.empty() || password.size() > kMaxPasswordBytes) {
    auth::VerifyDummyPassword(password.substr(0, kMaxPasswordBytes));
    return InvalidCredentials();
  }
  // Throttling per e-mail address and client IP (app/login_throttle.h). Unknown addresses are
  // counted too (no account oracle).
  LoginThrottle throttle(s_);
  const std::string& ip = CurrentRequest().ip;
  PM_RETURN_IF_ERROR(throttle.Check(email.value(), ip));
  auto fail = [&]() -> Error {
    throttle.RecordFailure(email.value(), ip);
    return InvalidCredentials();
  };
  auto user = s_.store->FindUserByEmail(email.value());
  if (!user.ok()) {
    if (user.error().code != ErrorCode::kNotFound) return user.error();
    auth::VerifyDummyPassword(password);
    // Never the e-mail address: the record stays pseudonymous.
    AuditEvent e;
    e.action = "auth.login_failed";
    e.actor_kind = "anonymous";
    e.details_json = R"({"reason":"unknown_account"})";
    Audit(s_, e);
    return fail();
  }
  const std::string target = "user:" + std::to_string(user->id.value);
  if (!auth::VerifyPassword(password, user->password_hash)) {
    AuditEvent e = UserEvent(user->id, "auth.login_failed", target);
    e.details_json = R"({"reason":"password"})";
    Audit(s_, e);
    return fail();
  }
  if (user->totp_enabled_at) {
    if (totp.empty()) {
      return MakeError(ErrorCode::kMfaRequired, "enter the code from your authenticator app (or a recovery code)");
    }
    PM_ASSIGN_OR_RETURN(bool second, CheckSecondFactor(user.value(), totp, /*allow_recovery=*/true));
    if (!second) {
      AuditEvent e = UserEvent(user->id, "auth.login_failed", target);
      e.details_json = R"({"reason":"mfa"})";
      Audit(s_, e);
      throttle.RecordFailure(email.value(), ip);
      return MakeError(ErrorCode::kMfaRequired, "the code is wrong or was already used; enter a current one");
    }
  }
  PM_ASSIGN_OR_RETURN(NewSession session, StartSession(user->id));
  PM_ASSIGN_OR_RETURN(AccountView view, View(user.value()));
  Audit(s_, UserEvent(user->id, "auth.login", target));
  return SignedIn{std::move(view), std::move(session)};
}

Result<SignedIn> Accounts::SignInVerified(const store::User& user) {
  PM_ASSIGN_OR_RETURN(NewSession session, StartSession(user.id));
  PM_ASSIGN_OR_RETURN(AccountView view, View(user));
  return SignedIn{std::move(view), std::move(session)};
}

Status Accounts::LogOut(const Principal& principal) {
  if (principal.session_hash.empty()) return Status::Ok();
  PM_RETURN_IF_ERROR(s_.store->DeleteSession(principal.session_hash));
  Audit(s_, UserEvent(principal.user.id, "auth.logout", "user:" + std::to_string(principal.user.id.value)));
  return Status::Ok();
}

Status Accounts::LogOutEverywhere(const Principal& principal) {
  PM_ASSIGN_OR_RETURN(int ended, s_.store->DeleteUserSessions(principal.user.id, std::nullopt));
  AuditEvent e = UserEvent(principal.user.id, "auth.logout_all", "user:" + std::to_string(principal.user.id.value));
  e.details_json = "{\"sessions\":" + std::to_string(ended) + "}";
  Audit(s_, e);
  return Status::Ok();
}

Result<Principal> Accounts::Authenticate(std::string_view token) {
  // Tokens are 43 base64url characters; anything else cannot be ours.
  if (token.empty() || token.size() > 128) {
    return MakeError(ErrorCode::kUnauthenticated, "not signed in");
  }
  auto session = s_.store->FindSession(Sha256Hex(token), s_.clock->NowMillis());
  if (!session.ok()) {
    if (session.error().code == ErrorCode::kNotFound) {
      return MakeError(ErrorCode::kUnauthenticated, "your session has expired or is invalid; sign in again");
    }
    return session.error();
  }
  auto user = s_.store->GetUser(session->user_id);
  if (!user.ok()) {
    if (user.error().code == ErrorCode::kNotFound) return MakeError(ErrorCode::kUnauthenticated, "not signed in");
    return user.error();
  }
  return Principal{std::move(user).value(), session->token_hash, session->csrf_hash};
}

bool Accounts::CheckCsrf(const Principal& principal, std::string_view csrf_token) {
  if (csrf_token.empty() || csrf_token.size() > 128 || principal.csrf_hash.empty()) return false;
  return ConstantTimeEquals(Sha256Hex(csrf_token), principal.csrf_hash);
}

Result<AccountView> Accounts::Me(const Principal& principal) { return View(principal.user); }

Result<TenantContext> Accounts::EnterWorkspace(const Principal& principal, std::string_view slug) {
  auto not_found = [] { return MakeError(ErrorCode::kNotFound, "workspace not found"); };
  if (slug.empty() || slug.size() > 64) return not_found();
  auto membership = s_.store->FindMembership(principal.user.id, slug);
  if (!membership.ok()) {
    if (membership.error().code == ErrorCode::kNotFound) return not_found();
    return membership.error();
  }
  auto role = auth::ParseRole(membership->role);
  if (!role) return MakeError(ErrorCode::kInternal, "unknown role in database: " + membership->role);
  return TenantContext{membership->workspace.id, membership->workspace.slug, principal.user.id, *role,
                       membership->workspace, std::nullopt};
}

Result<Accounts::TokenEntry> Accounts::EnterWorkspaceWithToken(std::string_view authorization,
                                                               std::string_view slug) {
  auto unauthenticated = [](const char* message) { return MakeError(ErrorCode::kUnauthenticated, message); };
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) {
    return unauthenticated("malformed Authorization header: expected \"Bearer pm_...\"");
  }
  std::string scheme(authorization.substr(0, kScheme.size()));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view token = authorization.substr(kScheme.size());
  if (scheme != kScheme || token.empty() || token.find(' ') != std::string_view::npos) {
    return unauthenticated("malformed Authorization header: expected \"Bearer pm_...\"");
  }
  // "pm_" + 43 base64url characters; anything else cannot be one of ours.
  bool well_formed = token.size() == 46 && token.substr(0, 3) == "pm_" &&
                     std::all_of(token.begin() + 3, token.end(), [](unsigned char c) {
                       return std::isalnum(c) || c == '-' || c == '_';
                     });
  if (!well_formed) return unauthenticated("invalid API token");
  auto found = s_.store->FindApiToken(Sha256Hex(token));
  if (!found.ok()) {
    if (found.error().code == ErrorCode::kNotFound) return unauthenticated("invalid or revoked API token");
    return found.error();
  }
  const store::ApiToken& t = found.value();
  const int64_t now = s_.clock->NowMillis();
  if (t.expires_at && *t.expires_at <= now) return unauthenticated("this API token has expired");
  auto user = s_.store->GetUser(t.user_id);
  if (!user.ok()) {
    if (user.error().code == ErrorCode::kNotFound) return unauthenticated("invalid or revoked API token");
    return user.error();
  }
  Principal principal{std::move(user).value(), "", ""};
  PM_ASSIGN_OR_RETURN(TenantContext ctx, EnterWorkspace(principal, slug));
  // A token works only in its own workspace; elsewhere it is as if the workspace did not exist.
  if (ctx.tenant != t.tenant_id) return MakeError(ErrorCode::kNotFound, "workspace not found");
  auto scope = auth::ParseTokenScope(t.scope);
  if (!scope) return MakeError(ErrorCode::kInternal, "unknown token scope in database: " + t.scope);
  ctx.role = auth::EffectiveRole(ctx.role, *scope);
  ctx.token = *scope;
  // At most one write a minute per token: the value read above says whether one is due.
  if (!t.last_used_at || *t.last_used_at < now - kTokenTouchIntervalMs) {
    Status touched = s_.store->TouchApiToken(t.tenant_id, t.id, now, kTokenTouchIntervalMs);
    if (!touched.ok()) log::Warn("could not record API token use", {{"error", touched.error().message}});
  }
  return TokenEntry{std::move(principal), std::move(ctx)};
}

}  // namespace pm::app
