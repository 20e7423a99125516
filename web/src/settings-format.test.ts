import { describe, expect, it } from 'vitest';
import { actionLabel, dayStart, groupSecret, normaliseCode, passwordProblem, recoveryCodesText } from './settings-format';

describe('settings helpers', () => {
  it('groups a TOTP secret by four', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPAB')).toBe('JBSW Y3DP EHPK 3PXP AB');
    expect(groupSecret('')).toBe('');
  });
  it('normalises typed codes', () => {
    expect(normaliseCode(' 123 456 ')).toBe('123456');
    expect(normaliseCode('123-456')).toBe('123456');
    expect(normaliseCode(' abcd-efgh ')).toBe('abcd-efgh');
  });
  it('writes the recovery codes file', () => {
    const t = recoveryCodesText('a@b.c', ['one', 'two'], new Date('2026-11-23T10:00:00Z'));
    expect(t).toBe('Palette Maker recovery codes for a@b.c\nMade 2026-11-23. Each code works once, instead of a 6-digit code.\n\none\ntwo\n');
  });
  it('checks new passwords', () => {
    expect(passwordProblem('short', 'short')).toMatch(/at least 8/);
    expect(passwordProblem('long enough', 'long enougH')).toMatch(/not the same/);
    expect(passwordProblem('long enough', 'long enough')).toBe('');
  });
  it('names audit actions', () => {
    expect(actionLabel('member.role_changed')).toBe('Member role changed');
    expect(actionLabel('auth.login_failed')).toBe('Auth login failed');
  });
  it('turns a date input into local midnight', () => {
    expect(new Date(dayStart('2026-11-23')).getDate()).toBe(23);
    expect(new Date(dayStart('2026-11-23', 1)).getDate()).toBe(24);
    expect(dayStart('')).toBe('');
  });
});
