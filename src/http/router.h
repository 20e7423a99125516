// The route table: {method, path pattern, access, handler, summary}. Patterns are '/'-separated
// with {name} segments. Matching is by segments (no regex), so it stays cheap on the hot path.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/services.h"
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

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kPublic;
  Handler handler;
  std::string summary;
  bool csrf_exempt = false;  // sign-up and log-in only
};

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
