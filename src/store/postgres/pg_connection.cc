#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <cstring>

#include "store/db_metrics.h"

namespace pm::store::postgres {

namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  // libpq's multi-line messages (DETAIL/HINT/context) read better on one log line.
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// SQLSTATEs after which the connection cannot be used again: connection exceptions (class 08)
// and the server shutting the session down (admin_shutdown, crash_shutdown, cannot_connect_now).
bool IsConnectionState(std::string_view state) {
  return state.substr(0, 2) == "08" || state == "57P01" || state == "57P02" || state == "57P03";
}

// Transient conditions a caller may retry later: 503, not 500.
bool IsTransientState(std::string_view state) {
  return state == "57014"                 // query_canceled: statement_timeout
         || state.substr(0, 2) == "53"    // insufficient resources (disk full, too many conns)
         || state == "40001"              // serialization_failure
         || state == "40P01"              // deadlock_detected
         || state == "55P03";             // lock_not_available
}

}  // namespace

std::vector<std::string> UrlPasswordForms(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  size_t at = rest.find('@');
  size_t slash = rest.find('/');
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) return {};
  std::string_view userinfo = rest.substr(0, at);
  size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos || colon + 1 == userinfo.size()) return {};
  std::string raw(userinfo.substr(colon + 1));
  std::string decoded = PercentDecode(raw);
  if (decoded == raw) return {raw};
  return {raw, decoded};
}

namespace {

std::string ScrubSecrets(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    for (size_t pos = message.find(secret); pos != std::string::npos;
         pos = message.find(secret, pos + 3)) {
      message.replace(pos, secret.size(), "***");
    }
  }
  return message;
}

}  // namespace

std::string ScrubPassword(std::string message, std::string_view url) {
  return ScrubSecrets(std::move(message), UrlPasswordForms(url));
}

Rows::~Rows() {
  if (result_ != nullptr) PQclear(result_);
}

Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

int Rows::size() const { return result_ == nullptr ? 0 : PQntuples(result_); }

bool Rows::IsNull(int row, int col) const { return PQgetisnull(result_, row, col) != 0; }

std::string Rows::Text(int row, int col) const {
  return std::string(PQgetvalue(result_, row, col),
                     static_cast<size_t>(PQgetlength(result_, row, col)));
}

int64_t Rows::Int64(int row, int col) const {
  const char* v = PQgetvalue(result_, row, col);
  int64_t out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  return out;
}

bool Rows::Bool(int row, int col) const {
  const char* v = PQgetvalue(result_, row, col);
  return v[0] == 't';
}

int64_t Rows::Affected() const {
  const char* v = PQcmdTuples(result_);
  int64_t out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  return out;
}

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectOptions& options) {
  std::string timeout = std::to_string(options.connect_timeout_s);
  // Values before "dbname" are defaults: the expanded URL overrides them (expand_dbname = 1).
  // gssencmode=disable: no GSSAPI probe (the static build stubs GSSAPI out, and the probe costs a
  // round trip against servers without it).
  const char* keywords[] = {"gssencmode", "connect_timeout", "application_name", "dbname",
                            nullptr};
  const char* values[] = {"disable", timeout.c_str(), "palettemaker", options.url.c_str(),
                          nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) {
    return MakeError(ErrorCode::kUnavailable, options.what + ": out of memory");
  }
  std::unique_ptr<Connection> out(new Connection(conn, UrlPasswordForms(options.url)));
  // libpq prints notices (and the server's termination notice) on stderr by default; the store
  // reports errors through its results instead.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = Trim(PQerrorMessage(conn));
    // libpq reports URL syntax errors before any network I/O ("invalid URI ...", "invalid
    // connection option ...", "unexpected spaces ...", "invalid percent-encoded token ...").
    bool syntax = message.find("invalid ") != std::string::npos ||
                  message.find("unexpected") != std::string::npos ||
                  message.find("missing \"=\"") != std::string::npos;
    return MakeError(syntax ? ErrorCode::kInvalidArgument : ErrorCode::kUnavailable,
                     options.what + ": cannot connect: " + out->Scrub(message));
  }
  if (options.statement_timeout_ms > 0) {
    auto set = out->Exec("SET statement_timeout = " + std::to_string(options.statement_timeout_ms));
    if (!set.ok()) return set.error();
  }
  out->ResetCounters();
  return out;
}

