// Palette extraction with K-means, as the original app did, deterministic and bounded.
// Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/image.h"

namespace pm::engine {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

std::string ToHex(Rgb c);                       // "#1a2b3c"
std::optional<Rgb> ParseHex(const std::string& s);  // "#1a2b3c" or "1a2b3c" (case-insensitive)

using Polygon = std::vector<std::pair<int, int>>;  // [[x,y],...] in original-image pixels

struct PaletteParams {
  std::optional<int> k;    // 2..20; unset = default (5 colours from 7 clusters)
  int luminance_min = 25;  // band on relative luminance 0.2126R+0.7152G+0.0722B, 0..255
  int luminance_max = 185;
  int sample_pixels = 65536;  // K-means runs on at most this many (deterministically) sampled pixels
  std::vector<Polygon> mask;  // if non-empty, only pixels inside these polygons take part
};

struct Swatch {
  Rgb color;
  double coverage = 0;  // share of sampled, in-band pixels nearest to this swatch (0..1)
};

struct Palette {
  std::vector<Swatch> swatches;  // darkest to lightest
};

// kInvalidArgument for k outside 2..20 or an inverted band. An image with no pixel in the band
// yields an empty palette (not an error).
Result<Palette> ExtractPalette(const Image& image, const PaletteParams& params);

}  // namespace pm::engine
