// Region strategies: PLACEHOLDER bodies, replaced by the strategy implementations.
#include "engine/region_strategies.h"

namespace pm::engine::internal {
namespace {
Result<Contours> NotYet(const StrategyInput&) {
  return MakeError(ErrorCode::kInternal, "strategy not implemented yet");
}
}  // namespace

const StrategyDef& AdaptiveStrategy() {
  static const StrategyDef def{"adaptive", {{"block_size", 3, 255, 11, true, true, "neighbourhood size (odd)"}, {"c", -50, 50, 2, false, false, "constant subtracted from the local mean"}, {"blur", 1, 31, 5, true, true, "median blur kernel (odd)"}}, &NotYet, 1024};
  return def;
}

const StrategyDef& OtsuStrategy() {
  static const StrategyDef def{"otsu", {{"blur", 1, 31, 5, true, true, "Gaussian blur kernel (odd)"}}, &NotYet, 1024};
  return def;
}

const StrategyDef& CannyStrategy() {
  static const StrategyDef def{"canny", {{"low", 0, 255, 50, false, false, "lower hysteresis threshold"}, {"high", 0, 255, 150, false, false, "upper hysteresis threshold"}, {"blur", 1, 31, 5, true, true, "Gaussian blur kernel (odd)"}, {"dilate", 0, 10, 2, true, false, "dilation iterations closing gaps in edges"}}, &NotYet, 1024};
  return def;
}

const StrategyDef& RectanglesStrategy() {
  static const StrategyDef def{"rectangles", {{"low", 0, 255, 50, false, false, "lower Canny threshold"}, {"high", 0, 255, 150, false, false, "upper Canny threshold"}, {"epsilon", 0.005, 0.2, 0.02, false, false, "polygon approximation, share of the perimeter"}, {"blur", 1, 31, 5, true, true, "Gaussian blur kernel (odd)"}}, &NotYet, 1024};
  return def;
}

}  // namespace pm::engine::internal
