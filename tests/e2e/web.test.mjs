// End-to-end test of the web app: the real palettemaker binary (PM_TEST_BIN) on a loopback
// port with a temp data dir, driven through Debian's chromium with playwright-core.
//
//   cd tests/e2e && npm ci
//   PM_TEST_BIN=build/ci/palettemaker PM_TESTDATA_DIR=../shared/testdata node --test tests/e2e/web.test.mjs
//
// The tests in this file run in order and share one browser and one server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { E2E_DIR, dropFile, launchBrowser, loadChromium, startServer } from './harness.mjs';

const BIN = process.env.PM_TEST_BIN;
const TESTDATA = process.env.PM_TESTDATA_DIR || path.resolve(E2E_DIR, '../../../shared/testdata');
const IMAGES = path.join(TESTDATA, 'images');
const T = 15000; // per-step UI timeout

let server;
let browser;
let page;
const pageErrors = [];
const cspViolations = [];

const email = `e2e-${Date.now()}-${process.pid}@example.com`;
const password = 'correct horse battery staple';
const newPassword = 'a brand new passphrase'; // set through the reset link, late in the file
let slug = '';

// Attach the server's log tail to any failure, so a red CI run says why.
async function step(fn) {
  try {
    await fn();
  } catch (e) {
    if (server) e.message += `\n${server.logs()}`;
    if (pageErrors.length) e.message += `\n--- page errors ---\n${pageErrors.join('\n')}`;
    throw e;
  }
}

before(async () => {
  loadChromium(); // fails first, with "run npm ci in tests/e2e", when node_modules is missing
  assert.ok(fs.existsSync(path.join(IMAGES, 'fruits.jpg')), `test images not found under ${IMAGES} (set PM_TESTDATA_DIR)`);
  server = await startServer(BIN);
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack ? e.stack : e)));
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(text)) cspViolations.push(text);
    else if (msg.type() === 'error' && !/status of (401|4\d\d)/.test(text)) pageErrors.push(`console: ${text}`);
  });
});

after(async () => {
  // Each cleanup runs even when another throws.
  const results = await Promise.allSettled([browser?.stop(), server?.stop()]);
  for (const r of results) if (r.status === 'rejected') console.error('cleanup failed:', r.reason);
});

test('unauthenticated /w/<slug> redirects to /login', { timeout: 60000 }, () =>
  step(async () => {
    await page.goto(`${server.url}/w/nobody`);
    await page.waitForURL(/\/login$/);
    await page.getByRole('heading', { name: /log in/i }).waitFor();
  }));

test('the served app obeys the CSP (no inline scripts, assets from self)', { timeout: 30000 }, () =>
  step(async () => {
    const res = await page.request.get(`${server.url}/`);
    assert.equal(res.status(), 200);
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'index.html must not contain inline <script>');
    assert.match(html, /\/assets\/index-[\w-]+\.js/);
    const csp = res.headers()['content-security-policy'] || '';
    assert.match(csp, /script-src 'self'/, `CSP header: ${csp}`);
    assert.deepEqual(cspViolations, []);
  }));

