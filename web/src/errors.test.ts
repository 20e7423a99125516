import { describe, expect, it } from 'vitest';
import { describeError, parseRetryAfter, retryIn, sentence } from './errors';

const f = (status: number, code: string, message = '', extra: { requestId?: string; retryAfter?: number } = {}) =>
  describeError({ status, code, message, ...extra });

describe('retryIn', () => {
  it('says seconds, minutes or hours, rounding up', () => {
    expect(retryIn(1)).toBe('in 1 second');
    expect(retryIn(45)).toBe('in 45 seconds');
    expect(retryIn(60)).toBe('in 1 minute');
    expect(retryIn(61)).toBe('in 2 minutes');
    expect(retryIn(900)).toBe('in 15 minutes');
    expect(retryIn(7200)).toBe('in 2 hours');
    expect(retryIn(86400)).toBe('in 24 hours');
  });
  it('never says zero', () => {
    expect(retryIn(0)).toBe('in 1 second');
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120);
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:05:00 GMT', now)).toBe(300);
  });
  it('ignores missing or garbage headers', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('sentence', () => {
  it('capitalises and ends with a full stop once', () => {
    expect(sentence('wrong e-mail or password')).toBe('Wrong e-mail or password.');
    expect(sentence('Done!')).toBe('Done!');
  });
});

describe('describeError', () => {
  it('rate_limited says when to try again', () => {
    expect(f(429, 'rate_limited', 'too many failed log-ins', { retryAfter: 300 })).toBe(
      'Too many attempts or requests for now. Please try again in 5 minutes.',
    );
    expect(f(429, 'rate_limited', 'x')).toContain('try again in a little while');
  });
  it('quota_exceeded keeps the server’s reason and says what to do', () => {
    const m = f(402, 'quota_exceeded', 'the plan allows 3 members');
    expect(m).toContain('plan is full: The plan allows 3 members.');
    expect(m).toContain('bigger plan');
  });
  it('names the states a person can act on', () => {
    expect(f(403, 'workspace_suspended', 'workspace suspended')).toMatch(/suspended by the operators/);
    expect(f(403, 'mfa_setup_required', 'x')).toMatch(/Account page/);
    expect(f(403, 'csrf_failed', 'csrf token mismatch')).toMatch(/Reload the page/);
    expect(f(401, 'mfa_required', 'mfa required')).toMatch(/6-digit code/);
  });
  it('network errors keep the client’s own sentence', () => {
    expect(f(0, 'network', 'Could not reach the server. Check your connection and try again.')).toBe(
      'Could not reach the server. Check your connection and try again.',
    );
  });
  it('5xx never shows the raw message and quotes the request id', () => {
    const m = f(500, 'internal', 'std::bad_alloc in store', { requestId: 'abc123' });
    expect(m).toBe('Something went wrong on our side. Please try again; if it keeps happening, tell us (request id abc123).');
    expect(f(502, 'http_502', 'The server answered 502 Bad Gateway')).toMatch(/^Something went wrong on our side/);
    expect(f(503, 'unavailable', 'database unavailable', { requestId: 'r1' })).toBe(
      'The service is unavailable for a moment. Please try again shortly. (request id r1)',
    );
  });
  it('specific 4xx codes show the server’s sentence, tidied', () => {
    for (const [status, code] of [
      [400, 'invalid_argument'],
      [401, 'unauthenticated'],
      [403, 'permission_denied'],
      [404, 'not_found'],
      [409, 'already_exists'],
      [409, 'conflict'],
      [411, 'length_required'],
      [413, 'payload_too_large'],
      [415, 'unsupported_media_type'],
      [422, 'invalid_image'],
    ] as const) {
      expect(f(status, code, 'the owner cannot leave: transfer ownership first')).toBe(
        'The owner cannot leave: transfer ownership first.',
      );
    }
  });
  it('a non-JSON 4xx gets a sentence instead of "The server answered"', () => {
    expect(f(404, 'http_404', 'The server answered 404 Not Found')).toMatch(/^That was not found/);
    expect(f(403, 'http_403', 'The server answered 403 Forbidden')).toBe('You do not have permission to do that.');
    expect(f(418, 'http_418', 'The server answered 418')).toBe('The request failed (HTTP 418). Please try again.');
  });
  it('never returns JSON text', () => {
    for (const code of ['internal', 'unknown', 'http_500']) {
      expect(f(500, code, '{"error":{"code":"internal"}}')).not.toContain('{"error"');
    }
  });
});
