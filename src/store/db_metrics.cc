#include "store/db_metrics.h"

#include <array>
#include <cctype>

#include "common/metrics.h"

namespace pm::store {
namespace {

constexpr std::array<std::string_view, 2> kBackends = {"sqlite", "postgres"};
constexpr std::array<std::string_view, 6> kOperations = {"select", "insert", "update", "delete", "transaction", "other"};
constexpr size_t kOps = kOperations.size();

struct Series {
  std::array<metrics::Counter*, 2 * kOps> ops{};
  std::array<metrics::Histogram*, 2 * kOps> durations{};
  std::array<metrics::Counter*, 4> errors{};  // backend x {unavailable, internal}

  Series() {
    auto& reg = metrics::Default();
    auto& ops_family = reg.Counter("palettemaker_db_operations_total",
                                   "Database statements executed, by backend and kind.", {"backend", "operation"});
    auto& duration_family =
        reg.Histogram("palettemaker_db_operation_duration_seconds", "Database statement duration, by backend and kind.",
                      {"backend", "operation"}, metrics::LatencyBuckets());
    auto& error_family = reg.Counter("palettemaker_db_errors_total",
                                     "Database errors passed to callers: unavailable (outage, timeout, lock, disk) "
                                     "or internal.",
                                     {"backend", "code"});
    for (size_t b = 0; b < kBackends.size(); ++b) {
      for (size_t o = 0; o < kOps; ++o) {
        ops[b * kOps + o] = &ops_family.With({kBackends[b], kOperations[o]});
        durations[b * kOps + o] = &duration_family.With({kBackends[b], kOperations[o]});
      }
      errors[b * 2] = &error_family.With({kBackends[b], "unavailable"});
      errors[b * 2 + 1] = &error_family.With({kBackends[b], "internal"});
    }
  }
};

// Created on first use, for both backends at once: the registry lookups happen once, and the
// unused backend's zeros are harmless.
Series& S() {
  static Series* s = new Series();
  return *s;
}

bool StartsWithWord(std::string_view s, std::string_view word) {
  if (s.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != word[i]) return false;
  }
  return s.size() == word.size() || !std::isalnum(static_cast<unsigned char>(s[word.size()]));
}

}  // namespace

DbOperation ClassifySql(std::string_view sql) {
  // Skip leading spaces and -- / /* */ comments.
  while (!sql.empty()) {
    if (std::isspace(static_cast<unsigned char>(sql.front()))) {
      sql.remove_prefix(1);
    } else if (sql.substr(0, 2) == "--") {
      size_t nl = sql.find('\n');
      sql = nl == std::string_view::npos ? std::string_view() : sql.substr(nl + 1);
    } else if (sql.substr(0, 2) == "/*") {
      size_t end = sql.find("*/");
      sql = end == std::string_view::npos ? std::string_view() : sql.substr(end + 2);
    } else {
      break;
    }
  }
  if (StartsWithWord(sql, "select") || StartsWithWord(sql, "with")) return DbOperation::kSelect;
  if (StartsWithWord(sql, "insert")) return DbOperation::kInsert;
  if (StartsWithWord(sql, "update")) return DbOperation::kUpdate;
  if (StartsWithWord(sql, "delete")) return DbOperation::kDelete;
  for (std::string_view w : {"begin", "commit", "rollback", "savepoint", "release", "end"}) {
    if (StartsWithWord(sql, w)) return DbOperation::kTransaction;
  }
  return DbOperation::kOther;
}

void RecordDbOperation(DbBackend backend, DbOperation op, double seconds) {
  const size_t i = static_cast<size_t>(backend) * kOps + static_cast<size_t>(op);
  Series& s = S();
  s.ops[i]->Inc();
  s.durations[i]->Observe(seconds);
}

void RecordDbError(DbBackend backend, ErrorCode code) {
  S().errors[static_cast<size_t>(backend) * 2 + (code == ErrorCode::kUnavailable ? 0 : 1)]->Inc();
}

void InitDbMetrics(DbBackend) { S(); }

}  // namespace pm::store
