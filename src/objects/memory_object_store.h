// MemoryObjectStore: an ObjectStore in a map, for fast unit tests of callers.
//
// Same contract as the real backends (key validation, atomic Commit, idempotent Delete, sorted
// List), with S3's semantics for keys: "a/b" and "a/b/c" may both exist. It records the calls it
// receives so a test can assert what a caller did ("create K", "commit K", ...).
//
// Thread safety: all methods may be called concurrently (one mutex). Writers and readers may
// outlive the store. A reader opened before an overwrite or Delete keeps reading the old bytes,
// as an open file on disk does.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "objects/object_store.h"

namespace pm::objects {

class MemoryObjectStore final : public ObjectStore {
 public:
  // `clock` stamps ObjectInfo::modified_ms; it must outlive the store and its writers.
  explicit MemoryObjectStore(const Clock* clock = &Clock::System());
  ~MemoryObjectStore() override;

  Result<std::unique_ptr<ObjectWriter>> Create(std::string_view key) override;
  Result<std::unique_ptr<ObjectReader>> Open(std::string_view key) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Check() override;

  // --- For tests ---

  // Every call so far, in order, as "create K", "commit K", "abort K" (an explicit Abort, or a
  // writer destroyed uncommitted), "open K", "stat K", "delete K", "list P", "check". Write and
  // Read calls are not recorded (they depend on chunk sizes). Calls with an invalid key are
  // recorded too (before validation).
  std::vector<std::string> operations() const;
  void ClearOperations();

  // A snapshot of the committed objects: key -> bytes.
  std::map<std::string, std::string> Contents() const;
  size_t object_count() const;
  bool Contains(std::string_view key) const;

  // Make Check() fail with `error` (a store that is "down" for /readyz); nullopt heals it.
  void SetCheckError(std::optional<Error> error);

  struct State;  // shared with writers; internal

 private:
  std::shared_ptr<State> state_;
};

}  // namespace pm::objects
