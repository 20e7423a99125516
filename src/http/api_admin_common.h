// What every /api/v1/admin/... route shares: only platform operators get in. Everyone else --
// signed in or not, with a session or an API token -- gets the same 404 as an endpoint that does
// not exist, so the admin API does not advertise itself.
#pragma once

#include <string>

#include "app/services.h"
#include "common/result.h"
#include "http/api.h"
#include "http/router.h"

namespace pm::http {

// kNotFound ("no such endpoint: METHOD PATH") unless `principal` is an operator. With
// `mfa_required` (auth.operator_mfa_required), an operator without TOTP enabled gets
// kMfaSetupRequired (403) telling them to turn it on.
Status CheckOperator(const app::Principal* principal, bool mfa_required, const std::string& method,
                     const std::string& path);

// The calling operator, for the first line of every admin handler. Declare admin routes
// Access::kPublic: this authenticates the pm_session cookie itself (an Authorization header is
// never accepted here), so a missing or expired session is the same 404 as a non-operator rather
// than a 401 that would tell the route exists; on a write it then checks the CSRF token. On an
// Access::kUser route it uses the principal the server already checked.
Result<app::Principal> RequireOperator(const Call& call, const ApiContext& api);

}  // namespace pm::http
