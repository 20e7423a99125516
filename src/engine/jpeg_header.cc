// JPEG header walk (dimensions + Exif orientation) without libjpeg, so ProbeImage can refuse an
// oversized image before the decoder allocates anything.
#include <cstring>

#include "engine/codecs.h"

namespace pm::engine::internal {
namespace {

bool IsSof(uint8_t m) {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

}  // namespace

// Exif is a tiny TIFF structure inside APP1. We parse the one tag we need by hand rather than
// pull in libexif: ~30 lines, bounds-checked, and a malformed block just means "no rotation".
int ExifOrientation(std::span<const uint8_t> app1) {
  static constexpr char kExif[] = "Exif\0\0";
  if (app1.size() < 6 + 8 || std::memcmp(app1.data(), kExif, 6) != 0) return 1;
  std::span<const uint8_t> tiff = app1.subspan(6);
  bool little;
  if (std::memcmp(tiff.data(), "II*\0", 4) == 0) {
    little = true;
  } else if (std::memcmp(tiff.data(), "MM\0*", 4) == 0) {
    little = false;
  } else {
    return 1;
  }
  auto u16 = [&](size_t at) -> uint32_t {
    return little ? Le16(tiff.data() + at) : Be16(tiff.data() + at);
  };
  auto u32 = [&](size_t at) -> uint32_t {
    return little ? (u16(at + 2) << 16) | u16(at) : (u16(at) << 16) | u16(at + 2);
  };
  const size_t ifd = u32(4);
  if (ifd < 8 || ifd + 2 > tiff.size()) return 1;
  const size_t count = u16(ifd);
  for (size_t i = 0; i < count; ++i) {
    const size_t entry = ifd + 2 + 12 * i;
    if (entry + 12 > tiff.size()) return 1;
    if (u16(entry) != 0x0112) continue;  // Orientation
    if (u16(entry + 2) != 3 || u32(entry + 4) != 1) return 1;  // must be one SHORT
    const uint32_t v = u16(entry + 8);  // SHORT values are left-justified in the value field
    return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
  }
  return 1;
}

Result<HeaderInfo> ProbeJpeg(std::span<const uint8_t> b) {
  const size_t n = b.size();
  if (n < 4 || b[0] != 0xFF || b[1] != 0xD8) return InvalidImage("jpeg: no SOI marker");
  HeaderInfo info;
  bool have_sof = false;
  bool have_exif = false;
  size_t pos = 2;
  while (pos < n) {
    if (b[pos] != 0xFF) return InvalidImage("jpeg: expected a marker");
    while (pos < n && b[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= n) break;
    const uint8_t m = b[pos++];
    if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) continue;  // no length field
    if (m == 0xD9) break;
    if (m == 0xDA) {  // start of scan: all headers we care about are behind us
      if (!have_sof) return InvalidImage("jpeg: scan before frame header");
      return info;
    }
    if (pos + 2 > n) break;
    const size_t len = Be16(b.data() + pos);
    if (len < 2) return InvalidImage("jpeg: bad segment length");
    if (pos + len > n) break;
    std::span<const uint8_t> seg = b.subspan(pos + 2, len - 2);
    if (m == 0xE1 && !have_exif && seg.size() >= 6 && std::memcmp(seg.data(), "Exif", 4) == 0) {
      have_exif = true;
      info.orientation = ExifOrientation(seg);
    } else if (IsSof(m) && !have_sof) {
      if (seg.size() < 6) return InvalidImage("jpeg: short frame header");
      info.height = static_cast<int>(Be16(seg.data() + 1));
      info.width = static_cast<int>(Be16(seg.data() + 3));
      have_sof = true;
    }
    pos += len;
  }
  // The headers ended without a scan. With a frame header the size is known and the decoder will
  // report the missing data; without one the file is hopeless.
  if (!have_sof) return InvalidImage("jpeg: truncated before the frame header");
  return info;
}

}  // namespace pm::engine::internal
