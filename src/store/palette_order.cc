#include "store/palette_order.h"

#include <algorithm>
#include <unordered_set>

namespace pm::store {
namespace {

bool StrictlyDescending(const std::vector<PositionRow>& rows) {
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i - 1].position <= rows[i].position) return false;
  }
  return true;
}

}  // namespace

bool SameIds(const std::vector<PositionRow>& rows, const std::vector<int64_t>& top_first) {
  if (rows.size() != top_first.size()) return false;
  std::unordered_set<int64_t> have;
  have.reserve(rows.size());
  for (const PositionRow& r : rows) have.insert(r.id);
  std::unordered_set<int64_t> seen;
  seen.reserve(top_first.size());
  for (int64_t id : top_first) {
    if (!have.contains(id) || !seen.insert(id).second) return false;
  }
  return true;
}

std::vector<PositionRow> PlanOrder(const std::vector<PositionRow>& rows,
                                   const std::vector<int64_t>& top_first) {
  // The positions to hand out, highest first: the ones in use when they are distinct (so an
  // unchanged stretch of the list keeps its positions), else n..1.
  std::vector<int64_t> slots;
  slots.reserve(rows.size());
  if (StrictlyDescending(rows)) {
    for (const PositionRow& r : rows) slots.push_back(r.position);
  } else {
    for (size_t i = 0; i < rows.size(); ++i) slots.push_back(static_cast<int64_t>(rows.size() - i));
  }
  std::vector<PositionRow> current = rows;
  std::sort(current.begin(), current.end(),
            [](const PositionRow& a, const PositionRow& b) { return a.id < b.id; });
  auto position_of = [&](int64_t id) {
    auto it = std::lower_bound(current.begin(), current.end(), id,
                               [](const PositionRow& r, int64_t v) { return r.id < v; });
    return it != current.end() && it->id == id ? it->position : -1;
  };
  std::vector<PositionRow> changes;
  for (size_t i = 0; i < top_first.size() && i < slots.size(); ++i) {
    if (position_of(top_first[i]) != slots[i]) changes.push_back({top_first[i], slots[i]});
  }
  return changes;
}

std::vector<PositionRow> PlanMove(const std::vector<PositionRow>& rows, size_t at, PaletteMove move) {
  if (at >= rows.size()) return {};
  const size_t last = rows.size() - 1;
  const bool distinct = StrictlyDescending(rows);
  // Top and bottom touch one row while there is room above / below.
  if (distinct && move == PaletteMove::kTop) {
    if (at == 0) return {};
    return {{rows[at].id, rows[0].position + 1}};
  }
  if (distinct && move == PaletteMove::kBottom) {
    if (at == last) return {};
    if (rows[last].position >= 1) return {{rows[at].id, rows[last].position - 1}};
  }
  std::vector<int64_t> order;
  order.reserve(rows.size());
  for (const PositionRow& r : rows) order.push_back(r.id);
  const int64_t id = rows[at].id;
  switch (move) {
    case PaletteMove::kTop:
      order.erase(order.begin() + static_cast<std::ptrdiff_t>(at));
      order.insert(order.begin(), id);
      break;
    case PaletteMove::kBottom:
      order.erase(order.begin() + static_cast<std::ptrdiff_t>(at));
      order.push_back(id);
      break;
    case PaletteMove::kUp:
      if (at > 0) std::swap(order[at - 1], order[at]);
      break;
    case PaletteMove::kDown:
      if (at < last) std::swap(order[at], order[at + 1]);
      break;
  }
  return PlanOrder(rows, order);
}

}  // namespace pm::store
