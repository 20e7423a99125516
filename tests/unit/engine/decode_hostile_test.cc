// Hostile and unusual inputs: every one fails cleanly with the right ErrorCode and a message that
// says what is wrong, or (the unusual but valid ones) decodes. Run under the debug preset
// (ASan + UBSan) too: a crash or a memory error there is a failure like any other.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <png.h>

#include "engine/image.h"
#include "test_images.h"

namespace pm::engine {
namespace {

using testing::ReadTestImage;
using Bytes = std::vector<uint8_t>;

void PutBe32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}
// push_back rather than insert of an initializer list: GCC 12 reports a false -Warray-bounds
// for the latter on small vectors.
void Append(Bytes& b, std::initializer_list<uint8_t> bytes) {
  for (uint8_t v : bytes) b.push_back(v);
}
void PutLe16(Bytes& b, uint32_t v) { Append(b, {uint8_t(v), uint8_t(v >> 8)}); }
void PutLe32(Bytes& b, uint32_t v) {
  for (int s = 0; s < 32; s += 8) b.push_back(uint8_t(v >> s));
}

// Header-only files: each declares a size and carries no pixel data, so a decode attempt fails as
// kInvalidImage. A kPayloadTooLarge answer for them therefore proves the limits were checked on
// the header, before any decoding.

// PNG signature and an IHDR chunk (CRC not filled in: the probe does not check it).
Bytes PngHeader(uint32_t width, uint32_t height) {
  Bytes b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  PutBe32(b, width);
  PutBe32(b, height);
  for (uint8_t v : {8, 6, 0, 0, 0}) b.push_back(v);  // 8-bit RGBA, no interlace
  PutBe32(b, 0);
  return b;
}

// SOI, a baseline frame header (3 components), EOI: no tables, no scan.
Bytes JpegHeader(uint32_t width, uint32_t height) {
  return {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 17, 8, uint8_t(height >> 8), uint8_t(height),
          uint8_t(width >> 8), uint8_t(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9};
}

// GIF89a logical screen with a two-colour global table, then `body`.
Bytes GifHeader(uint32_t width, uint32_t height, const Bytes& body) {
  Bytes b = {'G', 'I', 'F', '8', '9', 'a'};
  PutLe16(b, width);
  PutLe16(b, height);
  Append(b, {0x80, 0, 0, 0, 0, 0, 255, 255, 255});  // GCT of 2 entries: black, white
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

// A RIFF/WEBP file holding only a lossless (VP8L) header: 14-bit width-1 and height-1.
Bytes WebpHeader(uint32_t width, uint32_t height) {
  Bytes b = {'R', 'I', 'F', 'F'};
  PutLe32(b, 4 + 8 + 6);
  Append(b, {'W', 'E', 'B', 'P', 'V', 'P', '8', 'L'});
  PutLe32(b, 5);
  b.push_back(0x2F);
  PutLe32(b, ((width - 1) & 0x3FFF) | (((height - 1) & 0x3FFF) << 14));
  b.push_back(0);  // pad to even
  return b;
}

struct TiffEntry {
  uint16_t tag, type;
  uint32_t count, value;  // value inline (SHORT = 3, LONG = 4)
};

// Little-endian TIFF with one IFD at offset 8 holding `entries` (sorted by tag), then `data`
// bytes of strip data. A StripOffsets entry with value 0 is pointed at that data.
Bytes TiffFile(std::vector<TiffEntry> entries, size_t data, uint32_t ifd_offset = 8) {
  Bytes b = {'I', 'I', 42, 0};
  PutLe32(b, ifd_offset);
  const uint32_t data_at = uint32_t(8 + 2 + 12 * entries.size() + 4);
  PutLe16(b, uint32_t(entries.size()));
  for (TiffEntry e : entries) {
    if (e.tag == 273 && e.value == 0) e.value = data_at;
    PutLe16(b, e.tag);
    PutLe16(b, e.type);
    PutLe32(b, e.count);
    if (e.type == 3 && e.count == 1) {
      PutLe16(b, e.value);
      PutLe16(b, 0);
    } else {
      PutLe32(b, e.value);
    }
  }
  PutLe32(b, 0);  // no next IFD
  b.resize(b.size() + data, 0x55);
  return b;
}

// An uncompressed 8-bit grey TIFF of width x height, one strip, with only 16 bytes of data.
Bytes TiffHeader(uint32_t width, uint32_t height) {
  return TiffFile({{256, 4, 1, width}, {257, 4, 1, height}, {258, 3, 1, 8}, {259, 3, 1, 1},
                   {262, 3, 1, 1}, {273, 4, 1, 0}, {277, 3, 1, 1}, {278, 4, 1, height},
                   {279, 4, 1, width * height}},
                  16);
}

#ifdef PM_TEST_AVIF
// chelsea.avif (451x300) with its 'ispe' (image spatial extents) box rewritten.
Bytes AvifWithIspe(uint32_t width, uint32_t height) {
  Bytes b = ReadTestImage("chelsea.avif");
  for (size_t i = 0; i + 16 <= b.size(); ++i) {
    if (std::memcmp(&b[i], "ispe", 4) != 0) continue;
    for (int k = 0; k < 4; ++k) {
      b[i + 8 + k] = uint8_t(width >> (24 - 8 * k));
      b[i + 12 + k] = uint8_t(height >> (24 - 8 * k));
    }
    return b;
  }
  FAIL("no ispe box in chelsea.avif");
  return b;
}
#endif

void CheckError(const Result<Image>& r, ErrorCode code, const std::string& needle) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code);
  CHECK_THAT(r.error().message, Catch::Contains(needle, Catch::CaseSensitive::No));
}
void CheckError(const Result<ImageInfo>& r, ErrorCode code, const std::string& needle) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code);
  CHECK_THAT(r.error().message, Catch::Contains(needle, Catch::CaseSensitive::No));
}

