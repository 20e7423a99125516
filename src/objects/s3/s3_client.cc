#include "objects/s3/s3_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "common/crypto.h"
#include "common/log.h"
#include "objects/s3/s3_xml.h"

namespace pm::objects::s3 {

namespace {

// SHA-256 of the empty string: the payload hash of every request without a body.
constexpr const char* kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr size_t kMaxIdleHandles = 32;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UploadSource {
  std::string_view body;
  size_t offset = 0;
};

size_t ReadBody(char* buf, size_t size, size_t nitems, void* userdata) {
  auto* src = static_cast<UploadSource*>(userdata);
  size_t n = std::min(size * nitems, src->body.size() - src->offset);
  std::copy_n(src->body.data() + src->offset, n, buf);
  src->offset += n;
  return n;
}

struct Sink {
  S3Response* response;
  size_t max_bytes;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* sink = static_cast<Sink*>(userdata);
  size_t n = size * nmemb;
  if (sink->response->body.size() + n > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  sink->response->body.append(data, n);
  return n;
}

size_t WriteHeader(char* data, size_t size, size_t nitems, void* userdata) {
  auto* response = static_cast<S3Response*>(userdata);
  std::string_view line(data, size * nitems);
  // An interim "HTTP/1.1 100 Continue" block comes before the real one: start over.
  if (line.starts_with("HTTP/")) {
    response->headers.clear();
    return size * nitems;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * nitems;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  response->headers.emplace_back(std::move(name), std::string(value));
  return size * nitems;
}

// Errors that another attempt cannot fix (our own mistakes, TLS trust, an oversized answer).
bool IsPermanent(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_WRITE_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_NOT_BUILT_IN: return true;
    default: return false;
  }
}

bool IsRetryableStatus(long status) {
  return status >= 500 || status == 429;
}

std::chrono::milliseconds Backoff(int base_ms, int attempt) {
  thread_local std::mt19937 rng{std::random_device{}()};
  int64_t ceiling = int64_t{base_ms} << std::min(attempt, 16);
  std::uniform_int_distribution<int64_t> dist(ceiling / 2, ceiling);  // jitter in [c/2, c]
  return std::chrono::milliseconds(dist(rng));
}

std::string S3ErrorCode(const S3Response& response) {
  auto code = XmlFirstText(response.body, "Code");
  return code ? *code : std::string();
}

}  // namespace

struct S3Client::Handle {
  CURL* curl = nullptr;
  Handle() : curl(curl_easy_init()) {}
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

std::string S3Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return std::string();
}

S3Client::S3Client(S3ClientOptions options)
    : options_(std::move(options)),
      sigv4_("aws:amz:" + options_.region + ":s3"),
      userpwd_(options_.access_key_id + ":" + options_.secret_access_key) {
  GlobalInitOnce();
}

S3Client::~S3Client() = default;

std::string S3Client::UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string S3Client::UrlFor(const S3Request& request) const {
  std::string url;
  std::string_view endpoint = options_.endpoint;
  if (options_.path_style) {
    url.append(endpoint);
    url.append("/").append(UriEncode(options_.bucket, false));
    if (!request.key.empty()) url.append("/").append(UriEncode(request.key, true));
  } else {
    size_t scheme_end = endpoint.find("://");
    url.append(endpoint.substr(0, scheme_end + 3));
    url.append(options_.bucket).append(".").append(endpoint.substr(scheme_end + 3));
    url.append("/").append(UriEncode(request.key, true));
  }
  // SigV4's canonical query: parameters sorted by encoded name (then value), each name and value
  // percent-encoded. curl 7.88 signs the query exactly as given, so it must already be canonical.
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [k, v] : request.query) query.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(query.begin(), query.end());
  for (size_t i = 0; i < query.size(); ++i) {
    url.append(i == 0 ? "?" : "&").append(query[i].first).append("=").append(query[i].second);
  }
  return url;
}

std::unique_ptr<S3Client::Handle> S3Client::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Handle> h = std::move(idle_.back());
      idle_.pop_back();
      // Clears the options but keeps the connection cache: keep-alive across requests.
      curl_easy_reset(h->curl);
      return h;
    }
  }
  auto h = std::make_unique<Handle>();
  if (h->curl == nullptr) return nullptr;
  return h;
}

void S3Client::Release(std::unique_ptr<Handle> handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
}

