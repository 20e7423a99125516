// The palette list's calls (docs/API.md "Palettes"): duplicate, move, delete. Listing is
// api.listPalettes in api.ts.
import { csrfToken, request, ws, type Palette } from './api';
import type { MoveTo } from './components/list/reorder';

export const listApi = {
  duplicate: (slug: string, id: number) =>
    request<{ palette: Palette }>('POST', `${ws(slug)}/palettes/${id}/duplicate`),
  move: (slug: string, id: number, to: MoveTo) =>
    request<{ palette: Palette }>('POST', `${ws(slug)}/palettes/${id}/move`, { body: { to } }),
  remove: (slug: string, id: number) => request<void>('DELETE', `${ws(slug)}/palettes/${id}`),
  /**
   * DELETE for a page that is going away (pagehide, tab closed): fetch with keepalive outlives
   * the document, which request() does not ask for. Fire and forget: nobody is left to show
   * an error to.
   */
  removeOnExit: (slug: string, id: number) => {
    const token = csrfToken();
    void fetch(`${ws(slug)}/palettes/${id}`, {
      method: 'DELETE',
      headers: token ? { 'X-CSRF-Token': token } : {},
      credentials: 'same-origin',
      keepalive: true,
    }).catch(() => {});
  },
};
