// Internal to pm_engine: the contract between regions.cc (validation, the `default` cascade,
// post-processing, mapping back to original coordinates) and the strategy files
// (regions_*.cc). Includes OpenCV core: include it only from engine .cc files.
//
// A strategy sees the image at its working scale and returns candidate outlines in those
// coordinates. It need not filter, sort, cap, simplify or clamp: regions.cc drops outlines under
// min_area or covering (nearly) the whole image, sorts largest first, caps at max_regions,
// simplifies, replaces a self-intersecting outline by its convex hull, and maps back.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "common/result.h"
#include "engine/image.h"
#include "engine/regions.h"

namespace pm::engine::internal {

using Contour = std::vector<cv::Point>;
using Contours = std::vector<Contour>;

struct StrategyInput {
  cv::Mat3b bgr;      // colour, OpenCV channel order; transparent pixels composited over white
  cv::Mat1b gray;     // luma of bgr
  cv::Mat1b opaque;   // 255 where alpha > 128
  cv::Rect template_box;  // template_match only: the user's box at this scale (inside the image)
  std::map<std::string, double> params;  // validated, defaults filled in (strategy + common)
  double min_area = 0;  // px^2 at this scale below which regions.cc drops an outline
  int max_regions = 20;

  double P(std::string_view name) const { return params.at(std::string(name)); }
  int I(std::string_view name) const { return static_cast<int>(P(name)); }
  int width() const { return bgr.cols; }
  int height() const { return bgr.rows; }
};

// Builds the input from a decoded RGBA image, shrunk (INTER_AREA) so its longest side is at
// most `max_side` (0 = as given). `params` must be validated.
StrategyInput MakeStrategyInput(const Image& image, std::map<std::string, double> params,
                                int max_side);

struct StrategyDef {
  std::string_view name;
  std::vector<ParamSpec> params;  // the strategy's own (not min_area / max_regions)
  Result<Contours> (*run)(const StrategyInput& input);
  int max_side = 1024;  // longest side the strategy works at (slow ones use less)
};

// One accessor per strategy, defined in its file. `default` is regions.cc's cascade, not here.
const StrategyDef& AdaptiveStrategy();        // regions_threshold.cc
const StrategyDef& OtsuStrategy();            // regions_threshold.cc
const StrategyDef& CannyStrategy();           // regions_threshold.cc
const StrategyDef& RectanglesStrategy();      // regions_threshold.cc
const StrategyDef& ColorStrategy();           // regions_segment.cc
const StrategyDef& WatershedStrategy();       // regions_segment.cc
const StrategyDef& GrabcutStrategy();         // regions_segment.cc
const StrategyDef& QuadtreeStrategy();        // regions_segment.cc
const StrategyDef& SlicStrategy();            // regions_superpixel.cc
const StrategyDef& SaliencyStrategy();        // regions_superpixel.cc
const StrategyDef& MeanshiftStrategy();       // regions_superpixel.cc
const StrategyDef& CirclesStrategy();         // regions_shapes.cc
const StrategyDef& ContourCirclesStrategy();  // regions_shapes.cc
const StrategyDef& TemplateMatchStrategy();   // regions_template.cc

// Shared helpers (regions.cc).
// The outer contours of the non-zero areas of `binary` (CHAIN_APPROX_SIMPLE).
Contours OuterContours(const cv::Mat1b& binary);
// A closed polygon approximating a circle (or ellipse), `vertices` points.
Contour CirclePolygon(cv::Point2f center, float radius, int vertices = 32);

}  // namespace pm::engine::internal
