// The archive container shared by backups and tenant exports (docs/FORMATS.md, "Archives"): a POSIX tar
// whose last entry is manifest.json, listing every other entry with its size and SHA-256:
//
//   {"format": "palettemaker-backup" | "palettemaker-tenant-export", "format_version": 1,
//    "created_at": "2026-11-23T21:40:00.000Z", "binary_version": "0.1.0", ...,
//    "files": [{"name": "...", "size": 123, "sha256": "..."}, ...]}
//
// The manifest goes last so a writer can stream entries (hashing as it goes) without knowing
// their digests up front. Readers verify the whole archive first (VerifyArchive: every header
// checksum, every digest, no entry missing or extra) and only then act on it.
//
// Thread safety: none.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/tar.h"
#include "common/crypto.h"
#include "common/result.h"

namespace pm::app {

inline constexpr const char* kManifestName = "manifest.json";

struct ArchiveFile {
  std::string name;
  uint64_t size = 0;
  std::string sha256;
};

// Writes entries and, at Finish, the manifest.
class ArchiveWriter {
 public:
  ArchiveWriter(std::FILE* out, int64_t mtime_s) : tar_(out), mtime_s_(mtime_s) {}

  Status Begin(std::string_view name, uint64_t size);
  Status Write(std::string_view data);
  Status Add(std::string_view name, std::string_view data);
  // `manifest` (an object) gets "files" added and is written as the last entry.
  Status Finish(nlohmann::json manifest);

  const std::vector<ArchiveFile>& files() const { return files_; }
  uint64_t bytes_written() const { return tar_.bytes_written(); }

 private:
  Status EndIfComplete();

  TarWriter tar_;
  int64_t mtime_s_;
  std::vector<ArchiveFile> files_;
  Sha256 hash_;
  uint64_t remaining_ = 0;
  bool open_ = false;
};

struct VerifiedArchive {
  nlohmann::json manifest;                      // as read, "files" included
  std::map<std::string, ArchiveFile> files;     // by name
};

// Reads the whole archive at `path` and checks it: a well-formed tar, manifest.json last and
// valid JSON with "format" == `format` and "format_version" == `format_version`, its "files"
// exactly the other entries with matching sizes and SHA-256. Entries are bounded by
// `max_entry_bytes`. kInvalidArgument says what is wrong; nothing is written anywhere.
Result<VerifiedArchive> VerifyArchive(const std::string& path, std::string_view format,
                                      int format_version, uint64_t max_entry_bytes);

// Reads the current entry of `reader` fully into `sink` (called with chunks) while hashing it,
// and checks it against `expected` (the file may have changed since it was verified).
Status CopyEntryChecked(TarReader& reader, const ArchiveFile& expected,
                        const std::function<Status(std::string_view)>& sink);

// "2026-11-23T21:40:00.000Z" for Unix milliseconds.
std::string FormatUtcMillis(int64_t ms);

}  // namespace pm::app