test('sign up, upload, regenerate, rename, drag-and-drop, delete, log out', { timeout: 240000 }, () =>
  step(async () => {
    // --- sign up in the UI
    await page.getByRole('link', { name: /create an account/i }).click();
    await page.waitForURL(/\/signup$/);
    await page.getByLabel('Name').fill('E2E Tester');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
    slug = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    assert.ok(slug, 'workspace slug in URL');
    const wsName = (await page.getByTestId('workspace-name').first().textContent())?.trim();
    assert.ok(wsName, 'workspace name shown in the header');
    await page.getByText('No palettes yet').waitFor();

    // --- an upload the server refuses shows its message
    await page.getByTestId('file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image at all') });
    const uploadError = page.getByTestId('upload-error');
    await uploadError.waitFor();
    assert.ok(((await uploadError.textContent()) ?? '').trim().length > 0, 'upload error message shown');

    // --- upload fruits.jpg via the file input -> palette view
    const uploadDone = page.waitForResponse((r) => r.request().method() === 'POST' && /\/palettes$/.test(new URL(r.url()).pathname));
    await page.getByTestId('file-input').setInputFiles(path.join(IMAGES, 'fruits.jpg'));
    const uploadRes = await uploadDone;
    assert.equal(uploadRes.status(), 201, `upload answered ${uploadRes.status()}: ${await uploadRes.text()}`);
    await page.waitForURL(/\/w\/[^/]+\/p\/[^/]+$/);
    const fruitsUrl = page.url();
    await assertSwatches(2);
    assert.equal((await page.getByTestId('palette-title').textContent())?.trim(), 'fruits');
    const imgOk = await page.locator('.pv-image img').evaluate((img) => img.complete && img.naturalWidth > 0);
    assert.ok(imgOk, 'palette image loaded');

    // --- copy a hex on click (the toast confirms)
    await page.getByTestId('swatch').first().click();
    await page.getByTestId('toast').filter({ hasText: /#[0-9a-f]{6}/i }).waitFor();

    // --- regenerate with K = 7
    const extractDone = page.waitForResponse((r) => /\/extract$/.test(new URL(r.url()).pathname));
    await page.getByTestId('regen-7').click();
    const extractRes = await extractDone;
    assert.equal(extractRes.status(), 200, `extract answered ${extractRes.status()}: ${await extractRes.text()}`);
    assert.deepEqual(extractRes.request().postDataJSON(), { k: 7 });
    await page.locator('[data-testid="regen-7"][aria-pressed="true"]').waitFor();
    await assertSwatches(2);

    // --- rename: an empty name shows the server's error, then a good one sticks
    await page.getByRole('button', { name: 'Rename' }).click();
    const input = page.getByLabel('Palette name');
    await input.fill('   ');
    await page.getByRole('button', { name: 'Save' }).click();
    const renameError = page.getByTestId('rename-error');
    await renameError.waitFor();
    assert.ok(((await renameError.textContent()) ?? '').trim().length > 0, 'rename error shown');
    await input.fill('Fruit bowl (e2e)');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('palette-title').filter({ hasText: 'Fruit bowl (e2e)' }).waitFor();

    // --- back to the list: the new name, a thumbnail, a swatch strip
    await page.getByRole('link', { name: /all palettes/i }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
    const card = page.getByTestId('palette-card').filter({ hasText: 'Fruit bowl (e2e)' });
    await card.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="palette-card"] img');
      return img && img.complete && img.naturalWidth > 0;
    });
    assert.ok((await card.locator('.strip__cell').count()) >= 2, 'swatch strip on the card');

    // --- drag-and-drop another image onto the drop zone (DataTransfer built in the page)
    const dropDone = page.waitForResponse((r) => r.request().method() === 'POST' && /\/palettes$/.test(new URL(r.url()).pathname));
    await dropFile(page, path.join(IMAGES, 'smarties.png'), { type: 'image/png' });
    const dropRes = await dropDone;
    assert.equal(dropRes.status(), 201, `drop upload answered ${dropRes.status()}: ${await dropRes.text()}`);
    await page.waitForURL((u) => /\/p\/[^/]+$/.test(u.pathname) && u.href !== fruitsUrl);
    await page.getByTestId('palette-title').filter({ hasText: 'smarties' }).waitFor();
    await assertSwatches(2);

    // --- delete it (with confirmation) -> back on the list, only the fruits palette left
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.waitFor();
    const delDone = page.waitForResponse((r) => r.request().method() === 'DELETE');
    await confirm.getByRole('button', { name: 'Delete palette' }).click();
    assert.equal((await delDone).status(), 204);
    await page.waitForURL(/\/w\/[^/]+$/);
    await page.getByTestId('palette-card').first().waitFor();
    const names = await page.getByTestId('palette-name').allTextContents();
    assert.deepEqual(names.map((n) => n.trim()), ['Fruit bowl (e2e)']);

    // --- theme toggle persists across a reload
    await page.getByTestId('theme-toggle').click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.reload();
    await page.getByTestId('palette-card').first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.getByTestId('theme-toggle').click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');

    // --- log out -> /login; the workspace is no longer reachable
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByRole('heading', { name: /log in/i }).waitFor();
    await page.goto(`${server.url}/w/${encodeURIComponent(slug)}`);
    await page.waitForURL(/\/login$/);

    assert.deepEqual(cspViolations, [], 'no CSP violations');
    assert.deepEqual(pageErrors, [], 'no page errors');
  }));

