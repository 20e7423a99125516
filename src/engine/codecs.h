// Internal to pm_engine: the per-codec probe and decode entry points behind ProbeImage and
// DecodeImage. Not part of the public API (no OpenCV here either). Each codec lives in its own
// decode_<codec>.cc. All functions are thread-safe: they touch no global state.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/image.h"

namespace pm::engine::internal {

// Header facts a codec can read without decoding pixels.
struct HeaderInfo {
  int width = 0;   // as stored, before orientation
  int height = 0;
  int orientation = 1;  // EXIF/TIFF orientation 1..8 (1 = as stored)
};

// Decoded pixels as stored (orientation not yet applied), 8-bit RGBA.
struct RawImage {
  int width = 0;
  int height = 0;
  int orientation = 1;
  std::vector<uint8_t> rgba;
};

inline Error InvalidImage(std::string what) {
  return MakeError(ErrorCode::kInvalidImage, std::move(what));
}

// Header-only parsers (probe.cc for the simple formats, the codec files for TIFF/AVIF).
Result<HeaderInfo> ProbeJpeg(std::span<const uint8_t> bytes);
Result<HeaderInfo> ProbePng(std::span<const uint8_t> bytes);
Result<HeaderInfo> ProbeWebp(std::span<const uint8_t> bytes);
Result<HeaderInfo> ProbeGif(std::span<const uint8_t> bytes);
Result<HeaderInfo> ProbeTiff(std::span<const uint8_t> bytes);
Result<HeaderInfo> ProbeAvif(std::span<const uint8_t> bytes);
// True when decode_avif.cc (libavif) is built, false with decode_avif_none.cc.
bool AvifAvailable();

// Reads the orientation tag out of an Exif APP1 payload (starting at "Exif\0\0"). Returns 1 when
// absent or malformed: a broken Exif block must not make an otherwise fine image undecodable.
int ExifOrientation(std::span<const uint8_t> app1);

// The size DecodeImage shrinks a width x height image to for `max_dimension` (longest side
// exactly max_dimension, aspect kept, never upscaled; 0 = no limit). Decoders that can scale
// while decoding aim for exactly this size, so the final resize becomes a no-op.
void WorkingSize(int width, int height, int max_dimension, int* out_width, int* out_height);

// Full decoders. Only called after the probe passed the limits. `max_dimension` is a hint:
// JPEG uses DCT scaling (longest side stays >= max_dimension), WebP (still images) decodes
// straight to WorkingSize; the others decode at full size.
Result<RawImage> DecodeJpeg(std::span<const uint8_t> bytes, int max_dimension);
Result<RawImage> DecodePng(std::span<const uint8_t> bytes);
Result<RawImage> DecodeWebp(std::span<const uint8_t> bytes, int max_dimension);
Result<RawImage> DecodeGif(std::span<const uint8_t> bytes);
Result<RawImage> DecodeTiff(std::span<const uint8_t> bytes);
Result<RawImage> DecodeAvif(std::span<const uint8_t> bytes);

// Big-endian / little-endian readers for header parsing (caller checks bounds).
inline uint32_t Be16(const uint8_t* p) { return (uint32_t{p[0]} << 8) | p[1]; }
inline uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline uint32_t Le16(const uint8_t* p) { return (uint32_t{p[1]} << 8) | p[0]; }

}  // namespace pm::engine::internal
