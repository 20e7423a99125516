// Region strategies: PLACEHOLDER bodies, replaced by the strategy implementations.
#include "engine/region_strategies.h"

namespace pm::engine::internal {
namespace {
Result<Contours> NotYet(const StrategyInput&) {
  return MakeError(ErrorCode::kInternal, "strategy not implemented yet");
}
}  // namespace

const StrategyDef& TemplateMatchStrategy() {
  static const StrategyDef def{"template_match", {{"threshold", 0, 1, 0.6, false, false, "least normalised correlation of a match"}, {"overlap", 0, 1, 0.3, false, false, "largest overlap (IoU) allowed between two matches"}}, &NotYet, 1024};
  return def;
}

}  // namespace pm::engine::internal
