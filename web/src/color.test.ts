import { describe, expect, it } from 'vitest';
import { contrastRatio, inkFor, luminance, parseHex, wcagGrades } from './color';

describe('parseHex', () => {
  it('reads 3- and 6-digit forms with or without #', () => {
    expect(parseHex('#fff')).toEqual([255, 255, 255]);
    expect(parseHex('0a0B0c')).toEqual([10, 11, 12]);
  });
  it('refuses anything else', () => {
    expect(parseHex('#ff')).toBeNull();
    expect(parseHex('#gggggg')).toBeNull();
    expect(parseHex('rgb(0,0,0)')).toBeNull();
  });
});

describe('WCAG contrast', () => {
  it('black on white is 21:1 and a colour against itself 1:1', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBeCloseTo(1, 5);
  });
  it('matches published figures', () => {
    // #767676 on white is the classic "just passes AA" grey: 4.54:1.
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    // Pure red on white: 4.0:1.
    expect(contrastRatio('#ff0000', '#ffffff')).toBeCloseTo(4.0, 2);
    expect(luminance('#ffffff')).toBeCloseTo(1, 6);
  });
  it('grades at the AA/AAA thresholds', () => {
    expect(wcagGrades(4.49)).toEqual({ aa: false, aaa: false, aaLarge: true, aaaLarge: false });
    expect(wcagGrades(4.5)).toEqual({ aa: true, aaa: false, aaLarge: true, aaaLarge: true });
    expect(wcagGrades(7)).toEqual({ aa: true, aaa: true, aaLarge: true, aaaLarge: true });
    expect(wcagGrades(2.9).aaLarge).toBe(false);
  });
  it('is null for unparseable input', () => {
    expect(contrastRatio('nope', '#fff')).toBeNull();
  });
  it('picks readable ink', () => {
    expect(inkFor('#000000')).toBe('#ffffff');
    expect(inkFor('#ffff00')).toBe('#111111');
  });
});
