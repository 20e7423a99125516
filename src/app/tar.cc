#include "app/tar.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace pm::app {
namespace {

constexpr size_t kBlock = 512;
constexpr uint64_t kMaxPaxBytes = 64 * 1024;
// ustar's 12-byte size field holds 11 octal digits: below 8 GiB. Larger sizes go in pax.
constexpr uint64_t kMaxOctalSize = (uint64_t{1} << 33) - 1;

Error Bad(const std::string& message) { return MakeError(ErrorCode::kInvalidArgument, message); }

void PutOctal(char* field, size_t width, uint64_t value) {
  // width-1 digits, zero-padded, then NUL.
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  field[width - 1] = '\0';
}

uint32_t Checksum(const char* block) {
  uint32_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(block[i]);
  }
  return sum;
}

// An octal field: optional leading spaces, digits, then NUL/space padding. Base-256 (GNU) and
// anything else are refused.
bool ParseOctal(const char* field, size_t width, uint64_t* out) {
  size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  uint64_t v = 0;
  size_t digits = 0;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i, ++digits) {
    if (v > (UINT64_MAX >> 3)) return false;
    v = (v << 3) | static_cast<uint64_t>(field[i] - '0');
  }
  for (; i < width; ++i) {
    if (field[i] != '\0' && field[i] != ' ') return false;
  }
  if (digits == 0) return false;
  *out = v;
  return true;
}

std::string Field(const char* field, size_t width) {
  return std::string(field, strnlen(field, width));
}

bool AllZero(const char* block) {
  return std::all_of(block, block + kBlock, [](char c) { return c == '\0'; });
}

// One pax record "LEN key=value\n", LEN counting the whole record including itself.
std::string PaxRecord(std::string_view key, std::string_view value) {
  size_t body = 1 + key.size() + 1 + value.size() + 1;  // " key=value\n"
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
  return std::to_string(len) + " " + std::string(key) + "=" + std::string(value) + "\n";
}

// The last segment of `name`, at most 100 bytes (its end): a relative ustar name for a long one.
std::string_view FallbackName(std::string_view name) {
  size_t slash = name.rfind('/');
  std::string_view last = slash == std::string_view::npos ? name : name.substr(slash + 1);
  return last.size() > 100 ? last.substr(last.size() - 100) : last;
}

}  // namespace

Status ValidateArchiveName(std::string_view name) {
  if (name.empty() || name.size() > 4096) return Bad("archive entry name is empty or too long");
  auto quoted = [&] { return "archive entry name '" + std::string(name.substr(0, 200)) + "'"; };
  if (name.front() == '/') return Bad(quoted() + " is absolute");
  if (name.back() == '/') return Bad(quoted() + " is a directory");
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view seg = name.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") {
      return Bad(quoted() + " has an empty, '.' or '..' segment");
    }
    start = end + 1;
  }
  for (char c : name) {
    if (c == '\0' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return Bad(quoted() + " holds a NUL, control character or backslash");
    }
  }
  return Status::Ok();
}

// --- Writer ------------------------------------------------------------------------------------

Status TarWriter::Raw(const char* data, size_t n) {
  if (n == 0) return Status::Ok();
  if (std::fwrite(data, 1, n, out_) != n) {
    return MakeError(ErrorCode::kUnavailable, std::string("writing the archive failed: ") + std::strerror(errno));
  }
  written_ += n;
  return Status::Ok();
}

Status TarWriter::Pad() {
  static const char kZeros[kBlock] = {};
  size_t rem = static_cast<size_t>(entry_size_ % kBlock);
  return rem == 0 ? Status::Ok() : Raw(kZeros, kBlock - rem);
}

