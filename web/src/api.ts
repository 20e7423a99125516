// The HTTP contract in docs/API.md, and nothing else. Every non-GET request carries the
// X-CSRF-Token header with the value of the pm_csrf cookie; JSON bodies are application/json;
// a 401 anywhere but on the auth forms sends the user to /login.
// Feature areas add their calls in their own api-<area>.ts files using request() and ws().
import { navigate } from './router';
import { describeError, parseRetryAfter } from './errors';

export interface User {
  id: number;
  email: string;
  name: string;
  created_at: string;
  /** Platform operator (set by the server; absent from older servers, which means false). */
  is_operator?: boolean;
  /** TOTP is on for this account (absent from older servers). */
  mfa_enabled?: boolean;
}

export interface Workspace {
  id: number;
  slug: string;
  name: string;
  role: string;
  /** The personal workspace made at sign-up (absent from older servers). */
  personal?: boolean;
}

/** GET /api/v1/auth/options: who may sign up (`auth.signup`). */
export interface AuthOptions {
  signup: 'open' | 'invite' | 'closed';
}

export interface Me {
  user: User;
  workspaces: Workspace[];
}

export interface ImageMeta {
  format: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  sha256?: string;
}

export interface Palette {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  image: ImageMeta;
  image_url: string;
  thumbnail_url: string;
  colors: string[];
  labels: string[];
  coverage?: number[];
  regions?: unknown[];
  region_colors?: unknown[];
  params?: { k?: number; [key: string]: unknown };
}

export interface PaletteList {
  palettes: Palette[];
  next_cursor: string | null;
}

export interface Extracted {
  colors: string[];
  labels: string[];
  coverage?: number[];
  region_colors?: unknown[];
}

export interface UsageDay {
  day: string;
  uploads: number;
  extractions: number;
  detections: number;
  requests: number;
  upload_bytes: number;
}

/** GET /api/v1/t/{ws}/usage: limits are null when unlimited. */
export interface Usage {
  plan: {
    name: string;
    limits: {
      members: number | null;
      palettes: number | null;
      storage_bytes: number | null;
      upload_bytes: number;
      image_pixels: number;
      detections_per_day: number | null;
      requests_per_minute: number | null;
    };
  };
  usage: {
    members: number;
    pending_invitations: number;
    palettes: number;
    storage_bytes: number;
    uploads_today: number;
    extractions_today: number;
    detections_today: number;
    requests_today: number;
    requests_this_minute: number;
  };
  days: UsageDay[];
}

/** A workspace as operators see it (GET /api/v1/admin/tenants): counts only, never content. */
export interface Tenant {
  id: number;
  slug: string;
  name: string;
  personal: boolean;
  /** "" means the configured default plan. */
  plan: string;
  status: 'active' | 'suspended' | 'deleted';
  created_at: string;
  suspended_at: string | null;
  deleted_at: string | null;
  purge_after: string | null;
  owner: { id: number; email: string } | null;
  members: number;
  palettes: number;
  storage_bytes: number;
}

export interface TenantPage {
  tenants: Tenant[];
  next_cursor: string | null;
}

export interface Provisioned {
  tenant: Tenant;
  owner_created: boolean;
  /** A password-setting link for the owner, shown once; null when the owner already has one. */
  owner_setup_link: string | null;
}

export interface ProvisionRequest {
  name: string;
  slug?: string;
  owner_email: string;
  owner_name?: string;
  plan?: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  workspace: { id: number; slug: string | null } | null;
  /** email/name are absent once the user is erased. */
  actor: { id: number; kind: string; email?: string; name?: string } | null;
  action: string;
  target: string;
  ip: string;
  user_agent: string;
  request_id: string;
  details: Record<string, unknown>;
}

export interface AuditPage {
  entries: AuditEntry[];
  next_cursor: string | null;
}

/** An error answered by the server (or the network), with the server's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** Seconds from a 429's Retry-After header. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function csrfToken(): string {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === 'pm_csrf') return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return '';
}

export interface Options {
  body?: unknown;
  /** Sign-up and log-in answer 401 for a wrong password: show it instead of redirecting. */
  redirectOn401?: boolean;
}

function toApiError(
  status: number,
  text: string,
  statusText: string,
  header: (name: string) => string | null = () => null,
): ApiError {
  const requestId = header('X-Request-Id') ?? undefined;
  const retryAfter = parseRetryAfter(header('Retry-After'));
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; request_id?: string } };
    if (parsed && parsed.error && parsed.error.message) {
      return new ApiError(
        status,
        parsed.error.code ?? 'unknown',
        parsed.error.message,
        parsed.error.request_id ?? requestId,
        retryAfter,
      );
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(status, 'http_' + status, `The server answered ${status} ${statusText}`.trim(), requestId, retryAfter);
}

function handle401(err: ApiError, redirect: boolean) {
  if (err.status === 401 && redirect) {
    const here = location.pathname;
    if (here !== '/login' && here !== '/signup') navigate('/login', { replace: true });
  }
}

export async function request<T>(method: string, path: string, opts: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
  }
  if (res.status === 204 || res.status === 205) return undefined as T;
  const text = await res.text();
  if (!res.ok) {
    const err = toApiError(res.status, text, res.statusText, (h) => res.headers.get(h));
    handle401(err, opts.redirectOn401 !== false);
    throw err;
  }
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'bad_response', 'The server sent a response that is not JSON.');
  }
}

export const ws = (slug: string) => `/api/v1/t/${encodeURIComponent(slug)}`;

