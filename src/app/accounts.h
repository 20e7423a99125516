// Accounts use cases: sign-up, log-in, log-out, session authentication, the tenant gate.
// Thread-safe (stateless beyond Services). No HTTP types: tokens go in and out as strings.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/services.h"
#include "common/result.h"

namespace pm::app {

struct AccountView {
  store::User user;
  std::vector<store::Membership> memberships;
};

// A fresh session: the raw tokens go to the client once; only their hashes are stored.
struct NewSession {
  std::string token;
  std::string csrf_token;
  int64_t expires_at = 0;  // Unix ms
};

struct SignedIn {
  AccountView account;
  NewSession session;
};

class BackgroundQueue;

class Accounts {
 public:
  explicit Accounts(Services services);
  ~Accounts();
  Accounts(const Accounts&) = delete;
  Accounts& operator=(const Accounts&) = delete;

  // kInvalidArgument (bad e-mail/password/name), kAlreadyExists (e-mail taken),
  // kPermissionDenied (auth.signup "closed"; "invite" without an invitation). Creates the user, a
  // personal workspace (owner) and a session. With an `invitation` token the new account also
  // joins that workspace (the e-mail must be the invited one: kPermissionDenied;
  // unknown/used/expired: kNotFound); that is the only way in when auth.signup is "invite".
  Result<SignedIn> SignUp(std::string_view email, std::string_view password, std::string_view name,
                          std::string_view invitation = {});
  // kUnauthenticated for an unknown e-mail or wrong password (same message, same time). With TOTP
  // enabled the right password also needs `totp`: a current code or an unused recovery code
  // (then used up); without one, or with a wrong one, kMfaRequired (a wrong one counts as a
  // failed log-in). kRateLimited while the e-mail address or client IP is locked.
  Result<SignedIn> LogIn(std::string_view email, std::string_view password, std::string_view totp = {});
  Status LogOut(const Principal& principal);
  // Starts a session for a user another use case has just verified (the operator setup link),
  // exactly as log-in does once the password was checked.
  Result<SignedIn> SignInVerified(const store::User& user);
  // Ends every session of the principal's user, this one included.
  Status LogOutEverywhere(const Principal& principal);

  // kUnauthenticated when the token is unknown or expired.
  Result<Principal> Authenticate(std::string_view session_token);
  // True when `csrf_token` is the one issued with the principal's session.
  static bool CheckCsrf(const Principal& principal, std::string_view csrf_token);

  Result<AccountView> Me(const Principal& principal);

  // --- Account security (account_security.cc) ---
  // Needs the current password (wrong: kPermissionDenied, counted as a failed log-in by the
  // throttle, so kRateLimited once locked); the new one is checked like at sign-up
  // (kInvalidArgument). Every other session of the user ends; this one stays.
  Status ChangePassword(const Principal& principal, std::string_view current_password,
                        std::string_view new_password);

  // Password reset, step 1. Ok for any well-formed e-mail address, known or not (no account
  // oracle); kInvalidArgument for a malformed one; kRateLimited past auth.login_max_failures
  // requests per address or auth.login_ip_max_failures per client IP in auth.login_window_s.
  // The token and the e-mail are made in the background (IssuePasswordReset), so the answer
  // takes the same time either way.
  Status RequestPasswordReset(std::string_view email);
  // The background half: for an existing account a single-use token, valid
  // auth.reset_ttl_minutes, stored as SHA-256, and an e-mail (app/mailer.h) with the link
  // {PublicUrl()}/reset?token=...; nothing for an unknown address.
  Status IssuePasswordReset(const std::string& normalized_email);
  // Step 2: sets the password of the token's own account, uses the token up and ends every
  // session of that account. kInvalidArgument for a bad new password, and (one message) for an
  // unknown, used or expired token.
  Status ConfirmPasswordReset(std::string_view token, std::string_view new_password);
  // TOTP second factor. Setup makes a new secret (not active yet; kConflict when TOTP is already
  // enabled); Enable activates it with a current code and returns 10 recovery codes, shown once
  // (stored as SHA-256). Disable needs the password and a code (TOTP or recovery); regenerating
  // recovery codes needs a TOTP code. Wrong password or code: kPermissionDenied, counted by the
  // log-in throttle. kConflict when TOTP is not in the state the call needs.
  struct TotpSetup {
    std::string secret;
    std::string otpauth_uri;
  };
  Result<TotpSetup> SetupTotp(const Principal& principal);
  Result<std::vector<std::string>> EnableTotp(const Principal& principal, std::string_view code);
  Status DisableTotp(const Principal& principal, std::string_view password, std::string_view code);
  Result<std::vector<std::string>> RegenerateRecoveryCodes(const Principal& principal, std::string_view code);

  // Erasure of the principal's account. Needs the password (wrong: kPermissionDenied, throttled)
  // and, with TOTP on, `totp` (missing or wrong: kMfaRequired). kConflict naming the workspaces
  // while the user owns one that has other members (transfer ownership first). Otherwise every
  // workspace they own (personal, empty team ones) is purged -- objects, then rows
  // (app::PurgeWorkspace) -- and the user row deleted, taking sessions, memberships, API tokens,
  // recovery codes and reset tokens with it. The audit log keeps "account.deleted" under the
  // old user id only.
  Status DeleteAccount(const Principal& principal, std::string_view password, std::string_view totp);

  // Waits until background work posted so far is done.
  void DrainBackgroundForTest();

  // The tenant gate: kNotFound unless the workspace exists and the principal is a member.
  Result<TenantContext> EnterWorkspace(const Principal& principal, std::string_view slug);

  // API tokens: the value of an Authorization header ("Bearer pm_...") for workspace `slug`.
  // kUnauthenticated for a malformed header, an unknown/revoked or expired token; kNotFound when
  // the token belongs to another workspace (exactly as the tenant gate). The context's role is
  // the effective one (min of the member's role and the token's scope). last_used_at is written
  // at most once a minute per token.
  struct TokenEntry {
    Principal principal;
    TenantContext tenant;
  };
  Result<TokenEntry> EnterWorkspaceWithToken(std::string_view authorization, std::string_view slug);

 private:
  Result<NewSession> StartSession(UserId user);
  // kInvalidArgument naming `field` unless auth.min_password_length..1024 bytes.
  Status CheckNewPassword(std::string_view password, std::string_view field) const;
  // True when `code` is a current TOTP code of `user` not used before (the step is recorded), or
  // (with allow_recovery) one of their unused recovery codes (then used up; audited).
  Result<bool> CheckSecondFactor(const store::User& user, std::string_view code, bool allow_recovery);
  Result<std::vector<std::string>> NewRecoveryCodes(std::vector<std::string>* hashes);
  Result<AccountView> View(const store::User& user);

  Services s_;
  std::unique_ptr<BackgroundQueue> background_;
};

// Exposed for tests.
Result<std::string> NormalizeEmail(std::string_view email);
std::string SlugFromEmail(std::string_view normalized_email);

}  // namespace pm::app
