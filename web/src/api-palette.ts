// The palette view's calls beyond api.ts: PATCH of swatches/regions/background, and region
// detection (docs/API.md "Palettes").
import { request, ws, type Palette } from './api';

export type Polygon = number[][];

export interface RegionColor {
  centroid: [number, number];
  /** null when the region has no opaque pixels. */
  average: string | null;
  swatch: number | null;
  hex: string | null;
}

/** The palette as the view uses it: api.ts's Palette with the region fields typed. */
export interface FullPalette extends Omit<Palette, 'regions' | 'region_colors'> {
  regions: Polygon[];
  region_labels: string[];
  region_colors: (RegionColor | null)[];
  background: number | null;
}

export interface PalettePatch {
  name?: string;
  colors?: string[];
  labels?: string[];
  regions?: Polygon[];
  region_labels?: string[];
  background?: number | null;
}

export interface TemplateBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RegionRequest {
  strategy: string;
  params?: Record<string, number>;
  template_box?: TemplateBox;
}

const palettePath = (slug: string, id: number) => `${ws(slug)}/palettes/${id}`;

/** Fills what older servers may leave out, so the view can index freely. */
export function normalisePalette(p: Palette): FullPalette {
  const raw = p as unknown as Partial<FullPalette> & Palette;
  return {
    ...raw,
    labels: raw.labels ?? [],
    regions: (raw.regions as Polygon[] | undefined) ?? [],
    region_labels: raw.region_labels ?? [],
    region_colors: (raw.region_colors as (RegionColor | null)[] | undefined) ?? [],
    background: typeof raw.background === 'number' ? raw.background : null,
  };
}

export async function patchPalette(slug: string, id: number, body: PalettePatch): Promise<FullPalette> {
  const res = await request<{ palette: Palette }>('PATCH', palettePath(slug, id), { body });
  return normalisePalette(res.palette);
}

export async function detectRegions(slug: string, id: number, body: RegionRequest): Promise<FullPalette> {
  const res = await request<{ palette: Palette }>('POST', `${palettePath(slug, id)}/regions`, { body });
  return normalisePalette(res.palette);
}

export async function extractColors(slug: string, id: number, k: number): Promise<FullPalette> {
  const res = await request<{ palette: Palette }>('POST', `${palettePath(slug, id)}/extract`, { body: { k } });
  return normalisePalette(res.palette);
}

export const EXPORT_FORMATS: { format: string; label: string }[] = [
  { format: 'json', label: 'JSON' },
  { format: 'css', label: 'CSS variables' },
  { format: 'scss', label: 'SCSS' },
  { format: 'tailwind', label: 'Tailwind config' },
  { format: 'gpl', label: 'GIMP palette' },
  { format: 'ase', label: 'Adobe ASE' },
  { format: 'svg', label: 'SVG swatches' },
  { format: 'png', label: 'PNG image' },
];

export const exportHref = (slug: string, id: number, format: string) =>
  `${palettePath(slug, id)}/export?${new URLSearchParams({ format })}`;
