// Accounts: password change and reset, TOTP, and erasure (the account-security half of
// accounts.h; sign-up, log-in and sessions are in accounts.cc).
#include "app/accounts.h"
#include "app/audit.h"
#include "app/login_throttle.h"
#include "auth/password.h"
#include "common/crypto.h"
#include "common/log.h"

namespace pm::app {
namespace {

constexpr size_t kMaxPasswordBytes = 1024;

std::string UserTarget(UserId id) { return "user:" + std::to_string(id.value); }

}  // namespace

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

}  // namespace pm::app
