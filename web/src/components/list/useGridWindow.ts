// Renders only the cards near the viewport once the list is long (windowing.ts does the math).
//
// Why windowing and not `content-visibility: auto`: content-visibility skips painting off-screen
// cards but keeps every card in the DOM, so 1,000 palettes are ~30,000 elements that style
// recalculation, layout of the grid and React's reconciliation (every move or delete re-renders
// the list) still walk. Windowing keeps the DOM at a few rows whatever the length (measured with
// bench/web_list.mjs, docs/BENCHMARKS.md). Its costs: find-in-page and a screen reader's
// browse mode only see the rendered rows, so short lists (up to VIRTUALISE_ABOVE cards, five
// pages) are rendered whole; and cards must have a fixed height, which the card layout has anyway
// so that late thumbnails never shift it.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { gridColumns, gridWindow, type GridGeometry, type GridWindow } from './windowing';

/** Lists up to this many cards are rendered in full. */
export const VIRTUALISE_ABOVE = 120;

export interface GridOptions {
  /** Narrowest card in px (the grid makes as many columns of at least this as fit). */
  minCard: number;
  rowHeight: number;
  gap: number;
}

export interface GridState {
  /** Give this to the grid element as its ref. */
  ref: (el: HTMLElement | null) => void;
  element: HTMLElement | null;
  geometry: GridGeometry;
  window: GridWindow;
  virtual: boolean;
  /** Scrolls the page so that the row of card `index` is in view. */
  scrollToIndex: (index: number) => void;
}

function sameWindow(a: GridWindow, b: GridWindow) {
  return a.start === b.start && a.end === b.end && a.padTop === b.padTop && a.padBottom === b.padBottom;
}

/**
 * The grid element (state.ref) is the grid's own coordinate system (its top edge is 0); the page
 * scrolls as a whole (window), as everywhere else in the app. Re-renders only when the rendered
 * range or the column count changes, not on every scroll event.
 */
export function useGridWindow(count: number, opts: GridOptions): GridState {
  const { minCard, rowHeight, gap } = opts;
  // A state, not a ref: the grid unmounts and remounts (empty state, reload) and the observers
  // must follow the element that is there now.
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [columns, setColumns] = useState(1);
  const virtual = count > VIRTUALISE_ABOVE;
  const geometry: GridGeometry = { columns, rowHeight, gap };
  const full = (): GridWindow => {
    const w = gridWindow(count, geometry, 0, Number.MAX_SAFE_INTEGER, 0);
    return { ...w, padTop: 0, padBottom: 0 };
  };
  const [win, setWin] = useState<GridWindow>(full);

  const compute = useCallback(() => {
    if (!el) return;
    const g = { columns, rowHeight, gap };
    let next: GridWindow;
    if (!virtual) {
      next = { ...gridWindow(count, g, 0, Number.MAX_SAFE_INTEGER, 0), padTop: 0, padBottom: 0 };
    } else {
      const top = -el.getBoundingClientRect().top;
      const vh = window.innerHeight;
      // One screen above and below: a fast flick or a keyboard Page Down lands on cards that
      // are already there, and Tab always finds the next card rendered.
      next = gridWindow(count, g, top, top + vh, vh);
    }
    setWin((cur) => (sameWindow(cur, next) ? cur : next));
  }, [el, count, columns, rowHeight, gap, virtual]);

  // Columns from the grid's width, before paint (no one-column flash) and on every resize.
  useLayoutEffect(() => {
    if (!el) return;
    const measure = () => setColumns(gridColumns(el.clientWidth, minCard, gap));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [el, minCard, gap]);

  useLayoutEffect(compute, [compute]);

  const frame = useRef(0);
  useEffect(() => {
    if (!virtual) return;
    const onScroll = () => {
      if (frame.current) return;
      frame.current = requestAnimationFrame(() => {
        frame.current = 0;
        compute();
      });
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    return () => {
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [compute, virtual]);

  const scrollToIndex = useCallback(
    (index: number) => {
      if (!el) return;
      const row = Math.floor(index / Math.max(1, columns));
      const y = el.getBoundingClientRect().top + window.scrollY + row * (rowHeight + gap);
      window.scrollTo({ top: Math.max(0, y - 80) });
      compute();
    },
    [el, columns, rowHeight, gap, compute],
  );

  return { ref: setEl, element: el, geometry, window: win, virtual, scrollToIndex };
}
