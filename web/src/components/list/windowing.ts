// Windowing math for a CSS grid of fixed-height cards: which cards are near the viewport and how
// much empty space stands in for the rows above and below them. Pure, so it is unit-tested
// (windowing.test.ts); useGridWindow.ts feeds it the measurements from the DOM.

export interface GridGeometry {
  /** Number of columns the grid shows (see gridColumns). */
  columns: number;
  /** Height of one card in px. */
  rowHeight: number;
  /** Gap between rows (and columns) in px. */
  gap: number;
}

export interface GridWindow {
  /** First card index to render. */
  start: number;
  /** One past the last card index to render. */
  end: number;
  /** Space standing in for the rows above `start`, in px. */
  padTop: number;
  /** Space standing in for the rows from `end` on, in px. */
  padBottom: number;
  /** Height of the whole grid, in px (what it would be with every card rendered). */
  totalHeight: number;
}

/**
 * How many columns `repeat(auto-fill, minmax(minCard, 1fr))` would make in `width` px with
 * `gap` between columns; at least 1 (a phone narrower than one card still shows one column).
 */
export function gridColumns(width: number, minCard: number, gap: number): number {
  if (!(width > 0) || !(minCard > 0)) return 1;
  return Math.max(1, Math.floor((width + gap) / (minCard + gap)));
}

/** Total height of `count` cards laid out on `g`. */
export function gridHeight(count: number, g: GridGeometry): number {
  const rows = Math.ceil(count / Math.max(1, g.columns));
  return rows === 0 ? 0 : rows * g.rowHeight + (rows - 1) * g.gap;
}

/** Top of the row holding card `index`, relative to the top of the grid. */
export function offsetOf(index: number, g: GridGeometry): number {
  const row = Math.floor(Math.max(0, index) / Math.max(1, g.columns));
  return row * (g.rowHeight + g.gap);
}

/**
 * The cards whose rows intersect [top - overscan, bottom + overscan], where top and bottom are
 * the visible part of the viewport in the grid's own coordinates (0 = the grid's top edge;
 * negative when the grid starts below the top of the viewport). Whole rows only, so every
 * rendered card keeps the column it has in the full grid.
 */
export function gridWindow(count: number, g: GridGeometry, top: number, bottom: number, overscan: number): GridWindow {
  const columns = Math.max(1, g.columns);
  const rows = Math.ceil(count / columns);
  const stride = g.rowHeight + g.gap;
  const totalHeight = gridHeight(count, g);
  if (rows === 0 || stride <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0, totalHeight };
  const from = top - overscan;
  const to = bottom + overscan;
  // Row r spans [r * stride, r * stride + rowHeight).
  let firstRow = Math.floor(from / stride);
  if (from - firstRow * stride >= g.rowHeight) firstRow++; // `from` falls in the gap below row firstRow
  let lastRow = Math.ceil(to / stride) - 1; // the last row starting before `to`
  firstRow = Math.min(Math.max(firstRow, 0), rows);
  lastRow = Math.min(Math.max(lastRow, -1), rows - 1);
  if (lastRow < firstRow) {
    // Nothing of the grid is near the viewport: render nothing, keep the full height.
    const anchor = Math.min(firstRow, rows);
    const padTop = Math.min(anchor * stride, totalHeight);
    const at = Math.min(anchor * columns, count);
    return { start: at, end: at, padTop, padBottom: totalHeight - padTop, totalHeight };
  }
  const start = firstRow * columns;
  const end = Math.min(count, (lastRow + 1) * columns);
  const padTop = firstRow * stride;
  const padBottom = (rows - 1 - lastRow) * stride;
  return { start, end, padTop, padBottom, totalHeight };
}
