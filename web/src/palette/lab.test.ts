import { describe, expect, it } from 'vitest';
import { deltaE2000, deltaE76, hexToLab, nearestColor, type Lab } from './lab';

describe('hexToLab', () => {
  it('maps white, black and sRGB red to their known Lab values', () => {
    const white = hexToLab('#ffffff')!;
    expect(white[0]).toBeCloseTo(100, 2);
    expect(white[1]).toBeCloseTo(0, 2);
    expect(white[2]).toBeCloseTo(0, 2);
    expect(hexToLab('#000000')).toEqual([0, 0, 0]);
    const red = hexToLab('#ff0000')!;
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
  });
  it('refuses what is not a hex colour', () => {
    expect(hexToLab('red')).toBeNull();
  });
});

describe('deltaE', () => {
  it('CIE76 is the Euclidean distance', () => {
    expect(deltaE76([50, 0, 0], [53, 4, 0])).toBeCloseTo(5, 10);
  });
  // Pairs and expected values from Sharma, Wu & Dalal's CIEDE2000 test data.
  const sharma: [Lab, Lab, number][] = [
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, 3.1571, -77.2803], [50, 0, -82.7485], 2.8615],
    [[50, -1.3802, -84.2814], [50, 0, -82.7485], 1.0],
    [[50, 2.5, 0], [73, 25, -18], 27.1492],
    [[50, 2.5, 0], [50, 3.2592, 0.335], 1.0],
    [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
    [[22.7233, 20.0904, -46.694], [23.0331, 14.973, -42.5619], 2.0373],
    [[90.9257, -0.5406, -0.9208], [88.6381, -0.8985, -0.7239], 1.5381],
  ];
  it.each(sharma)('CIEDE2000 of %j and %j is %f', (a, b, want) => {
    expect(deltaE2000(a, b)).toBeCloseTo(want, 3);
    expect(deltaE2000(b, a)).toBeCloseTo(want, 3);
  });
  it('is zero for identical colours', () => {
    expect(deltaE2000([40, 10, -20], [40, 10, -20])).toBe(0);
  });
});

describe('nearestColor', () => {
  const palette = ['#e60206', '#4538eb', '#f64f07', '#3d91f6', '#02ef36'];
  it('finds the closest swatch by perceived difference', () => {
    expect(nearestColor('#711923', palette)?.index).toBe(0); // dark red -> the red
    expect(nearestColor('#ff6010', palette)?.index).toBe(2); // orange -> the orange
    expect(nearestColor('#4a94ff', palette)?.index).toBe(3); // light blue -> the light blue
    expect(nearestColor('#00ff40', palette)?.index).toBe(4);
  });
  it('reports a zero difference on an exact hit, and the first of equal candidates', () => {
    expect(nearestColor('#4538EB', palette)).toEqual({ index: 1, deltaE: 0 });
    expect(nearestColor('#123456', ['#123456', '#123456'])?.index).toBe(0);
  });
  it('is null without a usable colour', () => {
    expect(nearestColor('#123456', [])).toBeNull();
    expect(nearestColor('nope', palette)).toBeNull();
    expect(nearestColor('#123456', ['bad', '#654321'])?.index).toBe(1);
  });
});
