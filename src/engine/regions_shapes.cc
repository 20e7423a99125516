// Region strategies: PLACEHOLDER bodies, replaced by the strategy implementations.
#include "engine/region_strategies.h"

namespace pm::engine::internal {
namespace {
Result<Contours> NotYet(const StrategyInput&) {
  return MakeError(ErrorCode::kInternal, "strategy not implemented yet");
}
}  // namespace

const StrategyDef& CirclesStrategy() {
  static const StrategyDef def{"circles", {{"dp", 1, 4, 1.2, false, false, "inverse accumulator resolution"}, {"min_dist", 0.01, 1, 0.05, false, false, "least distance between centres, share of the shorter side"}, {"param1", 1, 500, 100, false, false, "upper Canny threshold"}, {"param2", 1, 500, 30, false, false, "accumulator threshold (lower finds more)"}, {"min_radius", 0, 1, 0.01, false, false, "smallest radius, share of the shorter side"}, {"max_radius", 0, 1, 0.25, false, false, "largest radius, share of the shorter side"}}, &NotYet, 1024};
  return def;
}

const StrategyDef& ContourCirclesStrategy() {
  static const StrategyDef def{"contour_circles", {{"min_circularity", 0, 1, 0.7, false, false, "4*pi*area/perimeter^2 a contour must reach"}, {"blur", 1, 31, 5, true, true, "Gaussian blur kernel (odd)"}}, &NotYet, 1024};
  return def;
}

}  // namespace pm::engine::internal
