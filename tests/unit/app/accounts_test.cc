// Accounts use cases on a real SQLite store with an injected clock: log-in throttling with
// backoff, password reset expiry, TOTP.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "app/accounts.h"
#include "app/audit.h"
#include "app/login_throttle.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "objects/memory_object_store.h"
#include "store/store.h"

using namespace pm;
using namespace pm::app;

namespace {

struct AccFixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  FakeClock clock;
  objects::MemoryObjectStore objects{&clock};
  config::Config config;

  AccFixture() {
    REQUIRE(InitCrypto());
    dir = std::filesystem::temp_directory_path() /
          ("pm-acc-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    store::StoreOptions o;
    o.url = "sqlite://" + (dir / "db.sqlite").string();
    store = std::move(store::OpenStore(o)).value();
    REQUIRE(store->Migrate().ok());
    // Start at the beginning of a strike window, so every lock below is in the same one.
    int64_t now = clock.NowMillis();
    clock.AdvanceMillis(LoginThrottle::kStrikeWindowMs - now % LoginThrottle::kStrikeWindowMs);
  }
  ~AccFixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  Services services() { return {store.get(), &objects, &config, &clock}; }
};

const char* kPassword = "correct horse battery staple";

// The Retry-After of a refused log-in, or 0 when it was not refused for throttling.
int64_t RetryAfter(Accounts& accounts, const char* email, const char* password) {
  auto r = accounts.LogIn(email, password);
  if (r.ok() || r.error().code != ErrorCode::kRateLimited) return 0;
  return r.error().retry_after_s;
}

}  // namespace

TEST_CASE("log-in locks double each time a key is locked again, up to 24 h", "[app][accounts][throttle]") {
  AccFixture f;
  f.config.auth.login_max_failures = 2;
  f.config.auth.login_window_s = 30000;
  ScopedRequest request(RequestMeta{"192.0.2.1", "test", "r1"});
  Accounts accounts(f.services());
  REQUIRE(accounts.SignUp("ada@example.com", kPassword, "Ada").ok());

  auto fail_twice = [&] {
    for (int i = 0; i < 2; ++i) {
      auto r = accounts.LogIn("ada@example.com", "wrong password");
      REQUIRE_FALSE(r.ok());
      REQUIRE(r.error().code == ErrorCode::kUnauthenticated);
    }
  };
  fail_twice();
  CHECK(RetryAfter(accounts, "ada@example.com", kPassword) == 30000);
  f.clock.AdvanceMillis(29'999'000);
  CHECK(RetryAfter(accounts, "ada@example.com", kPassword) == 1);
  f.clock.AdvanceMillis(1000);
  REQUIRE(accounts.LogIn("ada@example.com", kPassword).ok());

  fail_twice();  // second strike: twice as long
  CHECK(RetryAfter(accounts, "ada@example.com", kPassword) == 60000);
  f.clock.AdvanceMillis(60'000'000);
  REQUIRE(accounts.LogIn("ada@example.com", kPassword).ok());

  fail_twice();  // third strike: 120000 s, capped at 24 h
  CHECK(RetryAfter(accounts, "ada@example.com", kPassword) == 86400);
  // Unknown addresses answer the same way, and have their own counter.
  for (int i = 0; i < 2; ++i) CHECK(accounts.LogIn("ghost@example.com", "x").error().code == ErrorCode::kUnauthenticated);
  CHECK(RetryAfter(accounts, "ghost@example.com", "x") == 30000);
}

TEST_CASE("the per-IP key locks every e-mail address from that IP, and only that IP", "[app][accounts][throttle]") {
  AccFixture f;
  f.config.auth.login_max_failures = 100;
  f.config.auth.login_ip_max_failures = 3;
  f.config.auth.login_window_s = 60;
  Accounts accounts(f.services());
  REQUIRE(accounts.SignUp("ada@example.com", kPassword, "Ada").ok());
  {
    ScopedRequest request(RequestMeta{"198.51.100.1", "test", "r"});
    CHECK(accounts.LogIn("a@example.com", "x").error().code == ErrorCode::kUnauthenticated);
    CHECK(accounts.LogIn("b@example.com", "x").error().code == ErrorCode::kUnauthenticated);
    CHECK(accounts.LogIn("ada@example.com", "wrong password").error().code == ErrorCode::kUnauthenticated);
    CHECK(RetryAfter(accounts, "ada@example.com", kPassword) == 60);
  }
  {
    ScopedRequest request(RequestMeta{"198.51.100.2", "test", "r"});
    CHECK(accounts.LogIn("ada@example.com", kPassword).ok());
  }
}

TEST_CASE("a reset token expires after auth.reset_ttl_minutes, is single-use and bound to its account",
          "[app][accounts][reset]") {
  AccFixture f;
  f.config.auth.reset_ttl_minutes = 10;
  Accounts accounts(f.services());
  REQUIRE(accounts.SignUp("ada@example.com", kPassword, "Ada").ok());
  REQUIRE(accounts.SignUp("bob@example.com", kPassword, "Bob").ok());
  auto token_from_outbox = [&](const std::string& email) {
    auto list = f.store->ListOutbox(100);
    REQUIRE(list.ok());
    for (const auto& m : *list) {
      if (m.recipient != email) continue;
      size_t at = m.body.find("/reset?token=");
      REQUIRE(at != std::string::npos);
      size_t start = at + 13;
      size_t end = m.body.find_first_of(" \n", start);
      return m.body.substr(start, end - start);
    }
    FAIL("no message to " << email);
    return std::string();
  };
  // Unknown addresses: accepted, nothing made.
  REQUIRE(accounts.RequestPasswordReset("nobody@example.com").ok());
  REQUIRE(accounts.RequestPasswordReset("ada@example.com").ok());
  accounts.DrainBackgroundForTest();
  CHECK(f.store->ListOutbox(100)->size() == 1);
  std::string token = token_from_outbox("ada@example.com");
  CHECK(token.size() == 43);

  f.clock.AdvanceMillis(10 * 60 * 1000);  // exactly the TTL: expired
  auto late = accounts.ConfirmPasswordReset(token, "new passphrase 1");
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == ErrorCode::kInvalidArgument);
  CHECK(late.error().message == "this reset link is invalid or has expired; ask for a new one");

  REQUIRE(accounts.IssuePasswordReset("bob@example.com").ok());
  std::string bob = token_from_outbox("bob@example.com");
  f.clock.AdvanceMillis(10 * 60 * 1000 - 1);  // one millisecond before it expires
  REQUIRE(accounts.ConfirmPasswordReset(bob, "bob passphrase 2").ok());
  CHECK(accounts.LogIn("bob@example.com", "bob passphrase 2").ok());
  CHECK(accounts.LogIn("ada@example.com", kPassword).ok());
  CHECK(accounts.ConfirmPasswordReset(bob, "bob passphrase 3").error().code == ErrorCode::kInvalidArgument);
}
