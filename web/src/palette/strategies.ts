// The region strategies the server knows (docs/API.md "Regions"; their parameters are the
// tables in src/engine/regions_*.cc and regions.cc). The server validates again and answers
// 400 naming the parameter, so a stale range here costs a readable error, not a wrong result.

export interface ParamSpec {
  name: string;
  label: string;
  min: number;
  max: number;
  value: number;
  integer?: boolean;
  odd?: boolean;
  help: string;
}

export interface Strategy {
  name: string;
  label: string;
  params: ParamSpec[];
}

const blur = (value: number, help = 'blur kernel before detection (odd; 1 = none)'): ParamSpec => ({
  name: 'blur',
  label: 'Blur',
  min: 1,
  max: 31,
  value,
  integer: true,
  odd: true,
  help,
});

/** Accepted by every strategy besides its own. */
export const COMMON_PARAMS: ParamSpec[] = [
  { name: 'min_area', label: 'Smallest region', min: 0, max: 1, value: 0.005, help: 'share of the image a region must cover (0–1)' },
  { name: 'max_regions', label: 'Most regions', min: 1, max: 100, value: 20, integer: true, help: 'most regions kept, largest first' },
];

export const STRATEGIES: Strategy[] = [
  { name: 'default', label: 'Automatic (adaptive, Otsu, Canny, colour)', params: [] },
  {
    name: 'adaptive',
    label: 'Adaptive threshold',
    params: [
      { name: 'block_size', label: 'Block size', min: 3, max: 255, value: 11, integer: true, odd: true, help: 'neighbourhood for the local mean, pixels (odd)' },
      { name: 'c', label: 'Constant', min: -50, max: 50, value: 2, help: 'subtracted from the local mean; higher keeps only stronger contrast' },
      blur(5),
    ],
  },
  { name: 'otsu', label: 'Otsu threshold', params: [blur(5)] },
  {
    name: 'canny',
    label: 'Canny edges',
    params: [
      { name: 'low', label: 'Low threshold', min: 0, max: 255, value: 50, help: 'lower hysteresis threshold' },
      { name: 'high', label: 'High threshold', min: 0, max: 255, value: 150, help: 'upper hysteresis threshold' },
      blur(5),
      { name: 'dilate', label: 'Dilate', min: 0, max: 10, value: 2, integer: true, help: 'dilation passes closing gaps in edges' },
    ],
  },
  {
    name: 'color',
    label: 'Colour segmentation',
    params: [{ name: 'k', label: 'Clusters', min: 2, max: 12, value: 4, integer: true, help: 'number of colour clusters' }, blur(5)],
  },
  {
    name: 'watershed',
    label: 'Watershed',
    params: [
      { name: 'foreground', label: 'Foreground', min: 0.05, max: 0.95, value: 0.5, help: 'higher splits touching objects more' },
      { name: 'open_iterations', label: 'Opening passes', min: 0, max: 10, value: 2, integer: true, help: 'noise removal' },
    ],
  },
  {
    name: 'grabcut',
    label: 'GrabCut',
    params: [
      { name: 'iterations', label: 'Iterations', min: 1, max: 10, value: 3, integer: true, help: 'GrabCut iterations' },
      { name: 'margin', label: 'Margin', min: 0, max: 0.45, value: 0.1, help: 'border assumed to be background, share of the image' },
    ],
  },
  {
    name: 'slic',
    label: 'Superpixels (SLIC)',
    params: [
      { name: 'region_size', label: 'Superpixel size', min: 8, max: 256, value: 40, integer: true, help: 'average superpixel size, pixels' },
      { name: 'ruler', label: 'Compactness', min: 1, max: 100, value: 10, help: 'higher makes squarer superpixels' },
      { name: 'iterations', label: 'Iterations', min: 1, max: 30, value: 10, integer: true, help: 'SLIC iterations' },
      { name: 'merge', label: 'Merge below ΔE', min: 0, max: 100, value: 12, help: 'neighbours closer than this become one region; 0 keeps all' },
    ],
  },
  {
    name: 'saliency',
    label: 'Saliency',
    params: [
      { name: 'threshold', label: 'Threshold', min: 0, max: 255, value: 0, help: 'saliency a pixel needs; 0 picks one automatically' },
      blur(9, 'blur of the saliency map (odd)'),
    ],
  },
  {
    name: 'meanshift',
    label: 'Mean shift',
    params: [
      { name: 'spatial_radius', label: 'Spatial radius', min: 1, max: 100, value: 10, help: 'window radius, pixels' },
      { name: 'color_radius', label: 'Colour radius', min: 1, max: 100, value: 30, help: 'larger gives fewer regions' },
      { name: 'max_level', label: 'Pyramid levels', min: 0, max: 4, value: 1, integer: true, help: '0 = none' },
    ],
  },
  {
    name: 'quadtree',
    label: 'Quadtree',
    params: [
      { name: 'max_depth', label: 'Depth', min: 1, max: 10, value: 6, integer: true, help: 'deepest split' },
      { name: 'threshold', label: 'Threshold', min: 0, max: 128, value: 20, help: 'split while the colour spread exceeds this' },
      { name: 'min_size', label: 'Smallest cell', min: 4, max: 512, value: 16, integer: true, help: 'pixels' },
    ],
  },
  {
    name: 'circles',
    label: 'Circles (Hough)',
    params: [
      { name: 'dp', label: 'Resolution', min: 1, max: 4, value: 1.2, help: 'inverse accumulator resolution' },
      { name: 'min_dist', label: 'Least distance', min: 0.01, max: 1, value: 0.05, help: 'between centres, share of the shorter side' },
      { name: 'param1', label: 'Edge threshold', min: 1, max: 500, value: 100, help: 'upper Canny threshold' },
      { name: 'param2', label: 'Votes', min: 1, max: 500, value: 30, help: 'lower finds more (and more false) circles' },
      { name: 'min_radius', label: 'Smallest radius', min: 0, max: 1, value: 0.01, help: 'share of the shorter side' },
      { name: 'max_radius', label: 'Largest radius', min: 0, max: 1, value: 0.25, help: 'share of the shorter side' },
    ],
  },
  {
    name: 'rectangles',
    label: 'Rectangles',
    params: [
      { name: 'low', label: 'Low threshold', min: 0, max: 255, value: 50, help: 'lower Canny threshold' },
      { name: 'high', label: 'High threshold', min: 0, max: 255, value: 150, help: 'upper Canny threshold' },
      { name: 'epsilon', label: 'Simplify', min: 0.005, max: 0.2, value: 0.02, help: 'polygon approximation, share of the perimeter' },
      blur(5),
    ],
  },
  {
    name: 'contour_circles',
    label: 'Round outlines',
    params: [
      { name: 'min_circularity', label: 'Roundness', min: 0, max: 1, value: 0.7, help: '1 = perfect circle, 0.785 = square' },
      blur(5),
    ],
  },
  {
    name: 'template_match',
    label: 'Template match (draw a box)',
    params: [
      { name: 'threshold', label: 'Match threshold', min: 0, max: 1, value: 0.6, help: 'lower finds more, and more false matches' },
      { name: 'overlap', label: 'Overlap', min: 0, max: 1, value: 0.3, help: 'largest overlap allowed between matches' },
    ],
  },
];

