// Image bytes -> palette, shared by uploads, re-extraction and `palettemaker palette`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "engine/image.h"
#include "engine/palette.h"

namespace pm::app {

// Longest side the engine works at: large images are decoded at a reduced scale (JPEG DCT
// scaling), which bounds both time and memory; palettes barely change below this size.
inline constexpr int kWorkingDimension = 1024;

struct Analysis {
  engine::ImageInfo info;          // format and full-size dimensions
  std::vector<std::string> colors; // "#rrggbb", darkest to lightest
  std::vector<std::string> labels; // "A", "B", ...
  std::vector<double> coverage;    // per colour, 0..1
  std::optional<int> k;            // as requested (unset = default)
};

engine::DecodeLimits LimitsFrom(const config::Config& config);

// Probes (limits checked from the header), decodes at the working scale and extracts.
Result<Analysis> AnalyzeImage(std::string_view bytes, const config::Config& config, std::optional<int> k);

// {"colors":[...],"labels":[...],"coverage":[...]}-style JSON fragments for the store.
std::string ColorsJson(const Analysis& a);
std::string LabelsJson(const Analysis& a);
std::string CoverageJson(const Analysis& a);
std::string ParamsJson(const Analysis& a);

}  // namespace pm::app
