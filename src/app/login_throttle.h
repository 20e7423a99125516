// Log-in throttling per e-mail address and per client IP, with backoff, in the database so it
// holds across replicas (fixed-window counters and counter-key locks, store/store.h).
//
// Each key (the normalised e-mail address, the client IP) counts failures in fixed windows of
// auth.login_window_s. When a key reaches its threshold (auth.login_max_failures /
// auth.login_ip_max_failures) it is locked for window x 2^(strikes-1), at most 24 h, where strikes
// counts the locks of that key in the current 7-day strike window. While either key is locked every attempt
// is refused with kRateLimited and retry_after_s = seconds until the later lock ends. Unknown
// e-mail addresses count exactly like known ones, so the answers say nothing about which exist.
//
// Thread-safe (stateless beyond Services). Store failures while counting are logged, not
// returned: an outage must not turn every wrong password into a 503.
#pragma once

#include <string>
#include <string_view>

#include "app/services.h"
#include "common/result.h"

namespace pm::app {

class LoginThrottle {
 public:
  explicit LoginThrottle(Services services) : s_(services) {}

  // kRateLimited while `email` or `ip` ("" = none) is locked; kUnavailable if the store is down.
  Status Check(std::string_view email, std::string_view ip);
  // Counts one failed attempt against both keys; locks a key that reaches its threshold.
  void RecordFailure(std::string_view email, std::string_view ip);

  static constexpr int64_t kMaxLockMs = 24LL * 3600 * 1000;
  // Strikes are remembered in fixed 7-day windows (since the epoch).
  static constexpr int64_t kStrikeWindowMs = 7LL * 24 * 3600 * 1000;

 private:
  void CountKey(const std::string& key, int max_failures, int64_t now);

  Services s_;
};

}  // namespace pm::app
