// End-to-end test of the palette list's write controls: move (buttons and keyboard only),
// duplicate, delete with undo, and what a viewer sees. The real binary + Debian's chromium, as
// in web.test.mjs.
//
//   PM_TEST_BIN=build/cc/palettemaker PM_TESTDATA_DIR=../shared/testdata node --test tests/e2e/list.test.mjs
//
// The tests run in order on one workspace; each states the list order it starts from.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { E2E_DIR, csrfFrom, launchBrowser, loadChromium, startServer } from './harness.mjs';

const BIN = process.env.PM_TEST_BIN;
const TESTDATA = process.env.PM_TESTDATA_DIR || path.resolve(E2E_DIR, '../../../shared/testdata');
const IMAGE = path.join(TESTDATA, 'images', 'fruits.jpg');
const T = 15000;
const password = 'correct horse battery staple';

let server;
let browser;
let page;
let slug = '';
const pageErrors = [];
const deletes = []; // every DELETE the page sent, as "METHOD path"

async function step(fn) {
  try {
    await fn();
  } catch (e) {
    if (server) e.message += `\n${server.logs()}`;
    if (pageErrors.length) e.message += `\n--- page errors ---\n${pageErrors.join('\n')}`;
    throw e;
  }
}

const listUrl = () => `${server.url}/w/${encodeURIComponent(slug)}`;
const apiBase = () => `${server.url}/api/v1/t/${encodeURIComponent(slug)}`;

/** The names on the cards, top first. */
async function shownNames() {
  return (await page.getByTestId('palette-name').allTextContents()).map((s) => s.trim());
}

/** The server's order, top first. */
async function serverNames() {
  const res = await page.request.get(`${apiBase()}/palettes?limit=100`);
  assert.equal(res.status(), 200);
  return (await res.json()).palettes.map((p) => p.name);
}

async function waitForNames(expected) {
  const deadline = Date.now() + T;
  let got = [];
  while (Date.now() < deadline) {
    got = await shownNames();
    if (JSON.stringify(got) === JSON.stringify(expected)) return;
    await page.waitForTimeout(50);
  }
  assert.deepEqual(got, expected, 'cards on the page');
}

async function openList() {
  await page.goto(listUrl());
  await page.getByTestId('palette-card').first().waitFor();
}

/** Clicks a card button by its accessible name and waits for the request it sends. */
async function act(label, pathEnd, status) {
  const done = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(pathEnd));
  await page.getByRole('button', { name: label, exact: true }).click();
  const res = await done;
  assert.equal(res.status(), status, `${label}: ${res.status()} ${await res.text()}`);
  return res;
}

before(async () => {
  loadChromium();
  assert.ok(fs.existsSync(IMAGE), `test image not found: ${IMAGE} (set PM_TESTDATA_DIR)`);
  server = await startServer(BIN);
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack ? e.stack : e)));
  page.on('request', (r) => {
    if (r.method() === 'DELETE') deletes.push(`DELETE ${new URL(r.url()).pathname}`);
  });
  // A controllable clock, so the undo window is crossed without sleeping through it.
  await page.clock.install();

  const signup = await page.request.post(`${server.url}/api/v1/auth/signup`, {
    data: { email: `list-owner-${Date.now()}-${process.pid}@example.com`, password, name: 'List Owner' },
  });
  assert.equal(signup.status(), 201, await signup.text());
  slug = (await signup.json()).workspaces[0].slug;
  const csrf = await csrfFrom(browser.context, server.url);
  const buffer = fs.readFileSync(IMAGE);
  // Uploaded bottom first: new palettes go on top, so the list reads Alpha..Echo.
  for (const name of ['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha']) {
    const res = await page.request.post(`${apiBase()}/palettes`, {
      headers: { 'X-CSRF-Token': csrf },
      multipart: { file: { name: 'fruits.jpg', mimeType: 'image/jpeg', buffer }, name },
    });
    assert.equal(res.status(), 201, `upload ${name}: ${await res.text()}`);
  }
});

after(async () => {
  const results = await Promise.allSettled([browser?.stop(), server?.stop()]);
  for (const r of results) if (r.status === 'rejected') console.error('cleanup failed:', r.reason);
});

