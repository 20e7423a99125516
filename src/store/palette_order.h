// List-order arithmetic shared by the store backends (PUT .../order and POST .../move): given a
// tenant's palettes top first, which rows need which new position. Pure; no SQL.
//
// The list shows position DESC, id DESC, and positions are never negative (page cursors refuse
// negative numbers). Plans reuse the positions already taken where they can, so a small change
// (swap two neighbours, move one to the top) writes few rows; when two rows share a position
// (which no writer of ours produces, but an import might) the whole list is renumbered n..1.
#pragma once

#include <cstdint>
#include <vector>

#include "store/records.h"

namespace pm::store {

struct PositionRow {
  int64_t id = 0;
  int64_t position = 0;
};

// True when `top_first` holds exactly the ids of `rows`, each once.
bool SameIds(const std::vector<PositionRow>& rows, const std::vector<int64_t>& top_first);

// The rows whose position must change so the list reads `top_first` (a permutation of the ids
// of `rows`, checked by SameIds first). `rows` is the current list, top first.
std::vector<PositionRow> PlanOrder(const std::vector<PositionRow>& rows,
                                   const std::vector<int64_t>& top_first);

// The rows whose position must change to move rows[at] (`rows` top first). Empty when the move
// changes nothing (top of the list moved up or to the top, and so on).
std::vector<PositionRow> PlanMove(const std::vector<PositionRow>& rows, size_t at, PaletteMove move);

}  // namespace pm::store