test('wrong password shows the error; the right one logs in', { timeout: 60000 }, () =>
  step(async () => {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('definitely-not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const err = page.getByTestId('auth-error');
    await err.waitFor();
    assert.ok(((await err.textContent()) ?? '').trim().length > 0, 'error message shown');
    assert.match(new URL(page.url()).pathname, /^\/login$/);

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(new RegExp(`/w/${slug}$`));
    await page.getByTestId('palette-card').filter({ hasText: 'Fruit bowl (e2e)' }).waitFor();
    assert.deepEqual(cspViolations, [], 'no CSP violations');
  }));

test('"Load more" pages through next_cursor, newest first', { timeout: 120000 }, () =>
  step(async () => {
    // Logged in by the previous test. 25 more palettes via the API: 26 in all, the list shows 24.
    const csrf = (await page.context().cookies(server.url)).find((c) => c.name === 'pm_csrf')?.value ?? '';
    const buffer = fs.readFileSync(path.join(IMAGES, 'fruits.jpg'));
    for (let i = 1; i <= 25; i++) {
      const res = await page.request.post(`${server.url}/api/v1/t/${encodeURIComponent(slug)}/palettes`, {
        headers: { 'X-CSRF-Token': csrf },
        multipart: { file: { name: `bulk-${String(i).padStart(2, '0')}.jpg`, mimeType: 'image/jpeg', buffer } },
      });
      assert.equal(res.status(), 201, `bulk upload ${i}: ${res.status()} ${await res.text()}`);
    }
    await page.goto(`${server.url}/w/${encodeURIComponent(slug)}`);
    await page.getByTestId('palette-card').first().waitFor();
    assert.equal(await page.getByTestId('palette-card').count(), 24);
    assert.equal((await page.getByTestId('palette-name').first().textContent())?.trim(), 'bulk-25', 'newest first');
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByTestId('palette-card').nth(25).waitFor();
    const names = (await page.getByTestId('palette-name').allTextContents()).map((n) => n.trim());
    assert.equal(names.length, 26);
    assert.equal(new Set(names).size, 26, 'no duplicates across pages');
    assert.equal(names[25], 'Fruit bowl (e2e)', 'the oldest palette comes last');
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'no "Load more" at the end');
  }));

test('the owner sees the plan and usage of the workspace', { timeout: 60000 }, () =>
  step(async () => {
    // Logged in, with the 26 palettes of the previous test.
    await page.goto(`${server.url}/w/${encodeURIComponent(slug)}`);
    await page.getByTestId('usage-link').click();
    await page.waitForURL(new RegExp(`/w/${slug}/usage$`));
    const plan = page.getByTestId('usage-plan');
    await plan.waitFor();
    assert.equal((await plan.textContent())?.trim(), 'unlimited', 'the default plan');
    const palettes = await page.getByTestId('usage-palettes').textContent();
    assert.match(palettes ?? '', /26\s*\/\s*unlimited/);
    assert.equal(await page.getByRole('row').filter({ hasText: /^\d{4}-\d\d-\d\d/ }).count(), 30, '30 days');
    assert.deepEqual(cspViolations, [], 'no CSP violations');
    assert.deepEqual(pageErrors, [], 'no page errors');
  }));

