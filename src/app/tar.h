// A small, strict POSIX tar (ustar + pax "path"/"size" records) writer and reader for the
// backup and tenant-export archives (docs/FORMATS.md, "Archives").
//
// Why our own and not libarchive: the release binary is linked statically, and libarchive would
// bring its compression libraries (lzma, zstd, bz2, lz4, xml2, acl, ...) as static
// dependencies for a format we need one corner of. ustar is 512-byte headers with octal
// fields and a byte-sum checksum, padded data, and two zero blocks at the end; long names go in
// a pax extended header ('x') just before the entry. We write and accept only regular files.
//
// The reader is meant for untrusted archives: every header checksum is verified; only regular
// files (and pax headers describing them) are accepted -- no links, devices, directories or
// global pax headers; names must be relative, '/'-separated, without empty, "." or ".."
// segments, NUL or backslash; each entry is bounded by `max_entry_bytes`; a truncated archive
// (short block, missing end-of-archive blocks) is an error. Errors are kInvalidArgument with a
// message naming the entry.
//
// Thread safety: none; one writer or reader per thread. Neither owns its stream.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pm::app {

// Whether `name` may appear in an archive (the reader's rule, also checked by the writer).
Status ValidateArchiveName(std::string_view name);

class TarWriter {
 public:
  // Writes to `out` (not owned; the caller closes it).
  explicit TarWriter(std::FILE* out) : out_(out) {}

  // Starts an entry of exactly `size` bytes; Write must then supply them all before the next
  // Begin or Finish. `mtime_s` is the Unix time recorded in the header.
  Status Begin(std::string_view name, uint64_t size, int64_t mtime_s);
  Status Write(std::string_view data);
  // One whole entry.
  Status Add(std::string_view name, std::string_view data, int64_t mtime_s);
  // Writes the two end-of-archive blocks and flushes. Fails if an entry is incomplete.
  Status Finish();
  uint64_t bytes_written() const { return written_; }

 private:
  Status Raw(const char* data, size_t n);
  Status Pad();

  std::FILE* out_;
  uint64_t remaining_ = 0;  // bytes still owed to the current entry
  uint64_t entry_size_ = 0;
  bool in_entry_ = false;
  uint64_t written_ = 0;
};

struct TarEntry {
  std::string name;
  uint64_t size = 0;
  int64_t mtime_s = 0;
};

class TarReader {
 public:
  // Reads from `in` (not owned). Entries larger than `max_entry_bytes` are refused.
  TarReader(std::FILE* in, uint64_t max_entry_bytes) : in_(in), max_entry_(max_entry_bytes) {}

  // The next entry (skipping whatever the caller left unread of the current one), or nullopt at
  // the end-of-archive blocks.
  Result<std::optional<TarEntry>> Next();
  // Reads up to `n` bytes of the current entry's data; 0 at its end.
  Result<size_t> Read(char* buf, size_t n);
  // The rest of the current entry as a string (refused when more than `max_bytes`).
  Result<std::string> ReadAll(uint64_t max_bytes);

 private:
  Status ReadBlock(char* block);
  Status SkipRest();

  std::FILE* in_;
  uint64_t max_entry_;
  uint64_t remaining_ = 0;  // unread data bytes of the current entry
  uint64_t padding_ = 0;    // padding after them
  std::string current_;     // the current entry's name, for messages
  bool done_ = false;
};

}  // namespace pm::app
