// WebP with libwebp's simple encoder, PNG with libpng's simplified write API: both already
// linked for decoding, so encoding adds no library (OpenCV's imgcodecs stays out of pm_engine).
#include "engine/encode.h"

#include <png.h>
#include <webp/encode.h>

#include <algorithm>

namespace pm::engine {
namespace {

bool Opaque(const Image& image) {
  for (size_t i = 3; i < image.rgba.size(); i += 4) {
    if (image.rgba[i] != 255) return false;
  }
  return true;
}

Status CheckImage(const Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgba.size() != size_t(image.width) * size_t(image.height) * 4) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot encode an empty or malformed image");
  }
  return Status::Ok();
}

}  // namespace

Result<EncodedImage> EncodeWebp(const Image& image, int quality) {
  PM_RETURN_IF_ERROR(CheckImage(image));
  uint8_t* out = nullptr;
  // WebPEncodeRGBA leaves the alpha chunk out when every pixel is opaque.
  size_t size = WebPEncodeRGBA(image.rgba.data(), image.width, image.height, image.width * 4,
                               static_cast<float>(std::clamp(quality, 0, 100)), &out);
  if (size == 0 || out == nullptr) {
    WebPFree(out);
    return MakeError(ErrorCode::kInternal, "WebP encoding failed");
  }
  EncodedImage encoded{std::string(reinterpret_cast<const char*>(out), size), "image/webp", image.width,
                       image.height};
  WebPFree(out);
  return encoded;
}

Result<EncodedImage> EncodePng(const Image& image) {
  PM_RETURN_IF_ERROR(CheckImage(image));
  // Opaque images are written as RGB: a quarter smaller, and what viewers expect of a swatch.
  const bool opaque = Opaque(image);
  std::vector<uint8_t> rgb;
  const void* pixels = image.rgba.data();
  if (opaque) {
    rgb.reserve(size_t(image.width) * image.height * 3);
    for (size_t i = 0; i < image.rgba.size(); i += 4) rgb.insert(rgb.end(), &image.rgba[i], &image.rgba[i] + 3);
    pixels = rgb.data();
  }
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = opaque ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
  png_alloc_size_t size = 0;
  // First call measures, second writes.
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, pixels, 0, nullptr)) {
    std::string why = png.message;
    png_image_free(&png);
    return MakeError(ErrorCode::kInternal, "PNG encoding failed: " + why);
  }
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, pixels, 0, nullptr)) {
    std::string why = png.message;
    png_image_free(&png);
    return MakeError(ErrorCode::kInternal, "PNG encoding failed: " + why);
  }
  out.resize(size);
  return EncodedImage{std::move(out), "image/png", image.width, image.height};
}

Result<EncodedImage> MakeThumbnail(std::span<const uint8_t> bytes, const DecodeLimits& limits, int max_side) {
  if (max_side < 1) return MakeError(ErrorCode::kInvalidArgument, "thumbnail size must be at least 1 px");
  // DecodeImage brings the longest side to max_side with an area average (and never upscales).
  PM_ASSIGN_OR_RETURN(Image image, DecodeImage(bytes, limits, max_side));
  return EncodeWebp(image, 80);
}

Result<EncodedImage> SwatchStripPng(const std::vector<std::array<uint8_t, 3>>& colors, int block) {
  constexpr int64_t kMaxWidth = 20000;
  if (colors.empty()) return MakeError(ErrorCode::kInvalidArgument, "a swatch strip needs at least one colour");
  if (block < 1 || int64_t{block} * int64_t(colors.size()) > kMaxWidth) {
    return MakeError(ErrorCode::kInvalidArgument, "a swatch strip must be 1 to 20000 px wide");
  }
  Image strip;
  strip.width = block * static_cast<int>(colors.size());
  strip.height = block;
  strip.rgba.resize(size_t(strip.width) * strip.height * 4);
  for (int y = 0; y < strip.height; ++y) {
    uint8_t* row = &strip.rgba[size_t(y) * strip.width * 4];
    for (int x = 0; x < strip.width; ++x) {
      const auto& c = colors[size_t(x / block)];
      row[x * 4 + 0] = c[0];
      row[x * 4 + 1] = c[1];
      row[x * 4 + 2] = c[2];
      row[x * 4 + 3] = 255;
    }
  }
  return EncodePng(strip);
}

}  // namespace pm::engine
