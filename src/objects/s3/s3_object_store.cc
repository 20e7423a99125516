#include "objects/s3/s3_object_store.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include "common/clock.h"
#include "objects/s3/s3_xml.h"

namespace pm::objects {

using s3::S3Client;
using s3::S3Request;
using s3::S3Response;

struct S3ObjectStore::Shared {
  explicit Shared(S3StoreOptions o) : options(std::move(o)), client(options.client) {}
  const S3StoreOptions options;
  S3Client client;
  std::atomic<int64_t> peak_read_buffer{0};
  std::atomic<int64_t> peak_write_buffer{0};

  std::string FullKey(std::string_view key) const { return options.prefix + std::string(key); }
};

namespace {

void NotePeak(std::atomic<int64_t>& peak, size_t bytes) {
  int64_t v = static_cast<int64_t>(bytes);
  int64_t cur = peak.load();
  while (v > cur && !peak.compare_exchange_weak(cur, v)) {
  }
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// "bytes FIRST-LAST/TOTAL" -> {first, total}.
std::optional<std::pair<int64_t, int64_t>> ParseContentRange(std::string_view v) {
  if (!v.starts_with("bytes ")) return std::nullopt;
  v.remove_prefix(6);
  size_t dash = v.find('-');
  size_t slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  auto first = ParseInt(v.substr(0, dash));
  auto total = ParseInt(v.substr(slash + 1));
  if (!first || !total) return std::nullopt;
  return std::make_pair(*first, *total);
}

int64_t ModifiedFromHeaders(const S3Response& r, std::string_view header) {
  if (auto ms = s3::ParseHttpDateMillis(r.Header(header))) return *ms;
  return Clock::System().NowMillis();
}

Error Finished() {
  return MakeError(ErrorCode::kInternal, "object writer already committed or aborted");
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

class S3Writer final : public ObjectWriter {
 public:
  S3Writer(std::shared_ptr<S3ObjectStore::Shared> shared, std::string key)
      : shared_(std::move(shared)), key_(std::move(key)), full_key_(shared_->FullKey(key_)) {}
  ~S3Writer() override { Abort(); }

  Status Write(std::string_view data) override {
    if (state_ == State::kDone) return Finished();
    if (state_ == State::kFailed) return *failure_;
    const size_t part = shared_->options.part_size;
    while (!data.empty()) {
      // Upload a full part only when more bytes arrive, so an object of exactly one part is
      // still a single PUT.
      if (buffer_.size() == part) {
        Status s = UploadPart();
        if (!s.ok()) return Fail(s.error());
      }
      size_t take = std::min(part - buffer_.size(), data.size());
      if (buffer_.size() + take > buffer_.capacity()) {
        // Grow by doubling but never past one part (std::string would overshoot it).
        buffer_.reserve(std::min(part, std::max(buffer_.capacity() * 2, buffer_.size() + take)));
      }
      buffer_.append(data.substr(0, take));
      NotePeak(shared_->peak_write_buffer, buffer_.capacity());
      data.remove_prefix(take);
      total_ += static_cast<int64_t>(take);
    }
    return Status::Ok();
  }

  Result<ObjectInfo> Commit() override {
    if (state_ == State::kDone) return Finished();
    if (state_ == State::kFailed) {
      Error e = *failure_;
      Abort();
      return e;
    }
    Result<ObjectInfo> result = upload_id_.empty() ? PutWhole() : CompleteMultipart();
    if (result.ok()) {
      upload_id_.clear();  // nothing to abort any more
      state_ = State::kDone;
      Release();
    } else {
      Abort();
    }
    return result;
  }

  void Abort() override {
    if (!upload_id_.empty()) {
      // Best effort: a failed abort leaves invisible parts that a bucket lifecycle rule
      // (AbortIncompleteMultipartUpload) cleans up; the object itself never appears.
      S3Request req{.method = "DELETE", .key = full_key_, .query = {{"uploadId", upload_id_}}};
      (void)shared_->client.Send(req);
      upload_id_.clear();
    }
    state_ = State::kDone;
    Release();
  }

 private:
  enum class State { kOpen, kFailed, kDone };

  void Release() { std::string().swap(buffer_); }

  Status Fail(Error e) {
    state_ = State::kFailed;
    failure_ = e;
    Release();
    return e;
  }

  Result<ObjectInfo> PutWhole() {
    S3Request req{.method = "PUT",
                  .key = full_key_,
                  .headers = {"Content-Type: application/octet-stream"},
                  .body = buffer_};
    PM_ASSIGN_OR_RETURN(S3Response r, shared_->client.Send(req));
    if (r.status != 200) return shared_->client.ErrorFor(r, "PUT " + key_);
    return ObjectInfo{key_, total_, ModifiedFromHeaders(r, "date")};
  }

  Status StartMultipart() {
    S3Request req{.method = "POST",
                  .key = full_key_,
                  .query = {{"uploads", ""}},
                  .headers = {"Content-Type: application/octet-stream"}};
    PM_ASSIGN_OR_RETURN(S3Response r, shared_->client.Send(req));
    if (r.status != 200) return shared_->client.ErrorFor(r, "CreateMultipartUpload " + key_);
    auto id = s3::XmlFirstText(r.body, "UploadId");
    if (!id || id->empty()) {
      return MakeError(ErrorCode::kUnavailable,
                       "storage: S3 CreateMultipartUpload for " + key_ + " gave no UploadId");
    }
    upload_id_ = *id;
    return Status::Ok();
  }

  Status UploadPart() {
    if (upload_id_.empty()) PM_RETURN_IF_ERROR(StartMultipart());
    const int number = static_cast<int>(etags_.size()) + 1;
    S3Request req{.method = "PUT",
                  .key = full_key_,
                  .query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}},
                  .body = buffer_};
    PM_ASSIGN_OR_RETURN(S3Response r, shared_->client.Send(req));
    if (r.status != 200) return shared_->client.ErrorFor(r, "UploadPart " + key_);
    std::string etag = r.Header("etag");
    if (etag.empty())
      return MakeError(ErrorCode::kUnavailable, "storage: S3 UploadPart for " + key_ + " gave no ETag");
    etags_.push_back(std::move(etag));
    buffer_.clear();  // keeps the capacity for the next part
    return Status::Ok();
  }

  Result<ObjectInfo> CompleteMultipart() {
    if (!buffer_.empty()) PM_RETURN_IF_ERROR(UploadPart());
    std::string xml = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < etags_.size(); ++i) {
      xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + XmlEscape(etags_[i]) +
             "</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    S3Request req{.method = "POST",
                  .key = full_key_,
                  .query = {{"uploadId", upload_id_}},
                  .headers = {"Content-Type: application/xml"},
                  .body = xml,
                  .error_body_means_500 = true};
    PM_ASSIGN_OR_RETURN(S3Response r, shared_->client.Send(req));
    if (r.status != 200) {
      Error e = shared_->client.ErrorFor(r, "CompleteMultipartUpload " + key_);
      // A 404 here is NoSuchUpload (or a vanished bucket), never "the key is missing".
      if (e.code == ErrorCode::kNotFound) e = MakeError(ErrorCode::kUnavailable, "storage: " + e.message);
      return e;
    }
    return ObjectInfo{key_, total_, ModifiedFromHeaders(r, "date")};
  }

