// The permission matrix cannot drift: every tenant route declares a capability, the route table
// and docs/permissions.json list the same routes with the same capabilities, each capability's
// row agrees with auth::Allows / TokenUsable / EffectiveRole, and docs/PERMISSIONS.md holds the
// table generated from docs/permissions.json.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "auth/roles.h"
#include "config/config.h"
#include "http/api.h"
#include "http/router.h"

using namespace pm;
using namespace pm::http;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json Matrix() { return nlohmann::json::parse(ReadFile(std::string(PM_SOURCE_DIR) + "/docs/permissions.json")); }

Router AllRoutes() {
  static config::Config config;
  ApiContext api;
  api.config = &config;
  Router router;
  AddAllRoutes(router, api);  // handlers are never called here
  return router;
}

}  // namespace

TEST_CASE("permissions: every tenant route declares a capability", "[http][permissions]") {
  Router router = AllRoutes();
  int tenant_routes = 0;
  for (const Route& r : router.routes()) {
    if (r.access != Access::kTenant) continue;
    ++tenant_routes;
    INFO(r.method << " " << r.pattern);
    CHECK(r.capability.has_value());
  }
  CHECK(tenant_routes > 0);
}

TEST_CASE("permissions: docs/permissions.json lists exactly the tenant routes with their capabilities",
          "[http][permissions]") {
  Router router = AllRoutes();
  std::map<std::string, std::string> in_code;
  for (const Route& r : router.routes()) {
    if (r.access != Access::kTenant || !r.capability) continue;
    in_code[r.method + " " + r.pattern] = auth::CapabilityName(*r.capability);
  }
  std::map<std::string, std::string> in_docs;
  const nlohmann::json matrix = Matrix();
  for (const auto& r : matrix["routes"]) {
    std::string key = r["method"].get<std::string>() + " " + r["path"].get<std::string>();
    INFO(key);
    CHECK(in_docs.count(key) == 0);
    in_docs[key] = r["capability"].get<std::string>();
  }
  for (const auto& [key, cap] : in_code) {
    INFO("route in the table: " << key);
    REQUIRE(in_docs.count(key) == 1);
    CHECK(in_docs[key] == cap);
  }
  for (const auto& [key, cap] : in_docs) {
    INFO("route in docs/permissions.json: " << key);
    CHECK(in_code.count(key) == 1);
  }
}

TEST_CASE("permissions: each capability's row agrees with auth::", "[http][permissions]") {
  nlohmann::json m = Matrix();
  const std::vector<std::string> actors = m["actors"];
  REQUIRE(actors == std::vector<std::string>{"owner", "admin", "editor", "viewer", "read_token", "write_token"});
  std::set<std::string> seen;
  for (auth::Capability cap : auth::kAllCapabilities) {
    const std::string name = auth::CapabilityName(cap);
    INFO("capability " << name);
    REQUIRE(auth::ParseCapability(name) == cap);
    REQUIRE(m["capabilities"].contains(name));
    seen.insert(name);
    const auto& row = m["capabilities"][name];
    for (auth::Role role : {auth::Role::kOwner, auth::Role::kAdmin, auth::Role::kEditor, auth::Role::kViewer}) {
      INFO("role " << auth::RoleName(role));
      CHECK(row[auth::RoleName(role)].get<bool>() == auth::Allows(role, cap));
    }
    // The matrix's tokens are the owner's.
    for (auto [actor, scope] : {std::pair{"read_token", auth::TokenScope::kRead},
                                std::pair{"write_token", auth::TokenScope::kWrite}}) {
      INFO("actor " << actor);
      bool allowed = auth::TokenUsable(cap) && auth::Allows(auth::EffectiveRole(auth::Role::kOwner, scope), cap);
      CHECK(row[actor].get<bool>() == allowed);
    }
  }
  CHECK(seen.size() == m["capabilities"].size());
}

TEST_CASE("permissions: a token never exceeds its user's role", "[http][permissions]") {
  using auth::Role;
  using auth::TokenScope;
  CHECK(auth::EffectiveRole(Role::kViewer, TokenScope::kWrite) == Role::kViewer);
  CHECK(auth::EffectiveRole(Role::kEditor, TokenScope::kWrite) == Role::kEditor);
  CHECK(auth::EffectiveRole(Role::kAdmin, TokenScope::kWrite) == Role::kEditor);
  CHECK(auth::EffectiveRole(Role::kOwner, TokenScope::kRead) == Role::kViewer);
}

TEST_CASE("permissions: docs/PERMISSIONS.md holds the table generated from docs/permissions.json",
          "[http][permissions]") {
  nlohmann::json m = Matrix();
  std::string table =
      "| Method | Path | Capability | owner | admin | editor | viewer | read token | write token | non-member |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : m["routes"]) {
    const std::string cap = r["capability"];
    table += "| " + r["method"].get<std::string>() + " | `" + r["path"].get<std::string>() + "` | " + cap + " |";
    for (const auto& actor : m["actors"]) {
      table += m["capabilities"][cap][actor.get<std::string>()].get<bool>() ? " yes |" : " 403 |";
    }
    table += " 404 |\n";
  }
  std::string doc = ReadFile(std::string(PM_SOURCE_DIR) + "/docs/PERMISSIONS.md");
  INFO("expected in docs/PERMISSIONS.md:\n" << table);
  CHECK(doc.find(table) != std::string::npos);
}
