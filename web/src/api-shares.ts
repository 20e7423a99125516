// Share links of a palette (POST/GET /api/v1/t/{ws}/palettes/{id}/shares, DELETE .../{share_id}).
import { request, ws } from './api';

export interface Share {
  id: number;
  palette_id: number;
  created_at: string;
  /** null once the creator's account is erased. */
  created_by: { id: number; name: string } | null;
}

/** As created: the token and URL are shown this once. */
export interface NewShare extends Share {
  token: string;
  url: string;
}

const sharesPath = (slug: string, id: number) => `${ws(slug)}/palettes/${id}/shares`;

export const createShare = (slug: string, id: number) =>
  request<{ share: NewShare }>('POST', sharesPath(slug, id));

export const listShares = (slug: string, id: number) => request<{ shares: Share[] }>('GET', sharesPath(slug, id));

export const revokeShare = (slug: string, id: number, shareId: number) =>
  request<void>('DELETE', `${sharesPath(slug, id)}/${shareId}`);

// --- The public side of a link (no session): GET /api/v1/shared/{token}[/image|/export] -------

/** GET /api/v1/shared/{token}: the palette's content only (no id, workspace or user). */
export interface SharedPalette {
  name: string;
  colors: string[];
  labels: string[];
  background: number | null;
  coverage: number[];
  regions: unknown[];
  region_labels: string[];
  region_colors: unknown[];
  image: { width: number; height: number; mime: string };
  created_at: string;
  updated_at: string;
}

const sharedPath = (token: string) => `/api/v1/shared/${encodeURIComponent(token)}`;

/** Throws ApiError with status 404 when the link is not valid or was revoked. */
export const getShared = (token: string) =>
  request<{ palette: SharedPalette }>('GET', sharedPath(token), { redirectOn401: false });

export const sharedImageUrl = (token: string) => `${sharedPath(token)}/image`;

export const sharedExportUrl = (token: string, format: string) =>
  `${sharedPath(token)}/export?format=${encodeURIComponent(format)}`;

/** The download formats of GET .../export (app/export.h), with what a person calls them. */
export const SHARED_EXPORT_FORMATS: { format: string; label: string }[] = [
  { format: 'json', label: 'JSON' },
  { format: 'css', label: 'CSS' },
  { format: 'scss', label: 'SCSS' },
  { format: 'tailwind', label: 'Tailwind' },
  { format: 'gpl', label: 'GIMP (.gpl)' },
  { format: 'ase', label: 'Adobe (.ase)' },
  { format: 'svg', label: 'SVG' },
  { format: 'png', label: 'PNG strip' },
];
