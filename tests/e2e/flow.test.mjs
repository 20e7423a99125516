// The whole journey of issue 6 in one run, as a person would do it in the browser: sign up ->
// upload (file picker and drag-and-drop) -> regenerate with K = 9 -> detect regions (default, then
// template_match by drawing a box) -> remove a region -> add a swatch by sampling -> rename ->
// reorder -> duplicate -> export JSON and .ase (downloaded and checked) -> delete; invite a
// second person as viewer, who sees the palette and no write controls; a share link opened in a
// fresh browser context without cookies. The feature files (palette_view, list, screens, share)
// go deeper into each step; this one proves they work together.
//
//   PM_TEST_BIN=build/ci/palettemaker PM_TESTDATA_DIR=../shared/testdata node --test tests/e2e/flow.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { E2E_DIR, drawnImage, dropFile, launchBrowser, loadChromium, startServer } from './harness.mjs';

const BIN = process.env.PM_TEST_BIN;
const TESTDATA = process.env.PM_TESTDATA_DIR || path.resolve(E2E_DIR, '../../../shared/testdata');
const IMAGES = path.join(TESTDATA, 'images');
const T = 20000;

let server;
let browser; // the owner
let viewerBrowser; // the invited viewer
let guestBrowser; // whoever opens the share link
let page;
const pageErrors = [];
const cspViolations = [];
const stamp = `${Date.now()}-${process.pid}`;
const ownerEmail = `flow-owner-${stamp}@example.com`;
const viewerEmail = `flow-viewer-${stamp}@example.com`;
const password = 'correct horse battery staple';
let slug = '';
let fruitUrl = '';
let shareUrl = '';
let finalName = '';

async function step(fn) {
  try {
    await fn();
  } catch (e) {
    if (server) e.message += `\n${server.logs()}`;
    if (pageErrors.length) e.message += `\n--- page errors ---\n${pageErrors.join('\n')}`;
    throw e;
  }
}

function watch(p, who) {
  p.setDefaultTimeout(T);
  p.on('pageerror', (e) => pageErrors.push(`${who}: ${e && e.stack ? e.stack : e}`));
  p.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(text)) cspViolations.push(text);
    else if (msg.type() === 'error' && !/status of (401|4\d\d)/.test(text)) pageErrors.push(`${who} console: ${text}`);
  });
}

const isPost = (suffix) => (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(suffix);

async function countIs(testId, n) {
  await page.waitForFunction(
    ([id, want]) => document.querySelectorAll(`[data-testid="${id}"]`).length === want,
    [testId, n],
  );
}

async function listNames() {
  await page.getByTestId('palette-card').first().waitFor();
  return (await page.getByTestId('palette-name').allTextContents()).map((s) => s.trim());
}

before(async () => {
  loadChromium();
  assert.ok(fs.existsSync(path.join(IMAGES, 'fruits.jpg')), `test images not found under ${IMAGES} (set PM_TESTDATA_DIR)`);
  server = await startServer(BIN);
  browser = await launchBrowser({ acceptDownloads: true });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  watch(page, 'owner');
});

after(async () => {
  const results = await Promise.allSettled([browser?.stop(), viewerBrowser?.stop(), guestBrowser?.stop(), server?.stop()]);
  for (const r of results) if (r.status === 'rejected') console.error('cleanup failed:', r.reason);
});

test('sign up, upload by file and by drag-and-drop', { timeout: 120000 }, () =>
  step(async () => {
    await page.goto(`${server.url}/signup`);
    await page.getByLabel('Name').fill('Flow Owner');
    await page.getByLabel('E-mail').fill(ownerEmail);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
    slug = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);

    // Drag-and-drop first, then the file picker: the newer palette is on top of the list.
    let done = page.waitForResponse(isPost('/palettes'));
    await dropFile(page, path.join(IMAGES, 'smarties.png'), { type: 'image/png' });
    let res = await done;
    assert.equal(res.status(), 201, `drop upload: ${await res.text()}`);
    await page.waitForURL(/\/p\/[^/]+$/);
    await page.getByTestId('palette-title').filter({ hasText: 'smarties' }).waitFor();

    await page.getByRole('link', { name: /all palettes/i }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
    done = page.waitForResponse(isPost('/palettes'));
    await page.getByTestId('file-input').setInputFiles(path.join(IMAGES, 'fruits.jpg'));
    res = await done;
    assert.equal(res.status(), 201, `file upload: ${await res.text()}`);
    await page.waitForURL(/\/p\/[^/]+$/);
    fruitUrl = page.url();
    await page.getByTestId('palette-title').filter({ hasText: 'fruits' }).waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="palette-image"]');
      return img && img.complete && img.naturalWidth > 0;
    });
  }));

