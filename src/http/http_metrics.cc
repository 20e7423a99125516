#include "http/http_metrics.h"

#include <chrono>
#include <cstdio>

#include "common/crypto.h"

#ifndef PM_VERSION
#define PM_VERSION "unknown"
#endif

namespace pm::http {
namespace {

std::string_view MethodLabel(std::string_view m) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (m == known) return known;
  }
  return "other";
}

std::string_view StatusClass(int status) {
  if (status >= 500) return "5xx";
  if (status >= 400) return "4xx";
  if (status >= 300) return "3xx";
  if (status >= 200) return "2xx";
  return "1xx";
}

}  // namespace

HttpMetrics::HttpMetrics()
    : requests_(metrics::Default().Counter("palettemaker_http_requests_total",
                                           "HTTP requests by route pattern, method and status.",
                                           {"route", "method", "status"})),
      durations_(metrics::Default().Histogram("palettemaker_http_request_duration_seconds",
                                              "HTTP request duration (until the response is written) by route "
                                              "pattern, method and status class.",
                                              {"route", "method", "status_class"}, metrics::LatencyBuckets())),
      in_flight_(metrics::Default()
                     .Gauge("palettemaker_http_requests_in_flight", "HTTP requests being served right now.")
                     .With({})),
      ready_(metrics::Default()
                 .Gauge("palettemaker_ready",
                        "1 when this replica is ready (what /readyz answers with 200): database and object store "
                        "answer and it is not draining; 0 otherwise. Updated at every scrape.")
                 .With({})),
      draining_(metrics::Default()
                    .Gauge("palettemaker_draining", "1 while this replica drains before shutting down.")
                    .With({})) {
  metrics::Default()
      .Gauge("palettemaker_build_info", "Always 1; the version label names the running build.", {"version"})
      .With({PM_VERSION})
      .Set(1);
  auto& start = metrics::Default()
                    .Gauge("palettemaker_process_start_time_seconds", "When the server started, in Unix seconds.")
                    .With({});
  if (start.Value() == 0) {
    start.Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  }
}

void HttpMetrics::Observe(std::string_view route, std::string_view method, int status, double seconds) {
  std::string_view m = MethodLabel(method);
  char code[8];
  int n = std::snprintf(code, sizeof code, "%d", status);
  requests_.With({route, m, std::string_view(code, n > 0 ? static_cast<size_t>(n) : 0)}).Inc();
  durations_.With({route, m, StatusClass(status)}).Observe(seconds);
}

void HttpMetrics::SetReadiness(bool ready, bool draining) {
  ready_.Set(ready ? 1 : 0);
  draining_.Set(draining ? 1 : 0);
}

Result<MetricsAccess> MetricsAccess::FromConfig(const config::MetricsConfig& config) {
  MetricsAccess out;
  out.enabled_ = config.enabled;
  auto networks = ParseCidrList(config.allow_networks);
  if (!networks.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, "metrics.allow_networks: " + networks.error().message);
  }
  out.networks_ = std::move(networks).value();
  out.token_ = config.token;
  return out;
}

bool MetricsAccess::Allows(std::string_view client_ip, std::string_view authorization) const {
  if (!enabled_) return false;
  if (CidrContains(networks_, client_ip)) return true;
  if (token_.empty()) return false;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() || authorization.substr(0, kBearer.size()) != kBearer) return false;
  // Compare digests, so that the comparison takes as long whatever the lengths are.
  return ConstantTimeEquals(Sha256Hex(authorization.substr(kBearer.size())), Sha256Hex(token_));
}

}  // namespace pm::http
