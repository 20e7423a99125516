// The tar writer/reader and the archive container (manifest + SHA-256 verification).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "app/archive.h"
#include "app/tar.h"
#include "common/crypto.h"

namespace pm::app {
namespace {

namespace fs = std::filesystem;

// A temporary file path, removed at the end of the test.
struct TempFile {
  TempFile() {
    char name[] = "/tmp/pm-tar-test-XXXXXX";
    int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = name;
  }
  ~TempFile() { std::remove(path.c_str()); }
  std::string path;
};

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Tar bytes made by TarWriter from (name, data) pairs.
std::string MakeTar(const std::vector<std::pair<std::string, std::string>>& entries) {
  TempFile f;
  std::FILE* out = std::fopen(f.path.c_str(), "wb");
  REQUIRE(out != nullptr);
  TarWriter w(out);
  for (const auto& [name, data] : entries) REQUIRE(w.Add(name, data, 1700000000).ok());
  REQUIRE(w.Finish().ok());
  std::fclose(out);
  return ReadFileBytes(f.path);
}

// Reads every entry of `bytes`; the error message if reading fails.
struct ReadResult {
  std::vector<std::pair<std::string, std::string>> entries;
  std::optional<std::string> error;
};
ReadResult ReadTar(const std::string& bytes, uint64_t max_entry = 1 << 20) {
  TempFile f;
  WriteFileBytes(f.path, bytes);
  std::FILE* in = std::fopen(f.path.c_str(), "rb");
  REQUIRE(in != nullptr);
  TarReader r(in, max_entry);
  ReadResult out;
  for (;;) {
    auto next = r.Next();
    if (!next.ok()) {
      out.error = next.error().message;
      break;
    }
    if (!*next) break;
    auto data = r.ReadAll(max_entry);
    if (!data.ok()) {
      out.error = data.error().message;
      break;
    }
    out.entries.emplace_back((*next)->name, *data);
  }
  std::fclose(in);
  return out;
}

// A ustar header block for `name` of type `type` with a correct checksum (for hostile archives).
std::string Header(const std::string& name, char type, uint64_t size) {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(&h[100], 8, "%07o", 0644);
  std::snprintf(&h[108], 8, "%07o", 0);
  std::snprintf(&h[116], 8, "%07o", 0);
  std::snprintf(&h[124], 12, "%011llo", static_cast<unsigned long long>(size));
  std::snprintf(&h[136], 12, "%011o", 0);
  h[156] = type;
  std::memcpy(&h[257], "ustar", 6);
  std::memcpy(&h[263], "00", 2);
  std::memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(&h[148], 8, "%06o", sum);
  h[155] = ' ';
  return h;
}

std::string Padded(const std::string& data) {
  std::string out = data;
  out.resize((data.size() + 511) / 512 * 512, '\0');
  return out;
}

const std::string kEnd(1024, '\0');

TEST_CASE("tar: entries round-trip, long names through pax, empty and block-sized files") {
  InitCrypto();
  std::string long_name = "objects/tenants/12/images/" + std::string(150, 'a') + ".png";
  std::string binary;
  for (int i = 0; i < 70000; ++i) binary.push_back(static_cast<char>(i * 31 % 256));
  std::vector<std::pair<std::string, std::string>> entries = {
      {"manifest.json", "{}"}, {"empty", ""}, {"exact", std::string(512, 'x')}, {long_name, binary}};
  std::string tar = MakeTar(entries);
  CHECK(tar.size() % 512 == 0);
  // Without pax support a reader would see relative names only: every ustar name field is one.
  for (size_t off = 0; off + 512 <= tar.size(); off += 512) {
    if (std::memcmp(&tar[off + 257], "ustar", 6) != 0) continue;  // a data block
    std::string name(&tar[off], strnlen(&tar[off], 100));
    CHECK(name.find('/') != 0);
  }
  ReadResult back = ReadTar(tar);
  REQUIRE_FALSE(back.error);
  CHECK(back.entries == entries);
}

TEST_CASE("tar: a flipped header byte fails the checksum") {
  std::string tar = MakeTar({{"a.txt", "hello"}});
  tar[10] ^= 0x01;  // inside the name field of the first header
  ReadResult r = ReadTar(tar);
  REQUIRE(r.error);
  CHECK_THAT(*r.error, Catch::Contains("checksum"));
}

TEST_CASE("tar: traversal, absolute and odd names are refused") {
  for (const std::string name : {"../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "./a", "a/", "a\\b"}) {
    INFO(name);
    ReadResult r = ReadTar(Header(name, '0', 1) + Padded("x") + kEnd);
    REQUIRE(r.error);
    CHECK(r.entries.empty());
  }
  // The writer refuses them too.
  TempFile f;
  std::FILE* out = std::fopen(f.path.c_str(), "wb");
  TarWriter w(out);
  CHECK_FALSE(w.Add("../x", "y", 0).ok());
  std::fclose(out);
}

TEST_CASE("tar: links, directories and devices are refused") {
  for (char type : {'1', '2', '3', '4', '5', '6', 'g', 'L'}) {
    INFO(type);
    ReadResult r = ReadTar(Header("thing", type, 0) + kEnd);
    REQUIRE(r.error);
  }
  // A pax header that names a link target.
  std::string pax = "19 linkpath=/etc/x\n";
  REQUIRE(pax.size() == 19);
  ReadResult r = ReadTar(Header("PaxHeaders/x", 'x', pax.size()) + Padded(pax) + Header("x", '0', 0) + kEnd);
  REQUIRE(r.error);
}

TEST_CASE("tar: truncated archives are errors, never a short success") {
  std::string tar = MakeTar({{"a.bin", std::string(3000, 'z')}, {"b.bin", "b"}});
  // Cut inside the data, inside a header, and before the end-of-archive blocks.
  for (size_t cut : {size_t{700}, size_t{512 * 7 + 100}, tar.size() - 1024, tar.size() - 512}) {
    INFO(cut);
    ReadResult r = ReadTar(tar.substr(0, cut));
    REQUIRE(r.error);
    CHECK_THAT(*r.error, Catch::Contains("truncated"));
  }
}

TEST_CASE("tar: an entry over the size limit is refused before it is read") {
  std::string tar = MakeTar({{"big", std::string(5000, 'q')}});
  ReadResult r = ReadTar(tar, 4096);
  REQUIRE(r.error);
  CHECK_THAT(*r.error, Catch::Contains("larger than the limit"));
}

// --- The archive container -------------------------------------------------------------------

std::string MakeArchive(const std::vector<std::pair<std::string, std::string>>& entries) {
  TempFile f;
  std::FILE* out = std::fopen(f.path.c_str(), "wb");
  REQUIRE(out != nullptr);
  ArchiveWriter w(out, 1700000000);
  for (const auto& [name, data] : entries) REQUIRE(w.Add(name, data).ok());
  REQUIRE(w.Finish({{"format", "test-format"}, {"format_version", 1}}).ok());
  std::fclose(out);
  return ReadFileBytes(f.path);
}

Result<VerifiedArchive> Verify(const std::string& bytes) {
  TempFile f;
  WriteFileBytes(f.path, bytes);
  return VerifyArchive(f.path, "test-format", 1, 1 << 20);
}

TEST_CASE("archive: the manifest lists every entry with its SHA-256 and verifies") {
  InitCrypto();
  std::string bytes = MakeArchive({{"a/one.txt", "one"}, {"b.bin", std::string(2000, '\7')}});
  auto v = Verify(bytes);
  REQUIRE(v.ok());
  REQUIRE(v->files.size() == 2);
  CHECK(v->files.at("a/one.txt").sha256 == Sha256Hex("one"));
  CHECK(v->files.at("b.bin").size == 2000);
  CHECK(v->manifest["format"] == "test-format");
}

TEST_CASE("archive: a flipped data byte is a checksum mismatch") {
  InitCrypto();
  std::string bytes = MakeArchive({{"a.txt", "some data here"}});
  bytes[512 + 3] ^= 0x20;  // inside a.txt's data: the tar headers stay valid
  auto v = Verify(bytes);
  REQUIRE_FALSE(v.ok());
  CHECK_THAT(v.error().message, Catch::Contains("checksum mismatch for a.txt"));
}

TEST_CASE("archive: wrong format, missing manifest, extra entries are refused") {
  InitCrypto();
  {
    TempFile f;
    WriteFileBytes(f.path, MakeArchive({{"a", "1"}}));
    auto v = VerifyArchive(f.path, "other-format", 1, 1 << 20);
    REQUIRE_FALSE(v.ok());
    CHECK_THAT(v.error().message, Catch::Contains("not a other-format archive"));
    auto v2 = VerifyArchive(f.path, "test-format", 2, 1 << 20);
    REQUIRE_FALSE(v2.ok());
    CHECK_THAT(v2.error().message, Catch::Contains("format_version"));
  }
  {
    auto v = Verify(MakeTar({{"a", "1"}}));
    REQUIRE_FALSE(v.ok());
    CHECK_THAT(v.error().message, Catch::Contains("no manifest.json"));
  }
  {
    // An entry the manifest does not list (appended before the end blocks).
    std::string bytes = MakeArchive({{"a", "1"}});
    bytes.resize(bytes.size() - 1024);
    bytes += Header("extra", '0', 1) + Padded("x") + kEnd;
    auto v = Verify(bytes);
    REQUIRE_FALSE(v.ok());
    CHECK_THAT(v.error().message, Catch::Contains("manifest.json is not the last entry"));
  }
}

}  // namespace
}  // namespace pm::app

namespace pm::app {
namespace {

TEST_CASE("tar: non-zero padding is damage") {
  std::string tar = MakeTar({{"a.txt", "hello"}});
  tar[512 + 200] = 'x';  // in the padding after a.txt's five bytes
  ReadResult r = ReadTar(tar);
  REQUIRE(r.error);
  CHECK_THAT(*r.error, Catch::Contains("padding"));
}

}  // namespace
}  // namespace pm::app