test('move up, to the top, to the bottom and down: shown at once and kept after a reload', { timeout: 90000 }, () =>
  step(async () => {
    await openList();
    await waitForNames(['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']);
    // The top card cannot go higher, the last one no lower.
    assert.equal(await page.getByRole('button', { name: 'Move Alpha up', exact: true }).getAttribute('aria-disabled'), 'true');
    assert.equal(await page.getByRole('button', { name: 'Move Echo to the bottom', exact: true }).getAttribute('aria-disabled'), 'true');

    await act('Move Charlie up', '/move', 200);
    await waitForNames(['Alpha', 'Charlie', 'Bravo', 'Delta', 'Echo']);
    await act('Move Delta to the top', '/move', 200);
    await waitForNames(['Delta', 'Alpha', 'Charlie', 'Bravo', 'Echo']);
    await act('Move Alpha to the bottom', '/move', 200);
    await waitForNames(['Delta', 'Charlie', 'Bravo', 'Echo', 'Alpha']);
    await act('Move Charlie down', '/move', 200);
    const expected = ['Delta', 'Bravo', 'Charlie', 'Echo', 'Alpha'];
    await waitForNames(expected);

    assert.deepEqual(await serverNames(), expected, 'the server has the same order');
    await page.reload();
    await page.getByTestId('palette-card').first().waitFor();
    assert.deepEqual(await shownNames(), expected, 'the order after a reload');
    assert.deepEqual(pageErrors, []);
  }));

test('keyboard only: Tab to a move button, Enter moves the card and keeps the focus on it', { timeout: 90000 }, () =>
  step(async () => {
    // From: Delta, Bravo, Charlie, Echo, Alpha.
    await openList();
    const target = 'Move Bravo down';
    let found = false;
    for (let i = 0; i < 120 && !found; i++) {
      await page.keyboard.press('Tab');
      found = (await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) === target;
    }
    assert.ok(found, `Tab reaches "${target}"`);
    const visible = await page.evaluate(() => document.activeElement.matches(':focus-visible'));
    assert.ok(visible, 'the focused button shows a focus ring');

    for (const expected of [
      ['Delta', 'Charlie', 'Bravo', 'Echo', 'Alpha'],
      ['Delta', 'Charlie', 'Echo', 'Bravo', 'Alpha'],
    ]) {
      const done = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/move'));
      await page.keyboard.press('Enter');
      assert.equal((await done).status(), 200);
      await waitForNames(expected);
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), target, 'focus stays on the moved card');
    }
    await page.reload();
    await page.getByTestId('palette-card').first().waitFor();
    assert.deepEqual(await shownNames(), ['Delta', 'Charlie', 'Echo', 'Bravo', 'Alpha']);
  }));

test('duplicate: the copy appears on top, also after a reload', { timeout: 60000 }, () =>
  step(async () => {
    await openList();
    const res = await act('Duplicate Echo', '/duplicate', 201);
    assert.equal((await res.json()).palette.name, 'Echo (2)');
    const expected = ['Echo (2)', 'Delta', 'Charlie', 'Echo', 'Bravo', 'Alpha'];
    await waitForNames(expected);
    await page.reload();
    await page.getByTestId('palette-card').first().waitFor();
    assert.deepEqual(await shownNames(), expected);
  }));

test('delete then Undo: the card comes back in place and no DELETE is ever sent', { timeout: 60000 }, () =>
  step(async () => {
    // From: Echo (2), Delta, Charlie, Echo, Bravo, Alpha.
    await openList();
    deletes.length = 0;
    await page.getByRole('button', { name: 'Delete Charlie', exact: true }).click();
    await waitForNames(['Echo (2)', 'Delta', 'Echo', 'Bravo', 'Alpha']);
    const toast = page.getByTestId('undo-toast').filter({ hasText: 'Deleted “Charlie”.' });
    await toast.waitFor();
    await toast.getByRole('button', { name: 'Undo deleting Charlie' }).click();
    const expected = ['Echo (2)', 'Delta', 'Charlie', 'Echo', 'Bravo', 'Alpha'];
    await waitForNames(expected);
    await toast.waitFor({ state: 'detached' });

    await page.clock.fastForward(20000); // well past the undo window
    await page.reload(); // a pending delete would be sent on pagehide
    await page.getByTestId('palette-card').first().waitFor();
    assert.deepEqual(await shownNames(), expected);
    assert.deepEqual(await serverNames(), expected);
    assert.deepEqual(deletes, [], 'no DELETE request');
  }));