Status TarWriter::Begin(std::string_view name, uint64_t size, int64_t mtime_s) {
  if (in_entry_) return MakeError(ErrorCode::kInternal, "tar: Begin before the previous entry was complete");
  PM_RETURN_IF_ERROR(ValidateArchiveName(name));
  const bool long_name = name.size() > 100;
  const bool big = size > kMaxOctalSize;
  if (long_name || big) {
    std::string pax;
    if (long_name) pax += PaxRecord("path", name);
    if (big) pax += PaxRecord("size", std::to_string(size));
    // The pax entry's own name is informational: the entry's last segment, inside 100 bytes.
    std::string pax_name = ("PaxHeaders/" + std::string(FallbackName(name))).substr(0, 100);
    std::array<char, kBlock> h{};
    std::memcpy(h.data(), pax_name.data(), pax_name.size());
    PutOctal(&h[100], 8, 0644);
    PutOctal(&h[108], 8, 0);
    PutOctal(&h[116], 8, 0);
    PutOctal(&h[124], 12, pax.size());
    PutOctal(&h[136], 12, static_cast<uint64_t>(std::max<int64_t>(mtime_s, 0)));
    h[156] = 'x';
    std::memcpy(&h[257], "ustar", 6);
    std::memcpy(&h[263], "00", 2);
    PutOctal(&h[148], 7, Checksum(h.data()));
    h[155] = ' ';
    PM_RETURN_IF_ERROR(Raw(h.data(), kBlock));
    entry_size_ = pax.size();
    PM_RETURN_IF_ERROR(Raw(pax.data(), pax.size()));
    PM_RETURN_IF_ERROR(Pad());
  }
  std::array<char, kBlock> h{};
  // A reader without pax support sees only the (relative) last segment of a long name.
  std::string_view short_name = long_name ? FallbackName(name) : name;
  std::memcpy(h.data(), short_name.data(), short_name.size());
  PutOctal(&h[100], 8, 0644);
  PutOctal(&h[108], 8, 0);
  PutOctal(&h[116], 8, 0);
  PutOctal(&h[124], 12, big ? 0 : size);
  PutOctal(&h[136], 12, static_cast<uint64_t>(std::max<int64_t>(mtime_s, 0)));
  h[156] = '0';
  std::memcpy(&h[257], "ustar", 6);
  std::memcpy(&h[263], "00", 2);
  PutOctal(&h[148], 7, Checksum(h.data()));
  h[155] = ' ';
  PM_RETURN_IF_ERROR(Raw(h.data(), kBlock));
  entry_size_ = size;
  remaining_ = size;
  in_entry_ = true;
  if (size == 0) in_entry_ = false;
  return Status::Ok();
}

Status TarWriter::Write(std::string_view data) {
  if (data.empty()) return Status::Ok();
  if (!in_entry_ || data.size() > remaining_) {
    return MakeError(ErrorCode::kInternal, "tar: more data than the entry's declared size");
  }
  PM_RETURN_IF_ERROR(Raw(data.data(), data.size()));
  remaining_ -= data.size();
  if (remaining_ == 0) {
    in_entry_ = false;
    return Pad();
  }
  return Status::Ok();
}

Status TarWriter::Add(std::string_view name, std::string_view data, int64_t mtime_s) {
  PM_RETURN_IF_ERROR(Begin(name, data.size(), mtime_s));
  return Write(data);
}

Status TarWriter::Finish() {
  if (in_entry_) return MakeError(ErrorCode::kInternal, "tar: Finish with an incomplete entry");
  static const char kZeros[2 * kBlock] = {};
  PM_RETURN_IF_ERROR(Raw(kZeros, sizeof kZeros));
  if (std::fflush(out_) != 0) {
    return MakeError(ErrorCode::kUnavailable, std::string("writing the archive failed: ") + std::strerror(errno));
  }
  return Status::Ok();
}

// --- Reader ------------------------------------------------------------------------------------

Status TarReader::ReadBlock(char* block) {
  size_t got = std::fread(block, 1, kBlock, in_);
  if (got != kBlock) {
    if (std::ferror(in_)) return MakeError(ErrorCode::kUnavailable, std::string("reading the archive failed: ") + std::strerror(errno));
    return Bad("the archive is truncated" + (current_.empty() ? std::string() : " (after " + current_ + ")"));
  }
  return Status::Ok();
}

Status TarReader::SkipRest() {
  // Read returns 0 only once the entry's data and its padding are consumed.
  char buf[8192];
  for (;;) {
    PM_ASSIGN_OR_RETURN(size_t n, Read(buf, sizeof buf));
    if (n == 0) return Status::Ok();
  }
}

