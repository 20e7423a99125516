// A tiny History-API router: four screens do not need a library. The server answers
// index.html for every non-/api path, so deep links and reloads work.
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const EVENT = 'pm:navigate';

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === location.pathname + location.search) {
    if (!opts.replace) return;
  }
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(EVENT));
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return path;
}

export type Route =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'signup' }
  | { name: 'setup' }
  | { name: 'reset' }
  | { name: 'invite' }
  | { name: 'shared'; token: string }
  | { name: 'list'; slug: string }
  | { name: 'palette'; slug: string; id: string }
  | { name: 'usage'; slug: string }
  | { name: 'admin' }
  | { name: 'account' }
  | { name: 'newworkspace' }
  | { name: 'members'; slug: string }
  | { name: 'tokens'; slug: string }
  | { name: 'audit'; slug: string }
  | { name: 'notfound' };

export function matchRoute(path: string): Route {
  const p = path.replace(/\/+$/, '') || '/';
  // A share link (/s/{token}): the token is base64url, used as it stands (never decoded, so a
  // malformed escape cannot throw here; the server answers 404 for anything it did not make).
  const shared = /^\/s\/([^/]+)$/.exec(p);
  if (shared) return { name: 'shared', token: shared[1] };
  if (p === '/') return { name: 'home' };
  if (p === '/login') return { name: 'login' };
  if (p === '/signup') return { name: 'signup' };
  if (p === '/setup') return { name: 'setup' };
  if (p === '/reset') return { name: 'reset' };
  if (p === '/invite') return { name: 'invite' };
  if (p === '/admin') return { name: 'admin' };
  if (p === '/account') return { name: 'account' };
  if (p === '/workspaces/new') return { name: 'newworkspace' };
  const sub = /^\/w\/([^/]+)\/(members|tokens|audit)$/.exec(p);
  if (sub) return { name: sub[2] as 'members' | 'tokens' | 'audit', slug: decodeURIComponent(sub[1]) };
  let m = /^\/w\/([^/]+)$/.exec(p);
  if (m) return { name: 'list', slug: decodeURIComponent(m[1]) };
  m = /^\/w\/([^/]+)\/usage$/.exec(p);
  if (m) return { name: 'usage', slug: decodeURIComponent(m[1]) };
  m = /^\/w\/([^/]+)\/p\/([^/]+)$/.exec(p);
  if (m) return { name: 'palette', slug: decodeURIComponent(m[1]), id: decodeURIComponent(m[2]) };
  return { name: 'notfound' };
}

/**
 * The in-app address to go to after logging in (`/login?next=/invite?token=...`), or null.
 * Only same-origin paths: "//host" and "/\\host" would leave the site.
 */
export function nextPath(): string | null {
  const next = new URLSearchParams(location.search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  return next;
}

/** An <a> that navigates in-app on a plain left click and behaves normally otherwise. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
