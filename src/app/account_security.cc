// Accounts: password change and reset, TOTP, and erasure (the account-security half of
// accounts.h; sign-up, log-in and sessions are in accounts.cc).
#include "app/accounts.h"

#include <algorithm>
#include <cctype>

#include "app/audit.h"
#include "app/background.h"
#include "app/mailer.h"
#include "app/login_throttle.h"
#include "app/purge.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "common/crypto.h"
#include "common/log.h"

namespace pm::app {
namespace {

constexpr size_t kMaxPasswordBytes = 1024;

std::string UserTarget(UserId id) { return "user:" + std::to_string(id.value); }

}  // namespace

// --- Passwords -------------------------------------------------------------------------------

Status Accounts::ChangePassword(const Principal& principal, std::string_view current_password,
                                std::string_view new_password) {
  PM_RETURN_IF_ERROR(CheckNewPassword(new_password, "new_password"));
  LoginThrottle throttle(s_);
  const std::string& ip = CurrentRequest().ip;
  PM_RETURN_IF_ERROR(throttle.Check(principal.user.email, ip));
  if (current_password.empty() || current_password.size() > kMaxPasswordBytes ||
      !auth::VerifyPassword(current_password, principal.user.password_hash)) {
    throttle.RecordFailure(principal.user.email, ip);
    return MakeError(ErrorCode::kPermissionDenied, "the current password is wrong");
  }
  PM_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(new_password));
  PM_RETURN_IF_ERROR(s_.store->SetPasswordHash(principal.user.id, hash, principal.session_hash));
  Audit(s_, UserEvent(principal.user.id, "auth.password_changed", UserTarget(principal.user.id)));
  return Status::Ok();
}

Status Accounts::RequestPasswordReset(std::string_view email_raw) {
  PM_ASSIGN_OR_RETURN(std::string email, NormalizeEmail(email_raw));
  // Limits on requests (not only failures): each one may send an e-mail.
  const int64_t now = s_.clock->NowMillis();
  const int64_t window_ms = int64_t{s_.config->auth.login_window_s} * 1000;
  const int64_t window_start = now - now % window_ms;
  const std::string& ip = CurrentRequest().ip;
  struct Key {
    std::string name;
    int max;
  };
  std::vector<Key> keys = {{"reset:" + email, s_.config->auth.login_max_failures}};
  if (!ip.empty()) keys.push_back({"reset-ip:" + ip, s_.config->auth.login_ip_max_failures});
  for (const Key& k : keys) {
    PM_ASSIGN_OR_RETURN(int64_t n, s_.store->IncrementCounter(k.name, window_start, window_start + window_ms));
    if (n > k.max) {
      Error e = MakeError(ErrorCode::kRateLimited, "too many password reset requests; try again later");
      e.retry_after_s = (window_start + window_ms - now + 999) / 1000;
      return e;
    }
  }
  RequestMeta meta = CurrentRequest();
  background_->Post([this, email, meta] {
    ScopedRequest scoped(meta);  // the audit record names the request that asked
    Status st = IssuePasswordReset(email);
    if (!st.ok()) log::Error("password reset not issued", {{"error", st.error().message}});
  });
  return Status::Ok();
}

Status Accounts::IssuePasswordReset(const std::string& email) {
  auto user = s_.store->FindUserByEmail(email);
  if (!user.ok()) {
    if (user.error().code == ErrorCode::kNotFound) return Status::Ok();
    return user.error();
  }
  const int64_t now = s_.clock->NowMillis();
  const int64_t ttl_ms = int64_t{s_.config->auth.reset_ttl_minutes} * 60 * 1000;
  std::string token = RandomToken(32);
  PM_RETURN_IF_ERROR(s_.store->CreatePasswordReset(user->id, Sha256Hex(token), now, now + ttl_ms));
  std::string link = s_.config->PublicUrl() + "/reset?token=" + token;
  std::string body =
      "Someone (hopefully you) asked to reset the password of your Palette Maker account.\n\n"
      "Choose a new password here:\n\n  " + link + "\n\n"
      "The link works once and expires in " + std::to_string(s_.config->auth.reset_ttl_minutes) +
      " minutes. If you did not ask for this, ignore this e-mail: your password stays as it is.\n";
  Mailer mailer(s_);
  PM_ASSIGN_OR_RETURN(store::OutboxMessage sent, mailer.Send(email, "Reset your Palette Maker password", body));
  AuditEvent e = UserEvent(user->id, "auth.password_reset_requested", UserTarget(user->id));
  e.details_json = "{\"outbox_id\":" + std::to_string(sent.id) + "}";
  Audit(s_, e);
  return Status::Ok();
}

