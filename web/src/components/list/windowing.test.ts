import { describe, expect, it } from 'vitest';
import { gridColumns, gridHeight, gridWindow, offsetOf, type GridGeometry } from './windowing';

const g: GridGeometry = { columns: 4, rowHeight: 300, gap: 20 }; // stride 320

describe('gridColumns', () => {
  it('fits as many minimum-width cards as the width allows', () => {
    expect(gridColumns(1152, 230, 18)).toBe(4); // (1152 + 18) / 248 = 4.7
    expect(gridColumns(230, 230, 18)).toBe(1);
    expect(gridColumns(478, 230, 18)).toBe(2); // exactly two cards and one gap
    expect(gridColumns(477, 230, 18)).toBe(1);
  });
  it('is one column on a phone narrower than a card, and for unmeasured widths', () => {
    expect(gridColumns(312, 330, 18)).toBe(1);
    expect(gridColumns(0, 230, 18)).toBe(1);
    expect(gridColumns(Number.NaN, 230, 18)).toBe(1);
  });
});

describe('gridHeight and offsetOf', () => {
  it('counts partial last rows and no gap after the last row', () => {
    expect(gridHeight(0, g)).toBe(0);
    expect(gridHeight(1, g)).toBe(300);
    expect(gridHeight(4, g)).toBe(300);
    expect(gridHeight(5, g)).toBe(620);
  });
  it('gives the top of the row of a card', () => {
    expect(offsetOf(0, g)).toBe(0);
    expect(offsetOf(3, g)).toBe(0);
    expect(offsetOf(4, g)).toBe(320);
    expect(offsetOf(999, g)).toBe(249 * 320);
  });
});

describe('gridWindow', () => {
  it('renders the rows the viewport touches, whole rows only', () => {
    // Viewport [0, 800): rows 0 (0-300), 1 (320-620), 2 (640-940).
    const w = gridWindow(1000, g, 0, 800, 0);
    expect(w).toEqual({ start: 0, end: 12, padTop: 0, padBottom: 247 * 320, totalHeight: 250 * 320 - 20 });
  });
  it('adds the overscan on both sides and keeps padTop + rendered + padBottom = total', () => {
    const w = gridWindow(1000, g, 10_000, 10_800, 640);
    // from 9360 -> row 29 (9280-9580); to 11440 -> last row starting before it: 35 (11200).
    expect(w.start).toBe(29 * 4);
    expect(w.end).toBe(36 * 4);
    const rendered = Math.ceil((w.end - w.start) / 4);
    expect(w.padTop + rendered * 300 + (rendered - 1) * 20 + w.padBottom).toBe(w.totalHeight);
  });
  it('skips a row whose bottom is above the viewport even when the gap is visible', () => {
    // top = 310 lies in the gap under row 0.
    expect(gridWindow(100, g, 310, 400, 0).start).toBe(4);
    expect(gridWindow(100, g, 299, 400, 0).start).toBe(0);
  });
  it('clamps to the list when the viewport is past its end, with a short last row', () => {
    const w = gridWindow(10, g, 600, 5000, 0); // rows 0..2, the last with 2 cards
    expect(w.start).toBe(4);
    expect(w.end).toBe(10);
    expect(w.padBottom).toBe(0);
  });
  it('renders nothing (full height kept) when the grid is far below or above the viewport', () => {
    const below = gridWindow(100, g, -5000, -4000, 500);
    expect(below.end - below.start).toBe(0);
    expect(below.padTop + below.padBottom).toBe(below.totalHeight);
    const above = gridWindow(100, g, 50_000, 51_000, 500);
    expect(above.end - above.start).toBe(0);
    expect(above.padTop).toBe(above.totalHeight);
    expect(above.start).toBe(100);
  });
  it('handles an empty list and one column', () => {
    expect(gridWindow(0, g, 0, 800, 100)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0, totalHeight: 0 });
    const one = gridWindow(1000, { columns: 1, rowHeight: 300, gap: 20 }, 3200, 3840, 0);
    expect([one.start, one.end]).toEqual([10, 12]);
  });
});