TEST_CASE("A zero-byte file is an invalid argument, as app/palettes.cc answers it", "[decode][hostile]") {
  const Bytes empty;
  CheckError(ProbeImage(empty, DecodeLimits{}), ErrorCode::kInvalidArgument, "empty");
  CheckError(DecodeImage(empty, DecodeLimits{}), ErrorCode::kInvalidArgument, "empty");
}

TEST_CASE("A PNG declaring 100000x100000 is refused from its header", "[decode][hostile]") {
  const Bytes bomb = PngHeader(100000, 100000);
  CheckError(ProbeImage(bomb, DecodeLimits{}), ErrorCode::kPayloadTooLarge, "100000x100000");
  CheckError(DecodeImage(bomb, DecodeLimits{}), ErrorCode::kPayloadTooLarge, "100000x100000");
  // The same header with a small size is not refused by the probe, and its decode fails for the
  // missing data: so the answer above came from the header, not from a decode.
  CHECK(ProbeImage(PngHeader(100, 100), DecodeLimits{}).ok());
  CheckError(DecodeImage(PngHeader(100, 100), DecodeLimits{}), ErrorCode::kInvalidImage, "png");
}

TEST_CASE("Headers over each limit are kPayloadTooLarge in every format", "[decode][hostile]") {
  DecodeLimits limits;
  limits.max_width = 1000;
  limits.max_height = 1000;
  limits.max_pixels = 500'000;
  struct Format {
    const char* name;
    std::function<Bytes(uint32_t, uint32_t)> header;
  };
  std::vector<Format> formats = {{"png", PngHeader}, {"jpeg", JpegHeader}, {"gif", [](uint32_t w, uint32_t h) {
                                   return GifHeader(w, h, {0x3B});
                                 }},
                                 {"webp", WebpHeader}, {"tiff", TiffHeader}};
#ifdef PM_TEST_AVIF
  formats.push_back({"avif", AvifWithIspe});
#endif
  for (const Format& f : formats) {
    INFO(f.name);
    CheckError(ProbeImage(f.header(1001, 10), limits), ErrorCode::kPayloadTooLarge, "1001x10");
    CheckError(ProbeImage(f.header(10, 1001), limits), ErrorCode::kPayloadTooLarge, "10x1001");
    CheckError(ProbeImage(f.header(800, 800), limits), ErrorCode::kPayloadTooLarge, "500000 pixels");
    CheckError(DecodeImage(f.header(800, 800), limits), ErrorCode::kPayloadTooLarge, "800x800");
    // Within the limits the probe answers with the declared size...
    auto fits = ProbeImage(f.header(700, 700), limits);
    REQUIRE(fits.ok());
    CHECK(fits->width == 700);
    CHECK(fits->height == 700);
    // ...and the decode fails on the missing pixel data. (The AVIF carries a real 451x300
    // frame, which libavif scales to the declared size: what it delivers is what was checked.)
    if (std::string(f.name) == "avif") {
      auto avif = DecodeImage(f.header(700, 700), limits);
      REQUIRE(avif.ok());
      CHECK(avif->width == 700);
      CHECK(avif->height == 700);
    } else {
      CheckError(DecodeImage(f.header(700, 700), limits), ErrorCode::kInvalidImage, f.name);
    }
    // The byte limit, on a real file of each format.
    DecodeLimits tiny;
    tiny.max_bytes = 16;
    CheckError(ProbeImage(f.header(700, 700), tiny), ErrorCode::kPayloadTooLarge, "bytes");
  }
}

