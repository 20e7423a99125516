// Coordinates between the screen and the image: an <img> with `object-fit: contain` (and an
// SVG with the default preserveAspectRatio, which scales the same way) shows the whole image
// centred in its box, scaled by the smaller of the two ratios. All image coordinates are in
// original-image pixels, the frame of the server's regions and template boxes.

export interface Size {
  width: number;
  height: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Where the image is drawn inside a box of `box` size, in box coordinates. */
export function containRect(box: Size, image: Size): Rect & { scale: number } {
  if (box.width <= 0 || box.height <= 0 || image.width <= 0 || image.height <= 0) {
    return { x: 0, y: 0, width: 0, height: 0, scale: 0 };
  }
  const scale = Math.min(box.width / image.width, box.height / image.height);
  const width = image.width * scale;
  const height = image.height * scale;
  return { x: (box.width - width) / 2, y: (box.height - height) / 2, width, height, scale };
}

/**
 * A pointer position (client coordinates) over an element whose box is `element` (as from
 * getBoundingClientRect) to image coordinates, or null when it falls on the letterbox outside
 * the image. The result is fractional; floor it for a pixel index.
 */
export function clientToImage(client: Point, element: Rect, image: Size): Point | null {
  const fit = containRect(element, image);
  if (fit.scale === 0) return null;
  const x = (client.x - element.x - fit.x) / fit.scale;
  const y = (client.y - element.y - fit.y) / fit.scale;
  if (x < 0 || y < 0 || x > image.width || y > image.height) return null;
  return { x, y };
}

/** Like clientToImage, but a point off the image is moved to its nearest edge (for drags). */
export function clientToImageClamped(client: Point, element: Rect, image: Size): Point | null {
  const fit = containRect(element, image);
  if (fit.scale === 0) return null;
  const x = (client.x - element.x - fit.x) / fit.scale;
  const y = (client.y - element.y - fit.y) / fit.scale;
  return { x: Math.min(image.width, Math.max(0, x)), y: Math.min(image.height, Math.max(0, y)) };
}

/** The pixel under an image coordinate, kept inside the image. */
export function pixelAt(p: Point, image: Size): Point {
  return {
    x: Math.min(image.width - 1, Math.max(0, Math.floor(p.x))),
    y: Math.min(image.height - 1, Math.max(0, Math.floor(p.y))),
  };
}

/** Smallest template box the server accepts (docs/API.md: at least 4×4). */
export const MIN_BOX = 4;

/**
 * The box spanned by two corners of a drag (in any order), in whole pixels, clipped to the
 * image. Null when it is smaller than MIN_BOX on either side (a click rather than a drag).
 */
export function boxFromDrag(a: Point, b: Point, image: Size): Rect | null {
  const clampX = (v: number) => Math.min(image.width, Math.max(0, v));
  const clampY = (v: number) => Math.min(image.height, Math.max(0, v));
  const x0 = Math.floor(clampX(Math.min(a.x, b.x)));
  const y0 = Math.floor(clampY(Math.min(a.y, b.y)));
  const x1 = Math.ceil(clampX(Math.max(a.x, b.x)));
  const y1 = Math.ceil(clampY(Math.max(a.y, b.y)));
  const box = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  return box.width >= MIN_BOX && box.height >= MIN_BOX ? box : null;
}

/**
 * A box typed into the x/y/w/h fields, checked against the image. Returns the box or a
 * sentence saying what is wrong with it.
 */
export function checkBox(box: Rect, image: Size): Rect | string {
  const { x, y, width, height } = box;
  if (![x, y, width, height].every((v) => Number.isInteger(v))) return 'The box needs whole numbers of pixels.';
  if (x < 0 || y < 0) return 'The box must start inside the image (x and y 0 or more).';
  if (width < MIN_BOX || height < MIN_BOX) return `The box must be at least ${MIN_BOX} × ${MIN_BOX} pixels.`;
  if (x + width > image.width || y + height > image.height) {
    return `The box must fit inside the image (${image.width} × ${image.height} pixels).`;
  }
  return box;
}

/** Moves a keyboard reticle by (dx, dy) pixels, staying on the image. */
export function moveReticle(p: Point, dx: number, dy: number, image: Size): Point {
  return pixelAt({ x: p.x + dx, y: p.y + dy }, image);
}

/** SVG `points` for a polygon of [x, y] pairs. */
export function svgPoints(polygon: readonly (readonly number[])[]): string {
  return polygon.map(([x, y]) => `${x},${y}`).join(' ');
}

/** The label the server gives region i when none was edited: "00", "01", ..., "99", "100". */
export function regionLabel(i: number): string {
  return String(i).padStart(2, '0');
}
