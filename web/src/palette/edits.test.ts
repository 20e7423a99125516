import { describe, expect, it } from 'vitest';
import { addSwatch, nextLabel, relabel, removeRegion, removeSwatch, rgbToHex } from './edits';

const p = { colors: ['#111111', '#222222', '#333333'], labels: ['A', 'B', 'Sky'], background: 2 };

describe('removeSwatch', () => {
  it('drops the colour and its label, and the background follows its colour', () => {
    expect(removeSwatch(p, 0)).toEqual({ colors: ['#222222', '#333333'], labels: ['B', 'Sky'], background: 1 });
  });
  it('clears the background when it is the swatch removed, keeps it when it comes before', () => {
    expect(removeSwatch(p, 2).background).toBeNull();
    expect(removeSwatch({ ...p, background: 0 }, 1).background).toBe(0);
    expect(removeSwatch({ ...p, background: null }, 1).background).toBeNull();
  });
});

describe('addSwatch and nextLabel', () => {
  it('appends the colour in lower case under the first free letter', () => {
    expect(addSwatch(p, '#ABCDEF')).toEqual({
      colors: ['#111111', '#222222', '#333333', '#abcdef'],
      labels: ['A', 'B', 'Sky', 'C'],
      background: 2,
    });
  });
  it('goes on with A2, B2, ... once A–Z are taken', () => {
    const all = Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i));
    expect(nextLabel(all)).toBe('A2');
    expect(nextLabel([...all, 'A2'])).toBe('B2');
    expect(nextLabel([])).toBe('A');
  });
});

describe('relabel', () => {
  it('trims and replaces one label', () => {
    expect(relabel(p, 1, '  Leaf ')).toEqual({ labels: ['A', 'Leaf', 'Sky'] });
  });
  it('is null for an empty or unchanged label', () => {
    expect(relabel(p, 1, '   ')).toBeNull();
    expect(relabel(p, 2, 'Sky')).toBeNull();
  });
});

describe('removeRegion', () => {
  const square = [[0, 0], [4, 0], [4, 4]];
  it('keeps the remaining regions with their own labels', () => {
    expect(removeRegion([square, square, square], ['00', '01', '02'], 1)).toEqual({
      regions: [square, square],
      region_labels: ['00', '02'],
    });
  });
  it('fills in missing labels before removing', () => {
    expect(removeRegion([square, square], [], 0).region_labels).toEqual(['01']);
  });
});

describe('rgbToHex', () => {
  it('writes lower-case #rrggbb', () => {
    expect(rgbToHex(255, 0, 171)).toBe('#ff00ab');
    expect(rgbToHex(1, 2, 3)).toBe('#010203');
  });
});