TEST_CASE("A JPEG declaring a huge height in its frame header", "[decode][hostile]") {
  // 65535 rows: over the default height limit.
  CheckError(ProbeImage(JpegHeader(16, 65535), DecodeLimits{}), ErrorCode::kPayloadTooLarge,
             "16x65535");
  // With the limits out of the way, libjpeg finds no image data: a clean kInvalidImage.
  DecodeLimits loose;
  loose.max_height = 70000;
  CheckError(DecodeImage(JpegHeader(16, 65535), loose), ErrorCode::kInvalidImage, "jpeg");
  // Height 0 (the rows would be in a DNL marker, which we do not support).
  CheckError(ProbeImage(JpegHeader(16, 0), DecodeLimits{}), ErrorCode::kInvalidImage,
             "zero image size");
  // A real JPEG whose frame header is patched to claim 60000 rows.
  Bytes jpeg = ReadTestImage("fruits.jpg");
  bool patched = false;
  for (size_t at = 2; !patched && at + 9 < jpeg.size(); at += 2 + ((jpeg[at + 2] << 8) | jpeg[at + 3])) {
    REQUIRE(jpeg[at] == 0xFF);
    if (jpeg[at + 1] == 0xC0) {  // segment: FF C0, length, precision, height, width
      jpeg[at + 5] = 60000 >> 8;
      jpeg[at + 6] = 60000 & 0xFF;
      patched = true;
    }
  }
  REQUIRE(patched);
  CheckError(DecodeImage(jpeg, DecodeLimits{}), ErrorCode::kPayloadTooLarge, "512x60000");
  CheckError(DecodeImage(jpeg, loose), ErrorCode::kInvalidImage, "jpeg");
}

TEST_CASE("A GIF without frames is kInvalidImage", "[decode][hostile]") {
  SECTION("header and trailer") {
    const Bytes gif = GifHeader(10, 10, {0x3B});
    CHECK(ProbeImage(gif, DecodeLimits{}).ok());  // the header itself is fine
    CheckError(DecodeImage(gif, DecodeLimits{}), ErrorCode::kInvalidImage, "no image");
  }
  SECTION("an extension, then the trailer") {
    const Bytes comment = {0x21, 0xFE, 3, 'h', 'i', '!', 0, 0x3B};
    CheckError(DecodeImage(GifHeader(10, 10, comment), DecodeLimits{}), ErrorCode::kInvalidImage,
               "no image");
  }
  SECTION("the file ends after the colour table") {
    CheckError(DecodeImage(GifHeader(10, 10, {}), DecodeLimits{}), ErrorCode::kInvalidImage, "gif");
  }
  SECTION("a first frame far larger than the logical screen") {
    Bytes frame = {0x2C, 0, 0, 0, 0};
    PutLe16(frame, 5000);
    PutLe16(frame, 5000);
    Append(frame, {0, 2, 0, 0x3B});
    CheckError(DecodeImage(GifHeader(10, 10, frame), DecodeLimits{}), ErrorCode::kInvalidImage,
               "larger than the logical screen");
  }
}

