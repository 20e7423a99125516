// The HTTP side of /metrics: request counters and latency histograms, the in-flight gauge,
// readiness / draining / build info / start time, and the access rule of the /metrics endpoint.
//
//   palettemaker_http_requests_total{route,method,status}
//   palettemaker_http_request_duration_seconds{route,method,status_class}
//   palettemaker_http_requests_in_flight
// `route` is the route table's pattern (/api/v1/t/{ws}/palettes/{id}), never a raw path:
// "static" for the web app's files, "unmatched" for everything no route matched (404s, requests
// refused before routing), "/metrics" for the endpoint itself. The histogram is by status class
// (2xx .. 5xx) rather than status, to keep its series count (x 17 buckets) small; the counter has
// the exact status.
// Thread safety: every member may be used from many threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/cidr.h"
#include "common/metrics.h"
#include "common/result.h"
#include "config/config.h"

namespace pm::http {

inline constexpr std::string_view kRouteUnmatched = "unmatched";
inline constexpr std::string_view kRouteStatic = "static";
inline constexpr std::string_view kRouteMetrics = "/metrics";

class HttpMetrics {
 public:
  // Registers the families in metrics::Default() (idempotent) and sets build info and start time.
  HttpMetrics();

  void RequestStarted() { in_flight_.Add(1); }
  void RequestFinished() { in_flight_.Add(-1); }
  // A finished request. `method` outside the usual verbs counts as "other".
  void Observe(std::string_view route, std::string_view method, int status, double seconds);
  void SetReadiness(bool ready, bool draining);

 private:
  metrics::CounterFamily& requests_;
  metrics::HistogramFamily& durations_;
  metrics::Gauge& in_flight_;
  metrics::Gauge& ready_;
  metrics::Gauge& draining_;
};

// Who may read /metrics: a client address inside metrics.allow_networks (the address
// server.trusted_proxy_hops yields, so a proxied request is judged by its original client), or
// anyone presenting "Authorization: Bearer <metrics.token>" (compared in constant time). Anyone
// else, and everyone when metrics.enabled is false, gets the same 404 as an unknown path.
class MetricsAccess {
 public:
  // kInvalidArgument naming metrics.allow_networks when it does not parse (config::Load already
  // checks it, so this only fails for a hand-built Config).
  static Result<MetricsAccess> FromConfig(const config::MetricsConfig& config);
  bool Allows(std::string_view client_ip, std::string_view authorization) const;
  bool enabled() const { return enabled_; }

 private:
  bool enabled_ = false;
  std::vector<Cidr> networks_;
  std::string token_;
};

}  // namespace pm::http
