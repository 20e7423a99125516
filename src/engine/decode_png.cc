// PNG decoding with libpng's simplified API, which converts every colour type and bit depth
// (palette, grey, tRNS, 16-bit) to 8-bit sRGB RGBA and reports errors without longjmp-ing
// through our frames.
#include <cstring>
#include <string>

#include <png.h>

#include "engine/codecs.h"

namespace pm::engine::internal {

Result<HeaderInfo> ProbePng(std::span<const uint8_t> b) {
  // Signature (8), then the IHDR chunk: length 13, "IHDR", width, height (big-endian).
  if (b.size() < 8 + 8 + 13 || Be32(b.data() + 8) != 13 ||
      std::memcmp(b.data() + 12, "IHDR", 4) != 0) {
    return InvalidImage("png: missing IHDR");
  }
  const uint32_t w = Be32(b.data() + 16);
  const uint32_t h = Be32(b.data() + 20);
  if (w == 0 || h == 0 || w > 0x7FFFFFFFu || h > 0x7FFFFFFFu) {
    return InvalidImage("png: bad dimensions in IHDR");
  }
  return HeaderInfo{static_cast<int>(w), static_cast<int>(h), 1};
}

Result<RawImage> DecodePng(std::span<const uint8_t> bytes) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) {
    return InvalidImage(std::string("png: ") + png.message);
  }
  png.format = PNG_FORMAT_RGBA;
  // Without gAMA/sRGB/iCCP, libpng's simplified API takes 16-bit samples as linear light and
  // gamma-encodes them, so mid-grey 0x8080 came out as 188 instead of 128. Browsers, OpenCV and
  // the tools that write such files treat them as sRGB, like 8-bit ones. Files that do carry gamma
  // information are still converted by it.
  png.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  RawImage image;
  image.width = static_cast<int>(png.width);
  image.height = static_cast<int>(png.height);
  image.rgba.resize(PNG_IMAGE_SIZE(png));
  // finish_read frees the png_image's internals on success and on failure.
  if (!png_image_finish_read(&png, nullptr, image.rgba.data(), 0, nullptr)) {
    return InvalidImage(std::string("png: ") + png.message);
  }
  return image;
}

}  // namespace pm::engine::internal
