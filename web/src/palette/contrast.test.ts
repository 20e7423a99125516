import { describe, expect, it } from 'vitest';
import { defaultPair, formatRatio } from './contrast';

describe('formatRatio', () => {
  it('writes two decimals and never rounds up across a threshold', () => {
    expect(formatRatio(21)).toBe('21.00 : 1');
    expect(formatRatio(4.5454)).toBe('4.54 : 1');
    expect(formatRatio(4.4999)).toBe('4.49 : 1');
    expect(formatRatio(4.5)).toBe('4.50 : 1');
  });
});

describe('defaultPair', () => {
  const colors = ['#777777', '#000000', '#ffffff', '#eeeeee'];
  it('puts the best-reading swatch on the background swatch', () => {
    expect(defaultPair(colors, 2)).toEqual([1, 2]); // black on white
    expect(defaultPair(colors, 1)).toEqual([2, 1]); // white on black
  });
  it('falls back to the first two swatches, or the only one', () => {
    expect(defaultPair(colors, null)).toEqual([0, 1]);
    expect(defaultPair(['#123456'], 0)).toEqual([0, 0]);
    expect(defaultPair([], null)).toEqual([0, 0]);
    expect(defaultPair(colors, 9)).toEqual([0, 1]);
  });
});
