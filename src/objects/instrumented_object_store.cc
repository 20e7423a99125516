#include "objects/instrumented_object_store.h"

#include <array>
#include <chrono>

#include "common/metrics.h"

namespace pm::objects {
namespace {

enum Op { kPut, kGet, kHead, kDelete, kList, kCheck, kOpCount };
constexpr std::array<std::string_view, kOpCount> kOpNames = {"put", "get", "head", "delete", "list", "check"};

using Clock = std::chrono::steady_clock;

// One backend's series, resolved once so that recording is a few atomic adds.
struct Series {
  std::array<metrics::Counter*, kOpCount> ops{};
  std::array<metrics::Counter*, kOpCount> errors{};
  std::array<metrics::Histogram*, kOpCount> durations{};

  explicit Series(const std::string& backend) {
    auto& reg = metrics::Default();
    auto& ops_family = reg.Counter("palettemaker_object_store_operations_total",
                                   "Object store calls, by backend and operation.", {"backend", "operation"});
    auto& errors_family = reg.Counter("palettemaker_object_store_errors_total",
                                      "Object store calls that failed (disk or bucket trouble; not-found is not an "
                                      "error), by backend and operation.",
                                      {"backend", "operation"});
    auto& duration_family = reg.Histogram("palettemaker_object_store_operation_duration_seconds",
                                          "Object store call duration, by backend and operation.",
                                          {"backend", "operation"}, metrics::LatencyBuckets());
    for (size_t i = 0; i < kOpCount; ++i) {
      ops[i] = &ops_family.With({backend, kOpNames[i]});
      errors[i] = &errors_family.With({backend, kOpNames[i]});
      durations[i] = &duration_family.With({backend, kOpNames[i]});
    }
  }

  void Record(Op op, Clock::time_point start, bool failed) {
    ops[op]->Inc();
    durations[op]->Observe(std::chrono::duration<double>(Clock::now() - start).count());
    if (failed) errors[op]->Inc();
  }
};

bool IsFailure(const Error& e) { return e.code != ErrorCode::kNotFound && e.code != ErrorCode::kInvalidArgument; }

template <typename T>
bool Failed(const Result<T>& r) {
  return !r.ok() && IsFailure(r.error());
}

class MeteredWriter : public ObjectWriter {
 public:
  MeteredWriter(std::unique_ptr<ObjectWriter> inner, std::shared_ptr<Series> series, Clock::time_point start)
      : inner_(std::move(inner)), series_(std::move(series)), start_(start) {}

  Status Write(std::string_view data) override {
    Status st = inner_->Write(data);
    if (!st.ok() && !recorded_) {
      recorded_ = true;
      series_->Record(kPut, start_, IsFailure(st.error()));
    }
    return st;
  }
  Result<ObjectInfo> Commit() override {
    auto r = inner_->Commit();
    if (!recorded_) {
      recorded_ = true;
      series_->Record(kPut, start_, Failed(r));
    }
    return r;
  }
  void Abort() override { inner_->Abort(); }

 private:
  std::unique_ptr<ObjectWriter> inner_;
  std::shared_ptr<Series> series_;
  Clock::time_point start_;
  bool recorded_ = false;
};

class MeteredReader : public ObjectReader {
 public:
  MeteredReader(std::unique_ptr<ObjectReader> inner, std::shared_ptr<Series> series)
      : inner_(std::move(inner)), series_(std::move(series)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    auto r = inner_->Read(buf, n);
    if (!r.ok() && IsFailure(r.error())) series_->errors[kGet]->Inc();
    return r;
  }
  int64_t size() const override { return inner_->size(); }

 private:
  std::unique_ptr<ObjectReader> inner_;
  std::shared_ptr<Series> series_;
};

class InstrumentedObjectStore : public ObjectStore {
 public:
  InstrumentedObjectStore(std::unique_ptr<ObjectStore> inner, const std::string& backend)
      : inner_(std::move(inner)), series_(std::make_shared<Series>(backend)) {}

  Result<std::unique_ptr<ObjectWriter>> Create(std::string_view key) override {
    const auto start = Clock::now();
    auto r = inner_->Create(key);
    if (!r.ok()) {
      series_->Record(kPut, start, IsFailure(r.error()));
      return r.error();
    }
    return std::unique_ptr<ObjectWriter>(std::make_unique<MeteredWriter>(std::move(r).value(), series_, start));
  }
  Result<std::unique_ptr<ObjectReader>> Open(std::string_view key) override {
    const auto start = Clock::now();
    auto r = inner_->Open(key);
    series_->Record(kGet, start, Failed(r));
    if (!r.ok()) return r.error();
    return std::unique_ptr<ObjectReader>(std::make_unique<MeteredReader>(std::move(r).value(), series_));
  }
  Result<ObjectInfo> Stat(std::string_view key) override {
    const auto start = Clock::now();
    auto r = inner_->Stat(key);
    series_->Record(kHead, start, Failed(r));
    return r;
  }
  Status Delete(std::string_view key) override {
    const auto start = Clock::now();
    Status st = inner_->Delete(key);
    series_->Record(kDelete, start, !st.ok() && IsFailure(st.error()));
    return st;
  }
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
    const auto start = Clock::now();
    auto r = inner_->List(prefix);
    series_->Record(kList, start, Failed(r));
    return r;
  }
  Status Check() override {
    const auto start = Clock::now();
    Status st = inner_->Check();
    series_->Record(kCheck, start, !st.ok());
    return st;
  }

 private:
  std::unique_ptr<ObjectStore> inner_;
  std::shared_ptr<Series> series_;  // shared with writers and readers, which may outlive the store
};

}  // namespace

std::unique_ptr<ObjectStore> WithMetrics(std::unique_ptr<ObjectStore> inner, std::string backend) {
  return std::make_unique<InstrumentedObjectStore>(std::move(inner), backend);
}

}  // namespace pm::objects
