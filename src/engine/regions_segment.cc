// Region strategies: PLACEHOLDER bodies, replaced by the strategy implementations.
#include "engine/region_strategies.h"

namespace pm::engine::internal {
namespace {
Result<Contours> NotYet(const StrategyInput&) {
  return MakeError(ErrorCode::kInternal, "strategy not implemented yet");
}
}  // namespace

const StrategyDef& ColorStrategy() {
  static const StrategyDef def{"color", {{"k", 2, 12, 4, true, false, "number of colour clusters (LAB K-means)"}, {"blur", 1, 31, 5, true, true, "median blur kernel before clustering (odd)"}}, &NotYet, 512};
  return def;
}

const StrategyDef& WatershedStrategy() {
  static const StrategyDef def{"watershed", {{"foreground", 0.05, 0.95, 0.5, false, false, "sure-foreground threshold, share of the largest distance"}, {"open_iterations", 0, 10, 2, true, false, "morphological opening iterations"}}, &NotYet, 1024};
  return def;
}

const StrategyDef& GrabcutStrategy() {
  static const StrategyDef def{"grabcut", {{"iterations", 1, 10, 3, true, false, "GrabCut iterations"}, {"margin", 0, 0.45, 0.1, false, false, "share of each side assumed background"}}, &NotYet, 512};
  return def;
}

const StrategyDef& QuadtreeStrategy() {
  static const StrategyDef def{"quadtree", {{"max_depth", 1, 10, 6, true, false, "deepest split"}, {"threshold", 0, 128, 20, false, false, "split while the colour standard deviation exceeds this"}, {"min_size", 4, 512, 16, true, false, "smallest cell side in pixels"}}, &NotYet, 1024};
  return def;
}

}  // namespace pm::engine::internal