Status Accounts::ConfirmPasswordReset(std::string_view token, std::string_view new_password) {
  PM_RETURN_IF_ERROR(CheckNewPassword(new_password, "new_password"));
  auto invalid = [] {
    return MakeError(ErrorCode::kInvalidArgument, "this reset link is invalid or has expired; ask for a new one");
  };
  if (token.empty() || token.size() > 128) return invalid();
  PM_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(new_password));
  auto user = s_.store->ConsumePasswordReset(Sha256Hex(token), hash, s_.clock->NowMillis());
  if (!user.ok()) {
    if (user.error().code == ErrorCode::kNotFound) return invalid();
    return user.error();
  }
  Audit(s_, UserEvent(user.value(), "auth.password_reset", UserTarget(user.value())));
  return Status::Ok();
}

// --- TOTP ------------------------------------------------------------------------------------

namespace {

constexpr int kRecoveryCodes = 10;
constexpr const char* kIssuer = "Palette Maker";

// Recovery codes are compared without case, spaces or dashes.
std::string NormalizeRecoveryCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

Error WrongCode() {
  return MakeError(ErrorCode::kPermissionDenied, "the code is wrong or was already used; enter a current one");
}

}  // namespace

Result<bool> Accounts::CheckSecondFactor(const store::User& user, std::string_view code, bool allow_recovery) {
  if (code.empty() || code.size() > 64 || user.totp_secret.empty()) return false;
  auto key = auth::Base32Decode(user.totp_secret);
  if (!key) return MakeError(ErrorCode::kInternal, "stored TOTP secret is not base32");
  if (auto step = auth::MatchTotp(*key, code, s_.clock->NowMillis() / 1000)) {
    return s_.store->AdvanceTotpStep(user.id, *step);  // false: a replayed code
  }
  if (!allow_recovery) return false;
  PM_ASSIGN_OR_RETURN(bool used, s_.store->UseRecoveryCode(user.id, Sha256Hex(NormalizeRecoveryCode(code)),
                                                           s_.clock->NowMillis()));
  if (used) {
    PM_ASSIGN_OR_RETURN(int left, s_.store->CountRecoveryCodes(user.id));
    AuditEvent e = UserEvent(user.id, "auth.recovery_code_used", UserTarget(user.id));
    e.details_json = "{\"remaining\":" + std::to_string(left) + "}";
    Audit(s_, e);
  }
  return used;
}

Result<std::vector<std::string>> Accounts::NewRecoveryCodes(std::vector<std::string>* hashes) {
  std::vector<std::string> codes;
  for (int i = 0; i < kRecoveryCodes; ++i) {
    // 10 base32 characters (50 bits), shown as xxxxx-xxxxx.
    std::string raw = auth::Base32Encode(RandomToken(8), false).substr(0, 10);
    std::string shown = raw.substr(0, 5) + "-" + raw.substr(5);
    std::transform(shown.begin(), shown.end(), shown.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    hashes->push_back(Sha256Hex(NormalizeRecoveryCode(shown)));
    codes.push_back(std::move(shown));
  }
  return codes;
}

Result<Accounts::TotpSetup> Accounts::SetupTotp(const Principal& principal) {
  if (principal.user.totp_enabled_at) {
    return MakeError(ErrorCode::kConflict, "two-factor authentication is already enabled; disable it first");
  }
  TotpSetup out;
  out.secret = auth::NewTotpSecret();
  out.otpauth_uri = auth::OtpauthUri(kIssuer, principal.user.email, out.secret);
  PM_RETURN_IF_ERROR(s_.store->SetTotpSecret(principal.user.id, out.secret));
  return out;
}

Result<std::vector<std::string>> Accounts::EnableTotp(const Principal& principal, std::string_view code) {
  const store::User& user = principal.user;
  if (user.totp_enabled_at) {
    return MakeError(ErrorCode::kConflict, "two-factor authentication is already enabled");
  }
  if (user.totp_secret.empty()) {
    return MakeError(ErrorCode::kConflict, "start with POST /api/v1/me/mfa/totp/setup");
  }
  auto key = auth::Base32Decode(user.totp_secret);
  if (!key) return MakeError(ErrorCode::kInternal, "stored TOTP secret is not base32");
  auto step = auth::MatchTotp(*key, code, s_.clock->NowMillis() / 1000);
  if (!step) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "the code is wrong; check that the authenticator app's clock is right");
  }
  std::vector<std::string> hashes;
  PM_ASSIGN_OR_RETURN(auto codes, NewRecoveryCodes(&hashes));
  PM_RETURN_IF_ERROR(s_.store->EnableTotp(user.id, *step, s_.clock->NowMillis(), hashes));
  Audit(s_, UserEvent(user.id, "mfa.enabled", UserTarget(user.id)));
  return codes;
}