  std::shared_ptr<S3ObjectStore::Shared> shared_;
  const std::string key_;
  const std::string full_key_;
  State state_ = State::kOpen;
  std::optional<Error> failure_;
  std::string buffer_;  // at most one part
  std::string upload_id_;
  std::vector<std::string> etags_;
  int64_t total_ = 0;
};

class S3Reader final : public ObjectReader {
 public:
  S3Reader(std::shared_ptr<S3ObjectStore::Shared> shared, std::string key, int64_t size, std::string etag,
           std::string first)
      : shared_(std::move(shared)),
        key_(std::move(key)),
        size_(size),
        etag_(std::move(etag)),
        buffer_(std::move(first)),
        next_(static_cast<int64_t>(buffer_.size())) {
    NotePeak(shared_->peak_read_buffer, buffer_.capacity());
  }

  int64_t size() const override { return size_; }

  Result<size_t> Read(char* buf, size_t n) override {
    if (pos_ == buffer_.size()) {
      if (next_ >= size_) return size_t{0};
      PM_RETURN_IF_ERROR(Fetch());
    }
    size_t take = std::min(n, buffer_.size() - pos_);
    std::memcpy(buf, buffer_.data() + pos_, take);
    pos_ += take;
    return take;
  }

 private:
  Status Fetch() {
    const size_t chunk = shared_->options.read_chunk;
    const int64_t last = std::min(next_ + static_cast<int64_t>(chunk), size_) - 1;
    S3Request req{.method = "GET",
                  .key = shared_->FullKey(key_),
                  .headers = {"Range: bytes=" + std::to_string(next_) + "-" + std::to_string(last)},
                  .max_response_bytes = chunk,
                  .reserve_response_bytes = chunk};
    // Lets S3 refuse (412) a replaced object at once; the ETag comparison below also catches
    // servers that ignore If-Match (s3rver). An empty value would make curl drop the header.
    if (!etag_.empty()) req.headers.push_back("If-Match: " + etag_);
    PM_ASSIGN_OR_RETURN(S3Response r, shared_->client.Send(req));
    auto changed = [&] {
      return MakeError(ErrorCode::kUnavailable,
                       "storage: object " + key_ + " changed while it was being read");
    };
    if (r.status == 412 || r.status == 404) return changed();
    if (r.status != 206) return shared_->client.ErrorFor(r, "GET " + key_);
    auto range = ParseContentRange(r.Header("content-range"));
    if (r.Header("etag") != etag_ || !range || range->second != size_) return changed();
    if (range->first != next_ || static_cast<int64_t>(r.body.size()) != last - next_ + 1) {
      return MakeError(ErrorCode::kUnavailable,
                       "storage: S3 answered a different range than asked for " + key_);
    }
    buffer_ = std::move(r.body);
    NotePeak(shared_->peak_read_buffer, buffer_.capacity());
    pos_ = 0;
    next_ += static_cast<int64_t>(buffer_.size());
    return Status::Ok();
  }

