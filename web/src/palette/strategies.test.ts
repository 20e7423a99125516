import { describe, expect, it } from 'vitest';
import { paramsOf, parseParams, STRATEGIES, stepOf } from './strategies';

describe('strategy table', () => {
  it('lists every strategy the server accepts, default first', () => {
    expect(STRATEGIES.map((s) => s.name)).toEqual([
      'default', 'adaptive', 'otsu', 'canny', 'color', 'watershed', 'grabcut', 'slic', 'saliency',
      'meanshift', 'quadtree', 'circles', 'rectangles', 'contour_circles', 'template_match',
    ]);
  });
  it('gives each its own parameters plus min_area and max_regions, defaults inside the range', () => {
    expect(paramsOf('default').map((p) => p.name)).toEqual(['min_area', 'max_regions']);
    expect(paramsOf('adaptive').map((p) => p.name)).toEqual(['block_size', 'c', 'blur', 'min_area', 'max_regions']);
    for (const s of STRATEGIES) {
      for (const p of paramsOf(s.name)) {
        expect(p.value).toBeGreaterThanOrEqual(p.min);
        expect(p.value).toBeLessThanOrEqual(p.max);
        if (p.odd) expect(p.value % 2).toBe(1);
      }
    }
  });
  it('steps odd parameters by 2', () => {
    expect(stepOf(paramsOf('adaptive')[0])).toBe(2);
    expect(stepOf(paramsOf('adaptive')[3])).toBe(0.005);
  });
});

describe('parseParams', () => {
  it('sends only values that differ from the defaults', () => {
    expect(parseParams('adaptive', { block_size: '15', c: '2', blur: '', max_regions: ' 5 ' })).toEqual({
      params: { block_size: 15, max_regions: 5 },
    });
    expect(parseParams('default', {})).toEqual({ params: {} });
  });
  it('says what is wrong with each bad field', () => {
    const r = parseParams('adaptive', { block_size: '4', c: 'x', blur: '33', max_regions: '2.5' });
    expect(r).toEqual({
      errors: {
        block_size: 'Block size must be an odd number (1, 3, 5, …).',
        c: 'Constant must be a number from -50 to 50.',
        blur: 'Blur must be from 1 to 31.',
        max_regions: 'Most regions must be a whole number from 1 to 100.',
      },
    });
  });
  it('ignores values typed for another strategy', () => {
    expect(parseParams('otsu', { block_size: '4' })).toEqual({ params: {} });
  });
});
