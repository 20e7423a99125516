// The palette's image fitted to its box (object-fit: contain), with an SVG overlay in image
// pixels on top: the regions (click, Enter or Delete removes one), the template box being
// drawn, and the sampling reticle. Modes: `view`; `sample` (crosshair, live preview of the
// pixel under the pointer, click or Enter adds it, arrows move, Escape cancels); `box` (drag a
// template box for template_match).
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { FullPalette, TemplateBox } from '../../api-palette';
import { rgbToHex } from '../../palette/edits';
import {
  boxFromDrag,
  clientToImage,
  clientToImageClamped,
  moveReticle,
  pixelAt,
  regionLabel,
  svgPoints,
  type Point,
} from '../../palette/geometry';

export type StageMode = 'view' | 'sample' | 'box';

interface Props {
  palette: FullPalette;
  mode: StageMode;
  canWrite: boolean;
  hot: number | null;
  onHot: (i: number | null) => void;
  onSample: (hex: string) => void;
  onCancel: () => void;
  box: TemplateBox | null;
  onBox: (box: TemplateBox) => void;
  onRemoveRegion: (i: number) => void;
}

interface Probe extends Point {
  hex: string;
}

export function ImageStage({ palette: p, mode, canWrite, hot, onHot, onSample, onCancel, box, onBox, onRemoveRegion }: Props) {
  const size = { width: p.image?.width ?? 0, height: p.image?.height ?? 0 };
  const imgRef = useRef<HTMLImageElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const pixels = useRef<CanvasRenderingContext2D | null>(null);
  const [probe, setProbe] = useState<Probe | null>(null);
  const [drag, setDrag] = useState<{ from: Point; to: Point } | null>(null);
  const [readError, setReadError] = useState('');

  // The image drawn once into a canvas at its natural size: the pixels the sampler reads.
  function ensurePixels(): CanvasRenderingContext2D | null {
    const img = imgRef.current;
    if (pixels.current || !img || !img.complete || img.naturalWidth === 0) return pixels.current;
    try {
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx) throw new Error('no 2D canvas');
      ctx.drawImage(img, 0, 0);
      ctx.getImageData(0, 0, 1, 1); // throws now, not on every move, if the canvas is unreadable
      pixels.current = ctx;
      setReadError('');
    } catch {
      setReadError('This browser cannot read the image’s pixels, so colours cannot be sampled from it.');
    }
    return pixels.current;
  }

  function hexAt(pt: Point): string | null {
    const ctx = ensurePixels();
    const img = imgRef.current;
    if (!ctx || !img || size.width === 0) return null;
    // Image coordinates are in the server's frame; the canvas is the decoded natural size.
    const x = Math.min(img.naturalWidth - 1, Math.floor((pt.x * img.naturalWidth) / size.width));
    const y = Math.min(img.naturalHeight - 1, Math.floor((pt.y * img.naturalHeight) / size.height));
    const d = ctx.getImageData(x, y, 1, 1).data;
    return rgbToHex(d[0], d[1], d[2]);
  }

  function probeAt(pt: Point): Probe | null {
    const px = pixelAt(pt, size);
    const hex = hexAt(px);
    return hex ? { ...px, hex } : null;
  }

  useEffect(() => {
    setProbe(null);
    setDrag(null);
    if (mode !== 'view') stageRef.current?.focus();
    if (mode === 'view') return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') onCancel();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [mode]);

  // A new image (another palette): read its pixels afresh.
  useEffect(() => {
    pixels.current = null;
  }, [p.image_url]);

  function imagePoint(e: PointerEvent, clamp: boolean): Point | null {
    const img = imgRef.current;
    if (!img) return null;
    const r = img.getBoundingClientRect();
    const rect = { x: r.left, y: r.top, width: r.width, height: r.height };
    const client = { x: e.clientX, y: e.clientY };
    return clamp ? clientToImageClamped(client, rect, size) : clientToImage(client, rect, size);
  }

  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    if (mode === 'sample') {
      const pt = imagePoint(e, false);
      setProbe(pt ? probeAt(pt) : null);
    } else if (mode === 'box' && drag) {
      const pt = imagePoint(e, true);
      if (pt) setDrag({ from: drag.from, to: pt });
    }
  }

  function onPointerDown(e: PointerEvent<HTMLDivElement>) {
    if (mode !== 'box' || e.button !== 0) return;
    const pt = imagePoint(e, false);
    if (!pt) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    setDrag({ from: pt, to: pt });
  }

  function onPointerUp(e: PointerEvent<HTMLDivElement>) {
    if (mode === 'sample') {
      const pt = imagePoint(e, false);
      const hit = pt ? probeAt(pt) : null;
      if (hit) onSample(hit.hex);
    } else if (mode === 'box' && drag) {
      const end = imagePoint(e, true) ?? drag.to;
      const b = boxFromDrag(drag.from, end, size);
      setDrag(null);
      if (b) onBox(b);
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (mode !== 'sample') return;
    const step = Math.max(1, Math.round(Math.min(size.width, size.height) / 100)) * (e.shiftKey ? 10 : 1);
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    if (moves[e.key]) {
      e.preventDefault();
      const from = probe ?? { x: Math.floor(size.width / 2), y: Math.floor(size.height / 2) };
      const to = probe ? moveReticle(from, moves[e.key][0], moves[e.key][1], size) : from;
      setProbe(probeAt(to));
    } else if (e.key === 'Enter' && probe) {
      e.preventDefault();
      onSample(probe.hex);
    }
  }

  const unit = Math.max(size.width, size.height) / 100; // 1% of the longer side, in image px
  const typedBox = box && [box.x, box.y, box.width, box.height].every(Number.isFinite) ? box : null;
  const shownBox = drag ? boxFromDrag(drag.from, drag.to, size) : typedBox;
  const stageLabel =
    mode === 'sample'
      ? 'Sample a colour: move over the image, or use the arrow keys; click or Enter adds it, Escape cancels'
      : mode === 'box'
        ? 'Draw the template box: drag over the image, or type its position below; Escape cancels'
        : undefined;

  return (
    <div className="pv-stage-wrap">
      <div
        ref={stageRef}
        className={`pv-stage pv-stage--${mode}`}
        data-testid="image-stage"
        data-mode={mode}
        tabIndex={mode === 'view' ? undefined : 0}
        role={mode === 'view' ? undefined : 'application'}
        aria-label={stageLabel}
        onPointerMove={onPointerMove}
        onPointerDown={onPointerDown}
        onPointerUp={onPointerUp}
        onPointerLeave={() => mode === 'sample' && setProbe(null)}
        onKeyDown={onKeyDown}
      >
        <img
          ref={imgRef}
          src={p.image_url}
          alt={`The image of palette ${p.name}`}
          width={size.width || undefined}
          height={size.height || undefined}
          draggable={false}
          data-testid="palette-image"
        />
        {size.width > 0 && (
          <svg
            className="pv-overlay"
            viewBox={`0 0 ${size.width} ${size.height}`}
            data-testid="region-overlay"
            role="group"
            aria-label={`${p.regions.length} regions`}
          >
            {p.regions.map((poly, i) => {
              const label = p.region_labels[i] ?? regionLabel(i);
              const rc = p.region_colors[i];
              const avg = rc?.average ?? null;
              const isHot = hot === i;
              const removable = canWrite && mode === 'view';
              return (
                <g
                  key={i}
                  className={'pv-region' + (isHot ? ' pv-region--hot' : '')}
                  data-testid="region-shape"
                  data-hot={isHot ? 'true' : undefined}
                  data-label={label}
                  onPointerEnter={() => onHot(i)}
                  onPointerLeave={() => onHot(null)}
                >
                  <polygon
                    points={svgPoints(poly)}
                    tabIndex={removable ? 0 : undefined}
                    role={removable ? 'button' : undefined}
                    aria-label={
                      removable ? `Region ${label}${avg ? `, average ${avg}` : ''}. Press Enter or Delete to remove it` : undefined
                    }
                    onFocus={() => onHot(i)}
                    onBlur={() => onHot(null)}
                    onClick={() => removable && onRemoveRegion(i)}
                    onKeyDown={(e) => {
                      if (removable && (e.key === 'Enter' || e.key === 'Delete' || e.key === 'Backspace' || e.key === ' ')) {
                        e.preventDefault();
                        onRemoveRegion(i);
                      }
                    }}
                  />
                  {rc && (
                    <g className="pv-region__pin" aria-hidden="true">
                      <circle
                        cx={rc.centroid[0]}
                        cy={rc.centroid[1]}
                        r={unit * 1.6}
                        style={{ fill: avg ?? 'transparent' }}
                      />
                      <text
                        x={rc.centroid[0] + (rc.centroid[0] > size.width * 0.7 ? -unit * 2.2 : unit * 2.2)}
                        y={rc.centroid[1]}
                        textAnchor={rc.centroid[0] > size.width * 0.7 ? 'end' : 'start'}
                        fontSize={unit * 2.6}
                        dy="0.35em"
                      >
                        <tspan data-testid="region-label">{label}</tspan>
                        {avg && <tspan dx={unit}>{avg}</tspan>}
                      </text>
                    </g>
                  )}
                </g>
              );
            })}
            {shownBox && (
              <rect
                className="pv-box"
                data-testid="template-box"
                x={shownBox.x}
                y={shownBox.y}
                width={shownBox.width}
                height={shownBox.height}
              />
            )}
            {mode === 'sample' && probe && (
              <g className="pv-reticle" aria-hidden="true">
                <circle cx={probe.x + 0.5} cy={probe.y + 0.5} r={unit * 2.4} style={{ fill: probe.hex }} />
                <line x1={probe.x + 0.5 - unit * 4} x2={probe.x + 0.5 - unit * 2.6} y1={probe.y + 0.5} y2={probe.y + 0.5} />
                <line x1={probe.x + 0.5 + unit * 2.6} x2={probe.x + 0.5 + unit * 4} y1={probe.y + 0.5} y2={probe.y + 0.5} />
              </g>
            )}
          </svg>
        )}
      </div>
      {mode === 'sample' && (
        <div className="pv-sample-bar" data-testid="sample-preview" aria-live="off">
          <span className="pv-sample-bar__chip" style={{ background: probe?.hex ?? 'transparent' }} aria-hidden="true" />
          <span className="pv-sample-bar__hex" data-testid="sample-hex">
            {probe ? probe.hex : '—'}
          </span>
          <span className="muted">
            {readError ||
              (probe
                ? `at ${probe.x}, ${probe.y}. Click or press Enter to add it.`
                : 'Point at the image, or focus it and use the arrow keys. Escape cancels.')}
          </span>
        </div>
      )}
    </div>
  );
}
