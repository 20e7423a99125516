// The route table: {method, path pattern, access, handler, summary}. Patterns are '/'-separated
// with {name} segments. Matching is by segments (no regex), so it stays cheap on the hot path.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/services.h"
#include "auth/roles.h"
#include "common/result.h"
#include "http/exchange.h"

namespace pm::http {

enum class Access {
  kPublic,  // no credentials needed
  kUser,    // a signed-in user
  kTenant,  // a signed-in member of the {ws} workspace (the tenant gate runs before the handler)
};

struct Call {
  Exchange& ex;
  const app::Principal* principal = nullptr;  // set for kUser and kTenant
  const app::TenantContext* tenant = nullptr; // set for kTenant
};

using Handler = std::function<Status(Call&)>;

// Tenant routes declare the capability they need; the server checks it centrally after the
// tenant gate (the role, or for an API token the effective role and whether tokens may be used at
// all: auth::TokenUsable). A tenant route without one is refused (500) and fails a unit test.
// docs/PERMISSIONS.md / docs/permissions.json list every tenant route with its capability.
struct Route {
  Route(std::string m, std::string p, Access a, Handler h, std::string s, bool exempt = false,
        std::optional<auth::Capability> cap = std::nullopt)
      : method(std::move(m)),
        pattern(std::move(p)),
        access(a),
        handler(std::move(h)),
        summary(std::move(s)),
        csrf_exempt(exempt),
        capability(cap) {}

  std::string method;
  std::string pattern;
  Access access = Access::kPublic;
  Handler handler;
  std::string summary;
  bool csrf_exempt = false;  // sign-up and log-in only
  std::optional<auth::Capability> capability;  // required for kTenant
};

// A kTenant route needing `capability`.
inline Route TenantRoute(std::string method, std::string pattern, auth::Capability capability, Handler handler,
                         std::string summary) {
  return Route{std::move(method), std::move(pattern), Access::kTenant, std::move(handler), std::move(summary),
               false, capability};
}

class Router {
 public:
  void Add(Route route);

  struct Match {
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    bool path_matched = false;  // some route has this path, with another method (405)
  };
  Match Find(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // "{x}" marks a parameter
  };
  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

}  // namespace pm::http
