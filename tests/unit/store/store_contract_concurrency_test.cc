// Store contract: many threads on one Store, and two Stores on one database (two processes or
// replicas). No kUnavailable may escape under this load (busy_timeout is 5 s), and the counts
// and positions must come out exact.
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store_contract.h"

namespace pm::store::testing {
namespace {

constexpr int kThreads = 4;
constexpr int kPerThread = 40;

// Records the first failure seen by any thread (Catch2 assertions are not thread-safe).
class Failures {
 public:
  void Note(const std::string& what, const Error& e) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_.empty()) first_ = what + ": " + ErrorCodeName(e.code) + " " + e.message;
    ++count_;
  }
  void Note(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_.empty()) first_ = what;
    ++count_;
  }
  int count() const { return count_; }
  std::string first() const { return first_; }

 private:
  mutable std::mutex mu_;
  std::string first_;
  int count_ = 0;
};

void CheckFinalList(Store& store, TenantId tenant, int expected) {
  auto page = store.ListPalettes(tenant, std::nullopt, 1000);
  REQUIRE(page.ok());
  REQUIRE(static_cast<int>(page->items.size()) == expected);
  std::set<int64_t> positions;
  for (const auto& p : page->items) positions.insert(p.position);
  CHECK(static_cast<int>(positions.size()) == expected);  // no two creates took one position
  CHECK(*positions.begin() == 1);
  CHECK(*positions.rbegin() == expected);
}

STORE_CONTRACT("concurrency: writers and readers on 4 threads", "[store][concurrency]") {
  auto store = OpenMigrated(harness);
  Account a = MakeAccount(*store, "busy");
  Account b = MakeAccount(*store, "other");
  TenantId t = a.workspace.id;
  Failures failures;
  std::atomic<int> sessions_seen{0};

  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < kPerThread; ++i) {
        auto p = store->CreatePalette(t, SamplePalette("t" + std::to_string(n), a.user.id), i);
        if (!p.ok()) {
          failures.Note("CreatePalette", p.error());
          continue;
        }
        auto got = store->GetPalette(t, p->id);  // read-your-write through a reader connection
        if (!got.ok()) failures.Note("GetPalette", got.error());
        auto list = store->ListPalettes(t, std::nullopt, 50);
        if (!list.ok()) {
          failures.Note("ListPalettes", list.error());
        } else if (list->items.empty()) {
          failures.Note("ListPalettes returned nothing after a create");
        }
        PaletteUpdate u;
        u.name = "renamed";
        if (auto r = store->UpdatePalette(t, p->id, u, i); !r.ok()) failures.Note("Update", r.error());
        if (auto o = store->ListPalettes(b.workspace.id, std::nullopt, 10); !o.ok()) {
          failures.Note("ListPalettes(other)", o.error());
        } else if (!o->items.empty()) {
          failures.Note("other tenant sees rows");
        }
        std::string token = "tok-" + std::to_string(n) + "-" + std::to_string(i);
        if (auto s = store->CreateSession(Session{token, "c", a.user.id, 0, 1'000}); !s.ok()) {
          failures.Note("CreateSession", s.error());
        } else if (store->FindSession(token, 1).ok()) {
          ++sessions_seen;
        }
        if (auto m = store->FindMembership(a.user.id, "busy"); !m.ok()) {
          failures.Note("FindMembership", m.error());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  INFO(failures.first());
  REQUIRE(failures.count() == 0);
  CHECK(sessions_seen.load() == kThreads * kPerThread);
  CheckFinalList(*store, t, kThreads * kPerThread);
  auto swept = store->DeleteExpiredSessions(1'000);
  REQUIRE(swept.ok());
  CHECK(*swept == kThreads * kPerThread);
}

STORE_CONTRACT("concurrency: two Stores on one database", "[store][concurrency]") {
  auto first = OpenMigrated(harness);
  auto second = OpenMigrated(harness);  // also: migrating an up-to-date database is a no-op
  Account a = MakeAccount(*first, "shared");
  Failures failures;

  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n) {
    Store* store = (n % 2 == 0) ? first.get() : second.get();
    threads.emplace_back([&, store, n] {
      for (int i = 0; i < kPerThread; ++i) {
        auto p = store->CreatePalette(a.workspace.id, SamplePalette("s" + std::to_string(n), a.user.id), i);
        if (!p.ok()) failures.Note("CreatePalette", p.error());
        auto list = store->ListPalettes(a.workspace.id, std::nullopt, 20);
        if (!list.ok()) failures.Note("ListPalettes", list.error());
      }
    });
  }
  for (auto& th : threads) th.join();
  INFO(failures.first());
  REQUIRE(failures.count() == 0);
  CheckFinalList(*first, a.workspace.id, kThreads * kPerThread);
  CheckFinalList(*second, a.workspace.id, kThreads * kPerThread);
}

}  // namespace
}  // namespace pm::store::testing
