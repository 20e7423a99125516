// Pure helpers for the settings screens (account, members, tokens, audit); tested in
// settings-format.test.ts.

/** A TOTP secret in groups of four for typing it into an app by hand. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

/** A 6-digit code or a recovery code as typed (spaces and dashes dropped for TOTP digits). */
export function normaliseCode(code: string): string {
  const t = code.trim();
  const digits = t.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : t;
}

/** The body of the recovery-codes .txt download. */
export function recoveryCodesText(email: string, codes: string[], now = new Date()): string {
  return [
    `Palette Maker recovery codes for ${email}`,
    `Made ${now.toISOString().slice(0, 10)}. Each code works once, instead of a 6-digit code.`,
    '',
    ...codes,
    '',
  ].join('\n');
}

/** New-password form checks; '' when fine. */
export function passwordProblem(next: string, confirm: string): string {
  if (new TextEncoder().encode(next).length < 8) return 'The new password needs at least 8 characters.';
  if (new TextEncoder().encode(next).length > 1024) return 'The new password is too long (at most 1024 bytes).';
  if (next !== confirm) return 'The two new passwords are not the same.';
  return '';
}

const ACTIONS: Record<string, string> = {
  'workspace.created': 'Workspace created',
  'workspace.deleted': 'Workspace deleted',
  'workspace.ownership_transferred': 'Ownership transferred',
  'invitation.created': 'Invitation sent',
  'invitation.revoked': 'Invitation revoked',
  'invitation.accepted': 'Invitation accepted',
  'member.role_changed': 'Member role changed',
  'member.removed': 'Member removed',
  'member.left': 'Member left',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
  'palette.deleted': 'Palette deleted',
  'palette.exported': 'Palette exported',
};

/** `member.role_changed` -> "Member role changed"; unknown actions get the same treatment. */
export function actionLabel(action: string): string {
  const known = ACTIONS[action];
  if (known) return known;
  const words = action.replace(/[._]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : action;
}

/** The actions the workspace audit filter offers, by label. */
export const AUDIT_ACTIONS: { value: string; label: string }[] = [
  { value: 'member.', label: 'Any member change' },
  { value: 'invitation.', label: 'Any invitation' },
  { value: 'token.', label: 'Any API token' },
  { value: 'palette.', label: 'Any palette event' },
  ...Object.entries(ACTIONS).map(([value, label]) => ({ value, label })),
];

/** A `yyyy-mm-dd` from a date input as RFC 3339 at local midnight (plus `days`), or ''. */
export function dayStart(day: string, days = 0): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(day);
  if (!m) return '';
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  return d.toISOString();
}
