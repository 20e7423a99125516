// Share links of a palette (POST/GET /api/v1/t/{ws}/palettes/{id}/shares, DELETE .../{share_id}).
import { request, ws } from './api';

export interface Share {
  id: number;
  palette_id: number;
  created_at: string;
  created_by: { id: number; name: string };
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