Result<std::optional<TarEntry>> TarReader::Next() {
  if (done_) return std::optional<TarEntry>();
  PM_RETURN_IF_ERROR(SkipRest());
  std::optional<std::string> pax_path;
  std::optional<uint64_t> pax_size;
  for (;;) {
    char h[kBlock];
    PM_RETURN_IF_ERROR(ReadBlock(h));
    if (AllZero(h)) {
      char second[kBlock];
      PM_RETURN_IF_ERROR(ReadBlock(second));
      if (!AllZero(second)) return Bad("the archive has a lone zero block (corrupt)");
      if (pax_path || pax_size) return Bad("the archive ends after a pax header");
      done_ = true;
      return std::optional<TarEntry>();
    }
    uint64_t stored_sum = 0;
    if (!ParseOctal(&h[148], 8, &stored_sum) || stored_sum != Checksum(h)) {
      return Bad("an archive header checksum does not match (corrupt archive)" +
                 (current_.empty() ? std::string() : " after " + current_));
    }
    if (std::memcmp(&h[257], "ustar", 6) != 0 || std::memcmp(&h[263], "00", 2) != 0) {
      return Bad("not a POSIX ustar archive");
    }
    uint64_t size = 0;
    uint64_t mtime = 0;
    if (!ParseOctal(&h[124], 12, &size) || !ParseOctal(&h[136], 12, &mtime)) {
      return Bad("an archive header has a malformed size or time");
    }
    std::string name = Field(&h[0], 100);
    std::string prefix = Field(&h[345], 155);
    if (!prefix.empty()) name = prefix + "/" + name;
    const char type = h[156];
    if (type == 'x') {
      if (pax_path || pax_size) return Bad("two pax headers in a row");
      if (size > kMaxPaxBytes) return Bad("a pax header is too large");
      std::string pax(size, '\0');
      if (std::fread(pax.data(), 1, size, in_) != size) return Bad("the archive is truncated (in a pax header)");
      size_t pad = (kBlock - size % kBlock) % kBlock;
      char skip[kBlock];
      if (pad > 0 && std::fread(skip, 1, pad, in_) != pad) return Bad("the archive is truncated (in a pax header)");
      if (!std::all_of(skip, skip + pad, [](char c) { return c == '\0'; })) return Bad("non-zero padding after a pax header (corrupt archive)");
      // Records "LEN key=value\n".
      size_t at = 0;
      while (at < pax.size()) {
        size_t space = pax.find(' ', at);
        if (space == std::string::npos) return Bad("a malformed pax record");
        uint64_t len = 0;
        for (size_t i = at; i < space; ++i) {
          if (pax[i] < '0' || pax[i] > '9' || len > kMaxPaxBytes) return Bad("a malformed pax record");
          len = len * 10 + static_cast<uint64_t>(pax[i] - '0');
        }
        if (len == 0 || at + len > pax.size() || pax[at + len - 1] != '\n') return Bad("a malformed pax record");
        std::string record = pax.substr(space + 1, at + len - 1 - (space + 1));
        size_t eq = record.find('=');
        if (eq == std::string::npos) return Bad("a malformed pax record");
        std::string key = record.substr(0, eq);
        std::string value = record.substr(eq + 1);
        if (key == "path") {
          pax_path = value;
        } else if (key == "size") {
          uint64_t v = 0;
          if (value.empty() || value.size() > 19 ||
              !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return Bad("a malformed pax size");
          }
          for (char c : value) v = v * 10 + static_cast<uint64_t>(c - '0');
          pax_size = v;
        } else if (key == "linkpath") {
          return Bad("links are not allowed in the archive");
        }
        // Other keys (mtime, atime, ctime, uid, ...) change nothing we use.
        at += len;
      }
      continue;
    }
    if (type != '0' && type != '\0') {
      return Bad("archive entry '" + name.substr(0, 200) +
                 "' is not a regular file (links, directories and devices are not allowed)");
    }
    if (pax_path) name = *pax_path;
    if (pax_size) size = *pax_size;
    PM_RETURN_IF_ERROR(ValidateArchiveName(name));
    if (size > max_entry_) {
      return Bad("archive entry '" + name + "' is larger than the limit (" + std::to_string(max_entry_) + " bytes)");
    }
    current_ = name;
    remaining_ = size;
    padding_ = (kBlock - size % kBlock) % kBlock;
    return std::optional<TarEntry>(TarEntry{name, size, static_cast<int64_t>(mtime)});
  }
}

Result<size_t> TarReader::Read(char* buf, size_t n) {
  if (remaining_ == 0) {
    if (padding_ > 0) {
      char skip[kBlock];
      if (std::fread(skip, 1, padding_, in_) != padding_) return Bad("the archive is truncated (in " + current_ + ")");
      // Writers pad with zeros; anything else is damage (and would otherwise go unnoticed).
      if (!std::all_of(skip, skip + padding_, [](char c) { return c == '\0'; })) {
        return Bad("non-zero padding after " + current_ + " (corrupt archive)");
      }
      padding_ = 0;
    }
    return size_t{0};
  }
  size_t want = static_cast<size_t>(std::min<uint64_t>(n, remaining_));
  size_t got = std::fread(buf, 1, want, in_);
  if (got != want) {
    if (std::ferror(in_)) return MakeError(ErrorCode::kUnavailable, std::string("reading the archive failed: ") + std::strerror(errno));
    return Bad("the archive is truncated (in " + current_ + ")");
  }
  remaining_ -= got;
  return got;
}

Result<std::string> TarReader::ReadAll(uint64_t max_bytes) {
  if (remaining_ > max_bytes) return Bad("archive entry '" + current_ + "' is too large");
  std::string out(static_cast<size_t>(remaining_), '\0');
  size_t at = 0;
  while (at < out.size()) {
    PM_ASSIGN_OR_RETURN(size_t n, Read(out.data() + at, out.size() - at));
    if (n == 0) break;
    at += n;
  }
  PM_ASSIGN_OR_RETURN(size_t end, Read(nullptr, 0));  // consume the padding
  (void)end;
  return out;
}

}  // namespace pm::app
