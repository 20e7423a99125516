// Image decoding: sniff the format from the bytes, check limits from the header before any full
// decode, then decode with the codec libraries directly (libjpeg-turbo, libpng, libwebp, giflib,
// libtiff; AVIF via libavif). Pure: no HTTP, no database, no clock. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"

namespace pm::engine {

enum class ImageFormat { kUnknown, kJpeg, kPng, kWebp, kGif, kTiff, kAvif };

const char* FormatName(ImageFormat f);  // "jpeg", "png", ...
const char* MimeType(ImageFormat f);    // "image/jpeg", ...

// Whether this build decodes `f`: every format but kUnknown, except AVIF in a build without
// libavif (PM_ENGINE_AVIF=OFF, e.g. the static release build), where AVIF is a clear 415.
bool CanDecode(ImageFormat f);

// Recognises the format from magic bytes only (never from a name or content type).
ImageFormat SniffFormat(std::span<const uint8_t> bytes);

struct DecodeLimits {
  int64_t max_bytes = 25 * 1024 * 1024;
  int max_width = 20000;
  int max_height = 20000;
  int64_t max_pixels = 100'000'000;
};

struct ImageInfo {
  ImageFormat format = ImageFormat::kUnknown;
  int width = 0;   // after EXIF orientation
  int height = 0;
};

// Sniffs and reads the dimensions from the header only, then checks them against `limits`.
// kInvalidArgument: zero bytes. kUnsupportedMediaType: not a format we decode.
// kInvalidImage: corrupt header.
// kPayloadTooLarge: bytes, width, height or pixels over the limits.
Result<ImageInfo> ProbeImage(std::span<const uint8_t> bytes, const DecodeLimits& limits);

// 8-bit RGBA pixels, row-major, EXIF orientation applied.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;  // width * height * 4
  // Size of the original image (after orientation) before any reduced-scale decode. Polygons in
  // original-image coordinates map to this image by width / source_width. 0 means "same as
  // width/height" (e.g. an Image built by hand).
  int source_width = 0;
  int source_height = 0;
};

// Full decode (ProbeImage first, so limits hold). `max_dimension` > 0 bounds the longest side of
// the result to max_dimension (never upscales): JPEG decodes at a reduced DCT scale that stays
// >= max_dimension, still WebP decodes straight to the final size (libwebp's area-averaging
// scaler), other formats decode at full size; then an area-average resize brings the longest
// side to exactly max_dimension. 0 decodes at full size. source_width/source_height hold
// the full (oriented) size. Truncated or corrupt data is an error (kInvalidImage), never a
// half-grey image. Errors: as ProbeImage, plus kInvalidImage for corrupt data.
Result<Image> DecodeImage(std::span<const uint8_t> bytes, const DecodeLimits& limits,
                          int max_dimension = 0);

}  // namespace pm::engine
