import { describe, expect, it } from 'vitest';
import { matchRoute } from './router';

describe('matchRoute: share links', () => {
  it('reads /s/{token} as the public shared page, with the token as it stands', () => {
    expect(matchRoute('/s/pms_abc-DEF_123')).toEqual({ name: 'shared', token: 'pms_abc-DEF_123' });
    expect(matchRoute('/s/pms_abc/')).toEqual({ name: 'shared', token: 'pms_abc' });
    // Never decoded: a broken escape cannot throw, the server answers 404 for it.
    expect(matchRoute('/s/%E0%A4%A')).toEqual({ name: 'shared', token: '%E0%A4%A' });
  });
  it('anything else under /s is not a share page', () => {
    expect(matchRoute('/s').name).toBe('notfound');
    expect(matchRoute('/s/a/b').name).toBe('notfound');
  });
});
