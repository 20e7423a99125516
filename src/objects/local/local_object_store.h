// LocalObjectStore: objects as files under one root directory (storage.url = file://PATH).
//
// Layout: key "tenants/1/images/ab.png" is the file ROOT/tenants/1/images/ab.png; writes in
// progress live in ROOT/.tmp/ (same filesystem, so Commit is a rename). Keys can never name
// ".tmp" because ValidateKey rejects segments that start with '.'.
//
// Durability: Commit fsyncs the file, renames it into place and fsyncs the parent directory (and
// any directory it had to create), so a committed object survives a crash and a reader sees the
// old object or the new one, never a partial one. If Commit fails at the very last step (the
// directory fsync), the object is already visible and the error says its durability is unknown.
// Delete fsyncs the directory too, so an erased object does not come back after a crash.
//
// Safety: every path is resolved one segment at a time from the root with O_NOFOLLOW, so a
// symlink anywhere inside the root (planted by someone else; this store never creates one) is
// never followed: reads treat it as a missing object, List skips it, writes through it fail.
//
// Limitation of a filesystem (S3 has none): a key cannot be both an object and a prefix of
// another object ("a/b" and "a/b/c"); the second Commit fails with kConflict.
//
// Thread safety: all methods may be called concurrently; the only shared mutable state is an
// atomic counter for temp-file names. Writers and readers are used by one thread at a time and
// may outlive the store (they share ownership of the directory handles).
//
// Errors: kInvalidArgument for a bad key, kNotFound for a missing object, kConflict as above,
// kUnavailable for I/O errors (with the errno text; ENOSPC/EDQUOT say "disk full").
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "objects/object_store.h"

namespace pm::objects {

class LocalObjectStore final : public ObjectStore {
 public:
  // Opens (creating it with mode 0750, parents included, if missing) the root directory `root`;
  // a relative path is resolved against the current directory now. Also creates ROOT/.tmp.
  // Errors: kUnavailable if the directory cannot be created or opened.
  static Result<std::unique_ptr<LocalObjectStore>> OpenAt(const std::string& root);

  ~LocalObjectStore() override;

  Result<std::unique_ptr<ObjectWriter>> Create(std::string_view key) override;
  Result<std::unique_ptr<ObjectReader>> Open(std::string_view key) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  // Also removes the directories the deletion left empty (never the root).
  Status Delete(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  // The root is still the directory opened at start-up, and a file can be created in it.
  Status Check() override;

  // Absolute path of the root directory.
  const std::string& root() const;

  struct Dirs;  // root and .tmp directory handles; internal

 private:
  explicit LocalObjectStore(std::shared_ptr<const Dirs> dirs);
  std::string NextTempName();

  std::shared_ptr<const Dirs> dirs_;
  std::atomic<uint64_t> next_temp_{0};
};

}  // namespace pm::objects
