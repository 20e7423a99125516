#include "app/login_throttle.h"

#include <algorithm>

#include "common/log.h"

namespace pm::app {
namespace {

std::string EmailKey(std::string_view email) { return "login:" + std::string(email); }
std::string IpKey(std::string_view ip) { return "login-ip:" + std::string(ip); }
std::string LockKey(const std::string& key) { return "lock:" + key; }
std::string StrikesKey(const std::string& key) { return "strikes:" + key; }

}  // namespace

Status LoginThrottle::Check(std::string_view email, std::string_view ip) {
  const int64_t now = s_.clock->NowMillis();
  int64_t until = 0;
  PM_ASSIGN_OR_RETURN(int64_t by_email, s_.store->GetCounter(LockKey(EmailKey(email)), 0));
  until = std::max(until, by_email);
  if (!ip.empty()) {
    PM_ASSIGN_OR_RETURN(int64_t by_ip, s_.store->GetCounter(LockKey(IpKey(ip)), 0));
    until = std::max(until, by_ip);
  }
  if (until <= now) return Status::Ok();
  // One message whichever key is locked and whether or not the account exists.
  Error e = MakeError(ErrorCode::kRateLimited, "too many failed log-ins; try again later");
  e.retry_after_s = (until - now + 999) / 1000;
  return e;
}

void LoginThrottle::RecordFailure(std::string_view email, std::string_view ip) {
  const int64_t now = s_.clock->NowMillis();
  CountKey(EmailKey(email), s_.config->auth.login_max_failures, now);
  if (!ip.empty()) CountKey(IpKey(ip), s_.config->auth.login_ip_max_failures, now);
}

void LoginThrottle::CountKey(const std::string& key, int max_failures, int64_t now) {
  const int64_t window_ms = int64_t{s_.config->auth.login_window_s} * 1000;
  const int64_t window_start = now - now % window_ms;
  auto failures = s_.store->IncrementCounter(key, window_start, window_start + window_ms);
  if (!failures.ok()) {
    log::Warn("could not count a failed log-in", {{"error", failures.error().message}});
    return;
  }
  // Exactly at the threshold, so concurrent failures past it make one strike, not several.
  if (failures.value() != max_failures) return;
  const int64_t strike_start = now - now % kStrikeWindowMs;
  auto strikes = s_.store->IncrementCounter(StrikesKey(key), strike_start, strike_start + kStrikeWindowMs);
  int64_t n = strikes.ok() ? strikes.value() : 1;
  int64_t lock_ms = window_ms;
  for (int64_t i = 1; i < n && lock_ms < kMaxLockMs; ++i) lock_ms *= 2;
  lock_ms = std::min(lock_ms, kMaxLockMs);
  Status locked = s_.store->LockCounterKey(LockKey(key), now + lock_ms);
  if (!locked.ok()) log::Warn("could not lock log-ins", {{"error", locked.error().message}});
  log::Info("log-ins locked", {{"kind", key.rfind("login-ip:", 0) == 0 ? "ip" : "email"},
                               {"strikes", static_cast<long long>(n)},
                               {"lock_s", static_cast<long long>(lock_ms / 1000)}});
}

}  // namespace pm::app