Connection::~Connection() { PQfinish(conn_); }

std::string Connection::Scrub(std::string message) const {
  return ScrubSecrets(std::move(message), secrets_);
}

Result<Rows> Connection::Finish(pg_result* result, std::string_view what, std::string_view sql,
                                std::chrono::steady_clock::time_point start) {
  Rows rows(result);
  ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  RecordDbOperation(DbBackend::kPostgres, ClassifySql(sql),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    ++succeeded_;
    last_sqlstate_.clear();
    last_constraint_.clear();
    return rows;
  }
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* constraint = result ? PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  last_sqlstate_ = state ? state : "";
  last_constraint_ = constraint ? constraint : "";
  std::string message =
      Trim(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  if (message.empty()) message = Trim(PQerrorMessage(conn_));
  if (PQstatus(conn_) == CONNECTION_BAD || IsConnectionState(last_sqlstate_)) broken_ = true;
  ErrorCode code = (broken_ || IsTransientState(last_sqlstate_)) ? ErrorCode::kUnavailable
                                                                 : ErrorCode::kInternal;
  // Integrity violations (class 23: unique, foreign key, check) are how the store detects
  // conflicts its callers expect ("e-mail already taken"); only the rest are database errors.
  if (last_sqlstate_.rfind("23", 0) != 0) RecordDbError(DbBackend::kPostgres, code);
  return MakeError(code, "postgres: " + std::string(what) + ": " + Scrub(message));
}

Result<Rows> Connection::Exec(std::string_view sql) {
  std::string text(sql);
  const auto start = std::chrono::steady_clock::now();
  return Finish(PQexec(conn_, text.c_str()), "query", sql, start);
}

namespace {

struct CParams {
  std::vector<const char*> values;
  explicit CParams(const Params& params) {
    values.reserve(params.values().size());
    for (const auto& v : params.values()) values.push_back(v ? v->c_str() : nullptr);
  }
  int count() const { return static_cast<int>(values.size()); }
  const char* const* data() const { return values.empty() ? nullptr : values.data(); }
};

}  // namespace

Result<Rows> Connection::Exec(std::string_view sql, const Params& params) {
  std::string text(sql);
  CParams p(params);
  const auto start = std::chrono::steady_clock::now();
  return Finish(PQexecParams(conn_, text.c_str(), p.count(), nullptr, p.data(), nullptr, nullptr, 0),
                "query", sql, start);
}

Result<Rows> Connection::ExecPrepared(const char* name, const char* sql, const Params& params) {
  CParams p(params);
  if (prepared_.find(name) == prepared_.end()) {
    // Parameter types are inferred from the statement (all are sent as text).
    const auto start = std::chrono::steady_clock::now();
    // Preparing is a round trip of its own; it counts as an "other" operation.
    auto prepared = Finish(PQprepare(conn_, name, sql, 0, nullptr), name, "PREPARE", start);
    if (!prepared.ok()) return prepared.error();
    --succeeded_;  // preparing is not a statement of the caller's
    prepared_.insert(name);
  }
  const auto start = std::chrono::steady_clock::now();
  return Finish(PQexecPrepared(conn_, name, p.count(), p.data(), nullptr, nullptr, 0), name, sql, start);
}

bool Connection::CheckIdle() {
  if (broken_) return true;
  if (PQstatus(conn_) == CONNECTION_BAD) return broken_ = true;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  if (fd.fd < 0) return broken_ = true;
  // An idle connection has nothing to read unless the server sent something: a notice, or the
  // FATAL "terminating connection" before it closed the socket (server restart, idle timeout).
  // Reading it leaves the status OK until the EOF after it is read, so any unsolicited input is
  // taken as the end of this connection: we LISTEN to nothing, and a needless reconnect is cheap.
  if (::poll(&fd, 1, 0) > 0) return broken_ = true;
  return false;
}

bool Connection::InTransaction() const {
  PGTransactionStatusType s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

}  // namespace pm::store::postgres