  std::shared_ptr<S3ObjectStore::Shared> shared_;
  const std::string key_;
  const int64_t size_;
  const std::string etag_;
  std::string buffer_;  // at most one read_chunk
  size_t pos_ = 0;      // next byte of buffer_ to hand out
  int64_t next_;        // object offset of the byte after buffer_
};

}  // namespace

S3ObjectStore::S3ObjectStore(S3StoreOptions options)
    : shared_(std::make_shared<Shared>(std::move(options))) {}
S3ObjectStore::~S3ObjectStore() = default;

Result<std::unique_ptr<ObjectWriter>> S3ObjectStore::Create(std::string_view key) {
  PM_RETURN_IF_ERROR(ValidateKey(key));
  return std::unique_ptr<ObjectWriter>(std::make_unique<S3Writer>(shared_, std::string(key)));
}

Result<std::unique_ptr<ObjectReader>> S3ObjectStore::Open(std::string_view key) {
  PM_RETURN_IF_ERROR(ValidateKey(key));
  const std::string full = shared_->FullKey(key);
  const size_t chunk = shared_->options.read_chunk;
  // Two tries: an object replaced between a 416 (empty) answer and the HEAD that confirms it.
  for (int attempt = 0; attempt < 2; ++attempt) {
    S3Request req{.method = "GET",
                  .key = full,
                  .headers = {"Range: bytes=0-" + std::to_string(chunk - 1)},
                  .max_response_bytes = chunk,
                  .reserve_response_bytes = chunk};
    PM_ASSIGN_OR_RETURN(S3Response r, shared_->client.Send(req));
    if (r.status == 206) {
      auto range = ParseContentRange(r.Header("content-range"));
      if (!range || range->first != 0) {
        return MakeError(ErrorCode::kUnavailable,
                         "storage: S3 answered a bad Content-Range for " + std::string(key));
      }
      return std::unique_ptr<ObjectReader>(std::make_unique<S3Reader>(
          shared_, std::string(key), range->second, r.Header("etag"), std::move(r.body)));
    }
    if (r.status == 200) {
      // The server ignored the range but the whole object fit in max_response_bytes.
      int64_t size = static_cast<int64_t>(r.body.size());
      return std::unique_ptr<ObjectReader>(
          std::make_unique<S3Reader>(shared_, std::string(key), size, r.Header("etag"), std::move(r.body)));
    }
    if (r.status == 416) {
      // S3 refuses any range of an empty object; confirm it is empty.
      PM_ASSIGN_OR_RETURN(ObjectInfo info, Stat(key));
      if (info.size == 0) {
        return std::unique_ptr<ObjectReader>(
            std::make_unique<S3Reader>(shared_, std::string(key), 0, "", ""));
      }
      continue;
    }
    return shared_->client.ErrorFor(r, "GET " + std::string(key));
  }
  return MakeError(ErrorCode::kUnavailable,
                   "storage: object " + std::string(key) + " changed while it was opened");
}

