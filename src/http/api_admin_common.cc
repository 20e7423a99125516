#include "http/api_admin_common.h"

#include "app/accounts.h"

namespace pm::http {

Status CheckOperator(const app::Principal* principal, bool mfa_required, const std::string& method,
                     const std::string& path) {
  // The router's own words for a path it does not know.
  if (principal == nullptr || !principal->user.is_operator) {
    return MakeError(ErrorCode::kNotFound, "no such endpoint: " + method + " " + path);
  }
  if (mfa_required && !principal->user.totp_enabled_at) {
    return MakeError(ErrorCode::kMfaSetupRequired,
                     "operators must turn on two-factor authentication (TOTP) before using the admin API");
  }
  return Status::Ok();
}

Result<app::Principal> RequireOperator(const Call& call, const ApiContext& api) {
  const std::string& method = call.ex.method();
  const std::string& path = call.ex.path();
  if (call.principal != nullptr) {
    PM_RETURN_IF_ERROR(CheckOperator(call.principal, api.operator_mfa_required, method, path));
    return *call.principal;
  }
  std::optional<app::Principal> principal;
  const std::string token = call.ex.Cookie("pm_session");
  if (!token.empty() && !call.ex.HasHeader("Authorization")) {
    auto authenticated = api.accounts->Authenticate(token);
    if (authenticated.ok()) {
      principal = std::move(authenticated).value();
    } else if (authenticated.error().code != ErrorCode::kUnauthenticated) {
      return authenticated.error();  // the database is down: say so, not "not found"
    }
  }
  PM_RETURN_IF_ERROR(CheckOperator(principal ? &*principal : nullptr, api.operator_mfa_required, method, path));
  const bool safe = method == "GET" || method == "HEAD" || method == "OPTIONS";
  if (!safe && !app::Accounts::CheckCsrf(*principal, call.ex.Header("X-CSRF-Token"))) {
    return MakeError(ErrorCode::kCsrfFailed, "missing or wrong X-CSRF-Token header");
  }
  return std::move(*principal);
}

}  // namespace pm::http
