import { describe, expect, it } from 'vitest';
import { colorName, namedColors } from './colorNames';

describe('named colour table', () => {
  it('holds the CSS named colours once each, with valid hexes', () => {
    const all = namedColors();
    expect(all.length).toBeGreaterThanOrEqual(138);
    expect(new Set(all.map((c) => c.hex)).size).toBe(all.length);
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    for (const c of all) expect(c.hex).toMatch(/^#[0-9a-f]{6}$/);
  });
});

describe('colorName', () => {
  it('names exact hits with a zero difference, in either case', () => {
    expect(colorName('#ff6347')).toEqual({ name: 'Tomato', hex: '#ff6347', deltaE: 0 });
    expect(colorName('#2F4F4F')?.name).toBe('Dark slate grey');
    expect(colorName('#663399')?.name).toBe('Rebecca purple');
    expect(colorName('#fff')?.name).toBe('White');
  });
  it('names near misses after the closest colour', () => {
    const t = colorName('#fd6545')!;
    expect(t.name).toBe('Tomato');
    expect(t.deltaE).toBeGreaterThan(0);
    expect(t.deltaE).toBeLessThan(2);
    expect(colorName('#e60206')?.name).toBe('Red');
    expect(colorName('#1e3f9e')?.name).toMatch(/blue/i);
  });
  it('names greys as greys, from near black to near white', () => {
    expect(colorName('#050505')?.name).toBe('Black');
    expect(colorName('#6b6b6b')?.name).toBe('Dim grey');
    expect(colorName('#7f7f7f')?.name).toBe('Grey');
    expect(colorName('#d0d0d0')?.name).toBe('Light grey');
    expect(colorName('#fefefe')?.name).toBe('White');
  });
  it('is null for what is not a colour', () => {
    expect(colorName('tomato')).toBeNull();
  });
});
