// Image encoding: thumbnails (WebP) and PNG. Pure: bytes and parameters in, bytes out; no HTTP,
// no storage, no clock. Thread-safe (no shared state). The codec libraries (libwebp, libpng) stay
// in encode.cc.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/image.h"

namespace pm::engine {

struct EncodedImage {
  std::string bytes;
  const char* mime = "";  // "image/webp", "image/png"
  int width = 0;
  int height = 0;
};

// Lossy WebP of `image` (alpha kept when the image has any), quality 0..100.
// kInvalidArgument for an empty image; kInternal if libwebp fails.
Result<EncodedImage> EncodeWebp(const Image& image, int quality);

// Lossless 8-bit RGBA PNG of `image`. kInvalidArgument for an empty image.
Result<EncodedImage> EncodePng(const Image& image);

// A small picture of an encoded image for lists: decoded within `limits`, EXIF orientation
// applied, longest side at most `max_side` (aspect kept, never upscaled), as WebP quality 80.
// Errors: as DecodeImage, kInvalidArgument for max_side < 1.
Result<EncodedImage> MakeThumbnail(std::span<const uint8_t> bytes, const DecodeLimits& limits, int max_side);

// One horizontal strip of `block` x `block` squares, one per colour in order, as PNG.
// kInvalidArgument for no colours, block < 1 or a strip wider than 20000 px.
Result<EncodedImage> SwatchStripPng(const std::vector<std::array<uint8_t, 3>>& colors, int block);

}  // namespace pm::engine
