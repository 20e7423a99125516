// The hand-written Prometheus registry (common/metrics.h): exposition format, escaping,
// histogram buckets, concurrent updates and the label cardinality cap.
#include "common/metrics.h"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

namespace pm::metrics {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_CASE("counters and gauges render with HELP, TYPE and sorted series") {
  Registry reg;
  auto& c = reg.Counter("test_requests_total", "Requests.\nSecond line with \\ backslash.", {"route", "status"});
  c.With({"/b", "200"}).Inc(2);
  c.With({"/a", "404"}).Inc();
  c.With({"/a", "200"}).Inc(5);
  reg.Gauge("test_temperature", "A gauge.").With({}).Set(-1.5);
  const std::string out = reg.Render();
  CHECK(Contains(out, "# HELP test_requests_total Requests.\\nSecond line with \\\\ backslash.\n"));
  CHECK(Contains(out, "# TYPE test_requests_total counter\n"));
  CHECK(Contains(out,
                 "test_requests_total{route=\"/a\",status=\"200\"} 5\n"
                 "test_requests_total{route=\"/a\",status=\"404\"} 1\n"
                 "test_requests_total{route=\"/b\",status=\"200\"} 2\n"));
  CHECK(Contains(out, "# TYPE test_temperature gauge\ntest_temperature -1.5\n"));
  // Families come out in name order.
  CHECK(out.find("test_requests_total") < out.find("test_temperature"));
}

TEST_CASE("label values are escaped: backslash, double quote, line feed") {
  Registry reg;
  reg.Counter("test_escape_total", "x", {"v"}).With({"a\\b\"c\nd"}).Inc();
  CHECK(Contains(reg.Render(), "test_escape_total{v=\"a\\\\b\\\"c\\nd\"} 1\n"));
  // Values that differ only where a naive separator would be do not collide.
  auto& f = reg.Counter("test_pairs_total", "x", {"a", "b"});
  f.With({"x,", "y"}).Inc();
  f.With({"x", ",y"}).Inc(3);
  CHECK(f.With({"x,", "y"}).Value() == 1);
  CHECK(f.With({"x", ",y"}).Value() == 3);
}

TEST_CASE("histograms count into le buckets cumulatively, with _sum and _count") {
  Registry reg;
  const std::vector<double> bounds = {0.1, 1, 10};
  auto& h = reg.Histogram("test_duration_seconds", "Durations.", {"op"}, bounds).With({"decode"});
  h.Observe(0.05);
  h.Observe(0.1);  // le is inclusive
  h.Observe(0.5);
  h.Observe(20);
  CHECK(h.Count() == 4);
  CHECK(h.Sum() == Approx(20.65));
  CHECK(h.CumulativeCounts() == std::vector<uint64_t>{2, 3, 3, 4});
  const std::string out = reg.Render();
  CHECK(Contains(out, "# TYPE test_duration_seconds histogram\n"));
  CHECK(Contains(out,
                 "test_duration_seconds_bucket{op=\"decode\",le=\"0.1\"} 2\n"
                 "test_duration_seconds_bucket{op=\"decode\",le=\"1\"} 3\n"
                 "test_duration_seconds_bucket{op=\"decode\",le=\"10\"} 3\n"
                 "test_duration_seconds_bucket{op=\"decode\",le=\"+Inf\"} 4\n"
                 "test_duration_seconds_sum{op=\"decode\"} 20.65\n"
                 "test_duration_seconds_count{op=\"decode\"} 4\n"));
}

TEST_CASE("a histogram without labels renders le as its only label") {
  Registry reg;
  reg.Histogram("test_plain_seconds", "x", {}, {1}).With({}).Observe(2);
  const std::string out = reg.Render();
  CHECK(Contains(out, "test_plain_seconds_bucket{le=\"1\"} 0\ntest_plain_seconds_bucket{le=\"+Inf\"} 1\n"));
  CHECK(Contains(out, "test_plain_seconds_sum 2\ntest_plain_seconds_count 1\n"));
}

TEST_CASE("registering the same family again returns it") {
  Registry reg;
  auto& a = reg.Counter("test_same_total", "x", {"l"});
  auto& b = reg.Counter("test_same_total", "x", {"l"});
  CHECK(&a == &b);
  a.With({"v"}).Inc();
  CHECK(b.With({"v"}).Value() == 1);
  // A series reference stays valid while other series are added.
  Counter& first = a.With({"first"});
  for (int i = 0; i < 1000; ++i) a.With({std::to_string(i)}).Inc();
  first.Inc(7);
  CHECK(a.With({"first"}).Value() == 7);
}

TEST_CASE("concurrent increments and observations are all counted") {
  Registry reg;
  auto& counters = reg.Counter("test_concurrent_total", "x", {"route"});
  auto& hist = reg.Histogram("test_concurrent_seconds", "x", {"route"}, LatencyBuckets());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Series created concurrently too: eight shared ones and one per thread.
        std::string route = "/r" + std::to_string(i % 8);
        counters.With({route}).Inc();
        counters.With({"/t" + std::to_string(t)}).Inc();
        hist.With({route}).Observe(0.002);
      }
    });
  }
  for (auto& th : threads) th.join();
  uint64_t shared = 0;
  uint64_t observed = 0;
  for (int r = 0; r < 8; ++r) {
    shared += counters.With({"/r" + std::to_string(r)}).Value();
    observed += hist.With({"/r" + std::to_string(r)}).Count();
    CHECK(hist.With({"/r" + std::to_string(r)}).CumulativeCounts().back() ==
          hist.With({"/r" + std::to_string(r)}).Count());
  }
  CHECK(shared == uint64_t{kThreads} * kPerThread);
  CHECK(observed == uint64_t{kThreads} * kPerThread);
  for (int t = 0; t < kThreads; ++t) CHECK(counters.With({"/t" + std::to_string(t)}).Value() == kPerThread);
}

TEST_CASE("CappedLabel admits the first cap values and maps the rest to _other") {
  CappedLabel label(3);
  CHECK(label.Admit("acme") == "acme");
  CHECK(label.Admit("globex") == "globex");
  CHECK(label.Admit("acme") == "acme");  // already admitted: no new slot used
  CHECK(label.Admit("initech") == "initech");
  CHECK(label.admitted() == 3);
  CHECK(label.Admit("umbrella") == "_other");
  CHECK(label.Admit("hooli") == "_other");
  CHECK(label.Admit("globex") == "globex");  // admitted ones keep their label
  CHECK(label.admitted() == 3);

  CappedLabel none(0);
  CHECK(none.Admit("acme") == "_other");
}

TEST_CASE("CappedLabel holds its cap under concurrent first sightings") {
  CappedLabel label(50);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) label.Admit("tenant-" + std::to_string((i * 7 + t) % 200));
    });
  }
  for (auto& th : threads) th.join();
  CHECK(label.admitted() == 50);
}

}  // namespace
}  // namespace pm::metrics
