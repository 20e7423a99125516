// A small Prometheus metrics registry: counters, gauges and fixed-bucket histograms in labelled
// families, rendered in the text exposition format 0.0.4.
//
// Hand-written because Debian 12 packages no C++ Prometheus client (prometheus-cpp is not in the
// archive), and what /metrics needs is small: a few dozen families, no push, no protobuf.
//
// Thread safety: everything here may be used from many threads at once. The hot path takes no
// global lock: a family keeps its series in a map split into kShards shards, each behind its own
// reader/writer lock, so two requests only contend when they hash to the same shard, and then
// only on a shared (read) lock once the series exists. Values are atomics. A caller with a fixed
// label set can keep the returned reference (series are never removed, their addresses stay
// valid for the life of the registry) and skip the lookup entirely.
//
// Registration (Registry::Counter/Gauge/Histogram) is for start-up or first use; it takes the
// registry's own mutex. Registering the same name again returns the same family when type, help,
// label names and buckets agree; anything else is a programming error and aborts.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pm::metrics {

// A monotonically increasing integer count.
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into fixed buckets (upper bounds, ascending; +Inf is implicit).
class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double v);
  // Cumulative counts as exposed: one per bound, then +Inf (== Count()).
  std::vector<uint64_t> CumulativeCounts() const;
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double>* bounds_;  // owned by the family
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_->size() + 1 (the last is +Inf)
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds for HTTP requests, DB and object-store operations, 1 ms .. 30 s.
const std::vector<double>& LatencyBuckets();
// Buckets for image work in seconds, 1 ms .. 60 s.
const std::vector<double>& EngineBuckets();

enum class Type { kCounter, kGauge, kHistogram };

// Lets the maps below be searched with a string_view (no std::string built per lookup).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The label values of a series, in the order of the family's label names.
using LabelValues = std::initializer_list<std::string_view>;

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names, Type type);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  Type type() const { return type_; }
  virtual void Render(std::string& out) const = 0;

 protected:
  static constexpr size_t kShards = 16;
  // The series key: each value length-prefixed, so no value can be confused with a separator.
  // Built in a per-thread buffer, so a lookup of an existing series allocates nothing.
  static std::string_view Key(LabelValues values);
  void CheckArity(LabelValues values) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  Type type_;
};

template <typename M>
class Family : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names, Type type,
         std::vector<double> bounds = {})
      : FamilyBase(std::move(name), std::move(help), std::move(label_names), type), bounds_(std::move(bounds)) {}

  // The series with these label values (created on first use). Aborts when the number of values
  // differs from the number of label names (a programming error).
  M& With(LabelValues values);
  const std::vector<double>& bounds() const { return bounds_; }
  void Render(std::string& out) const override;

 private:
  struct Series {
    std::vector<std::string> values;
    M metric;
  };
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<std::string, std::unique_ptr<Series>, StringHash, std::equal_to<>> series;  // GUARDED_BY(mu)
  };
  std::unique_ptr<Series> MakeSeries(LabelValues values) const;

  std::vector<double> bounds_;  // histograms only
  std::array<Shard, kShards> shards_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily& Counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  GaugeFamily& Gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  HistogramFamily& Histogram(std::string name, std::string help, std::vector<std::string> label_names,
                             const std::vector<double>& bounds);

  // Runs just before every Render (e.g. to set a gauge whose truth lives elsewhere: readiness).
  // Hooks must not register families.
  void AddCollectHook(std::function<void()> hook);

  // Every family, sorted by name, every series sorted by label values, in the text format 0.0.4.
  std::string Render() const;

 private:
  FamilyBase& Register(std::string name, std::string help, std::vector<std::string> label_names, Type type,
                       const std::vector<double>* bounds);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_;  // GUARDED_BY(mu_)
  std::vector<std::function<void()>> hooks_;                      // GUARDED_BY(mu_)
};

// The process-wide registry that /metrics renders.
Registry& Default();

// The Content-Type of Render()'s output.
inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Label value escaping of the text format: backslash, double quote and line feed.
void AppendEscapedLabelValue(std::string& out, std::string_view value);

// Keeps a label's cardinality bounded: the first `cap` distinct values are admitted as they are,
// every later one maps to `overflow` (default "_other"). cap 0 maps everything to `overflow`.
// Thread-safe; admitted values are looked up under a shared lock.
class CappedLabel {
 public:
  explicit CappedLabel(size_t cap, std::string overflow = "_other");
  // The value to use as the label: `value` itself or the overflow value. The view stays valid
  // for the life of this object.
  std::string_view Admit(std::string_view value);
  size_t admitted() const;
  // Changes the cap (the server applies metrics.tenant_cardinality_cap at start-up); values
  // already admitted stay admitted.
  void SetCap(size_t cap);

 private:
  mutable std::shared_mutex mu_;
  size_t cap_;                                  // GUARDED_BY(mu_)
  std::unordered_set<std::string, StringHash, std::equal_to<>> admitted_;  // GUARDED_BY(mu_)
  const std::string overflow_;
};

}  // namespace pm::metrics