TEST_CASE("Random bytes fail cleanly, whatever name they came with", "[decode][hostile]") {
  std::mt19937 rng(42);
  Bytes noise(4096);
  for (auto& b : noise) b = uint8_t(rng());
  noise[0] = 0x00;  // no magic by chance
  // Bytes uploaded as "photo.jpg": the name is never consulted.
  CheckError(DecodeImage(noise, DecodeLimits{}), ErrorCode::kUnsupportedMediaType,
             "not a supported image format");
  // Random bytes behind a JPEG start-of-image marker: sniffed as JPEG, refused as corrupt.
  Bytes fake_jpeg = {0xFF, 0xD8, 0xFF};
  fake_jpeg.insert(fake_jpeg.end(), noise.begin() + 1, noise.end());
  CheckError(DecodeImage(fake_jpeg, DecodeLimits{}), ErrorCode::kInvalidImage, "jpeg");
  // A PNG named .jpg is a PNG.
  auto png = ProbeImage(ReadTestImage("coins.png"), DecodeLimits{});
  REQUIRE(png.ok());
  CHECK(png->format == ImageFormat::kPng);
}

// Any answer but a crash, a memory error (debug preset) or an unclear error is fine; a
// "successful" decode must at least be a consistent image.
void CheckCleanOutcome(const Bytes& bytes, const std::string& format, int max_dimension) {
  auto r = DecodeImage(bytes, DecodeLimits{}, max_dimension);
  if (r.ok()) {
    CHECK(r->rgba.size() == size_t(r->width) * r->height * 4);
    return;
  }
  const ErrorCode code = r.error().code;
  CHECK((code == ErrorCode::kInvalidImage || code == ErrorCode::kPayloadTooLarge ||
         code == ErrorCode::kUnsupportedMediaType));
  // A mutation may have broken the magic itself; otherwise the message names the format.
  const bool sniffed = SniffFormat(bytes) != ImageFormat::kUnknown;
  CHECK_THAT(r.error().message, Catch::Contains(sniffed ? format : "not a supported image format"));
}

TEST_CASE("Random bytes behind every magic never crash", "[decode][hostile]") {
  // A small deterministic fuzz of the header parsers: each format's magic followed by noise.
  const Bytes png = PngHeader(64, 64);
  const Bytes avif = ReadTestImage("chelsea.avif");
  const std::vector<std::pair<const char*, Bytes>> prefixes = {
      {"jpeg", {0xFF, 0xD8, 0xFF}},
      {"png", {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}},
      {"png", Bytes(png.begin(), png.begin() + 33)},
      {"gif", {'G', 'I', 'F', '8', '9', 'a'}},
      {"gif", GifHeader(16, 16, {})},
      {"webp", {'R', 'I', 'F', 'F', 0, 1, 0, 0, 'W', 'E', 'B', 'P'}},
      {"tiff", {'I', 'I', 42, 0, 8, 0, 0, 0}},
      {"tiff", {'M', 'M', 0, 42, 0, 0, 0, 8}},
      {"avif", Bytes(avif.begin(), avif.begin() + 200)},
  };
  std::mt19937 rng(7);
  for (const auto& [format, prefix] : prefixes) {
    for (int round = 0; round < 30; ++round) {
      Bytes b = prefix;
      const size_t extra = rng() % 2048;
      for (size_t i = 0; i < extra; ++i) b.push_back(uint8_t(rng()));
      INFO(format << " round " << round);
      CheckCleanOutcome(b, format, round % 2 ? 16 : 0);
    }
  }
}

