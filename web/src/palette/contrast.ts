// Choices for the contrast checker; the ratio itself is color.ts's contrastRatio.
import { contrastRatio } from '../color';

/**
 * "4.54 : 1", cut (not rounded) to two decimals, so a ratio just under a WCAG threshold never
 * reads as reaching it (4.499 shows as 4.49, not 4.50).
 */
export function formatRatio(ratio: number): string {
  return `${(Math.floor(ratio * 100 + 1e-9) / 100).toFixed(2)} : 1`;
}

/**
 * The pair [text, background] to show first: with a background swatch, the swatch reading
 * best on it; otherwise the first two swatches (or the only one twice).
 */
export function defaultPair(colors: readonly string[], background: number | null): [number, number] {
  if (colors.length === 0) return [0, 0];
  if (background !== null && background >= 0 && background < colors.length && colors.length > 1) {
    let best = -1;
    let bestRatio = -1;
    colors.forEach((c, i) => {
      if (i === background) return;
      const r = contrastRatio(c, colors[background]) ?? 0;
      if (r > bestRatio) {
        best = i;
        bestRatio = r;
      }
    });
    return [best, background];
  }
  return [0, colors.length > 1 ? 1 : 0];
}