test('an operator setup link: invalid link explained, valid one creates the operator and signs in', { timeout: 60000 }, () =>
  step(async () => {
    const { execFileSync } = await import('node:child_process');
    const opEmail = `e2e-op-${Date.now()}-${process.pid}@example.com`;
    const link = execFileSync(BIN, ['admin', 'create', '--email', opEmail], {
      env: { ...process.env, PALETTEMAKER_DATA_DIR: server.dataDir },
      encoding: 'utf8',
    }).trim();
    const token = new URL(link).searchParams.get('token');
    assert.ok(token, link);
    const context = page.context();
    await context.clearCookies();
    await page.goto(`${server.url}/setup?token=not-a-token`);
    await page.getByTestId('setup-invalid').waitFor({ timeout: T });
    await page.goto(`${server.url}/setup?token=${token}`);
    const emailInput = page.getByLabel('E-mail');
    await emailInput.waitFor({ timeout: T });
    assert.equal(await emailInput.inputValue(), opEmail, 'the bound address is filled in');
    await page.getByLabel('Name').fill('E2E Operator');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create operator' }).click();
    await page.waitForURL(/\/w\/[^/]+$/, { timeout: T });
    const me = await page.request.get(`${server.url}/api/v1/me`);
    assert.equal((await me.json()).user.email, opEmail);
    const admin = await page.request.get(`${server.url}/api/v1/admin/tenants`);
    assert.equal(admin.status(), 200, 'the new operator reaches the admin API');
  }));

