// One libpq connection with its prepared statements, plus result and parameter helpers. Private
// to src/store/postgres/. libpq types are only forward-declared here; only the .cc files under
// src/store/postgres/ include libpq-fe.h.
//
// Thread safety: none. A Connection is used by one thread at a time (PostgresStore hands them out
// through a checkout pool). Nothing throws: every call returns Result/Status, with errors already
// mapped to the Store vocabulary (kUnavailable for connection failures, timeouts, cancellations,
// serialisation failures and resource exhaustion; kInternal otherwise). Messages never contain the
// password of the URL.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/result.h"

struct pg_conn;
struct pg_result;

namespace pm::store::postgres {

// A query result (owns the PGresult). Values are read in libpq's text format.
class Rows {
 public:
  explicit Rows(pg_result* result) : result_(result) {}
  ~Rows();
  Rows(Rows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  int size() const;
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const;
  std::string Text(int row, int col) const;
  int64_t Int64(int row, int col) const;  // NULL or unparsable reads as 0
  int Int(int row, int col) const { return static_cast<int>(Int64(row, col)); }
  bool Bool(int row, int col) const;  // 't'
  int64_t Affected() const;           // PQcmdTuples: rows changed by INSERT/UPDATE/DELETE

 private:
  pg_result* result_;
};

// Statement parameters, sent as text; std::nullopt is SQL NULL.
class Params {
 public:
  Params& Add(std::string_view v) {
    values_.emplace_back(std::string(v));
    return *this;
  }
  Params& Add(const char* v) { return Add(std::string_view(v)); }
  Params& Add(const std::string& v) { return Add(std::string_view(v)); }
  Params& Add(int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
  }
  Params& Add(int v) { return Add(static_cast<int64_t>(v)); }
  Params& Add(const std::optional<std::string>& v) {
    values_.push_back(v);
    return *this;
  }
  Params& AddNull() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

struct ConnectOptions {
  std::string url;               // postgres://... or postgresql://... (passed to libpq as is)
  std::string what = "database.url";  // the config key named in error messages
  int connect_timeout_s = 5;     // used unless the URL sets connect_timeout
  int statement_timeout_ms = 0;  // SET statement_timeout after connecting; 0 = none
};

class Connection {
 public:
  // Connects and applies the session settings. gssencmode=disable and connect_timeout are added
  // unless the URL sets them. kUnavailable when the server cannot be reached or refuses the
  // login; kInvalidArgument for a URL libpq cannot parse.
  static Result<std::unique_ptr<Connection>> Open(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A simple query (may hold several statements; no parameters).
  Result<Rows> Exec(std::string_view sql);
  // One statement with parameters, planned every time.
  Result<Rows> Exec(std::string_view sql, const Params& params);
  // One statement, prepared on this connection the first time `name` is used (names must map to
  // one SQL text for the life of the connection; PostgresStore uses fixed statement names).
  Result<Rows> ExecPrepared(const char* name, const char* sql, const Params& params);

  // True when the connection is known to be unusable (the server closed it, a connection error).
  bool broken() const { return broken_; }
  // For an idle connection: reads anything the server sent meanwhile (e.g. the termination
  // notice before a restart closes the socket) without blocking, and returns broken().
  bool CheckIdle();
  // Inside a transaction block (also a failed one)?
  bool InTransaction() const;

  // Statements that succeeded since the last ResetCounters(): lets the caller tell "failed
  // before anything ran" (safe to retry) from "failed part-way".
  int succeeded() const { return succeeded_; }
  void ResetCounters() { succeeded_ = 0; }

  // SQLSTATE and constraint name of the last failed statement ("" when none).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  const std::string& last_constraint() const { return last_constraint_; }

 private:
  Connection(pg_conn* conn, std::vector<std::string> secrets)
      : conn_(conn), secrets_(std::move(secrets)) {}
  // Also records the statement (and any error) in the database metrics (store/db_metrics.h).
  Result<Rows> Finish(pg_result* result, std::string_view what, std::string_view sql,
                      std::chrono::steady_clock::time_point start);
  std::string Scrub(std::string message) const;

  pg_conn* conn_;
  std::vector<std::string> secrets_;  // the URL's password, raw and decoded: scrubbed from messages
  std::unordered_set<std::string> prepared_;
  bool broken_ = false;
  int succeeded_ = 0;
  std::string last_sqlstate_;
  std::string last_constraint_;
};

// The password in a postgres:// URL's user-info as written and percent-decoded (empty when none).
std::vector<std::string> UrlPasswordForms(std::string_view url);
// `message` with every occurrence of the URL's password replaced by "***".
std::string ScrubPassword(std::string message, std::string_view url);

}  // namespace pm::store::postgres