test('K = 9, regions (default, then template_match by a box), remove one, sample a swatch, rename', { timeout: 150000 }, () =>
  step(async () => {
    const ex = page.waitForResponse(isPost('/extract'));
    await page.getByTestId('regen-9').click();
    assert.equal((await ex).status(), 200);
    await countIs('swatch', 9);

    await page.getByTestId('region-strategy').selectOption('default');
    let det = page.waitForResponse(isPost('/regions'));
    await page.getByTestId('detect-regions').click();
    let detRes = await det;
    assert.equal(detRes.status(), 200, await detRes.text());
    const nDefault = (await detRes.json()).regions.length;
    assert.ok(nDefault >= 1);
    await countIs('region-shape', nDefault);

    await page.getByTestId('region-strategy').selectOption('template_match');
    await page.getByTestId('draw-box').click();
    const img = await drawnImage(page);
    await page.mouse.move(img.x + img.width * 0.3, img.y + img.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(img.x + img.width * 0.45, img.y + img.height * 0.45, { steps: 8 });
    await page.mouse.up();
    await page.getByTestId('template-box').waitFor();
    det = page.waitForResponse(isPost('/regions'));
    await page.getByTestId('detect-regions').click();
    detRes = await det;
    assert.equal(detRes.status(), 200, await detRes.text());
    assert.equal(detRes.request().postDataJSON().strategy, 'template_match');
    assert.ok(detRes.request().postDataJSON().template_box.width > 0, 'the drawn box was sent');
    const nTemplate = (await detRes.json()).regions.length;
    assert.ok(nTemplate >= 1, 'the template matches at least itself');
    await countIs('region-shape', nTemplate);

    // Remove a region by clicking it: stored (still gone after a reload).
    let patch = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await page.locator('[data-testid="region-shape"] polygon').first().click();
    assert.equal((await patch).status(), 200);
    await countIs('region-shape', nTemplate - 1);

    // Sample a swatch from the middle of the image.
    await page.getByTestId('sample-start').click();
    const at = await drawnImage(page);
    await page.mouse.move(at.x + at.width * 0.5, at.y + at.height * 0.5);
    await page.mouse.move(at.x + at.width * 0.55, at.y + at.height * 0.5);
    await page.getByTestId('sample-hex').filter({ hasText: /^#[0-9a-f]{6}$/ }).waitFor();
    const sampled = (await page.getByTestId('sample-hex').textContent()).trim();
    patch = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await page.mouse.click(at.x + at.width * 0.55, at.y + at.height * 0.5);
    assert.equal((await patch).status(), 200);
    await countIs('swatch', 10);

    // Rename inline (Enter saves).
    finalName = 'Fruit bowl (flow)';
    await page.getByTestId('rename-palette').click();
    await page.getByTestId('rename-input').fill(finalName);
    patch = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await page.keyboard.press('Enter');
    assert.equal((await patch).status(), 200);
    await page.reload();
    await page.getByTestId('palette-title').filter({ hasText: finalName }).waitFor();
    await countIs('swatch', 10);
    await countIs('region-shape', nTemplate - 1);
    const hexes = (await page.getByTestId('swatch-hex').allTextContents()).map((s) => s.trim());
    assert.equal(hexes.at(-1), sampled, 'the sampled colour is stored');
  }));

test('reorder and duplicate in the list', { timeout: 90000 }, () =>
  step(async () => {
    await page.getByRole('link', { name: /all palettes/i }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
    assert.deepEqual(await listNames(), [finalName, 'smarties'], 'newest on top');

    let done = page.waitForResponse(isPost('/move'));
    await page.getByRole('button', { name: `Move ${finalName} down`, exact: true }).click();
    assert.equal((await done).status(), 200);
    await page.waitForFunction((n) => document.querySelector('[data-testid="palette-name"]')?.textContent.trim() === n, 'smarties');

    done = page.waitForResponse(isPost('/duplicate'));
    await page.getByRole('button', { name: `Duplicate ${finalName}`, exact: true }).click();
    const dup = await done;
    assert.equal(dup.status(), 201);
    assert.equal((await dup.json()).palette.name, `${finalName} (2)`);
    await page.reload();
    assert.deepEqual(await listNames(), [`${finalName} (2)`, 'smarties', finalName]);
  }));

test('export JSON and .ase: downloaded and checked', { timeout: 60000 }, () =>
  step(async () => {
    await page.goto(fruitUrl);
    await page.getByTestId('palette-title').filter({ hasText: finalName }).waitFor();
    const shown = (await page.getByTestId('swatch-hex').allTextContents()).map((s) => s.trim());

    let dl = page.waitForEvent('download');
    await page.getByTestId('export-json').click();
    let file = await dl;
    assert.match(file.suggestedFilename(), /^Fruit-bowl.*\.json$/, 'named after the palette');
    const json = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
    assert.deepEqual(json, { name: finalName, colors: shown });

    dl = page.waitForEvent('download');
    await page.getByTestId('export-ase').click();
    file = await dl;
    assert.match(file.suggestedFilename(), /\.ase$/);
    const ase = fs.readFileSync(await file.path());
    assert.equal(ase.subarray(0, 4).toString('latin1'), 'ASEF');
    assert.equal(ase.readUInt16BE(4), 1);
    assert.equal(ase.readUInt32BE(8), shown.length, 'one colour block per swatch');
    // The first block: colour entry, RGB floats of the first swatch.
    assert.equal(ase.readUInt16BE(12), 0x0001);
    const nameLen = ase.readUInt16BE(18);
    const rgbAt = 20 + nameLen * 2 + 4;
    assert.equal(ase.subarray(rgbAt - 4, rgbAt).toString('latin1'), 'RGB ');
    const rgb = [0, 1, 2].map((i) => Math.round(ase.readFloatBE(rgbAt + i * 4) * 255));
    assert.deepEqual(rgb, [1, 3, 5].map((i) => parseInt(shown[0].slice(i, i + 2), 16)));
  }));

test('a share link opens in a fresh browser without an account', { timeout: 60000 }, () =>
  step(async () => {
    const created = page.waitForResponse(isPost('/shares'));
    await page.getByTestId('share-create').click();
    assert.equal((await created).status(), 201);
    shareUrl = await page.getByTestId('share-url').inputValue();
    assert.match(shareUrl, /\/s\/pms_[A-Za-z0-9_-]+$/);

    guestBrowser = await launchBrowser();
    const guest = guestBrowser.context.pages()[0] ?? (await guestBrowser.context.newPage());
    watch(guest, 'guest');
    assert.deepEqual(await guestBrowser.context.cookies(), [], 'no cookies in the fresh context');
    await guest.goto(shareUrl);
    await guest.getByText(finalName).first().waitFor();
    const owner = (await page.getByTestId('swatch-hex').allTextContents()).map((s) => s.trim());
    const text = await guest.locator('body').innerText();
    for (const hex of owner) assert.ok(text.toLowerCase().includes(hex), `the shared page shows ${hex}`);
    await guest.waitForFunction(() => [...document.images].some((i) => i.complete && i.naturalWidth > 0));
    // Nothing else is reachable: the workspace's list answers 401 without a session.
    const list = await guest.request.get(`${server.url}/api/v1/t/${encodeURIComponent(slug)}/palettes`);
    assert.equal(list.status(), 401);
  }));

test('a viewer invited through the members page sees the palette and no write controls', { timeout: 120000 }, () =>
  step(async () => {
    await page.goto(`${server.url}/w/${encodeURIComponent(slug)}/members`);
    await page.getByTestId('invite-email').fill(viewerEmail);
    await page.getByTestId('invite-role').selectOption('viewer');
    await page.getByTestId('invite-submit').click();
    const link = await page.getByTestId('invite-link').inputValue();
    assert.match(link, /\/invite\?token=/);

    viewerBrowser = await launchBrowser();
    const viewer = viewerBrowser.context.pages()[0] ?? (await viewerBrowser.context.newPage());
    watch(viewer, 'viewer');
    await viewer.goto(link);
    await viewer.getByLabel('Name').fill('Flow Viewer');
    await viewer.getByLabel('E-mail').fill(viewerEmail);
    await viewer.getByLabel('Password').fill(password);
    await viewer.getByRole('button', { name: 'Sign up to join' }).click();
    await viewer.waitForURL(new RegExp(`/w/${slug}$`));

    // The list: the palettes, no uploader, no card actions.
    await viewer.getByTestId('palette-card').first().waitFor();
    assert.deepEqual(
      (await viewer.getByTestId('palette-name').allTextContents()).map((s) => s.trim()),
      [`${finalName} (2)`, 'smarties', finalName],
    );
    for (const id of ['dropzone', 'file-input']) assert.equal(await viewer.getByTestId(id).count(), 0, `viewer list: no ${id}`);
    assert.equal(await viewer.getByRole('button', { name: /^(Move|Duplicate|Delete) / }).count(), 0, 'no card actions');

    // The palette: everything readable, nothing writable.
    await viewer.goto(fruitUrl);
    await viewer.getByTestId('palette-title').filter({ hasText: finalName }).waitFor();
    await viewer.getByTestId('swatch').first().waitFor();
    for (const id of ['rename-palette', 'delete-palette', 'regen-9', 'sample-start', 'swatch-delete', 'detect-regions',
      'clear-regions', 'draw-box', 'share-create']) {
      assert.equal(await viewer.getByTestId(id).count(), 0, `a viewer must not see ${id}`);
    }
    assert.equal(await viewer.getByTestId('export-json').count(), 1, 'export stays');
  }));

test('delete the duplicate: confirmed, gone after a reload', { timeout: 60000 }, () =>
  step(async () => {
    await page.goto(`${server.url}/w/${encodeURIComponent(slug)}`);
    await page.getByTestId('palette-name').filter({ hasText: `${finalName} (2)` }).click();
    await page.getByTestId('palette-title').filter({ hasText: `${finalName} (2)` }).waitFor();
    await page.getByTestId('delete-palette').click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    const del = page.waitForResponse((r) => r.request().method() === 'DELETE');
    await dialog.getByRole('button', { name: 'Delete palette' }).click();
    assert.equal((await del).status(), 204);
    await page.waitForURL(/\/w\/[^/]+$/);
    await page.reload();
    assert.deepEqual(await listNames(), ['smarties', finalName]);
    assert.deepEqual(cspViolations, [], 'no CSP violations');
    assert.deepEqual(pageErrors, [], 'no page errors');
  }));