export const api = {
  signup: (email: string, password: string, name?: string, invitation?: string) =>
    request<Me>('POST', '/api/v1/auth/signup', {
      body: { email, password, ...(name ? { name } : {}), ...(invitation ? { invitation } : {}) },
      redirectOn401: false,
    }),
  authOptions: () => request<AuthOptions>('GET', '/api/v1/auth/options', { redirectOn401: false }),
  /** Always 202 with the same answer, whether or not the account exists. */
  requestPasswordReset: (email: string) =>
    request<void>('POST', '/api/v1/auth/password-reset', { body: { email }, redirectOn401: false }),
  confirmPasswordReset: (token: string, newPassword: string) =>
    request<void>('POST', '/api/v1/auth/password-reset/confirm', {
      body: { token, new_password: newPassword },
      redirectOn401: false,
    }),
  acceptInvitation: (token: string) =>
    request<{ workspace: Workspace; role: string }>('POST', '/api/v1/invitations/accept', {
      body: { token },
      redirectOn401: false,
    }),
  login: (email: string, password: string) =>
    request<Me>('POST', '/api/v1/auth/login', { body: { email, password }, redirectOn401: false }),
  logout: () => request<void>('POST', '/api/v1/auth/logout', { redirectOn401: false }),
  me: (redirectOn401 = true) => request<Me>('GET', '/api/v1/me', { redirectOn401 }),
  operatorSetupInfo: (token: string) =>
    request<{ valid: boolean; email: string | null }>(
      'GET',
      `/api/v1/admin/setup?${new URLSearchParams({ token })}`,
      { redirectOn401: false },
    ),
  operatorSetup: (token: string, email: string, password: string, name?: string) =>
    request<Me>('POST', '/api/v1/admin/setup', {
      body: name ? { token, email, password, name } : { token, email, password },
      redirectOn401: false,
    }),

  admin: {
    tenants: (f: { q?: string; status?: string }, cursor?: string | null, limit = 50) => {
      const q = new URLSearchParams({ limit: String(limit) });
      if (f.q) q.set('q', f.q);
      if (f.status) q.set('status', f.status);
      if (cursor) q.set('cursor', cursor);
      return request<TenantPage>('GET', `/api/v1/admin/tenants?${q}`);
    },
    setPlan: (id: number, plan: string) =>
      request<{ tenant: Tenant }>('PATCH', `/api/v1/admin/tenants/${id}`, { body: { plan } }),
    /** suspend | reactivate | restore */
    act: (id: number, verb: 'suspend' | 'reactivate' | 'restore') =>
      request<{ tenant: Tenant }>('POST', `/api/v1/admin/tenants/${id}/${verb}`),
    remove: (id: number) => request<{ tenant: Tenant }>('DELETE', `/api/v1/admin/tenants/${id}`),
    provision: (body: ProvisionRequest) => request<Provisioned>('POST', '/api/v1/admin/tenants', { body }),
    audit: (f: { action?: string; workspace?: string }, cursor?: string | null, limit = 50) => {
      const q = new URLSearchParams({ limit: String(limit) });
      if (f.action) q.set('action', f.action);
      if (f.workspace) q.set('workspace', f.workspace);
      if (cursor) q.set('cursor', cursor);
      return request<AuditPage>('GET', `/api/v1/admin/audit?${q}`);
    },
  },

  listPalettes: (slug: string, cursor?: string | null, limit = 24) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    return request<PaletteList>('GET', `${ws(slug)}/palettes?${q}`);
  },
  getPalette: (slug: string, id: number | string) =>
    request<{ palette: Palette }>('GET', `${ws(slug)}/palettes/${encodeURIComponent(String(id))}`),
  renamePalette: (slug: string, id: number, name: string) =>
    request<{ palette: Palette }>('PATCH', `${ws(slug)}/palettes/${id}`, { body: { name } }),
  deletePalette: (slug: string, id: number) => request<void>('DELETE', `${ws(slug)}/palettes/${id}`),
  usage: (slug: string) => request<Usage>('GET', `${ws(slug)}/usage`),
  extract: (slug: string, id: number, k: number) =>
    request<Extracted>('POST', `${ws(slug)}/palettes/${id}/extract`, { body: { k } }),

  /**
   * Uploads one image as multipart field "file". XMLHttpRequest rather than fetch, because only
   * XHR reports upload progress. `onProgress` gets a fraction 0..1, or null when unknown.
   */
  upload(
    slug: string,
    file: File,
    onProgress: (fraction: number | null) => void,
    signal?: AbortSignal,
  ): Promise<{ palette: Palette }> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${ws(slug)}/palettes`);
      xhr.setRequestHeader('Accept', 'application/json');
      const token = csrfToken();
      if (token) xhr.setRequestHeader('X-CSRF-Token', token);
      xhr.upload.onprogress = (e) => onProgress(e.lengthComputable && e.total > 0 ? e.loaded / e.total : null);
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(JSON.parse(xhr.responseText) as { palette: Palette });
          } catch {
            reject(new ApiError(xhr.status, 'bad_response', 'The server sent a response that is not JSON.'));
          }
          return;
        }
        const err = toApiError(xhr.status, xhr.responseText, xhr.statusText, (h) => xhr.getResponseHeader(h));
        handle401(err, true);
        reject(err);
      };
      xhr.onerror = () =>
        reject(new ApiError(0, 'network', 'The upload failed: the connection to the server was lost.'));
      xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled.'));
      signal?.addEventListener('abort', () => xhr.abort());
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
  },
};

/** A sentence for the user: see errors.ts for what each error code says. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    return describeError({ status: e.status, code: e.code, message: e.message, requestId: e.requestId, retryAfter: e.retryAfter });
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** A 404: also what the admin API answers non-operators, exactly as for a path that does not exist. */
export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404;
}
