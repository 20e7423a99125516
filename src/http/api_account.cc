// Account security endpoints: password change, password reset, TOTP, deleting one's account.
#include "app/accounts.h"
#include "http/api.h"
#include "http/json_io.h"

namespace pm::http {
namespace {

// Reads a JSON object with exactly these string fields allowed; `required` must be present.
Result<nlohmann::json> ReadBody(Call& call, const config::Config& config,
                                std::initializer_list<const char*> allowed) {
  PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, config.server.max_json_bytes));
  PM_RETURN_IF_ERROR(RejectUnknownFields(body, allowed));
  return body;
}

Result<std::string> Required(const nlohmann::json& body, const char* key) {
  PM_ASSIGN_OR_RETURN(auto v, StringField(body, key, true));
  return v.value_or(std::string());
}

}  // namespace

void AddAccountSecurityRoutes(Router& router, const ApiContext& api) {
  const config::Config& config = *api.config;
  router.Add({"POST", "/api/v1/me/password", Access::kUser,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadBody(call, config, {"current_password", "new_password"}));
                PM_ASSIGN_OR_RETURN(std::string current, Required(body, "current_password"));
                PM_ASSIGN_OR_RETURN(std::string next, Required(body, "new_password"));
                PM_RETURN_IF_ERROR(api.accounts->ChangePassword(*call.principal, current, next));
                call.ex.SetStatus(204);
                return Status::Ok();
              },
              "Change the password (the current one is required); every other session ends."});
  router.Add({"POST", "/api/v1/auth/password-reset", Access::kPublic,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadBody(call, config, {"email"}));
                PM_ASSIGN_OR_RETURN(std::string email, Required(body, "email"));
                PM_RETURN_IF_ERROR(api.accounts->RequestPasswordReset(email));
                // The same answer whether or not the account exists.
                SendJson(call.ex, 202,
                         {{"status", "accepted"},
                          {"message", "if an account with this e-mail address exists, a reset link is on its way"}});
                return Status::Ok();
              },
              "Ask for a password reset link by e-mail (same answer whether or not the account exists)."});
  router.Add({"POST", "/api/v1/auth/password-reset/confirm", Access::kPublic,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadBody(call, config, {"token", "new_password"}));
                PM_ASSIGN_OR_RETURN(std::string token, Required(body, "token"));
                PM_ASSIGN_OR_RETURN(std::string next, Required(body, "new_password"));
                PM_RETURN_IF_ERROR(api.accounts->ConfirmPasswordReset(token, next));
                call.ex.SetStatus(204);
                return Status::Ok();
              },
              "Set a new password with a reset token; every session of that account ends."});
  router.Add({"DELETE", "/api/v1/me", Access::kUser,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadBody(call, config, {"password", "totp"}));
                PM_ASSIGN_OR_RETURN(std::string password, Required(body, "password"));
                PM_ASSIGN_OR_RETURN(auto totp, StringField(body, "totp", false));
                PM_RETURN_IF_ERROR(api.accounts->DeleteAccount(*call.principal, password, totp.value_or(std::string())));
                ClearSessionCookies(call.ex, config);
                call.ex.SetStatus(204);
                return Status::Ok();
              },
              "Delete my account: its sessions, tokens, memberships and the workspaces only it belongs to."});
  router.Add({"POST", "/api/v1/me/mfa/totp/setup", Access::kUser,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, config.server.max_json_bytes, /*allow_empty=*/true));
                PM_RETURN_IF_ERROR(RejectUnknownFields(body, {}));
                PM_ASSIGN_OR_RETURN(auto setup, api.accounts->SetupTotp(*call.principal));
                SendJson(call.ex, 200, {{"secret", setup.secret}, {"otpauth_uri", setup.otpauth_uri}});
                return Status::Ok();
              },
              "Start TOTP enrolment: a new secret and its otpauth:// URI (not active until enabled)."});
  router.Add({"POST", "/api/v1/me/mfa/totp/enable", Access::kUser,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadBody(call, config, {"code"}));
                PM_ASSIGN_OR_RETURN(std::string code, Required(body, "code"));
                PM_ASSIGN_OR_RETURN(auto codes, api.accounts->EnableTotp(*call.principal, code));
                SendJson(call.ex, 200, {{"recovery_codes", codes}});
                return Status::Ok();
              },
              "Turn TOTP on with a current code; returns 10 recovery codes, shown once."});
  router.Add({"POST", "/api/v1/me/mfa/totp/disable", Access::kUser,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadBody(call, config, {"password", "code"}));
                PM_ASSIGN_OR_RETURN(std::string password, Required(body, "password"));
                PM_ASSIGN_OR_RETURN(std::string code, Required(body, "code"));
                PM_RETURN_IF_ERROR(api.accounts->DisableTotp(*call.principal, password, code));
                call.ex.SetStatus(204);
                return Status::Ok();
              },
              "Turn TOTP off (password and a TOTP or recovery code required)."});
  router.Add({"POST", "/api/v1/me/mfa/recovery-codes", Access::kUser,
              [api, &config](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadBody(call, config, {"code"}));
                PM_ASSIGN_OR_RETURN(std::string code, Required(body, "code"));
                PM_ASSIGN_OR_RETURN(auto codes, api.accounts->RegenerateRecoveryCodes(*call.principal, code));
                SendJson(call.ex, 200, {{"recovery_codes", codes}});
                return Status::Ok();
              },
              "Replace the recovery codes (a current TOTP code required); returns 10 new ones, shown once."});
}

}  // namespace pm::http
