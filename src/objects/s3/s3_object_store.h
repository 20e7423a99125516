// S3ObjectStore: objects in one S3 bucket under an optional prefix (storage.url =
// s3://BUCKET/PREFIX). Requests are signed with AWS Signature V4 (see s3_client.h).
//
// Layout: key K is the S3 key PREFIX/K (just K without a prefix). List lists under PREFIX/ and
// strips it again, so two stores with different prefixes in one bucket never see each other.
//
// Streaming, bounded memory:
//  - A writer holds at most one part (`part_size`, 8 MiB) in memory. An object that fits is one
//    PUT at Commit; a larger one becomes a multipart upload (CreateMultipartUpload when the first
//    part is full, UploadPart per part, CompleteMultipartUpload at Commit; Abort or destruction
//    without Commit sends AbortMultipartUpload). Every request carries the SHA-256 of its body.
//    Nothing is visible before Commit (S3 semantics); a Commit overwrites atomically.
//  - A reader never holds the whole object: Open fetches the first `read_chunk` bytes (1 MiB)
//    with a ranged GET (which also gives the size and ETag), and Read fetches the next range on
//    demand. Every later range must carry the same ETag (and asks for it with If-Match), so a
//    reader sees one version or fails with kUnavailable if the object was replaced mid-read; it
//    never mixes two versions. Objects up to `read_chunk` are read whole at Open and so survive
//    a later overwrite or delete.
//
// Errors: kInvalidArgument for a bad key; kNotFound for a missing object (also for Stat, which is
// a HEAD: a HEAD answer has no body, so a 404 there is checked against the bucket before it is
// called a missing key); kUnavailable "storage: access denied by S3 (check credentials)" on 403,
// "storage: bucket B does not exist" when the bucket is missing, and kUnavailable for anything
// else (after retries on 5xx/429/timeouts, see s3_client.h).
//
// Thread safety: all store methods may be called concurrently. Writers and readers are used by
// one thread at a time and may outlive the store (they share the client).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "objects/object_store.h"
#include "objects/s3/s3_client.h"

namespace pm::objects {

struct S3StoreOptions {
  s3::S3ClientOptions client;
  std::string prefix;                  // "" or "a/b/" (always ends with '/')
  size_t part_size = 8 * 1024 * 1024;  // multipart threshold and part size (S3 minimum: 5 MiB)
  size_t read_chunk = 1024 * 1024;     // bytes per ranged GET
  int list_max_keys = 1000;            // ListObjectsV2 page size (tests lower it)
};

class S3ObjectStore final : public ObjectStore {
 public:
  // Builds options from storage.url = "s3://BUCKET[/PREFIX]" and the storage.s3_* settings:
  // endpoint default https://s3.REGION.amazonaws.com, region default us-east-1, path-style as
  // configured, both credentials required. Errors (kInvalidArgument) name the setting.
  static Result<S3StoreOptions> OptionsFromConfig(const ObjectStoreOptions& config);

  // No request is made here; call Check() to probe the bucket.
  explicit S3ObjectStore(S3StoreOptions options);
  ~S3ObjectStore() override;

  Result<std::unique_ptr<ObjectWriter>> Create(std::string_view key) override;
  Result<std::unique_ptr<ObjectReader>> Open(std::string_view key) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  // One ListObjectsV2 with max-keys=1 under the prefix: bucket exists, credentials list it.
  Status Check() override;

  // Largest buffer any reader / writer of this store has held (std::string capacity), to prove
  // the bounds above.
  int64_t PeakReadBufferBytesForTest() const;
  int64_t PeakWriteBufferBytesForTest() const;

  struct Shared;  // the client, options and counters, shared with writers and readers

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace pm::objects
