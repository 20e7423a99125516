// Upload by URL: the server fetches the image itself (POST .../palettes with a JSON body).
import { request, ws, type Palette } from './api';

/** Asks the server to fetch `url` and make a palette of it; `name` defaults on the server. */
export function uploadFromUrl(slug: string, url: string, name?: string): Promise<{ palette: Palette }> {
  return request<{ palette: Palette }>('POST', `${ws(slug)}/palettes`, { body: name ? { url, name } : { url } });
}

/**
 * A first check in the browser, so an obvious slip gets a plain answer without a round trip.
 * Returns what is wrong, or null. The server still decides (addresses, ports, redirects, size).
 */
export function checkImageUrl(text: string): string | null {
  const url = text.trim();
  if (!url) return 'Paste the address of an image first.';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'That is not a web address. It should start with http:// or https://.';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return 'Only web addresses starting with http:// or https:// can be fetched.';
  }
  return null;
}

/** A short label for a job row: host and last path segment. */
export function urlLabel(text: string): string {
  try {
    const u = new URL(text.trim());
    const last = u.pathname.split('/').filter(Boolean).pop();
    return last ? `${u.host}/…/${decodeURIComponent(last)}` : u.host;
  } catch {
    return text.trim();
  }
}
