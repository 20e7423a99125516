// ObjectStore: where image bytes live (local disk now, S3 later), behind one interface.
//
// Keys are relative, '/'-separated, and every tenant object lives under `tenants/{tenant_id}/`
// (TenantKey builds them). Keys are validated by ValidateKey before any backend touches them.
//
// Thread safety: every method may be called from many threads at once.
// Failure: errors come back as Result/Status with kNotFound for a missing key, kInvalidArgument
// for a bad key, kUnavailable for I/O trouble (disk full, permission, network).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"

namespace pm::objects {

struct ObjectInfo {
  std::string key;
  int64_t size = 0;
  int64_t modified_ms = 0;  // Unix milliseconds
};

// A write in progress. Bytes become visible under the key only after Commit() succeeds
// (atomically: readers see the old object or the new one, never a partial one). Destroying a
// writer without Commit() aborts it and leaves nothing behind.
// A failed Write poisons the writer: a later Commit fails too and leaves nothing. A failed
// Commit normally leaves nothing either, but a backend may fail after the object became visible
// (the local store's final directory fsync), so a caller that must leave nothing behind Deletes
// the key after a failed Commit. After Commit or Abort, Write/Commit return kInternal.
// A writer or reader is used by one thread at a time; it may outlive its store.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual Status Write(std::string_view data) = 0;
  virtual Result<ObjectInfo> Commit() = 0;
  virtual void Abort() = 0;
};

// A read in progress. Read returns the number of bytes placed in buf; 0 means end of object.
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  virtual int64_t size() const = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Start writing `key` (put as a stream).
  virtual Result<std::unique_ptr<ObjectWriter>> Create(std::string_view key) = 0;
  // Open `key` for reading (get as a stream).
  virtual Result<std::unique_ptr<ObjectReader>> Open(std::string_view key) = 0;
  virtual Result<ObjectInfo> Stat(std::string_view key) = 0;
  // Deleting a missing key succeeds (idempotent).
  virtual Status Delete(std::string_view key) = 0;
  // Every object whose key starts with `prefix`, sorted by key.
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;
  // Cheap health probe for /readyz.
  virtual Status Check() = 0;

  // Convenience wrappers over the streaming calls. GetBytes fails with kPayloadTooLarge if the
  // object is larger than `max_bytes`.
  Result<ObjectInfo> PutBytes(std::string_view key, std::string_view data);
  Result<std::string> GetBytes(std::string_view key, int64_t max_bytes);
};

// Key rules: 1..1024 bytes; '/'-separated segments of [A-Za-z0-9._-]; no empty segment and no
// segment starting with '.' (so no "." or "..", and names like ".tmp" stay free for backends'
// bookkeeping); no leading or trailing '/'. Anything outside the charset is rejected: backslash,
// NUL, control characters, '%' (no percent-encoding), spaces, non-ASCII.
Status ValidateKey(std::string_view key);

// A List prefix: "" (everything), a valid key, or a valid key followed by '/'.
Status ValidatePrefix(std::string_view prefix);

// "tenants/{tenant_id}/{rest}"; `rest` must itself be a valid key.
Result<std::string> TenantKey(TenantId tenant, std::string_view rest);

// Picks the backend by URL scheme:
//  - file://PATH: local disk; PATH is everything after "file://", so file:///abs and
//    file://./rel both work; the directory is created if missing.
//  - s3://BUCKET[/PREFIX]: S3 (objects/s3/s3_object_store.h) with the s3_* fields below. No
//    request is made at open; Check() probes the bucket.
// Errors name the setting: kInvalidArgument for a bad URL or s3 setting, kUnavailable if the
// directory cannot be created or opened.
// (Every member has an initializer, so `OpenObjectStore({url})` still compiles warning-free.)
struct ObjectStoreOptions {
  std::string url{};
  // s3:// only (the storage.s3_* settings).
  std::string s3_endpoint{};   // "" = https://s3.REGION.amazonaws.com; else http(s)://HOST[:PORT]
  std::string s3_region{};     // "" = us-east-1
  bool s3_path_style = false;  // ENDPOINT/BUCKET/KEY instead of BUCKET.HOST/KEY
  std::string s3_access_key_id{};
  std::string s3_secret_access_key{};
};
Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const ObjectStoreOptions& options);

}  // namespace pm::objects