TEST_CASE("Real files with random bytes changed never crash", "[decode][hostile]") {
  // Deeper than the test above: valid small files of every format with a few bytes overwritten
  // or the tail cut, so the codecs get past their headers into corrupt pixel data.
  const int w = 48, h = 32;
  std::vector<uint8_t> rgba(size_t(w) * h * 4);
  std::vector<uint8_t> idx(size_t(w) * h);
  for (size_t i = 0; i < rgba.size(); ++i) rgba[i] = uint8_t(i * 7 % 251);
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = uint8_t(i % 5);
  std::vector<std::pair<std::string, Bytes>> files = {
      {"jpeg", testing::EncodeJpeg(w, h, [](int x, int y) { return Rgb{uint8_t(x * 5), uint8_t(y * 7), 60}; })},
      {"png", testing::EncodePng(w, h, PNG_FORMAT_RGBA, rgba.data())},
      {"webp", testing::EncodeWebp(w, h, rgba.data(), true)},
      {"webp", testing::EncodeWebp(w, h, rgba.data(), false)},
      {"gif", testing::EncodeGif(w, h, {Rgb{1, 2, 3}, Rgb{200, 0, 0}, Rgb{0, 200, 0}, Rgb{0, 0, 200},
                                        Rgb{90, 90, 90}}, idx.data(), 4, true)},
      {"tiff", testing::EncodeTiff(w, h, 4, 8, rgba.data(), 1, true)},
      {"tiff", ReadTestImage("multipage_rgb.tif")},
      {"gif", ReadTestImage("no_time_for_that_tiny.gif")},
  };
#ifdef PM_TEST_AVIF
  files.push_back({"avif", testing::EncodeAvif(w, h, rgba.data())});
#endif
  std::mt19937 rng(11);
  for (const auto& [format, good] : files) {
    REQUIRE(DecodeImage(good, DecodeLimits{}).ok());
    for (int round = 0; round < 40; ++round) {
      Bytes b = good;
      const int flips = 1 + int(rng() % 4);
      for (int i = 0; i < flips; ++i) b[rng() % b.size()] = uint8_t(rng());
      if (round % 4 == 3) b.resize(b.size() / 2 + rng() % (b.size() / 2));
      INFO(format << " round " << round);
      CheckCleanOutcome(b, format, round % 2 ? 16 : 0);
    }
  }
}

TEST_CASE("A TIFF whose first directory lies outside the file", "[decode][hostile]") {
  for (uint32_t offset : {0x7FFFFFFFu, 0xFFFFFFF0u, 200u}) {
    INFO(offset);
    const Bytes tif = TiffFile({{256, 4, 1, 8}, {257, 4, 1, 8}}, 0, offset);
    CheckError(ProbeImage(tif, DecodeLimits{}), ErrorCode::kInvalidImage, "tiff");
  }
}

TEST_CASE("A TIFF with absurd samples per pixel does not allocate its strip", "[decode][hostile]") {
  // 100x100 float64 samples, 60000 per pixel, one deflate strip (compressed, so libtiff does not
  // chop it into rows): 4.8 GB of strip buffer for a file of a few hundred bytes. Refused from
  // the tags, before any allocation.
  const Bytes tif = TiffFile({{256, 4, 1, 100}, {257, 4, 1, 100}, {258, 3, 1, 64}, {259, 3, 1, 8},
                              {262, 3, 1, 1}, {273, 4, 1, 0}, {277, 3, 1, 60000},
                              {278, 4, 1, 100}, {279, 4, 1, 64}, {339, 3, 1, 3}},
                             64);
  CheckError(DecodeImage(tif, DecodeLimits{}), ErrorCode::kPayloadTooLarge, "tiff: a strip of");
}

TEST_CASE("An AVIF whose AV1 frame is not the size its container declares", "[decode][hostile]") {
#ifdef PM_TEST_AVIF
  CHECK(CanDecode(ImageFormat::kAvif));
  // 'ispe' says 200x100; the frame is 451x300. The limits were checked on 200x100, so the larger
  // frame must not be decoded (libavif would decode it in full, then scale it down).
  CheckError(DecodeImage(AvifWithIspe(200, 100), DecodeLimits{}), ErrorCode::kInvalidImage, "avif");
  // Declared larger than the frame: libavif scales the frame up to the declared size, which the
  // limits covered; the result has the declared size.
  auto larger = DecodeImage(AvifWithIspe(902, 600), DecodeLimits{});
  REQUIRE(larger.ok());
  CHECK(larger->width == 902);
  CHECK(larger->height == 600);
#else
  // Built without libavif (the static build): a real AVIF is refused as unsupported, with a
  // message that says why, from the probe and from the decode.
  CHECK_FALSE(CanDecode(ImageFormat::kAvif));
  CHECK(CanDecode(ImageFormat::kTiff));
  const Bytes avif = ReadTestImage("chelsea.avif");
  CheckError(ProbeImage(avif, DecodeLimits{}), ErrorCode::kUnsupportedMediaType,
             "AVIF support is not compiled into this build");
  CheckError(DecodeImage(avif, DecodeLimits{}), ErrorCode::kUnsupportedMediaType,
             "AVIF support is not compiled into this build");
#endif
}

