// Store contract: coordination across replicas (fixed-window counters, leases) and
// ObjectKeyInUse. Concurrency cases use two Store objects on one database where it matters (two
// replicas), plus several threads on each.
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store_contract.h"

namespace pm::store::testing {
namespace {

constexpr int kThreads = 4;

// Records the first failure seen by any thread (Catch2 assertions are not thread-safe).
class Failures {
 public:
  void Note(const std::string& what, const Error& e) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_.empty()) first_ = what + ": " + ErrorCodeName(e.code) + " " + e.message;
    ++count_;
  }
  int count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  std::string first() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_;
  }

 private:
  mutable std::mutex mu_;
  std::string first_;
  int count_ = 0;
};

int64_t Get(Store& store, const std::string& key, int64_t window) {
  auto r = store.GetCounter(key, window);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

int64_t Inc(Store& store, const std::string& key, int64_t window, int64_t expires_at) {
  auto r = store.IncrementCounter(key, window, expires_at);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

bool Acquire(Store& store, const std::string& name, const std::string& holder, int64_t now,
             int64_t ttl) {
  auto r = store.TryAcquireLease(name, holder, now, ttl);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

STORE_CONTRACT("counters: increment, windows, get, reset", "[store][counters]") {
  auto store = OpenMigrated(harness);

  CHECK(Get(*store, "login:a@example.com", 60'000) == 0);  // none yet

  CHECK(Inc(*store, "login:a@example.com", 60'000, 180'000) == 1);
  CHECK(Inc(*store, "login:a@example.com", 60'000, 180'000) == 2);
  CHECK(Inc(*store, "login:a@example.com", 60'000, 180'000) == 3);
  CHECK(Get(*store, "login:a@example.com", 60'000) == 3);

  // Another window of the same key, and another key in the same window, count separately.
  CHECK(Inc(*store, "login:a@example.com", 120'000, 240'000) == 1);
  CHECK(Inc(*store, "login:b@example.com", 60'000, 180'000) == 1);
  CHECK(Get(*store, "login:a@example.com", 60'000) == 3);
  CHECK(Get(*store, "login:a@example.com", 120'000) == 1);
  CHECK(Get(*store, "login:b@example.com", 60'000) == 1);
  CHECK(Get(*store, "login:a@example.com", 0) == 0);

  // Reset removes every window of that key only.
  REQUIRE(store->ResetCounter("login:a@example.com").ok());
  CHECK(Get(*store, "login:a@example.com", 60'000) == 0);
  CHECK(Get(*store, "login:a@example.com", 120'000) == 0);
  CHECK(Get(*store, "login:b@example.com", 60'000) == 1);
  REQUIRE(store->ResetCounter("login:nobody").ok());  // nothing to reset is fine

  // Counting starts over after a reset.
  CHECK(Inc(*store, "login:a@example.com", 60'000, 180'000) == 1);

  // Keys are exact (no prefix or case folding).
  CHECK(Get(*store, "login:A@example.com", 60'000) == 0);
  CHECK(Get(*store, "login:a@example.co", 60'000) == 0);
}

STORE_CONTRACT("counters: DeleteExpiredCounters removes only expired rows", "[store][counters]") {
  auto store = OpenMigrated(harness);
  Inc(*store, "k1", 0, 1'000);
  Inc(*store, "k1", 1'000, 2'000);
  Inc(*store, "k2", 0, 1'500);
  Inc(*store, "k3", 0, 5'000);

  auto none = store->DeleteExpiredCounters(999);
  REQUIRE(none.ok());
  CHECK(*none == 0);

  auto two = store->DeleteExpiredCounters(1'500);  // expires_at <= now is expired
  REQUIRE(two.ok());
  CHECK(*two == 2);
  CHECK(Get(*store, "k1", 0) == 0);
  CHECK(Get(*store, "k2", 0) == 0);
  CHECK(Get(*store, "k1", 1'000) == 1);
  CHECK(Get(*store, "k3", 0) == 1);

  auto again = store->DeleteExpiredCounters(1'500);
  REQUIRE(again.ok());
  CHECK(*again == 0);

  auto rest = store->DeleteExpiredCounters(10'000);
  REQUIRE(rest.ok());
  CHECK(*rest == 2);
  CHECK(Get(*store, "k3", 0) == 0);
}

STORE_CONTRACT("counters: concurrent increments from two stores and 4 threads are exact",
               "[store][counters][concurrency]") {
  auto first = OpenMigrated(harness);
  auto second_opened = harness.Open();  // a second replica on the same database
  REQUIRE(second_opened.ok());
  std::unique_ptr<Store> second = std::move(second_opened).value();
  constexpr int kPerThread = 50;

  Failures failures;
  std::mutex seen_mu;
  std::vector<int64_t> seen;  // every count returned: each of 1..200 exactly once
  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n) {
    Store& store = (n % 2 == 0) ? *first : *second;
    threads.emplace_back([&, n] {
      (void)n;
      for (int i = 0; i < kPerThread; ++i) {
        auto r = store.IncrementCounter("hot", 60'000, 120'000);
        if (!r.ok()) {
          failures.Note("IncrementCounter", r.error());
          continue;
        }
        std::lock_guard<std::mutex> lock(seen_mu);
        seen.push_back(*r);
      }
    });
  }
  for (auto& t : threads) t.join();
  INFO(failures.first());
  REQUIRE(failures.count() == 0);
  constexpr int kTotal = kThreads * kPerThread;
  CHECK(Get(*first, "hot", 60'000) == kTotal);
  CHECK(Get(*second, "hot", 60'000) == kTotal);
  std::vector<bool> hit(kTotal + 1, false);
  int duplicates = 0;
  for (int64_t v : seen) {
    REQUIRE(v >= 1);
    REQUIRE(v <= kTotal);
    if (hit[static_cast<size_t>(v)]) ++duplicates;
    hit[static_cast<size_t>(v)] = true;
  }
  CHECK(duplicates == 0);
  CHECK(static_cast<int>(seen.size()) == kTotal);
}

STORE_CONTRACT("leases: acquire, refuse, renew, expire, take over, release",
               "[store][leases]") {
  auto store = OpenMigrated(harness);
  const std::string job = "janitor";

  // A acquires at t=1000 for 10 s (until 11 000).
  CHECK(Acquire(*store, job, "replica-a", 1'000, 10'000));
  // B is refused while A's lease is live.
  CHECK_FALSE(Acquire(*store, job, "replica-b", 2'000, 10'000));
  CHECK_FALSE(Acquire(*store, job, "replica-b", 10'999, 10'000));
  // A renews at 9000: now held until 19 000.
  CHECK(Acquire(*store, job, "replica-a", 9'000, 10'000));
  CHECK_FALSE(Acquire(*store, job, "replica-b", 11'000, 10'000));  // the old expiry is gone
  CHECK_FALSE(Acquire(*store, job, "replica-b", 18'999, 10'000));
  // Another lease name is independent.
  CHECK(Acquire(*store, "other-job", "replica-b", 2'000, 10'000));

  // After expiry (expires_at <= now), B takes over; A is then refused.
  CHECK(Acquire(*store, job, "replica-b", 19'000, 10'000));  // until 29 000
  CHECK_FALSE(Acquire(*store, job, "replica-a", 19'001, 10'000));
  CHECK_FALSE(Acquire(*store, job, "replica-a", 28'999, 10'000));

  // Releasing a lease one does not hold is a no-op.
  REQUIRE(store->ReleaseLease(job, "replica-a").ok());
  CHECK_FALSE(Acquire(*store, job, "replica-a", 20'000, 10'000));
  REQUIRE(store->ReleaseLease("no-such-lease", "replica-a").ok());

  // B releases early: A can take it at once, and B is then refused.
  REQUIRE(store->ReleaseLease(job, "replica-b").ok());
  CHECK(Acquire(*store, job, "replica-a", 20'001, 10'000));
  CHECK_FALSE(Acquire(*store, job, "replica-b", 20'002, 10'000));

  // A release by A lets B take it at once too.
  REQUIRE(store->ReleaseLease(job, "replica-a").ok());
  CHECK(Acquire(*store, job, "replica-b", 20'003, 10'000));

  // A non-positive ttl is a caller bug.
  auto bad = store->TryAcquireLease(job, "replica-b", 20'004, 0);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalidArgument);
}

STORE_CONTRACT("leases: concurrent TryAcquire from two stores and 4 threads: exactly one wins",
               "[store][leases][concurrency]") {
  auto first = OpenMigrated(harness);
  auto second_opened = harness.Open();
  REQUIRE(second_opened.ok());
  std::unique_ptr<Store> second = std::move(second_opened).value();

  // Several rounds: a fresh lease name (the insert race) and, after expiry, a take-over race.
  for (int round = 0; round < 5; ++round) {
    const std::string name = "job-" + std::to_string(round);
    for (int64_t now : {int64_t{1'000}, int64_t{100'000}}) {  // 100 000: the first expired
      Failures failures;
      std::atomic<int> winners{0};
      std::mutex winner_mu;
      std::string winner;
      std::atomic<bool> go{false};
      std::vector<std::thread> threads;
      for (int n = 0; n < kThreads; ++n) {
        Store& store = (n % 2 == 0) ? *first : *second;
        threads.emplace_back([&, n] {
          while (!go.load()) std::this_thread::yield();
          const std::string holder = "holder-" + std::to_string(n) + "@" + std::to_string(now);
          auto r = store.TryAcquireLease(name, holder, now, 10'000);
          if (!r.ok()) {
            failures.Note("TryAcquireLease", r.error());
            return;
          }
          if (*r) {
            ++winners;
            std::lock_guard<std::mutex> lock(winner_mu);
            winner = holder;
          }
        });
      }
      go = true;
      for (auto& t : threads) t.join();
      INFO("round " << round << " now " << now << ": " << failures.first());
      REQUIRE(failures.count() == 0);
      CHECK(winners.load() == 1);
      // The winner holds it: it can renew, a loser cannot take it.
      CHECK(Acquire(*first, name, winner, now + 1, 10'000));
      CHECK_FALSE(Acquire(*second, name, "someone-else", now + 2, 10'000));
    }
  }
}

STORE_CONTRACT("palettes: ObjectKeyInUse is tenant-scoped", "[store][palettes]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "alice");
  Account b = MakeAccount(*store, "bob");

  NewPalette np = SamplePalette("sunset", a.user.id);
  np.image.object_key = "tenants/a/images/sunset.png";
  auto p = store->CreatePalette(a.workspace.id, np, 2'000);
  REQUIRE(p.ok());

  auto in_use = store->ObjectKeyInUse(a.workspace.id, "tenants/a/images/sunset.png");
  REQUIRE(in_use.ok());
  CHECK(*in_use);
  auto other_key = store->ObjectKeyInUse(a.workspace.id, "tenants/a/images/other.png");
  REQUIRE(other_key.ok());
  CHECK_FALSE(*other_key);
  auto prefix = store->ObjectKeyInUse(a.workspace.id, "tenants/a/images/sunset");
  REQUIRE(prefix.ok());
  CHECK_FALSE(*prefix);
  // Another tenant asking about A's key: false, as if it did not exist.
  auto cross = store->ObjectKeyInUse(b.workspace.id, "tenants/a/images/sunset.png");
  REQUIRE(cross.ok());
  CHECK_FALSE(*cross);

  // Two palettes on one key: in use until the last is deleted.
  auto p2 = store->CreatePalette(a.workspace.id, np, 3'000);
  REQUIRE(p2.ok());
  REQUIRE(store->DeletePalette(a.workspace.id, p->id).ok());
  auto still = store->ObjectKeyInUse(a.workspace.id, "tenants/a/images/sunset.png");
  REQUIRE(still.ok());
  CHECK(*still);
  REQUIRE(store->DeletePalette(a.workspace.id, p2->id).ok());
  auto gone = store->ObjectKeyInUse(a.workspace.id, "tenants/a/images/sunset.png");
  REQUIRE(gone.ok());
  CHECK_FALSE(*gone);
}

}  // namespace
}  // namespace pm::store::testing
