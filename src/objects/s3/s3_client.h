// S3Client: signed HTTP requests to one S3 bucket, with retries. The only file that includes
// libcurl's headers is s3_client.cc.
//
// Signing: libcurl's CURLOPT_AWS_SIGV4 ("aws:amz:REGION:s3", user:password = key id:secret).
// curl 7.88 signs correctly only under conditions (see shared/DEPENDENCIES.md, "S3"), which this
// class always meets: it sends x-amz-content-sha256 itself (the hex SHA-256 of the body, which
// is always held in memory, or of the empty body), builds the query string already sorted and
// percent-encoded (RFC 3986 unreserved characters kept), and percent-encodes the key path
// itself. curl then signs host, x-amz-date and every header we set.
//
// Addressing: path style (ENDPOINT/BUCKET/KEY) when `path_style`, otherwise virtual-host style
// (SCHEME://BUCKET.HOST/KEY).
//
// Retries: up to `max_attempts` tries on connection errors, timeouts, HTTP 5xx and 429, with
// exponential backoff and full jitter (base, 2*base, 4*base, ...). 4xx answers are returned at
// once. Every request body is in memory, so a retry resends it exactly.
//
// Timeouts: connect `connect_timeout_ms`; a transfer slower than `low_speed_bytes_per_s` for
// `low_speed_time_s` is abandoned (and retried).
//
// Thread safety: Send may be called from many threads at once. Easy handles are pooled so
// connections are kept alive between requests; the pool is guarded by a mutex.
// Secrets: the secret key is handed to curl and never appears in a message or log line.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace pm::objects::s3 {

struct S3ClientOptions {
  std::string endpoint;  // "http(s)://host[:port]", no trailing '/'
  std::string bucket;
  std::string region;
  bool path_style = false;
  std::string access_key_id;
  std::string secret_access_key;

  int max_attempts = 4;
  int backoff_base_ms = 100;
  long connect_timeout_ms = 5000;
  long low_speed_bytes_per_s = 1024;
  long low_speed_time_s = 30;
};

struct S3Request {
  // (Every member has an initializer so designated initializers may leave any of them out.)
  std::string method{};  // GET, HEAD, PUT, POST or DELETE
  std::string key{};     // full object key, unencoded; empty addresses the bucket itself
  std::vector<std::pair<std::string, std::string>> query{};  // unencoded; sorted+encoded here
  std::vector<std::string> headers{};                        // extra "Name: value" (signed)
  std::string_view body{};                                   // PUT/POST body (outlives Send)
  size_t max_response_bytes = 1 << 20;                       // a longer response body fails the request
  size_t reserve_response_bytes = 0;  // reserve exactly this (ranged GETs: no 2x growth)
  // CompleteMultipartUpload can answer 200 with an <Error> body; treat that as a 500.
  bool error_body_means_500 = false;
};

struct S3Response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  // The value of header `name` (lower-case), or "" if absent.
  std::string Header(std::string_view name) const;
};

class S3Client {
 public:
  explicit S3Client(S3ClientOptions options);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // Sends `request` (with retries). Returns the final answer whatever its status, or
  // kUnavailable when no answer came (connection refused, timeout, ...) after every attempt.
  Result<S3Response> Send(const S3Request& request);

  const S3ClientOptions& options() const { return options_; }

  // "storage: ..." errors for an answer that was not a success. `what` names the operation and
  // key ("GET tenants/1/a"), never a secret:
  //   403 -> kUnavailable "storage: access denied by S3 (check credentials)"
  //   404 NoSuchBucket -> kUnavailable "storage: bucket B does not exist"
  //   404 otherwise -> kNotFound
  //   other -> kUnavailable with the status and S3's error code
  Error ErrorFor(const S3Response& response, std::string_view what) const;

  // Exposed for tests: RFC 3986 percent-encoding (unreserved kept; '/' kept when `keep_slash`).
  static std::string UriEncode(std::string_view s, bool keep_slash);
  // The URL a request goes to (path + sorted, encoded query).
  std::string UrlFor(const S3Request& request) const;

 private:
  struct Handle;
  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> handle);

  const S3ClientOptions options_;
  const std::string sigv4_;    // "aws:amz:REGION:s3"
  const std::string userpwd_;  // "KEY:SECRET"
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_;  // GUARDED_BY(mu_)
};

}  // namespace pm::objects::s3