test('delete without undo: sent when the toast expires, gone after a reload', { timeout: 60000 }, () =>
  step(async () => {
    await openList();
    deletes.length = 0;
    const echo2 = (await (await page.request.get(`${apiBase()}/palettes?limit=100`)).json()).palettes.find((p) => p.name === 'Echo (2)');
    await page.getByRole('button', { name: 'Delete Echo (2)', exact: true }).click();
    await waitForNames(['Delta', 'Charlie', 'Echo', 'Bravo', 'Alpha']);
    await page.getByTestId('undo-toast').first().waitFor();
    assert.deepEqual(deletes, [], 'nothing sent while Undo is offered');
    const sent = page.waitForResponse((r) => r.request().method() === 'DELETE');
    await page.clock.fastForward(6500);
    const res = await sent;
    assert.equal(res.status(), 204);
    assert.deepEqual(deletes, [`DELETE /api/v1/t/${slug}/palettes/${echo2.id}`]);
    await page.getByTestId('undo-toast').first().waitFor({ state: 'detached' });
    await page.reload();
    await page.getByTestId('palette-card').first().waitFor();
    assert.deepEqual(await shownNames(), ['Delta', 'Charlie', 'Echo', 'Bravo', 'Alpha']);
  }));

test('a pending delete is sent when the user leaves the list', { timeout: 60000 }, () =>
  step(async () => {
    await openList();
    deletes.length = 0;
    await page.getByRole('button', { name: 'Delete Alpha', exact: true }).click();
    await page.getByTestId('undo-toast').first().waitFor();
    const sent = page.waitForRequest((r) => r.method() === 'DELETE');
    // Open another palette: the list unmounts with the Undo still offered.
    await page.getByTestId('palette-card').filter({ hasText: 'Bravo' }).getByRole('link').click();
    await page.waitForURL(/\/p\/\d+$/);
    await sent;
    const deadline = Date.now() + T;
    while ((await serverNames()).includes('Alpha')) {
      assert.ok(Date.now() < deadline, 'Alpha is deleted on the server');
      await page.waitForTimeout(50);
    }
    assert.deepEqual(await serverNames(), ['Delta', 'Charlie', 'Echo', 'Bravo']);
  }));

test('a move the server refuses with 409: the list is reloaded with a message in words', { timeout: 60000 }, () =>
  step(async () => {
    // From: Delta, Charlie, Echo, Bravo. The server's documented answer when the list changed
    // under a reorder, given here once, since two real clients cannot be timed to collide.
    await openList();
    await page.route('**/palettes/*/move', (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'conflict', message: 'the palette list changed; reload and try again' } }),
      }), { times: 1 });
    const reloaded = page.waitForResponse((r) => r.request().method() === 'GET' && /\/palettes$/.test(new URL(r.url()).pathname));
    await page.getByRole('button', { name: 'Move Delta down', exact: true }).click();
    await reloaded;
    await page.getByTestId('list-error').filter({ hasText: 'The list was changed somewhere else, so it has been reloaded.' }).waitFor();
    await waitForNames(['Delta', 'Charlie', 'Echo', 'Bravo']);
    await page.unroute('**/palettes/*/move');
  }));

test('a viewer sees the palettes but no uploader, move, duplicate or delete', { timeout: 90000 }, () =>
  step(async () => {
    const viewerEmail = `list-viewer-${Date.now()}-${process.pid}@example.com`;
    const csrf = await csrfFrom(browser.context, server.url);
    const invited = await page.request.post(`${apiBase()}/invitations`, {
      headers: { 'X-CSRF-Token': csrf },
      data: { email: viewerEmail, role: 'viewer' },
    });
    assert.equal(invited.status(), 201, await invited.text());
    const token = (await invited.json()).invitation.token;

    const other = await launchBrowser();
    try {
      const p2 = other.context.pages()[0] ?? (await other.context.newPage());
      p2.setDefaultTimeout(T);
      const errors = [];
      p2.on('pageerror', (e) => errors.push(String(e)));
      const signup = await p2.request.post(`${server.url}/api/v1/auth/signup`, { data: { email: viewerEmail, password } });
      assert.equal(signup.status(), 201, await signup.text());
      const accepted = await p2.request.post(`${server.url}/api/v1/invitations/accept`, {
        headers: { 'X-CSRF-Token': await csrfFrom(other.context, server.url) },
        data: { token },
      });
      assert.equal(accepted.status(), 200, await accepted.text());
      assert.equal((await accepted.json()).role, 'viewer');

      await p2.goto(listUrl());
      await p2.getByTestId('palette-card').first().waitFor();
      const names = (await p2.getByTestId('palette-name').allTextContents()).map((s) => s.trim());
      assert.deepEqual(names, ['Delta', 'Charlie', 'Echo', 'Bravo']);
      for (const id of ['move-top', 'move-up', 'move-down', 'move-bottom', 'duplicate', 'delete', 'dropzone', 'file-input']) {
        assert.equal(await p2.getByTestId(id).count(), 0, `no ${id} for a viewer`);
      }
      assert.equal(await p2.getByRole('button', { name: /^(Move|Duplicate|Delete) / }).count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await other.stop();
    }
  }));
