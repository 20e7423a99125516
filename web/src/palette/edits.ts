// PATCH bodies for editing a palette's swatches and regions (docs/API.md "PATCH"). PATCH
// replaces whole arrays, so each edit sends the full list after the change, and keeps the
// background pointing at the same colour when indices shift.
import { regionLabel } from './geometry';

export interface SwatchState {
  colors: string[];
  labels: string[];
  background: number | null;
}

export interface SwatchPatch {
  colors: string[];
  labels: string[];
  background: number | null;
}

/** Without swatch i; the background follows its colour, or is cleared when it was swatch i. */
export function removeSwatch(p: SwatchState, i: number): SwatchPatch {
  let background = p.background;
  if (background === i) background = null;
  else if (background !== null && background > i) background -= 1;
  return {
    colors: p.colors.filter((_, j) => j !== i),
    labels: p.labels.filter((_, j) => j !== i),
    background,
  };
}

/**
 * The next free label after A, B, ...: the first of A–Z not in use, then "A2", "B2", ...
 * (labels are 1–32 characters; any unused one will do).
 */
export function nextLabel(labels: readonly string[]): string {
  const used = new Set(labels);
  for (let round = 1; ; round++) {
    for (let c = 0; c < 26; c++) {
      const label = String.fromCharCode(65 + c) + (round > 1 ? String(round) : '');
      if (!used.has(label)) return label;
    }
  }
}

/** With `hex` appended under the next free label. */
export function addSwatch(p: SwatchState, hex: string): SwatchPatch {
  return {
    colors: [...p.colors, hex.toLowerCase()],
    labels: [...p.labels, nextLabel(p.labels)],
    background: p.background,
  };
}

/** Swatch i relabelled (trimmed); null when the label is empty or unchanged. */
export function relabel(p: SwatchState, i: number, label: string): { labels: string[] } | null {
  const t = label.trim();
  if (!t || t === p.labels[i]) return null;
  return { labels: p.labels.map((l, j) => (j === i ? t : l)) };
}

export type Polygon = number[][];

/** Without region i; the other regions keep their labels (so "03" stays "03"). */
export function removeRegion(
  regions: readonly Polygon[],
  labels: readonly string[],
  i: number,
): { regions: Polygon[]; region_labels: string[] } {
  return {
    regions: regions.filter((_, j) => j !== i),
    region_labels: regions.map((_, j) => labels[j] ?? regionLabel(j)).filter((_, j) => j !== i),
  };
}

/** An rgb triple (0..255) as "#rrggbb". */
export function rgbToHex(r: number, g: number, b: number): string {
  return '#' + [r, g, b].map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('');
}