Status Accounts::DisableTotp(const Principal& principal, std::string_view password, std::string_view code) {
  const store::User& user = principal.user;
  if (!user.totp_enabled_at) return MakeError(ErrorCode::kConflict, "two-factor authentication is not enabled");
  LoginThrottle throttle(s_);
  const std::string& ip = CurrentRequest().ip;
  PM_RETURN_IF_ERROR(throttle.Check(user.email, ip));
  if (password.empty() || password.size() > kMaxPasswordBytes || !auth::VerifyPassword(password, user.password_hash)) {
    throttle.RecordFailure(user.email, ip);
    return MakeError(ErrorCode::kPermissionDenied, "the password is wrong");
  }
  PM_ASSIGN_OR_RETURN(bool ok, CheckSecondFactor(user, code, /*allow_recovery=*/true));
  if (!ok) {
    throttle.RecordFailure(user.email, ip);
    return WrongCode();
  }
  PM_RETURN_IF_ERROR(s_.store->DisableTotp(user.id));
  Audit(s_, UserEvent(user.id, "mfa.disabled", UserTarget(user.id)));
  return Status::Ok();
}

Result<std::vector<std::string>> Accounts::RegenerateRecoveryCodes(const Principal& principal, std::string_view code) {
  const store::User& user = principal.user;
  if (!user.totp_enabled_at) return MakeError(ErrorCode::kConflict, "two-factor authentication is not enabled");
  LoginThrottle throttle(s_);
  const std::string& ip = CurrentRequest().ip;
  PM_RETURN_IF_ERROR(throttle.Check(user.email, ip));
  PM_ASSIGN_OR_RETURN(bool ok, CheckSecondFactor(user, code, /*allow_recovery=*/false));
  if (!ok) {
    throttle.RecordFailure(user.email, ip);
    return WrongCode();
  }
  std::vector<std::string> hashes;
  PM_ASSIGN_OR_RETURN(auto codes, NewRecoveryCodes(&hashes));
  PM_RETURN_IF_ERROR(s_.store->ReplaceRecoveryCodes(user.id, hashes));
  Audit(s_, UserEvent(user.id, "mfa.recovery_codes_regenerated", UserTarget(user.id)));
  return codes;
}

// --- Erasure ---------------------------------------------------------------------------------

Status Accounts::DeleteAccount(const Principal& principal, std::string_view password, std::string_view totp) {
  const store::User& user = principal.user;
  LoginThrottle throttle(s_);
  const std::string& ip = CurrentRequest().ip;
  PM_RETURN_IF_ERROR(throttle.Check(user.email, ip));
  if (password.empty() || password.size() > kMaxPasswordBytes || !auth::VerifyPassword(password, user.password_hash)) {
    throttle.RecordFailure(user.email, ip);
    return MakeError(ErrorCode::kPermissionDenied, "the password is wrong");
  }
  if (user.totp_enabled_at) {
    if (totp.empty()) return MakeError(ErrorCode::kMfaRequired, "enter the code from your authenticator app (or a recovery code)");
    PM_ASSIGN_OR_RETURN(bool ok, CheckSecondFactor(user, totp, /*allow_recovery=*/true));
    if (!ok) {
      throttle.RecordFailure(user.email, ip);
      return MakeError(ErrorCode::kMfaRequired, "the code is wrong or was already used; enter a current one");
    }
  }
  // Which workspaces go with the account, and which block it.
  PM_ASSIGN_OR_RETURN(auto memberships, s_.store->ListMemberships(user.id));
  std::vector<TenantId> purge;
  std::string blocking;
  for (const store::Membership& m : memberships) {
    if (m.role != "owner") continue;
    PM_ASSIGN_OR_RETURN(auto members, s_.store->ListMembers(m.workspace.id));
    if (members.size() > 1) {
      if (!blocking.empty()) blocking += ", ";
      blocking += "\"" + m.workspace.name + "\" (" + m.workspace.slug + ")";
    } else {
      purge.push_back(m.workspace.id);
    }
  }
  if (!blocking.empty()) {
    return MakeError(ErrorCode::kConflict,
                     "you are the only owner of " + blocking +
                         ", which has other members: transfer ownership to another member (or remove them) "
                         "before deleting your account");
  }
  int purged = 0;
  for (TenantId t : purge) {
    auto report = PurgeWorkspace(s_, t);
    if (!report.ok() && report.error().code != ErrorCode::kNotFound) return report.error();
    ++purged;
  }
  PM_RETURN_IF_ERROR(s_.store->DeleteUser(user.id));
  AuditEvent e = UserEvent(user.id, "account.deleted", UserTarget(user.id));
  e.details_json = "{\"workspaces_purged\":" + std::to_string(purged) + "}";
  Audit(s_, e);
  log::Info("account deleted", {{"user_id", static_cast<long long>(user.id.value)}, {"workspaces_purged", purged}});
  return Status::Ok();
}

}  // namespace pm::app