export function findStrategy(name: string): Strategy {
  return STRATEGIES.find((s) => s.name === name) ?? STRATEGIES[0];
}

/** The parameter fields shown for a strategy: its own, then the common ones. */
export function paramsOf(name: string): ParamSpec[] {
  return [...findStrategy(name).params, ...COMMON_PARAMS];
}

/** The step of a number input for a spec (odd integers step by 2). */
export function stepOf(spec: ParamSpec): number {
  if (spec.odd) return 2;
  if (spec.integer) return 1;
  return spec.max - spec.min <= 1 ? 0.005 : 0.1;
}

/**
 * Parses the typed values (by parameter name) into the request's `params`, sending only
 * values that differ from the defaults. Returns the params or, per field, a sentence saying
 * what is wrong.
 */
export function parseParams(
  strategy: string,
  typed: Record<string, string>,
): { params: Record<string, number> } | { errors: Record<string, string> } {
  const params: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const spec of paramsOf(strategy)) {
    const raw = (typed[spec.name] ?? '').trim();
    if (raw === '') continue; // the default
    const v = Number(raw);
    const range = `from ${spec.min} to ${spec.max}`;
    if (!Number.isFinite(v)) errors[spec.name] = `${spec.label} must be a number ${range}.`;
    else if (spec.integer && !Number.isInteger(v)) errors[spec.name] = `${spec.label} must be a whole number ${range}.`;
    else if (v < spec.min || v > spec.max) errors[spec.name] = `${spec.label} must be ${range}.`;
    else if (spec.odd && v % 2 !== 1) errors[spec.name] = `${spec.label} must be an odd number (1, 3, 5, …).`;
    else if (v !== spec.value) params[spec.name] = v;
  }
  return Object.keys(errors).length ? { errors } : { params };
}