TEST_CASE("A PNG with a bad CRC is kInvalidImage", "[decode][hostile]") {
  std::vector<uint8_t> rgba(16 * 16 * 4, 200);
  const Bytes good = testing::EncodePng(16, 16, PNG_FORMAT_RGBA, rgba.data());
  REQUIRE(DecodeImage(good, DecodeLimits{}).ok());
  auto chunk_crc = [&](const char* type) {
    for (size_t at = 8; at + 12 <= good.size();) {
      const uint32_t len = (uint32_t(good[at]) << 24) | (good[at + 1] << 16) | (good[at + 2] << 8) |
                           good[at + 3];
      if (std::memcmp(&good[at + 4], type, 4) == 0) return at + 8 + len;
      at += 12 + len;
    }
    FAIL("no " << type << " chunk");
    return size_t{0};
  };
  for (const char* type : {"IHDR", "IDAT"}) {
    INFO(type);
    Bytes bad = good;
    bad[chunk_crc(type)] ^= 0x5A;
    CheckError(DecodeImage(bad, DecodeLimits{}), ErrorCode::kInvalidImage, "crc");
  }
}

TEST_CASE("A 1x1 image of every format decodes", "[decode][hostile]") {
  const uint8_t px[4] = {200, 40, 90, 255};
  std::vector<std::pair<std::string, Bytes>> files = {
      {"jpeg", testing::EncodeJpeg(1, 1, [](int, int) { return Rgb{200, 40, 90}; })},
      {"png", testing::EncodePng(1, 1, PNG_FORMAT_RGBA, px)},
      {"webp lossless", testing::EncodeWebp(1, 1, px, true)},
      {"webp lossy", testing::EncodeWebp(1, 1, px, false)},
      {"gif", testing::EncodeGif(1, 1, {Rgb{200, 40, 90}}, std::vector<uint8_t>{0}.data())},
      {"tiff", testing::EncodeTiff(1, 1, 4, 8, px)},
  };
#ifdef PM_TEST_AVIF
  files.push_back({"avif", testing::EncodeAvif(1, 1, px)});
#endif
  for (const auto& [name, bytes] : files) {
    INFO(name);
    for (int max_dimension : {0, 1, 1024}) {
      auto r = DecodeImage(bytes, DecodeLimits{}, max_dimension);
      REQUIRE(r.ok());
      CHECK(r->width == 1);
      CHECK(r->height == 1);
      CHECK(r->source_width == 1);
      const bool lossy = name == "jpeg" || name == "webp lossy" || name == "avif";
      const int tolerance = lossy ? 12 : 0;
      for (int c = 0; c < 4; ++c) CHECK(std::abs(int(r->rgba[c]) - int(px[c])) <= tolerance);
    }
  }
}