Result<ObjectInfo> S3ObjectStore::Stat(std::string_view key) {
  PM_RETURN_IF_ERROR(ValidateKey(key));
  S3Request req{.method = "HEAD", .key = shared_->FullKey(key)};
  PM_ASSIGN_OR_RETURN(S3Response r, shared_->client.Send(req));
  if (r.status == 200) {
    auto size = ParseInt(r.Header("content-length"));
    if (!size)
      return MakeError(ErrorCode::kUnavailable, "storage: S3 HEAD " + std::string(key) + " gave no size");
    return ObjectInfo{std::string(key), *size, ModifiedFromHeaders(r, "last-modified")};
  }
  if (r.status == 404) {
    // A HEAD answer has no body to say NoSuchKey or NoSuchBucket: ask about the bucket.
    PM_RETURN_IF_ERROR(Check());
  }
  return shared_->client.ErrorFor(r, "HEAD " + std::string(key));
}

Status S3ObjectStore::Delete(std::string_view key) {
  PM_RETURN_IF_ERROR(ValidateKey(key));
  S3Request req{.method = "DELETE", .key = shared_->FullKey(key)};
  PM_ASSIGN_OR_RETURN(S3Response r, shared_->client.Send(req));
  if (r.status == 204 || r.status == 200) return Status::Ok();
  Error e = shared_->client.ErrorFor(r, "DELETE " + std::string(key));
  if (e.code == ErrorCode::kNotFound) return Status::Ok();  // already gone: idempotent
  return e;
}

