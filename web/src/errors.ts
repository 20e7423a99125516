// Turns an API error (code, status, the server's message) into a sentence a person understands.
// Pure: api.ts's errorMessage() calls it; errors.test.ts pins every code of docs/API.md.

export interface ErrorFacts {
  status: number;
  code: string;
  /** The server's own `error.message` (or the client's, for network failures). */
  message: string;
  requestId?: string;
  /** Seconds from the Retry-After header, when the server sent one. */
  retryAfter?: number;
}

/** Seconds until a retry, in words: "in 45 seconds", "in 3 minutes", "in 2 hours". */
export function retryIn(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `in ${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  if (m < 120) return `in ${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.round(m / 60);
  return `in ${h} hours`;
}

/** Parses a Retry-After header: delay-seconds or an HTTP date; undefined when absent or bad. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const t = header.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const at = Date.parse(t);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.round((at - now) / 1000));
}

/** "the owner cannot leave: transfer first" -> "The owner cannot leave: transfer first." */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return '';
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

function withRequestId(text: string, requestId?: string): string {
  return requestId ? `${text} (request id ${requestId})` : text;
}

export function describeError(f: ErrorFacts): string {
  const server = sentence(f.message);
  switch (f.code) {
    case 'network':
      return server || 'Could not reach the server. Check your connection and try again.';
    case 'aborted':
      return server || 'Cancelled.';
    case 'rate_limited': {
      const when = f.retryAfter !== undefined ? retryIn(f.retryAfter) : 'in a little while';
      return `Too many attempts or requests for now. Please try again ${when}.`;
    }
    case 'quota_exceeded':
      return `Your workspace's plan is full${server ? `: ${server}` : '.'} Free up space or ask the workspace owner about a bigger plan.`;
    case 'workspace_suspended':
      return 'This workspace is suspended by the operators: you can still look at it, but nothing can be changed. Contact the operators of this server.';
    case 'mfa_setup_required':
      return 'Operators must turn on two-factor authentication first: set it up on your Account page, then try again.';
    case 'mfa_required':
      return 'That code is missing or not right. Enter the current 6-digit code from your authenticator app, or an unused recovery code.';
    case 'csrf_failed':
      return 'Your session’s security check failed (the page may be out of date). Reload the page and try again.';
    case 'unavailable':
      return withRequestId('The service is unavailable for a moment. Please try again shortly.', f.requestId);
    case 'bad_response':
      return withRequestId('The server sent an answer we could not read. Please try again.', f.requestId);
  }
  if (f.status >= 500) {
    return withRequestId('Something went wrong on our side. Please try again; if it keeps happening, tell us', f.requestId) + '.';
  }
  // The other codes (invalid_argument, unauthenticated, permission_denied, not_found,
  // already_exists, conflict, length_required, payload_too_large, unsupported_media_type,
  // invalid_image) carry a specific sentence from the server that names the problem.
  if (server && !/^The server answered \d+/.test(server)) return server;
  switch (f.status) {
    case 401:
      return 'You are not signed in (or your session ended). Log in and try again.';
    case 403:
      return 'You do not have permission to do that.';
    case 404:
      return 'That was not found. It may have been deleted, or you are not a member of its workspace.';
    case 409:
      return 'That conflicts with a change made meanwhile. Reload the page and try again.';
    case 413:
      return 'That is too large.';
  }
  return withRequestId(`The request failed (HTTP ${f.status}). Please try again`, f.requestId) + '.';
}
