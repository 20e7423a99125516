// Region detection (fifteen strategies) and region colours. Pure and thread-safe; OpenCV stays in
// the .cc files.
//
// Regions are polygons [[x,y],...] in ORIGINAL-image pixel coordinates (vertices on pixel
// corners, so 0 <= x <= width and 0 <= y <= height). Detection runs on the working-scale Image
// (DecodeImage with max_dimension) and maps the result back with source_width / source_height.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/image.h"
#include "engine/palette.h"

namespace pm::engine {

// Every strategy, in the order the API documents them.
inline constexpr std::array<std::string_view, 15> kRegionStrategies = {
    "default", "adaptive",  "otsu",     "canny",   "color",      "watershed",
    "grabcut", "slic",      "saliency", "meanshift", "quadtree", "circles",
    "rectangles", "contour_circles", "template_match"};

// One accepted parameter: a number in [min, max]; `integer` refuses fractions, `odd` refuses even
// integers (kernel and block sizes).
struct ParamSpec {
  std::string_view name;
  double min = 0;
  double max = 0;
  double default_value = 0;
  bool integer = false;
  bool odd = false;
  std::string_view help;
};

// Parameters every strategy accepts (besides its own).
//   min_area     fraction of the image a region must cover (default 0.005 = 0.5%)
//   max_regions  cap on the number of regions returned, largest first (default 20)
const std::vector<ParamSpec>& CommonRegionParams();

// The strategy's own parameters followed by the common ones. kInvalidArgument for an unknown
// strategy (the message lists the known ones).
Result<std::vector<ParamSpec>> RegionParamSpecs(std::string_view strategy);

// A user-drawn box in original-image pixels.
struct Box {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

struct RegionRequest {
  std::string strategy = "default";
  std::map<std::string, double> params;  // by name; missing ones take their defaults
  std::optional<Box> template_box;       // template_match only (required there)
};

// Checks a request without touching pixels: known strategy; every parameter known to it, a
// finite number in range, integral / odd where required; template_box present for
// template_match (absent elsewhere), at least 4x4 pixels and inside the source image. Returns
// the effective parameters (defaults filled in) to store with the result. Every refusal is
// kInvalidArgument with a message naming the strategy or parameter.
Result<std::map<std::string, double>> ValidateRegionRequest(const RegionRequest& request,
                                                            int source_width, int source_height);

struct RegionResult {
  // Simple polygons with >= 3 vertices and non-zero area, inside the image, original-image
  // coordinates, at least min_area of the image each, at most max_regions, largest first.
  std::vector<Polygon> regions;
  std::string strategy;                   // as requested
  std::string used;                       // the one that answered ("default" names the cascade's
                                          // step, or "centered" for its last resort)
  std::map<std::string, double> params;   // effective parameters
};

// Validates (as above), then detects. Deterministic: same image + request -> same regions.
Result<RegionResult> DetectRegions(const Image& image, const RegionRequest& request);

struct RegionColor {
  double cx = 0;  // centroid (area-weighted, of the polygon) in original-image pixels
  double cy = 0;
  std::optional<Rgb> average;  // mean colour of the opaque (alpha > 128) pixels inside; none if no such pixel
  int swatch = -1;  // index into the palette of the nearest colour by CIEDE2000; -1 if none
};

// One entry per region, in order. Each polygon is rasterised (never a per-pixel
// point-in-polygon test) at the image's scale.
Result<std::vector<RegionColor>> ComputeRegionColors(const Image& image,
                                                     const std::vector<Polygon>& regions,
                                                     const std::vector<Rgb>& palette);

// For polygons that come from users (PATCH): >= 3 vertices, every vertex inside
// [0,width]x[0,height], no self-intersection, non-zero area. kInvalidArgument saying which rule broke.
Status ValidatePolygon(const Polygon& polygon, int width, int height);

// True when no two non-adjacent edges of the closed polygon touch or cross.
bool IsSimplePolygon(const Polygon& polygon);

}  // namespace pm::engine
