// Who may read /metrics (http/http_metrics.h): allowed networks, or the bearer token; nobody when
// metrics are disabled.
#include <catch2/catch.hpp>

#include "http/http_metrics.h"

namespace pm::http {
namespace {

MetricsAccess Access(bool enabled, std::string networks, std::string token) {
  config::MetricsConfig c;
  c.enabled = enabled;
  c.allow_networks = std::move(networks);
  c.token = std::move(token);
  auto a = MetricsAccess::FromConfig(c);
  REQUIRE(a.ok());
  return *a;
}

TEST_CASE("the default config admits loopback only") {
  MetricsAccess a = Access(true, config::MetricsConfig{}.allow_networks, "");
  CHECK(a.Allows("127.0.0.1", ""));
  CHECK(a.Allows("::1", ""));
  CHECK(a.Allows("::ffff:127.0.0.1", ""));
  CHECK_FALSE(a.Allows("10.0.0.1", ""));
  CHECK_FALSE(a.Allows("203.0.113.9", "Bearer anything"));  // no token configured: none works
  CHECK_FALSE(a.Allows("203.0.113.9", "Bearer "));
}

TEST_CASE("the token opens it from anywhere, exactly and only as a Bearer token") {
  MetricsAccess a = Access(true, "192.0.2.0/24", "s3cret");
  CHECK(a.Allows("192.0.2.1", ""));
  CHECK_FALSE(a.Allows("127.0.0.1", ""));
  CHECK(a.Allows("203.0.113.9", "Bearer s3cret"));
  CHECK_FALSE(a.Allows("203.0.113.9", "Bearer s3cre"));
  CHECK_FALSE(a.Allows("203.0.113.9", "Bearer s3cret2"));
  CHECK_FALSE(a.Allows("203.0.113.9", "Bearer S3CRET"));
  CHECK_FALSE(a.Allows("203.0.113.9", "bearer s3cret"));
  CHECK_FALSE(a.Allows("203.0.113.9", "s3cret"));
  CHECK_FALSE(a.Allows("203.0.113.9", "Basic s3cret"));
}

TEST_CASE("disabled: nobody, not even loopback with the token") {
  MetricsAccess a = Access(false, "127.0.0.0/8", "s3cret");
  CHECK_FALSE(a.enabled());
  CHECK_FALSE(a.Allows("127.0.0.1", "Bearer s3cret"));
}

TEST_CASE("an unparsable network list is refused naming the key") {
  config::MetricsConfig c;
  c.allow_networks = "10.0.0.0/8,example.com";
  auto a = MetricsAccess::FromConfig(c);
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().message.find("metrics.allow_networks") != std::string::npos);
}

}  // namespace
}  // namespace pm::http