Result<std::vector<ObjectInfo>> S3ObjectStore::List(std::string_view prefix) {
  PM_RETURN_IF_ERROR(ValidatePrefix(prefix));
  const std::string& store_prefix = shared_->options.prefix;
  std::vector<ObjectInfo> out;
  std::string token;
  // Bounded: each page must make progress (a new token), and S3 keys are finite.
  while (true) {
    S3Request req{.method = "GET",
                  .query = {{"list-type", "2"},
                            {"max-keys", std::to_string(shared_->options.list_max_keys)},
                            {"prefix", store_prefix + std::string(prefix)}},
                  .max_response_bytes = 16 << 20};
    if (!token.empty()) req.query.emplace_back("continuation-token", token);
    PM_ASSIGN_OR_RETURN(S3Response r, shared_->client.Send(req));
    if (r.status != 200) return shared_->client.ErrorFor(r, "LIST " + std::string(prefix));
    auto page = s3::ParseListObjectsV2(r.body);
    if (!page)
      return MakeError(ErrorCode::kUnavailable, "storage: S3 sent a ListObjectsV2 answer we cannot read");
    for (auto& o : page->objects) {
      if (!std::string_view(o.key).starts_with(store_prefix)) continue;
      out.push_back({o.key.substr(store_prefix.size()), o.size, o.modified_ms});
    }
    if (!page->truncated) break;
    if (page->next_token == token) {
      return MakeError(ErrorCode::kUnavailable, "storage: S3 ListObjectsV2 repeated its continuation token");
    }
    token = page->next_token;
  }
  // S3 lists in UTF-8 byte order already; sorting makes the contract hold for any server.
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

Status S3ObjectStore::Check() {
  S3Request req{.method = "GET",
                .query = {{"list-type", "2"}, {"max-keys", "1"}, {"prefix", shared_->options.prefix}}};
  PM_ASSIGN_OR_RETURN(S3Response r, shared_->client.Send(req));
  if (r.status == 200) return Status::Ok();
  Error e = shared_->client.ErrorFor(r, "LIST (health check)");
  if (e.code == ErrorCode::kNotFound) e.code = ErrorCode::kUnavailable;
  return e;
}

int64_t S3ObjectStore::PeakReadBufferBytesForTest() const {
  return shared_->peak_read_buffer.load();
}
int64_t S3ObjectStore::PeakWriteBufferBytesForTest() const {
  return shared_->peak_write_buffer.load();
}

Result<S3StoreOptions> S3ObjectStore::OptionsFromConfig(const ObjectStoreOptions& config) {
  constexpr std::string_view kScheme = "s3://";
  std::string_view rest = std::string_view(config.url).substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string bucket(rest.substr(0, slash));
  std::string prefix(slash == std::string_view::npos ? "" : rest.substr(slash + 1));
  auto bad = [](std::string msg) { return MakeError(ErrorCode::kInvalidArgument, std::move(msg)); };
  // Bucket names: 3-63 of [a-z0-9.-], starting and ending with a letter or digit.
  bool bucket_ok =
      bucket.size() >= 3 && bucket.size() <= 63 &&
      std::all_of(
          bucket.begin(), bucket.end(),
          [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'; }) &&
      bucket.front() != '.' && bucket.front() != '-' && bucket.back() != '.' && bucket.back() != '-';
  if (!bucket_ok) {
    return bad(
        "storage.url: s3:// needs a bucket name of 3-63 characters [a-z0-9.-], e.g. "
        "s3://my-bucket/palettemaker");
  }
  while (prefix.ends_with('/')) prefix.pop_back();
  if (!prefix.empty()) {
    Status s = ValidateKey(prefix);
    if (!s.ok()) return bad("storage.url: bad prefix after the bucket: " + s.error().message);
    prefix += '/';
  }

  S3StoreOptions o;
  o.prefix = prefix;
  o.client.bucket = bucket;
  o.client.region = config.s3_region.empty() ? "us-east-1" : config.s3_region;
  for (char c : o.client.region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return bad("storage.s3_region: expected a region name like eu-west-1");
    }
  }
  std::string endpoint =
      config.s3_endpoint.empty() ? "https://s3." + o.client.region + ".amazonaws.com" : config.s3_endpoint;
  while (endpoint.ends_with('/')) endpoint.pop_back();
  size_t scheme_end = endpoint.find("://");
  std::string_view scheme =
      std::string_view(endpoint).substr(0, scheme_end == std::string::npos ? 0 : scheme_end);
  if ((scheme != "http" && scheme != "https") || endpoint.size() == scheme_end + 3 ||
      endpoint.find_first_of("/?#@ ", scheme_end + 3) != std::string::npos) {
    return bad("storage.s3_endpoint: expected http(s)://HOST[:PORT] with no path");
  }
  o.client.endpoint = endpoint;
  o.client.path_style = config.s3_path_style;
  if (config.s3_access_key_id.empty() || config.s3_secret_access_key.empty()) {
    return bad("storage.s3_access_key_id and storage.s3_secret_access_key are required for s3:// storage");
  }
  o.client.access_key_id = config.s3_access_key_id;
  o.client.secret_access_key = config.s3_secret_access_key;
  return o;
}

}  // namespace pm::objects
