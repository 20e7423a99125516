// Result<T>: a value or an Error. No exceptions cross module boundaries: seams and the engine
// return Result, adapters convert library exceptions at the edge (see docs/ARCHITECTURE.md).
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace pm {

// The stable error vocabulary of the whole program. http/ maps each code to an HTTP status and
// the JSON `error.code` string (ErrorCodeName).
enum class ErrorCode {
  kInvalidArgument,      // 400: malformed or out-of-range input
  kUnauthenticated,      // 401: no or bad credentials
  kPermissionDenied,     // 403: authenticated, but the role does not allow it (same tenant only)
  kCsrfFailed,           // 403: cookie-authenticated write without a valid X-CSRF-Token
  kWorkspaceSuspended,   // 403: a write to a workspace an operator suspended (read-only)
  kMfaRequired,          // 401: the password was right; a TOTP or recovery code is needed too
  kMfaSetupRequired,     // 403: the action needs two-factor authentication turned on first
  kQuotaExceeded,        // 402: the plan's cap (members, palettes, stored bytes) is reached
  kNotFound,             // 404: missing, or belongs to another tenant (never 403: no leak)
  kAlreadyExists,        // 409
  kConflict,             // 409
  kLengthRequired,       // 411: chunked request bodies are refused
  kPayloadTooLarge,      // 413
  kUnsupportedMediaType, // 415: not an image format we decode, or wrong body type
  kInvalidImage,         // 422: recognised format but corrupt/truncated/over limits
  kRateLimited,          // 429
  kFetchFailed,          // 502: a URL upload's remote server failed (DNS, connect, timeout, non-2xx)
  kUnavailable,          // 503: database or object store unreachable, disk full, draining
  kInternal,             // 500: a bug of ours
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
  int64_t retry_after_s = 0;  // kRateLimited: seconds until a retry can succeed (Retry-After)
};

inline Error MakeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Status: a Result with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  static Status Ok() { return Status(); }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

}  // namespace pm

// Propagate an error from a Result/Status expression.
#define PM_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    auto pm_status_ = (expr);                        \
    if (!pm_status_.ok()) return pm_status_.error(); \
  } while (0)

#define PM_CONCAT_INNER_(a, b) a##b
#define PM_CONCAT_(a, b) PM_CONCAT_INNER_(a, b)
#define PM_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.error();              \
  lhs = std::move(tmp).value()
// PM_ASSIGN_OR_RETURN(auto x, Foo());
#define PM_ASSIGN_OR_RETURN(lhs, expr) PM_ASSIGN_OR_RETURN_IMPL_(PM_CONCAT_(pm_result_, __LINE__), lhs, expr)
