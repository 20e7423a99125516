// FailingObjectStore: wraps another ObjectStore and fails chosen calls on demand, to prove that
// a failed upload (or delete, or read) leaves nothing behind and is answered, not crashed on.
//
//   MemoryObjectStore memory;
//   FailingObjectStore store(&memory);
//   store.FailNth(FailingObjectStore::Op::kCommit, 1);  // the next Commit fails
//   ... run the upload use case against `store`, then check `memory` holds nothing.
//
// An injected failure is Error{kUnavailable, "injected failure: commit (call 3)"} (what a full disk or
// an unreachable S3 would give). A failing Create/Open/Stat/Delete/List/Check does not reach the
// wrapped store. A failing Write does not pass its bytes on (the writer stays usable, as after a
// real short write the caller is expected to Abort). A failing Commit aborts the wrapped writer,
// so the object never becomes visible. A failing Read returns the error instead of bytes.
//
// Thread safety: all methods may be called concurrently (one mutex around the counters). The
// wrapped store, when not owned, must outlive this one; writers and readers may outlive it.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "objects/object_store.h"

namespace pm::objects {

class FailingObjectStore final : public ObjectStore {
 public:
  enum class Op { kCreate, kWrite, kCommit, kOpen, kRead, kStat, kDelete, kList, kCheck };

  explicit FailingObjectStore(ObjectStore* base);                  // not owned
  explicit FailingObjectStore(std::unique_ptr<ObjectStore> base);  // owned
  ~FailingObjectStore() override;

  // The n-th call (1-based) of `op` from now on fails; only that one. Replaces an earlier rule
  // for `op`.
  void FailNth(Op op, int n);
  // The n-th call of `op` from now on and every later one fail (a disk that stays full).
  void FailFromNth(Op op, int n);
  // Removes every rule (counts are kept).
  void ClearFailures();
  // Calls of `op` seen since construction (failed ones included).
  int calls(Op op) const;
  // How many failures were injected so far.
  int injected_failures() const;

  ObjectStore& base() { return *base_; }

  Result<std::unique_ptr<ObjectWriter>> Create(std::string_view key) override;
  Result<std::unique_ptr<ObjectReader>> Open(std::string_view key) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Check() override;

  struct Injector;  // counters and rules, shared with writers and readers; internal

 private:
  std::unique_ptr<ObjectStore> owned_;
  ObjectStore* base_;
  std::shared_ptr<Injector> injector_;
};

const char* FailingOpName(FailingObjectStore::Op op);

}  // namespace pm::objects