TEST_CASE("16-bit, palette, grey and CMYK variants decode to the right pixels", "[decode][hostile]") {
  SECTION("16-bit linear RGB PNG (gAMA 1.0): linear mid-grey is sRGB ~188") {
    std::vector<uint16_t> v(4 * 4 * 3, 32768);
    for (size_t i = 0; i < 12; ++i) v[i] = i % 3 == 0 ? 65535 : 0;  // first 4 pixels red
    auto r = DecodeImage(testing::EncodePng(4, 4, PNG_FORMAT_LINEAR_RGB, v.data()), DecodeLimits{});
    REQUIRE(r.ok());
    CHECK((r->rgba[0] == 255 && r->rgba[1] == 0 && r->rgba[2] == 0 && r->rgba[3] == 255));
    CHECK(std::abs(int(r->rgba[4 * 4]) - 188) <= 3);
  }
  SECTION("16-bit linear grey + alpha PNG") {
    // The simplified writer takes premultiplied linear samples: (grey*alpha, alpha).
    std::vector<uint16_t> v;
    for (int i = 0; i < 16; ++i) {
      const uint16_t alpha = i < 8 ? 65535 : 0;
      v.push_back(i < 8 ? 32768 : 0);
      v.push_back(alpha);
    }
    auto r = DecodeImage(testing::EncodePng(4, 4, PNG_FORMAT_LINEAR_Y_ALPHA, v.data()), DecodeLimits{});
    REQUIRE(r.ok());
    CHECK(std::abs(int(r->rgba[0]) - 188) <= 3);
    CHECK((r->rgba[0] == r->rgba[1] && r->rgba[1] == r->rgba[2]));
    CHECK(r->rgba[3] == 255);
    CHECK(r->rgba[8 * 4 + 3] == 0);
  }
  SECTION("palette PNG with tRNS") {
    const uint8_t cmap[] = {255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 100};  // RGBA entries
    std::vector<uint8_t> idx(6 * 2);
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = uint8_t(i % 3);
    const Bytes png = testing::EncodePng(6, 2, PNG_FORMAT_RGBA_COLORMAP, idx.data(), cmap, 3);
    REQUIRE(std::search(png.begin(), png.end(), std::begin("tRNS"), std::end("tRNS") - 1) != png.end());
    auto r = DecodeImage(png, DecodeLimits{});
    REQUIRE(r.ok());
    CHECK((r->rgba[0] == 255 && r->rgba[3] == 255));     // opaque red
    CHECK(r->rgba[4 + 3] == 0);                           // transparent
    CHECK((r->rgba[8 + 1] == 255 && r->rgba[8 + 3] == 100));  // translucent green
  }
  SECTION("greyscale JPEG") {
    std::vector<uint8_t> grey(32 * 8);
    for (size_t i = 0; i < grey.size(); ++i) grey[i] = uint8_t(i % 32 * 8);
    auto r = DecodeImage(testing::EncodeJpegSamples(32, 8, 1, grey.data()), DecodeLimits{});
    REQUIRE(r.ok());
    bool is_grey = true;
    for (size_t i = 0; i < r->rgba.size(); i += 4) {
      is_grey = is_grey && r->rgba[i] == r->rgba[i + 1] && r->rgba[i] == r->rgba[i + 2] &&
                r->rgba[i + 3] == 255;
    }
    CHECK(is_grey);
    CHECK(std::abs(int(r->rgba[(4 * 32 + 20) * 4]) - 160) <= 6);
  }
  SECTION("CMYK JPEG (Adobe, inverted)") {
    // libjpeg writes an Adobe marker for CMYK; the Adobe convention stores inverted ink, so
    // (255, 0, 0, 255) is "no cyan, full magenta, full yellow, no black": red.
    std::vector<uint8_t> cmyk;
    for (int i = 0; i < 16 * 16; ++i) {
      if (i % 16 < 8) {
        Append(cmyk, {255, 0, 0, 255});  // red
      } else {
        Append(cmyk, {255, 255, 255, 64});  // no ink but 75% black: dark grey
      }
    }
    auto r = DecodeImage(testing::EncodeJpegSamples(16, 16, 4, cmyk.data()), DecodeLimits{});
    REQUIRE(r.ok());
    const uint8_t* red = &r->rgba[(8 * 16 + 2) * 4];
    CHECK((red[0] > 230 && red[1] < 25 && red[2] < 25 && red[3] == 255));
    const uint8_t* dark = &r->rgba[(8 * 16 + 13) * 4];
    CHECK((std::abs(int(dark[0]) - 64) <= 8 && std::abs(int(dark[1]) - 64) <= 8));
  }
  SECTION("interlaced GIF with a transparent index") {
    std::vector<uint8_t> idx(9 * 13);
    for (int y = 0; y < 13; ++y) {
      for (int x = 0; x < 9; ++x) idx[size_t(y) * 9 + x] = uint8_t(y % 3);
    }
    const Bytes gif = testing::EncodeGif(9, 13, {Rgb{255, 0, 0}, Rgb{0, 255, 0}, Rgb{0, 0, 255}},
                                         idx.data(), 2, true);
    auto r = DecodeImage(gif, DecodeLimits{});
    REQUIRE(r.ok());
    for (int y = 0; y < 13; ++y) {
      INFO("row " << y);
      const uint8_t* p = &r->rgba[size_t(y) * 9 * 4];
      if (y % 3 == 2) {
        CHECK(p[3] == 0);
      } else {
        CHECK((p[3] == 255 && p[y % 3] == 255));
      }
    }
  }
}

}  // namespace
}  // namespace pm::engine
