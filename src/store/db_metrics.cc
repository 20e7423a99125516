#include "store/db_metrics.h"

#include <array>
#include <cctype>

#include "common/metrics.h"

namespace pm::store {
namespace {

constexpr std::array<std::string_view, 2> kBackends = {"sqlite", "postgres"};
constexpr std::array<std::string_view, 6> kOperations = {"select", "insert", "update", "delete", "transaction", "other"};
constexpr size_t kOps = kOperations.size();

// One backend's series, resolved once (on its first statement) so that recording is a few
// relaxed atomic adds; a backend never used does not appear in the scrape.
struct Series {
  std::array<metrics::Counter*, kOps> ops{};
  std::array<metrics::Histogram*, kOps> durations{};
  metrics::Counter* unavailable = nullptr;
  metrics::Counter* internal = nullptr;

  explicit Series(std::string_view backend) {
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
    for (size_t o = 0; o < kOps; ++o) {
      ops[o] = &ops_family.With({backend, kOperations[o]});
      durations[o] = &duration_family.With({backend, kOperations[o]});
    }
    unavailable = &error_family.With({backend, "unavailable"});
    internal = &error_family.With({backend, "internal"});
  }
};

Series& S(DbBackend backend) {
  // Function-local statics: initialised once, thread-safely, on first use; never destroyed.
  if (backend == DbBackend::kSqlite) {
    static Series* sqlite = new Series(kBackends[0]);
    return *sqlite;
  }
  static Series* postgres = new Series(kBackends[1]);
  return *postgres;
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
  Series& s = S(backend);
  s.ops[static_cast<size_t>(op)]->Inc();
  s.durations[static_cast<size_t>(op)]->Observe(seconds);
}

void RecordDbError(DbBackend backend, ErrorCode code) {
  Series& s = S(backend);
  (code == ErrorCode::kUnavailable ? s.unavailable : s.internal)->Inc();
}

}  // namespace pm::store