test('the admin area: find, suspend, reactivate, change the plan, provision, audit; non-operators are turned away', { timeout: 120000 }, () =>
  step(async () => {
    // Signed in as the operator of the previous test: the header offers the admin area.
    await page.getByTestId('admin-link').click({ timeout: T });
    await page.waitForURL(/\/admin$/, { timeout: T });
    await page.getByLabel('Search workspaces').fill(slug);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const row = page.locator(`[data-testid="tenant-row"][data-slug="${slug}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', new RegExp(email.replace(/[.+]/g, '\\$&')), 'owner e-mail shown');
    const status = row.getByTestId('tenant-status');
    assert.equal((await status.textContent())?.trim(), 'active');

    await row.getByRole('button', { name: 'Suspend' }).click();
    await page.locator(`[data-testid="tenant-row"][data-slug="${slug}"][data-status="suspended"]`).waitFor();
    assert.equal((await status.textContent())?.trim(), 'suspended');
    await row.getByRole('button', { name: 'Reactivate' }).click();
    await page.locator(`[data-testid="tenant-row"][data-slug="${slug}"][data-status="active"]`).waitFor();

    // An unknown plan shows the server's message; "pro" and back to "unlimited" stick.
    const plan = row.getByLabel(`Plan of ${slug}`);
    await plan.fill('no-such-plan');
    await row.getByRole('button', { name: 'Save' }).click();
    const planError = row.getByTestId('tenant-error');
    await planError.waitFor();
    assert.doesNotMatch((await planError.textContent()) ?? '', /^\s*\{/, 'an error in words, not JSON');
    for (const name of ['pro', 'unlimited']) {
      await plan.fill(name);
      await row.getByRole('button', { name: 'Save' }).click();
      await page.locator(`[data-testid="tenant-row"][data-slug="${slug}"][data-plan="${name}"]`).waitFor();
    }

    // Provision a workspace for a new address: the one-time setup link is shown.
    const ownerEmail = `e2e-owner-${Date.now()}-${process.pid}@example.com`;
    await page.getByLabel('Workspace name').fill('E2E Provisioned');
    await page.getByLabel('Owner e-mail').fill(ownerEmail);
    await page.getByRole('button', { name: 'Provision workspace' }).click();
    const result = page.getByTestId('provision-result');
    await result.waitFor();
    assert.match((await result.textContent()) ?? '', /shown only once/);
    assert.match(await page.getByTestId('setup-link').inputValue(), /\/reset\?token=/);

    // The audit tab lists the suspension; the action filter narrows it.
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.locator('[data-testid="audit-row"][data-action="tenant.suspended"]').first().waitFor();
    await page.getByLabel('Action').fill('tenant.plan_changed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('[data-testid="audit-row"][data-action="tenant.plan_changed"]').first().waitFor();
    await page.locator('[data-testid="audit-row"]:not([data-action="tenant.plan_changed"])').first().waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('audit-row').count(), 2, 'two plan changes (the refused one is not audited)');
    assert.deepEqual(pageErrors, [], 'no page errors');

    // A signed-in non-operator: the API answers 404, the page says who it is for, no header link.
    await page.context().clearCookies();
    const signup = await page.request.post(`${server.url}/api/v1/auth/signup`, {
      data: { email: `e2e-plain-${Date.now()}-${process.pid}@example.com`, password },
    });
    assert.equal(signup.status(), 201, await signup.text());
    await page.goto(`${server.url}/admin`);
    await page.getByTestId('admin-denied').filter({ hasText: 'This area is for platform operators.' }).waitFor();
    assert.equal(await page.getByTestId('admin-link').count(), 0, 'no Admin link for a non-operator');
    assert.deepEqual(cspViolations, [], 'no CSP violations');
  }));

// The newest messages of the outbox (`palettemaker outbox`, as an operator would read them),
// polled until one to `to` contains `pattern`; returns the first capture group.
async function fromOutbox(to, pattern) {
  const { execFileSync } = await import('node:child_process');
  const deadline = Date.now() + T;
  let out = '';
  for (;;) {
    out = execFileSync(BIN, ['outbox', '--limit', '5'], {
      env: { ...process.env, PALETTEMAKER_DATA_DIR: server.dataDir },
      encoding: 'utf8',
    });
    for (const msg of out.split('\n---\n')) {
      const m = msg.includes(` to ${to} `) ? pattern.exec(msg) : null;
      if (m) return m[1];
    }
    if (Date.now() > deadline) assert.fail(`no message to ${to} matching ${pattern} in the outbox:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('forgot password: the e-mailed link sets a new password, which then logs in', { timeout: 90000 }, () =>
  step(async () => {
    // Whoever the previous test left signed in does not matter: the reset is asked for signed out.
    await page.context().clearCookies();
    await page.goto(`${server.url}/login`);
    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    const sent = 'If an account exists for that address, we sent a link';
    // An unknown address gets exactly the same answer.
    await page.getByLabel('E-mail').fill(`e2e-nobody-${Date.now()}@example.com`);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByTestId('forgot-sent').filter({ hasText: sent }).waitFor();
    await page.getByRole('button', { name: 'Back to log in' }).click();
    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByTestId('forgot-sent').filter({ hasText: sent }).waitFor();
    const token = await fromOutbox(email, /\/reset\?token=([A-Za-z0-9_-]+)/);

    // A bad token: the server's message in words.
    await page.goto(`${server.url}/reset?token=not-a-token`);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password').fill(newPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByTestId('reset-error').filter({ hasText: /invalid or has expired/ }).waitFor();

    await page.goto(`${server.url}/reset?token=${token}`);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password').fill(newPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByTestId('reset-done').waitFor();
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(new RegExp(`/w/${slug}$`));
    await page.getByTestId('palette-card').first().waitFor();
    assert.deepEqual(cspViolations, [], 'no CSP violations');
    assert.deepEqual(pageErrors, [], 'no page errors');
  }));

test('an invitation link: a new address signs up through it and lands in the workspace', { timeout: 120000 }, () =>
  step(async () => {
    // Signed in (previous test) as the first user, who makes a team workspace and invites.
    const csrf = (await page.context().cookies(server.url)).find((c) => c.name === 'pm_csrf')?.value ?? '';
    const headers = { 'X-CSRF-Token': csrf };
    const created = await page.request.post(`${server.url}/api/v1/workspaces`, { headers, data: { name: 'E2E Team' } });
    assert.equal(created.status(), 201, await created.text());
    const team = (await created.json()).workspace.slug;
    const invitee = `e2e-invitee-${Date.now()}-${process.pid}@example.com`;
    const invited = await page.request.post(`${server.url}/api/v1/t/${encodeURIComponent(team)}/invitations`, {
      headers,
      data: { email: invitee, role: 'viewer' },
    });
    assert.equal(invited.status(), 201, await invited.text());
    const acceptUrl = new URL((await invited.json()).invitation.accept_url);
    assert.equal(acceptUrl.pathname, '/invite');

    // A fresh browser (no cookies): sign up through the invitation form.
    const other = await launchBrowser();
    try {
      const p2 = other.context.pages()[0] ?? (await other.context.newPage());
      p2.setDefaultTimeout(T);
      const errors = [];
      p2.on('pageerror', (e) => errors.push(String(e)));
      await p2.goto(`${server.url}/invite${acceptUrl.search}`);
      await p2.getByRole('heading', { name: 'Join the workspace' }).waitFor();
      await p2.getByRole('link', { name: 'Log in' }).waitFor(); // the other way in is offered
      await p2.getByLabel('Name').fill('E2E Invitee');
      await p2.getByLabel('E-mail').fill(invitee);
      await p2.getByLabel('Password').fill(password);
      await p2.getByRole('button', { name: 'Sign up to join' }).click();
      await p2.waitForURL(new RegExp(`/w/${team}$`));
      await p2.getByText('No palettes yet').waitFor();
      const me = await (await p2.request.get(`${server.url}/api/v1/me`)).json();
      assert.equal(me.user.email, invitee);
      assert.equal(me.workspaces.find((w) => w.slug === team)?.role, 'viewer');

      // The link is single use: opened again while signed in, Accept shows the server's message.
      await p2.goto(`${server.url}/invite${acceptUrl.search}`);
      await p2.getByRole('button', { name: 'Accept' }).click();
      const err = p2.getByTestId('invite-error');
      await err.waitFor();
      assert.doesNotMatch((await err.textContent()) ?? '', /^\s*\{/, 'an error in words, not JSON');
      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      await other.stop();
    }
  }));

test('an invitation link opened signed out: log in, come back, accept, land in the workspace', { timeout: 60000 }, () =>
  step(async () => {
    // A second account (made here through the API) invites the first user, who opens the link
    // signed out, logs in from it with the password set by the reset test, and accepts.
    const ownerEmail = `e2e-inviter-${Date.now()}-${process.pid}@example.com`;
    const ctx = page.context();
    await ctx.clearCookies();
    const signup = await page.request.post(`${server.url}/api/v1/auth/signup`, { data: { email: ownerEmail, password } });
    assert.equal(signup.status(), 201, await signup.text());
    const csrf = (await ctx.cookies(server.url)).find((c) => c.name === 'pm_csrf')?.value ?? '';
    const headers = { 'X-CSRF-Token': csrf };
    const created = await page.request.post(`${server.url}/api/v1/workspaces`, { headers, data: { name: 'E2E Second' } });
    assert.equal(created.status(), 201, await created.text());
    const team = (await created.json()).workspace.slug;
    const invited = await page.request.post(`${server.url}/api/v1/t/${encodeURIComponent(team)}/invitations`, {
      headers,
      data: { email, role: 'viewer' },
    });
    assert.equal(invited.status(), 201, await invited.text());
    const search = new URL((await invited.json()).invitation.accept_url).search;

    await ctx.clearCookies();
    await page.goto(`${server.url}/invite${search}`);
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/invite' && u.search === search);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(new RegExp(`/w/${team}$`));
    await page.getByTestId('workspace-name').filter({ hasText: 'E2E Second' }).first().waitFor();
    assert.deepEqual(cspViolations, [], 'no CSP violations');
    assert.deepEqual(pageErrors, [], 'no page errors');
  }));

test('the sign-up page explains an invite-only server instead of showing a form', { timeout: 60000 }, () =>
  step(async () => {
    // The options are the server's; answer them in the page to see both wordings.
    for (const [mode, words] of [
      ['invite', /needs an invitation link/],
      ['closed', /created by the operators/],
    ]) {
      await page.route('**/api/v1/auth/options', (route) =>
        route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ signup: mode }) }));
      await page.goto(`${server.url}/signup`);
      await page.getByTestId('signup-unavailable').filter({ hasText: words }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Sign up' }).count(), 0, `no form when ${mode}`);
      await page.unroute('**/api/v1/auth/options');
    }
  }));

async function assertSwatches(min) {
  const swatches = page.getByTestId('swatch');
  await swatches.first().waitFor();
  const n = await swatches.count();
  assert.ok(n >= min, `expected >= ${min} swatches, got ${n}`);
  const hexes = await page.getByTestId('swatch-hex').allTextContents();
  for (const h of hexes) assert.match(h.trim(), /^#[0-9a-f]{6}$/i);
  const labels = (await page.getByTestId('swatch-label').allTextContents()).map((s) => s.trim());
  assert.deepEqual(labels.slice(0, 2), ['A', 'B']);
}
