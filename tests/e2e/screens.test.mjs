// End-to-end test of the account and workspace-administration screens: TOTP on the account page
// and at log-in, password change, log out everywhere, members and invitations, API tokens, the
// workspace audit log, and account deletion refused while a workspace still has members.
//
//   PM_TEST_BIN=build/cc/palettemaker node --test tests/e2e/screens.test.mjs
//
// The tests run in order and share one server, the owner's browser and the invitee's browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { launchBrowser, loadChromium, startServer } from './harness.mjs';

const BIN = process.env.PM_TEST_BIN;
const T = 15000;

let server;
let owner; // {context, stop}
let invitee; // second browser, no shared cookies
let page;
let p2;
const pageErrors = [];

const stamp = `${Date.now()}-${process.pid}`;
const email = `screens-${stamp}@example.com`;
const inviteeEmail = `screens-invitee-${stamp}@example.com`;
let password = 'first password for screens';
const newPassword = 'second password for screens';
let secret = '';
let recoveryCodes = [];
const usedSteps = new Set();
let team = ''; // the team workspace's slug

async function step(fn) {
  try {
    await fn();
  } catch (e) {
    if (server) e.message += `\n${server.logs()}`;
    if (pageErrors.length) e.message += `\n--- page errors ---\n${pageErrors.join('\n')}`;
    throw e;
  }
}

// --- RFC 6238 TOTP (SHA-1, 30 s, 6 digits) from a base32 secret (RFC 4648, no padding needed).
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totpAt(key, stepNo) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(stepNo));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

