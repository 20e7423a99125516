// Image bytes -> palette and regions, shared by uploads, re-extraction, region detection and
// `palettemaker palette`. The JSON shapes stored with a palette and returned by the API are
// built here too, so the CLI and the API print the same thing.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"
#include "config/config.h"
#include "engine/image.h"
#include "engine/palette.h"
#include "engine/regions.h"

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

// An image decoded once at the working scale, for several analyses.
struct Decoded {
  engine::ImageInfo info;  // format and full-size (oriented) dimensions
  engine::Image image;     // at most kWorkingDimension on its longest side
};

// Probes (limits checked from the header), then decodes at the working scale.
Result<Decoded> DecodeWorking(std::string_view bytes, const config::Config& config);

// Palette of a decoded image; `mask` (original-image polygons) restricts it to the regions.
Result<Analysis> ExtractFrom(const Decoded& decoded, const config::Config& config,
                             std::optional<int> k, const std::vector<engine::Polygon>& mask = {});

// DecodeWorking + ExtractFrom.
Result<Analysis> AnalyzeImage(std::string_view bytes, const config::Config& config, std::optional<int> k);

// {"colors":[...],"labels":[...],"coverage":[...]}-style JSON fragments for the store.
std::string ColorsJson(const Analysis& a);
std::string LabelsJson(const Analysis& a);
std::string CoverageJson(const Analysis& a);
std::string ParamsJson(const Analysis& a);

// --- Regions ---------------------------------------------------------------------------------

struct RegionAnalysis {
  engine::RegionResult result;
  std::vector<std::string> labels;                 // "00", "01", ...
  std::vector<engine::RegionColor> colors;         // per region
};

// Detects regions on a decoded image and maps each to the nearest of `palette` ("#rrggbb").
Result<RegionAnalysis> DetectFrom(const Decoded& decoded, const engine::RegionRequest& request,
                                  const std::vector<std::string>& palette);

// Region colours for given regions (original-image polygons) against `palette` ("#rrggbb").
Result<std::vector<engine::RegionColor>> RegionColorsFrom(const Decoded& decoded,
                                                          const std::vector<engine::Polygon>& regions,
                                                          const std::vector<std::string>& palette);

// Region labels: 0 -> "00", 1 -> "01", ..., 99 -> "99", 100 -> "100".
std::vector<std::string> RegionLabels(size_t count);

// A request from JSON {strategy?, params?, template_box?}: strategy a string (default
// "default"); params an object of numbers (booleans are refused, null = none); template_box an
// object {x, y, width, height} of integers. kInvalidArgument naming the field on any other shape.
// Range checks happen later (engine::ValidateRegionRequest, with the image size).
Result<engine::RegionRequest> RegionRequestFromJson(const nlohmann::json& body);
// Just the params object / the box, for callers that hold them separately (the CLI).
Result<std::map<std::string, double>> RegionParamsFromJson(const nlohmann::json& params);
Result<engine::Box> BoxFromJson(const nlohmann::json& box);

// [[[x,y],...],...]
nlohmann::json RegionsToJson(const std::vector<engine::Polygon>& regions);
// Parses and validates user-supplied regions (each engine::ValidatePolygon against the
// original image size); at most `max_regions`. kInvalidArgument says which region is wrong.
Result<std::vector<engine::Polygon>> RegionsFromJson(const nlohmann::json& regions, int width,
                                                     int height, size_t max_regions = 100);
// [{"centroid":[x,y], "average":"#rrggbb"|null, "swatch":i|null, "hex":"#rrggbb"|null}, ...]
// centroid rounded to 0.1 px; swatch is the index into `palette`, hex its colour.
nlohmann::json RegionColorsToJson(const std::vector<engine::RegionColor>& colors,
                                  const std::vector<std::string>& palette);
// {"strategy":..., "used":..., "params":{...}, "template_box":{...}|absent}
nlohmann::json RegionParamsToJson(const engine::RegionResult& result,
                                  const std::optional<engine::Box>& template_box);

}  // namespace pm::app
