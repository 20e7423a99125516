#include "common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>

namespace pm::metrics {
namespace {

[[noreturn]] void Die(const std::string& what) {
  // Only our own invariants get here (a family registered twice with different shapes, a wrong
  // number of label values): a programming error, never input.
  std::fprintf(stderr, "metrics: %s\n", what.c_str());
  std::abort();
}

bool ValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void AppendNumber(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ec == std::errc() ? p : buf);
  }
}

void AppendNumber(std::string& out, uint64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? p : buf);
}

void AppendEscapedHelp(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

// {a="x",b="y"} with an optional extra label (le) last; nothing when there are no labels.
void AppendLabels(std::string& out, const std::vector<std::string>& names, const std::vector<std::string>& values,
                  std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    AppendEscapedLabelValue(out, values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

const char* TypeName(Type t) {
  switch (t) {
    case Type::kCounter: return "counter";
    case Type::kGauge: return "gauge";
    case Type::kHistogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

void AppendEscapedLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> b = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                        0.25,  0.5,    1,     2.5,  5,     10,   30};
  return b;
}

const std::vector<double>& EngineBuckets() {
  static const std::vector<double> b = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                        0.5,   1,     2.5,  5,     10,   30,  60};
  return b;
}

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds->size() + 1)) {
  for (size_t i = 0; i <= bounds_->size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  // Buckets are "le" (less than or equal); few enough that a linear scan beats a binary search.
  size_t i = 0;
  const size_t n = bounds_->size();
  while (i < n && v > (*bounds_)[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_->size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names, Type type)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)), type_(type) {}

std::string_view FamilyBase::Key(LabelValues values) {
  thread_local std::string key;
  key.clear();
  for (std::string_view v : values) {
    uint32_t n = static_cast<uint32_t>(v.size());
    key.append(reinterpret_cast<const char*>(&n), sizeof n);
    key.append(v);
  }
  return key;
}

void FamilyBase::CheckArity(LabelValues values) const {
  if (values.size() != label_names_.size()) {
    Die(name_ + ": " + std::to_string(values.size()) + " label values for " + std::to_string(label_names_.size()) +
        " label names");
  }
}

template <typename M>
std::unique_ptr<typename Family<M>::Series> Family<M>::MakeSeries(LabelValues values) const {
  if constexpr (std::is_same_v<M, metrics::Histogram>) {
    return std::unique_ptr<Series>(new Series{{values.begin(), values.end()}, M(&bounds_)});
  } else {
    auto s = std::make_unique<Series>();
    s->values.assign(values.begin(), values.end());
    return s;
  }
}

template <typename M>
M& Family<M>::With(LabelValues values) {
  CheckArity(values);
  const std::string_view key = Key(values);
  const size_t hash = StringHash{}(key);
  // The high bits pick the shard; the map itself uses the whole hash.
  Shard& shard = shards_[(hash >> 32) % kShards];
  {
    std::shared_lock lock(shard.mu);
    auto it = shard.series.find(key);
    if (it != shard.series.end()) return it->second->metric;
  }
  std::unique_lock lock(shard.mu);
  auto it = shard.series.find(key);
  if (it == shard.series.end()) it = shard.series.emplace(std::string(key), MakeSeries(values)).first;
  return it->second->metric;
}

template <typename M>
void Family<M>::Render(std::string& out) const {
  std::vector<const Series*> all;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    for (const auto& [key, s] : shard.series) all.push_back(s.get());
  }
  std::sort(all.begin(), all.end(), [](const Series* a, const Series* b) { return a->values < b->values; });
  out += "# HELP ";
  out += name_;
  out += ' ';
  AppendEscapedHelp(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += TypeName(type_);
  out += '\n';
  for (const Series* s : all) {
    if constexpr (std::is_same_v<M, metrics::Histogram>) {
      // Read the buckets before the count and sum: concurrent observations may make _count run
      // slightly ahead of +Inf for one scrape, never behind it.
      std::vector<uint64_t> cumulative = s->metric.CumulativeCounts();
      for (size_t i = 0; i < cumulative.size(); ++i) {
        std::string le;
        if (i < bounds_.size()) {
          AppendNumber(le, bounds_[i]);
        } else {
          le = "+Inf";
        }
        out += name_;
        out += "_bucket";
        AppendLabels(out, label_names_, s->values, "le", le);
        out += ' ';
        AppendNumber(out, cumulative[i]);
        out += '\n';
      }
      out += name_;
      out += "_sum";
      AppendLabels(out, label_names_, s->values);
      out += ' ';
      AppendNumber(out, s->metric.Sum());
      out += '\n';
      out += name_;
      out += "_count";
      AppendLabels(out, label_names_, s->values);
      out += ' ';
      AppendNumber(out, cumulative.back());
      out += '\n';
    } else {
      out += name_;
      AppendLabels(out, label_names_, s->values);
      out += ' ';
      AppendNumber(out, s->metric.Value());
      out += '\n';
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

FamilyBase& Registry::Register(std::string name, std::string help, std::vector<std::string> label_names, Type type,
                               const std::vector<double>* bounds) {
  if (!ValidName(name, true)) Die("invalid metric name \"" + name + "\"");
  for (const std::string& l : label_names) {
    if (!ValidName(l, false) || l.rfind("__", 0) == 0 || (type == Type::kHistogram && l == "le")) {
      Die(name + ": invalid label name \"" + l + "\"");
    }
  }
  if (bounds) {
    if (!std::is_sorted(bounds->begin(), bounds->end()) ||
        std::adjacent_find(bounds->begin(), bounds->end()) != bounds->end()) {
      Die(name + ": histogram bounds must be strictly ascending");
    }
  }
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    FamilyBase& f = *it->second;
    bool same = f.type() == type && f.help() == help && f.label_names() == label_names &&
                (!bounds || static_cast<HistogramFamily&>(f).bounds() == *bounds);
    if (!same) Die(name + ": registered twice with different type, help, labels or buckets");
    return f;
  }
  std::unique_ptr<FamilyBase> f;
  switch (type) {
    case Type::kCounter: f = std::make_unique<CounterFamily>(name, std::move(help), std::move(label_names), type); break;
    case Type::kGauge: f = std::make_unique<GaugeFamily>(name, std::move(help), std::move(label_names), type); break;
    case Type::kHistogram:
      f = std::make_unique<HistogramFamily>(name, std::move(help), std::move(label_names), type, *bounds);
      break;
  }
  FamilyBase& ref = *f;
  families_.emplace(std::move(name), std::move(f));
  return ref;
}

CounterFamily& Registry::Counter(std::string name, std::string help, std::vector<std::string> label_names) {
  return static_cast<CounterFamily&>(
      Register(std::move(name), std::move(help), std::move(label_names), Type::kCounter, nullptr));
}

GaugeFamily& Registry::Gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  return static_cast<GaugeFamily&>(
      Register(std::move(name), std::move(help), std::move(label_names), Type::kGauge, nullptr));
}

HistogramFamily& Registry::Histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                     const std::vector<double>& bounds) {
  return static_cast<HistogramFamily&>(
      Register(std::move(name), std::move(help), std::move(label_names), Type::kHistogram, &bounds));
}

void Registry::AddCollectHook(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  hooks_.push_back(std::move(hook));
}

std::string Registry::Render() const {
  std::vector<std::function<void()>> hooks;
  std::vector<const FamilyBase*> families;
  {
    std::lock_guard lock(mu_);
    hooks = hooks_;
    for (const auto& [name, f] : families_) families.push_back(f.get());
  }
  for (const auto& hook : hooks) hook();
  std::string out;
  out.reserve(16 * 1024);
  for (const FamilyBase* f : families) f->Render(out);
  return out;
}

Registry& Default() {
  static Registry* registry = new Registry();  // never destroyed: used until the process exits
  return *registry;
}

CappedLabel::CappedLabel(size_t cap, std::string overflow) : cap_(cap), overflow_(std::move(overflow)) {}

std::string_view CappedLabel::Admit(std::string_view value) {
  {
    std::shared_lock lock(mu_);
    auto it = admitted_.find(value);
    if (it != admitted_.end()) return *it;
    if (admitted_.size() >= cap_) return overflow_;
  }
  std::unique_lock lock(mu_);
  auto it = admitted_.find(value);
  if (it != admitted_.end()) return *it;
  if (admitted_.size() >= cap_) return overflow_;
  return *admitted_.emplace(value).first;
}

size_t CappedLabel::admitted() const {
  std::shared_lock lock(mu_);
  return admitted_.size();
}

void CappedLabel::SetCap(size_t cap) {
  std::unique_lock lock(mu_);
  cap_ = cap;
}

}  // namespace pm::metrics
