// Registry micro-benchmark: nanoseconds per recorded request as the HTTP layer records one (a
// counter lookup + Inc and a histogram lookup + Observe, labels like a real route), for 1, 2 and
// 4 threads over 64 distinct series, plus one Render() of the result.
//
//   pm_metrics_bench [--ops N]     (N per thread, default 2,000,000)
//
// Output: a Markdown table for docs/BENCHMARKS.md.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"

namespace {

double NsPerOp(int threads, long ops) {
  pm::metrics::Registry reg;
  auto& counters = reg.Counter("bench_requests_total", "x", {"route", "method", "status"});
  auto& hist = reg.Histogram("bench_request_duration_seconds", "x", {"route", "method", "status_class"},
                             pm::metrics::LatencyBuckets());
  std::vector<std::string> routes;
  for (int i = 0; i < 64; ++i) routes.push_back("/api/v1/t/{ws}/palettes/{id}/route" + std::to_string(i));
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (long i = 0; i < ops; ++i) {
        const std::string& r = routes[static_cast<size_t>((i + t * 7) % 64)];
        counters.With({r, "GET", "200"}).Inc();
        hist.With({r, "GET", "2xx"}).Observe(0.003);
      }
    });
  }
  for (auto& th : pool) th.join();
  double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  return ns / static_cast<double>(ops);  // wall time per op of one thread
}

}  // namespace

int main(int argc, char** argv) {
  long ops = 2'000'000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--ops") == 0) ops = std::atol(argv[i + 1]);
  }
  std::printf("| threads | ns per recorded request (wall, per thread) |\n|---|---|\n");
  for (int threads : {1, 2, 4}) std::printf("| %d | %.0f |\n", threads, NsPerOp(threads, ops));
  pm::metrics::Registry reg;
  auto& f = reg.Histogram("bench_seconds", "x", {"route"}, pm::metrics::LatencyBuckets());
  for (int i = 0; i < 200; ++i) f.With({"/route/" + std::to_string(i)}).Observe(0.01);
  auto start = std::chrono::steady_clock::now();
  std::string text = reg.Render();
  double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  std::printf("\nRender of 200 histogram series (%zu bytes): %.0f us\n", text.size(), us);
  return 0;
}
