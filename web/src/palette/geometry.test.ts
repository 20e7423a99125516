import { describe, expect, it } from 'vitest';
import { boxFromDrag, checkBox, clientToImage, clientToImageClamped, containRect, moveReticle, pixelAt, regionLabel, svgPoints } from './geometry';

describe('containRect', () => {
  it('letterboxes a wide image in a tall box (bars above and below)', () => {
    expect(containRect({ width: 200, height: 400 }, { width: 800, height: 400 })).toEqual({
      x: 0,
      y: 150,
      width: 200,
      height: 100,
      scale: 0.25,
    });
  });
  it('pillarboxes a tall image in a wide box', () => {
    const r = containRect({ width: 400, height: 100 }, { width: 100, height: 200 });
    expect(r).toEqual({ x: 175, y: 0, width: 50, height: 100, scale: 0.5 });
  });
  it('is empty for an empty box or image', () => {
    expect(containRect({ width: 0, height: 10 }, { width: 5, height: 5 }).scale).toBe(0);
  });
});

describe('clientToImage', () => {
  const element = { x: 100, y: 50, width: 200, height: 400 };
  const image = { width: 800, height: 400 };
  it('maps through the offset, the letterbox and the scale', () => {
    // the image occupies y 200..300 on screen (50 + 150), x 100..300
    expect(clientToImage({ x: 100, y: 200 }, element, image)).toEqual({ x: 0, y: 0 });
    expect(clientToImage({ x: 200, y: 250 }, element, image)).toEqual({ x: 400, y: 200 });
    expect(clientToImage({ x: 300, y: 300 }, element, image)).toEqual({ x: 800, y: 400 });
  });
  it('is null on the letterbox bars and outside the element', () => {
    expect(clientToImage({ x: 200, y: 120 }, element, image)).toBeNull();
    expect(clientToImage({ x: 200, y: 320 }, element, image)).toBeNull();
    expect(clientToImage({ x: 50, y: 250 }, element, image)).toBeNull();
  });
});

describe('clientToImageClamped', () => {
  it('moves points on the letterbox to the nearest image edge', () => {
    const element = { x: 100, y: 50, width: 200, height: 400 };
    const image = { width: 800, height: 400 };
    expect(clientToImageClamped({ x: 200, y: 120 }, element, image)).toEqual({ x: 400, y: 0 });
    expect(clientToImageClamped({ x: 400, y: 999 }, element, image)).toEqual({ x: 800, y: 400 });
    expect(clientToImageClamped({ x: 200, y: 250 }, element, image)).toEqual({ x: 400, y: 200 });
  });
});

describe('pixelAt and moveReticle', () => {
  const image = { width: 10, height: 5 };
  it('floors to a pixel and keeps the right and bottom edges inside', () => {
    expect(pixelAt({ x: 3.7, y: 2.2 }, image)).toEqual({ x: 3, y: 2 });
    expect(pixelAt({ x: 10, y: 5 }, image)).toEqual({ x: 9, y: 4 });
  });
  it('moves the reticle and stops at the edges', () => {
    expect(moveReticle({ x: 5, y: 2 }, 1, -1, image)).toEqual({ x: 6, y: 1 });
    expect(moveReticle({ x: 0, y: 0 }, -10, -10, image)).toEqual({ x: 0, y: 0 });
    expect(moveReticle({ x: 9, y: 4 }, 10, 10, image)).toEqual({ x: 9, y: 4 });
  });
});

describe('boxFromDrag', () => {
  const image = { width: 100, height: 80 };
  it('normalises a drag in any direction to whole pixels', () => {
    expect(boxFromDrag({ x: 40.6, y: 30.2 }, { x: 10.4, y: 5.9 }, image)).toEqual({ x: 10, y: 5, width: 31, height: 26 });
  });
  it('clips to the image', () => {
    expect(boxFromDrag({ x: -20, y: -5 }, { x: 150, y: 90 }, image)).toEqual({ x: 0, y: 0, width: 100, height: 80 });
  });
  it('ignores a click or a sliver under 4 pixels', () => {
    expect(boxFromDrag({ x: 10, y: 10 }, { x: 10, y: 10 }, image)).toBeNull();
    expect(boxFromDrag({ x: 10, y: 10 }, { x: 40, y: 12 }, image)).toBeNull();
  });
});

describe('checkBox', () => {
  const image = { width: 100, height: 80 };
  it('accepts a box inside the image', () => {
    expect(checkBox({ x: 0, y: 0, width: 100, height: 80 }, image)).toEqual({ x: 0, y: 0, width: 100, height: 80 });
  });
  it('explains what is wrong', () => {
    expect(checkBox({ x: 1.5, y: 0, width: 10, height: 10 }, image)).toMatch(/whole numbers/);
    expect(checkBox({ x: -1, y: 0, width: 10, height: 10 }, image)).toMatch(/inside the image/);
    expect(checkBox({ x: 0, y: 0, width: 3, height: 10 }, image)).toMatch(/at least 4 × 4/);
    expect(checkBox({ x: 95, y: 0, width: 10, height: 10 }, image)).toMatch(/fit inside the image \(100 × 80/);
  });
});

describe('labels and points', () => {
  it('numbers regions from 00', () => {
    expect([0, 1, 9, 10, 99, 100].map(regionLabel)).toEqual(['00', '01', '09', '10', '99', '100']);
  });
  it('writes SVG points', () => {
    expect(svgPoints([[1, 2], [3, 4], [5, 6]])).toBe('1,2 3,4 5,6');
  });
});
