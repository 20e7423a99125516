// Share links (docs/API.md, "Share links"): create, list and revoke a palette's read-only links,
// and read a shared palette without a session.
import { request, ws } from './api';

/** The member who made a link; null once that user was erased. */
export interface ShareCreator {
  id: number;
  name: string;
}

/** An active share link as GET .../shares lists it (never its token). */
export interface ShareLink {
  id: number;
  palette_id: number;
  created_at: string;
  created_by: ShareCreator | null;
}

/** POST .../shares: the token and the full link are shown this once. */
export interface NewShareLink extends ShareLink {
  token: string;
  url: string;
}

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

const sharesPath = (slug: string, id: number | string) =>
  `${ws(slug)}/palettes/${encodeURIComponent(String(id))}/shares`;

export async function createShare(slug: string, id: number | string): Promise<NewShareLink> {
  const res = await request<{ share: NewShareLink }>('POST', sharesPath(slug, id));
  return res.share;
}

/** Active links, newest first. */
export async function listShares(slug: string, id: number | string): Promise<ShareLink[]> {
  const res = await request<{ shares: ShareLink[] }>('GET', sharesPath(slug, id));
  return res.shares;
}

export async function revokeShare(slug: string, id: number | string, shareId: number): Promise<void> {
  await request<void>('DELETE', `${sharesPath(slug, id)}/${shareId}`);
}

const sharedPath = (token: string) => `/api/v1/shared/${encodeURIComponent(token)}`;

/** Throws ApiError with status 404 when the link is not valid or was revoked. */
export async function getShared(token: string): Promise<SharedPalette> {
  const res = await request<{ palette: SharedPalette }>('GET', sharedPath(token), { redirectOn401: false });
  return res.palette;
}

export function sharedImageUrl(token: string): string {
  return `${sharedPath(token)}/image`;
}

/** The download formats of GET .../export (app/export.h), with what a person calls them. */
export const SHARED_EXPORT_FORMATS: { format: string; label: string }[] = [
  { format: 'json', label: 'JSON' },
  { format: 'css', label: 'CSS' },
  { format: 'scss', label: 'SCSS' },
  { format: 'tailwind', label: 'Tailwind' },
  { format: 'gpl', label: 'GIMP (.gpl)' },
  { format: 'ase', label: 'Adobe (.ase)' },
  { format: 'svg', label: 'SVG' },
];

export function sharedExportUrl(token: string, format: string): string {
  return `${sharedPath(token)}/export?format=${encodeURIComponent(format)}`;
}