Result<S3Response> S3Client::Send(const S3Request& request) {
  const std::string url = UrlFor(request);
  const bool has_body = request.method == "PUT" || request.method == "POST";
  const std::string payload_hash = has_body ? Sha256Hex(request.body) : kEmptySha256;
  const std::string what = request.method + " " + (request.key.empty() ? options_.bucket : request.key);

  curl_slist* headers = curl_slist_append(nullptr, ("x-amz-content-sha256: " + payload_hash).c_str());
  for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  if (headers == nullptr) return MakeError(ErrorCode::kInternal, "storage: out of memory");

  std::string last_failure;
  int attempts = 0;
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    attempts = attempt + 1;
    if (attempt > 0) std::this_thread::sleep_for(Backoff(options_.backoff_base_ms, attempt - 1));

    std::unique_ptr<Handle> handle = Acquire();
    if (handle == nullptr) {
      curl_slist_free_all(headers);
      return MakeError(ErrorCode::kInternal, "storage: curl_easy_init failed");
    }
    CURL* curl = handle->curl;
    S3Response response;
    response.body.reserve(request.reserve_response_bytes);
    Sink sink{&response, request.max_response_bytes};
    UploadSource source{request.body, 0};
    char error_buffer[CURL_ERROR_SIZE] = {0};

    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes_per_s);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.low_speed_time_s);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4_.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
    if (request.method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT") {
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
      curl_easy_setopt(curl, CURLOPT_READDATA, &source);
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    } else if (request.method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    } else if (request.method != "GET") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    CURLcode code = curl_easy_perform(curl);
    if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    Release(std::move(handle));

    if (code != CURLE_OK) {
      if (sink.too_large) {
        curl_slist_free_all(headers);
        return MakeError(ErrorCode::kUnavailable, "storage: S3 answer to " + what + " is larger than " +
                                                      std::to_string(request.max_response_bytes) + " bytes");
      }
      last_failure = std::string(curl_easy_strerror(code)) + (error_buffer[0] ? ": " : "") + error_buffer;
      if (IsPermanent(code)) break;
      log::Warn("s3 request failed, retrying",
                {{"request", what}, {"attempt", attempt + 1}, {"error", last_failure}});
      continue;
    }
    if (request.error_body_means_500 && response.status == 200 &&
        response.body.find("<Error>") != std::string::npos) {
      response.status = 500;
    }
    if (IsRetryableStatus(response.status) && attempt + 1 < options_.max_attempts) {
      log::Warn("s3 request answered with a retryable status", {{"request", what},
                                                                {"attempt", attempt + 1},
                                                                {"status", response.status},
                                                                {"code", S3ErrorCode(response)}});
      continue;
    }
    curl_slist_free_all(headers);
    return response;
  }
  curl_slist_free_all(headers);
  return MakeError(ErrorCode::kUnavailable,
                   "storage: S3 request " + what + " failed after " + std::to_string(attempts) +
                       (attempts == 1 ? " attempt: " : " attempts: ") + last_failure);
}

Error S3Client::ErrorFor(const S3Response& response, std::string_view what) const {
  const std::string code = S3ErrorCode(response);
  const std::string detail = code.empty() ? std::string() : " [" + code + "]";
  if (response.status == 403) {
    return MakeError(ErrorCode::kUnavailable, "storage: access denied by S3 (check credentials)" + detail);
  }
  if (response.status == 404 && code == "NoSuchBucket") {
    return MakeError(ErrorCode::kUnavailable, "storage: bucket " + options_.bucket + " does not exist");
  }
  if (response.status == 404) {
    return MakeError(ErrorCode::kNotFound, "object not found: " + std::string(what));
  }
  if (IsRetryableStatus(response.status)) {
    return MakeError(ErrorCode::kUnavailable, "storage: S3 unavailable for " + std::string(what) + ": HTTP " +
                                                  std::to_string(response.status) + detail + " after " +
                                                  std::to_string(options_.max_attempts) + " attempts");
  }
  std::string message =
      "storage: S3 refused " + std::string(what) + ": HTTP " + std::to_string(response.status) + detail;
  if (auto text = XmlFirstText(response.body, "Message"); text && !text->empty()) message += " " + *text;
  return MakeError(ErrorCode::kUnavailable, message);
}

}  // namespace pm::objects::s3
