// The signed-in user's own account (docs/API.md "Authentication"): TOTP, recovery codes,
// password, sessions, account deletion.
import { request, type Me } from './api';

export interface TotpSetup {
  secret: string;
  otpauth_uri: string;
}

export const account = {
  /** Log-in with a TOTP or recovery code (the second step after 401 mfa_required). */
  login: (email: string, password: string, totp?: string) =>
    request<Me>('POST', '/api/v1/auth/login', {
      body: totp ? { email, password, totp } : { email, password },
      redirectOn401: false,
    }),
  totpSetup: () => request<TotpSetup>('POST', '/api/v1/me/mfa/totp/setup', { redirectOn401: false }),
  totpEnable: (code: string) =>
    request<{ recovery_codes: string[] }>('POST', '/api/v1/me/mfa/totp/enable', { body: { code }, redirectOn401: false }),
  totpDisable: (password: string, code: string) =>
    request<void>('POST', '/api/v1/me/mfa/totp/disable', { body: { password, code }, redirectOn401: false }),
  regenerateRecoveryCodes: (code: string) =>
    request<{ recovery_codes: string[] }>('POST', '/api/v1/me/mfa/recovery-codes', { body: { code }, redirectOn401: false }),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>('POST', '/api/v1/me/password', {
      body: { current_password: currentPassword, new_password: newPassword },
      redirectOn401: false,
    }),
  logoutAll: () => request<void>('POST', '/api/v1/auth/logout-all', { redirectOn401: false }),
  /** 401 mfa_required when TOTP is on and `totp` is missing or wrong: shown, not redirected. */
  deleteAccount: (password: string, totp?: string) =>
    request<void>('DELETE', '/api/v1/me', { body: totp ? { password, totp } : { password }, redirectOn401: false }),
};
