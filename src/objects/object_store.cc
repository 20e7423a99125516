#include "objects/object_store.h"

#include <algorithm>
#include <utility>

#include "objects/instrumented_object_store.h"
#include "objects/local/local_object_store.h"
#include "objects/s3/s3_object_store.h"

namespace pm::objects {

namespace {

constexpr size_t kMaxKeyBytes = 1024;

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

Error BadKey(std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument, "invalid object key: " + std::string(why));
}

}  // namespace

Status ValidateKey(std::string_view key) {
  if (key.empty()) return BadKey("empty");
  if (key.size() > kMaxKeyBytes) return BadKey("longer than 1024 bytes");
  // Check the charset over the whole key first: this rejects NUL, control characters,
  // backslashes, '%' (so no percent-encoding can smuggle "../" past us), spaces and every
  // non-ASCII byte (UTF-8), before any segment logic runs.
  for (char c : key) {
    if (c != '/' && !IsKeyChar(c)) return BadKey("character outside [A-Za-z0-9._-/]");
  }
  if (key.front() == '/') return BadKey("leading '/'");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(start, end - start);
    if (segment.empty()) return BadKey("empty segment");
    // Segments starting with '.' ("." , "..", ".tmp", dot files) are reserved: backends keep
    // their own bookkeeping there (the local store's ".tmp/" directory) and "."/".." would walk
    // the tree.
    if (segment.front() == '.') return BadKey("segment starting with '.'");
    start = end + 1;
  }
  return Status::Ok();
}

Status ValidatePrefix(std::string_view prefix) {
  if (prefix.empty()) return Status::Ok();
  std::string_view p = prefix;
  if (p.ends_with('/')) p.remove_suffix(1);
  Status s = ValidateKey(p);
  if (!s.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid list prefix: " + s.error().message);
  }
  return Status::Ok();
}

Result<std::string> TenantKey(TenantId tenant, std::string_view rest) {
  if (tenant.value <= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid object key: tenant id must be > 0");
  }
  PM_RETURN_IF_ERROR(ValidateKey(rest));
  std::string key = "tenants/" + std::to_string(tenant.value) + "/";
  key.append(rest);
  PM_RETURN_IF_ERROR(ValidateKey(key));  // the whole key must still fit in 1024 bytes
  return key;
}

Result<ObjectInfo> ObjectStore::PutBytes(std::string_view key, std::string_view data) {
  PM_ASSIGN_OR_RETURN(std::unique_ptr<ObjectWriter> writer, Create(key));
  Status written = writer->Write(data);
  if (!written.ok()) {
    writer->Abort();
    return written.error();
  }
  return writer->Commit();
}

Result<std::string> ObjectStore::GetBytes(std::string_view key, int64_t max_bytes) {
  PM_ASSIGN_OR_RETURN(std::unique_ptr<ObjectReader> reader, Open(key));
  auto too_large = [&] {
    return MakeError(ErrorCode::kPayloadTooLarge, "object " + std::string(key) + " is larger than " +
                                                      std::to_string(max_bytes) + " bytes");
  };
  if (reader->size() > max_bytes) return too_large();
  std::string out;
  out.reserve(static_cast<size_t>(std::max<int64_t>(reader->size(), 0)));
  char buf[64 * 1024];
  while (true) {
    PM_ASSIGN_OR_RETURN(size_t n, reader->Read(buf, sizeof buf));
    if (n == 0) break;
    // The size is checked up front; this guards a backend whose object grows under the reader.
    if (static_cast<int64_t>(out.size() + n) > max_bytes) return too_large();
    out.append(buf, n);
  }
  return out;
}

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const ObjectStoreOptions& options) {
  std::string_view url = options.url;
  constexpr std::string_view kFile = "file://";
  constexpr std::string_view kS3 = "s3://";
  if (url.starts_with(kFile)) {
    // Everything after "file://" is the path, so "file:///abs/dir" and "file://./rel" both work
    // ("file://host/..." is NOT a host: it is the relative path "host/...").
    std::string path(url.substr(kFile.size()));
    if (path.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "storage.url: file:// needs a path, e.g. file:///var/lib/palettemaker/objects");
    }
    auto store = LocalObjectStore::OpenAt(path);
    if (!store.ok()) {
      return MakeError(store.error().code, "storage.url: " + store.error().message);
    }
    return WithMetrics(std::unique_ptr<ObjectStore>(std::move(store).value()), "local");
  }
  if (url.starts_with(kS3)) {
    PM_ASSIGN_OR_RETURN(S3StoreOptions s3_options, S3ObjectStore::OptionsFromConfig(options));
    return WithMetrics(std::make_unique<S3ObjectStore>(std::move(s3_options)), "s3");
  }
  // Name only the scheme: a mistyped URL may carry credentials.
  size_t scheme_end = url.find("://");
  std::string scheme =
      scheme_end == std::string_view::npos ? "(none)" : std::string(url.substr(0, scheme_end));
  return MakeError(ErrorCode::kInvalidArgument, "storage.url: unsupported scheme " + scheme +
                                                    " (expected file://PATH or s3://BUCKET/PREFIX)");
}

}  // namespace pm::objects