/** A code for a time step not used before: the server refuses a code twice (replay). */
async function freshCode() {
  for (;;) {
    const s = Math.floor(Date.now() / 1000 / 30);
    if (!usedSteps.has(s)) {
      usedSteps.add(s);
      return totpAt(base32Decode(secret), s);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function noRawJson(p) {
  const text = await p.locator('body').innerText();
  assert.ok(!text.includes('{"error"'), `raw JSON on the page: ${text.slice(0, 500)}`);
}

async function confirmWith(p, action) {
  const dialog = p.getByRole('alertdialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: action }).click();
  await dialog.waitFor({ state: 'detached' });
}

async function logIn(p, pw) {
  await p.goto(`${server.url}/login`);
  await p.getByLabel('E-mail').fill(email);
  await p.getByLabel('Password').fill(pw);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByTestId('login-totp').waitFor();
}

before(async () => {
  loadChromium();
  server = await startServer(BIN);
  owner = await launchBrowser();
  page = owner.context.pages()[0] ?? (await owner.context.newPage());
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack ? e.stack : e)));
});

after(async () => {
  const results = await Promise.allSettled([owner?.stop(), invitee?.stop(), server?.stop()]);
  for (const r of results) if (r.status === 'rejected') console.error('cleanup failed:', r.reason);
});

test('account page: turn on TOTP, recovery codes shown once', { timeout: 60000 }, () =>
  step(async () => {
    await page.goto(`${server.url}/signup`);
    await page.getByLabel('Name').fill('Screens Owner');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/w\/[^/]+$/);

    await page.getByTestId('account-link').click();
    await page.waitForURL(/\/account$/);
    assert.equal((await page.getByTestId('account-email').textContent())?.trim(), email);
    assert.equal((await page.getByTestId('account-name').textContent())?.trim(), 'Screens Owner');
    assert.match((await page.getByTestId('mfa-state').textContent()) ?? '', /^Off/);

    await page.getByTestId('totp-setup').click();
    const shown = (await page.getByTestId('totp-secret').textContent()) ?? '';
    assert.match(shown.trim(), /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/, 'the secret in groups of four');
    secret = shown.replace(/\s+/g, '');
    const uri = (await page.getByTestId('totp-uri').getAttribute('href')) ?? '';
    assert.match(uri, /^otpauth:\/\/totp\//);
    assert.equal(new URL(uri).searchParams.get('secret'), secret);

    // A wrong code is refused in words; the right one turns TOTP on.
    const right = await freshCode();
    await page.getByTestId('totp-code').fill(right === '000000' ? '111111' : '000000');
    await page.getByTestId('totp-enable').click();
    await page.getByTestId('mfa-error').waitFor();
    await noRawJson(page);
    await page.getByTestId('totp-code').fill(right);
    await page.getByTestId('totp-enable').click();
    const codes = page.getByTestId('recovery-codes');
    await codes.waitFor();
    recoveryCodes = (await codes.locator('li').allTextContents()).map((c) => c.trim());
    assert.equal(recoveryCodes.length, 10, 'ten recovery codes');
    assert.equal(await codes.getByRole('link', { name: 'Download .txt' }).getAttribute('download'), 'palettemaker-recovery-codes.txt');
    await codes.getByRole('button', { name: 'I have saved them' }).click();
    await codes.waitFor({ state: 'detached' });
    await page.getByTestId('mfa-state').filter({ hasText: /^On/ }).waitFor();
    assert.deepEqual(pageErrors, []);
  }));

test('log-in asks for the code; a wrong code is refused, the right one gets in', { timeout: 90000 }, () =>
  step(async () => {
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.waitForURL(/\/login$/);
    await logIn(page, password);
    const right = await freshCode();
    await page.getByTestId('login-totp').fill(right === '123456' ? '654321' : '123456');
    await page.getByTestId('login-totp-submit').click();
    const err = page.getByTestId('auth-error');
    await err.waitFor();
    assert.match((await err.textContent()) ?? '', /not right/);
    await noRawJson(page);
    await page.getByTestId('login-totp').fill(right);
    await page.getByTestId('login-totp-submit').click();
    await page.waitForURL(/\/w\/[^/]+$/);
  }));

test('change password: mismatch caught, then changed; the old one stops working', { timeout: 60000 }, () =>
  step(async () => {
    await page.getByTestId('account-link').click();
    await page.locator('#pw-current').fill(password);
    await page.locator('#pw-new').fill(newPassword);
    await page.locator('#pw-again').fill(newPassword + 'x');
    await page.getByTestId('password-submit').click();
    assert.match((await page.getByTestId('password-error').textContent()) ?? '', /not the same/);
    await page.locator('#pw-again').fill(newPassword);
    await page.getByTestId('password-submit').click();
    assert.match((await page.getByTestId('password-ok').textContent()) ?? '', /other sessions have ended/);
    const old = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(old.status, 401, 'the old password is refused');
    password = newPassword;
  }));

test('log out everywhere ends this session too; a recovery code logs in', { timeout: 60000 }, () =>
  step(async () => {
    await page.getByTestId('logout-all').click();
    await confirmWith(page, 'Log out everywhere');
    await page.waitForURL(/\/login$/);
    const me = await page.request.get(`${server.url}/api/v1/me`);
    assert.equal(me.status(), 401);
    await logIn(page, password);
    await page.getByTestId('login-totp').fill(recoveryCodes.shift());
    await page.getByTestId('login-totp-submit').click();
    await page.waitForURL(/\/w\/[^/]+$/);
  }));

test('members: create a team, invite a viewer, they join; owner changes the role', { timeout: 120000 }, () =>
  step(async () => {
    await page.getByTestId('new-workspace-link').click();
    await page.getByTestId('new-workspace-name').fill('Screens Team');
    await page.getByTestId('new-workspace-submit').click();
    await page.waitForURL(/\/w\/screens-team[^/]*$/);
    team = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);

    await page.getByTestId('members-link').click();
    await page.waitForURL(new RegExp(`/w/${team}/members$`));
    await page.getByTestId('invite-email').fill(inviteeEmail);
    await page.getByTestId('invite-role').selectOption('viewer');
    await page.getByTestId('invite-submit').click();
    const link = await page.getByTestId('invite-link').inputValue();
    assert.match(link, /\/invite\?token=/);
    await page.locator(`[data-testid="invitation-row"][data-email="${inviteeEmail}"]`).waitFor();

    // Inviting a member again is refused in words (not JSON) once they joined; first, they join.
    invitee = await launchBrowser();
    p2 = invitee.context.pages()[0] ?? (await invitee.context.newPage());
    p2.setDefaultTimeout(T);
    p2.on('pageerror', (e) => pageErrors.push(`invitee: ${e}`));
    await p2.goto(link);
    await p2.getByRole('heading', { name: 'Join the workspace' }).waitFor();
    await p2.getByLabel('Name').fill('Screens Invitee');
    await p2.getByLabel('E-mail').fill(inviteeEmail);
    await p2.getByLabel('Password').fill('invitee password here');
    await p2.getByRole('button', { name: 'Sign up to join' }).click();
    await p2.waitForURL(new RegExp(`/w/${team}$`));

    // The viewer sees the member list but no write controls, and no audit link.
    await p2.getByTestId('members-link').click();
    await p2.getByTestId('member-row').nth(1).waitFor();
    assert.equal(await p2.getByTestId('member-role').count(), 0, 'no role selects for a viewer');
    assert.equal(await p2.getByTestId('member-remove').count(), 0, 'no remove buttons for a viewer');
    assert.equal(await p2.getByTestId('invite-email').count(), 0, 'no invite form for a viewer');
    assert.equal(await p2.getByTestId('audit-link').count(), 0, 'no audit link for a viewer');
    await p2.getByTestId('leave-workspace').waitFor();

    // The owner sees them, makes them an editor, then a viewer again.
    await page.reload();
    const row = page.locator(`[data-testid="member-row"][data-email="${inviteeEmail}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-role'), 'viewer');
    assert.equal(await page.getByTestId('invitation-row').count(), 0, 'the invitation is no longer pending');
    await row.getByTestId('member-role').selectOption('editor');
    assert.equal(await row.getAttribute('data-role'), 'viewer', 'choosing alone changes nothing');
    await row.getByTestId('member-role-save').click();
    await page.locator(`[data-testid="member-row"][data-email="${inviteeEmail}"][data-role="editor"]`).waitFor();
    await row.getByTestId('member-role').selectOption('viewer');
    await row.getByTestId('member-role-save').click();
    await page.locator(`[data-testid="member-row"][data-email="${inviteeEmail}"][data-role="viewer"]`).waitFor();
    assert.match((await page.getByTestId('members-ok').textContent()) ?? '', /now a viewer/);

    // Inviting someone who is already a member: a sentence, not JSON.
    await page.getByTestId('invite-email').fill(inviteeEmail);
    await page.getByTestId('invite-submit').click();
    await page.getByTestId('invite-error').waitFor();
    await noRawJson(page);
  }));

test('deleting an account that owns a workspace with members is refused readably', { timeout: 90000 }, () =>
  step(async () => {
    await page.getByTestId('account-link').click();
    await page.locator('#delete-password').fill(password);
    await page.locator('#delete-totp').fill(await freshCode());
    await page.getByTestId('delete-account').click();
    await confirmWith(page, 'Delete my account');
    const err = page.getByTestId('delete-account-error');
    await err.waitFor();
    const text = (await err.textContent()) ?? '';
    assert.match(text, /Screens Team/, `names the workspace: ${text}`);
    assert.match(text, /transfer ownership/i);
    await noRawJson(page);
    assert.equal((await page.request.get(`${server.url}/api/v1/me`)).status(), 200, 'still signed in');
  }));

test('members: the owner removes the member', { timeout: 60000 }, () =>
  step(async () => {
    await page.goto(`${server.url}/w/${team}/members`);
    const row = page.locator(`[data-testid="member-row"][data-email="${inviteeEmail}"]`);
    await row.getByTestId('member-remove').click();
    await confirmWith(page, 'Remove member');
    await row.waitFor({ state: 'detached' });
    assert.match((await page.getByTestId('members-ok').textContent()) ?? '', /was removed/);
    const theirs = await (await p2.request.get(`${server.url}/api/v1/me`)).json();
    assert.equal(theirs.workspaces.find((w) => w.slug === team), undefined, 'no longer a member');
  }));

test('API tokens: shown once, work with Bearer, stop working when revoked', { timeout: 60000 }, () =>
  step(async () => {
    await page.getByTestId('tokens-link').click();
    await page.waitForURL(new RegExp(`/w/${team}/tokens$`));
    await page.getByTestId('tokens-empty').waitFor();
    await page.getByTestId('token-name').fill('screens script');
    await page.getByTestId('token-scope').selectOption('read');
    await page.getByTestId('token-days').fill('0');
    await page.getByTestId('token-create').click();
    assert.match((await page.getByTestId('token-form-error').textContent()) ?? '', /1 to 3650/);
    await page.getByTestId('token-days').fill('30');
    await page.getByTestId('token-create').click();
    const token = await page.getByTestId('token-value').inputValue();
    assert.match(token, /^pm_[A-Za-z0-9_-]{43}$/);
    assert.match((await page.getByTestId('token-value-box').textContent()) ?? '', /shown only once/);
    const row = page.locator('[data-testid="token-row"][data-name="screens script"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Read only/);

    const url = `${server.url}/api/v1/t/${team}/palettes`;
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);

    await row.getByTestId('token-revoke').click();
    await confirmWith(page, 'Revoke token');
    await row.waitFor({ state: 'detached' });
    const gone = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(gone.status, 401);

    // Shown once: after a reload only the list remains.
    await page.reload();
    await page.getByTestId('tokens-empty').waitFor();
    assert.equal(await page.getByTestId('token-value').count(), 0);
  }));

test('workspace audit log lists the invitation, member and token events; filters by action', { timeout: 60000 }, () =>
  step(async () => {
    await page.getByTestId('audit-link').click();
    await page.waitForURL(new RegExp(`/w/${team}/audit$`));
    for (const action of ['invitation.created', 'invitation.accepted', 'member.role_changed', 'member.removed', 'token.created', 'token.revoked']) {
      await page.locator(`[data-testid="waudit-row"][data-action="${action}"]`).first().waitFor();
    }
    const invited = page.locator('[data-testid="waudit-row"][data-action="invitation.created"]').first();
    assert.match((await invited.textContent()) ?? '', /Invitation sent/);
    assert.match((await invited.textContent()) ?? '', new RegExp(email.replace(/[.+]/g, '\\$&')));
    await page.getByTestId('audit-action').selectOption('token.');
    await page.getByRole('button', { name: 'Filter' }).click();
    // The filtered page replaces the list: wait for it, then count.
    await page.locator('[data-testid="waudit-row"][data-action^="member."]').first().waitFor({ state: 'detached' });
    await page.locator('[data-testid="waudit-row"][data-action="token.revoked"]').waitFor();
    assert.equal(await page.getByTestId('waudit-row').count(), 2, 'token.created and token.revoked');
    await noRawJson(page);
  }));

test('transfer ownership, then leave; new recovery codes replace the old ones', { timeout: 120000 }, () =>
  step(async () => {
    await page.goto(`${server.url}/workspaces/new`);
    await page.getByTestId('new-workspace-name').fill('Screens Two');
    await page.getByTestId('new-workspace-submit').click();
    await page.waitForURL(/\/w\/screens-two[^/]*$/);
    const two = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    await page.getByTestId('members-link').click();
    await page.getByTestId('invite-email').fill(inviteeEmail);
    await page.getByTestId('invite-role').selectOption('editor');
    await page.getByTestId('invite-submit').click();
    const link = await page.getByTestId('invite-link').inputValue();

    // The invitee, signed in already, accepts.
    await p2.goto(link);
    await p2.getByRole('button', { name: 'Accept' }).click();
    await p2.waitForURL(new RegExp(`/w/${two}$`));

    await page.reload();
    const row = page.locator(`[data-testid="member-row"][data-email="${inviteeEmail}"]`);
    await row.getByTestId('member-transfer').click();
    await confirmWith(page, 'Transfer ownership');
    await page.locator(`[data-testid="member-row"][data-email="${inviteeEmail}"][data-role="owner"]`).waitFor();
    await page.locator(`[data-testid="member-row"][data-email="${email}"][data-role="admin"]`).waitFor();
    // Only the owner may delete it: the danger zone goes once the page knows the new role.
    await page.getByTestId('delete-workspace').waitFor({ state: 'detached' });

    // Now an admin, the old owner may leave.
    await page.getByTestId('leave-workspace').click();
    await confirmWith(page, 'Leave workspace');
    await page.waitForURL((u) => !u.pathname.startsWith(`/w/${two}`));
    const me = await (await page.request.get(`${server.url}/api/v1/me`)).json();
    assert.equal(me.workspaces.find((w) => w.slug === two), undefined, 'left');

    await page.getByTestId('account-link').click();
    await page.locator('#regen-code').fill(await freshCode());
    await page.getByTestId('recovery-regenerate').click();
    const codes = page.getByTestId('recovery-codes');
    await codes.waitFor();
    const fresh = (await codes.locator('li').allTextContents()).map((c) => c.trim());
    assert.equal(fresh.length, 10);
    assert.ok(fresh.every((c) => !recoveryCodes.includes(c)), 'all new');
    recoveryCodes = fresh;
    await codes.getByRole('button', { name: 'I have saved them' }).click();
  }));

test('a phone-width screen does not scroll sideways; unknown pages say so', { timeout: 60000 }, () =>
  step(async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/account', `/w/${team}/members`, `/w/${team}/tokens`]) {
      await page.goto(`${server.url}${path}`);
      await page.locator('h1').first().waitFor();
      await page.waitForLoadState('networkidle'); // the lists are in
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 360, `${path} is ${wide}px wide at 360px`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    // The workspace switcher: arrow keys only move the choice, Enter goes there.
    await page.goto(`${server.url}/w/${team}`);
    const switcher = page.getByRole('combobox', { name: 'Workspace' });
    await switcher.focus();
    await page.keyboard.press('ArrowUp');
    assert.notEqual(await switcher.inputValue(), team, 'the choice moved');
    assert.equal(new URL(page.url()).pathname, `/w/${team}`, 'an arrow key alone does not navigate');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname !== `/w/${team}`);

    await page.goto(`${server.url}/no/such/page`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    assert.deepEqual(pageErrors, []);
  }));

test('the owner deletes the team workspace by typing its name, then the account', { timeout: 60000 }, () =>
  step(async () => {
    await page.goto(`${server.url}/w/${team}/members`);
    const del = page.getByTestId('delete-workspace');
    await page.getByTestId('delete-workspace-name').fill('Screens');
    assert.equal(await del.isDisabled(), true, 'disabled until the name matches');
    await page.getByTestId('delete-workspace-name').fill('Screens Team');
    await del.click();
    await page.waitForURL((u) => !u.pathname.startsWith(`/w/${team}`));
    const me = await (await page.request.get(`${server.url}/api/v1/me`)).json();
    assert.equal(me.workspaces.find((w) => w.slug === team), undefined, 'the workspace is gone');

    // Nothing blocks the account now; a recovery code stands in for the TOTP code.
    await page.getByTestId('account-link').click();
    await page.locator('#delete-password').fill(password);
    await page.locator('#delete-totp').fill(recoveryCodes.shift());
    await page.getByTestId('delete-account').click();
    await confirmWith(page, 'Delete my account');
    await page.waitForURL(/\/login$/);
    const again = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(again.status, 401, 'the account no longer exists');
    assert.deepEqual(pageErrors, []);
  }));
