// Region strategies: PLACEHOLDER bodies, replaced by the strategy implementations.
#include "engine/region_strategies.h"

namespace pm::engine::internal {
namespace {
Result<Contours> NotYet(const StrategyInput&) {
  return MakeError(ErrorCode::kInternal, "strategy not implemented yet");
}
}  // namespace

const StrategyDef& SlicStrategy() {
  static const StrategyDef def{"slic", {{"region_size", 8, 256, 40, true, false, "average superpixel size in pixels"}, {"ruler", 1, 100, 10, false, false, "compactness"}, {"iterations", 1, 30, 10, true, false, "SLIC iterations"}}, &NotYet, 1024};
  return def;
}

const StrategyDef& SaliencyStrategy() {
  static const StrategyDef def{"saliency", {{"threshold", 0, 255, 0, false, false, "saliency threshold; 0 picks one automatically (Otsu)"}, {"blur", 1, 31, 9, true, true, "Gaussian blur of the saliency map (odd)"}}, &NotYet, 1024};
  return def;
}

const StrategyDef& MeanshiftStrategy() {
  static const StrategyDef def{"meanshift", {{"spatial_radius", 1, 100, 20, false, false, "spatial window radius"}, {"color_radius", 1, 100, 30, false, false, "colour window radius"}, {"max_level", 0, 4, 1, true, false, "pyramid levels"}}, &NotYet, 512};
  return def;
}

}  // namespace pm::engine::internal
