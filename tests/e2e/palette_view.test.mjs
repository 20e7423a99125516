// End-to-end test of the palette view: the real binary and Debian's chromium (see
// web.test.mjs for the harness). One owner signs up, uploads fruits.jpg and works through every
// control of the view; then a viewer invited to the workspace sees none of the write controls.
//
//   PM_TEST_BIN=build/cc/palettemaker PM_TESTDATA_DIR=../shared/testdata node --test tests/e2e/palette_view.test.mjs
//
// The tests run in order and share one browser and one server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { E2E_DIR, csrfFrom, drawnImage, launchBrowser, loadChromium, startServer } from './harness.mjs';

const BIN = process.env.PM_TEST_BIN;
const TESTDATA = process.env.PM_TESTDATA_DIR || path.resolve(E2E_DIR, '../../../shared/testdata');
const IMAGES = path.join(TESTDATA, 'images');
const T = 20000;

let server;
let browser;
let page;
const pageErrors = [];
const cspViolations = [];

const stamp = `${Date.now()}-${process.pid}`;
const ownerEmail = `pv-owner-${stamp}@example.com`;
const viewerEmail = `pv-viewer-${stamp}@example.com`;
const password = 'correct horse battery staple';
let slug = '';
let paletteUrl = '';
let paletteId = 0;

async function step(fn) {
  try {
    await fn();
  } catch (e) {
    if (server) e.message += `\n${server.logs()}`;
    if (pageErrors.length) e.message += `\n--- page errors ---\n${pageErrors.join('\n')}`;
    throw e;
  }
}

const api = (p) => `${server.url}/api/v1/t/${encodeURIComponent(slug)}${p}`;
const isPatch = (r) => r.request().method() === 'PATCH' && /\/palettes\/\d+$/.test(new URL(r.url()).pathname);
const isRegions = (r) => r.request().method() === 'POST' && /\/regions$/.test(new URL(r.url()).pathname);

/** Runs `act` and returns the PATCH response it caused, asserting a 200. */
async function patched(act) {
  const done = page.waitForResponse(isPatch);
  await act();
  const res = await done;
  assert.equal(res.status(), 200, `PATCH answered ${res.status()}: ${await res.text()}`);
  return res;
}

async function count(testId, n) {
  await page.waitForFunction(
    ([id, want]) => document.querySelectorAll(`[data-testid="${id}"]`).length === want,
    [testId, n],
    { timeout: T },
  );
}

async function hexes() {
  return (await page.getByTestId('swatch-hex').allTextContents()).map((s) => s.trim());
}

before(async () => {
  loadChromium();
  assert.ok(fs.existsSync(path.join(IMAGES, 'fruits.jpg')), `test images not found under ${IMAGES} (set PM_TESTDATA_DIR)`);
  server = await startServer(BIN);
  browser = await launchBrowser({ acceptDownloads: true });
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
  const results = await Promise.allSettled([browser?.stop(), server?.stop()]);
  for (const r of results) if (r.status === 'rejected') console.error('cleanup failed:', r.reason);
});

test('owner: upload, regenerate, regions, template box, matching', { timeout: 150000 }, () =>
  step(async () => {
    await page.goto(`${server.url}/signup`);
    await page.getByLabel('Name').fill('View Owner');
    await page.getByLabel('E-mail').fill(ownerEmail);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
    slug = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);

    const up = page.waitForResponse((r) => r.request().method() === 'POST' && /\/palettes$/.test(new URL(r.url()).pathname));
    await page.getByTestId('file-input').setInputFiles(path.join(IMAGES, 'fruits.jpg'));
    const upRes = await up;
    assert.equal(upRes.status(), 201, await upRes.text());
    paletteId = (await upRes.json()).palette.id;
    await page.waitForURL(/\/p\/[^/]+$/);
    paletteUrl = page.url();
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="palette-image"]');
      return img && img.complete && img.naturalWidth > 0;
    });

    // --- regenerate with K = 9: nine swatches
    const ex = page.waitForResponse((r) => /\/extract$/.test(new URL(r.url()).pathname));
    await page.getByTestId('regen-9').click();
    const exRes = await ex;
    assert.equal(exRes.status(), 200, await exRes.text());
    assert.equal((await exRes.json()).colors.length, 9);
    await page.locator('[data-testid="regen-9"][aria-pressed="true"]').waitFor();
    await count('swatch', 9);

    // --- colour names under every swatch
    const names = (await page.getByTestId('swatch-name').allTextContents()).map((s) => s.trim());
    assert.equal(names.length, 9);
    for (const n of names) assert.match(n, /^(≈ )?[A-Z][a-z]+( [a-z]+)*$/, `colour name "${n}"`);

    // --- detect with the default strategy: polygons and labels 00, 01, ...
    await page.getByTestId('region-strategy').selectOption('default');
    let det = page.waitForResponse(isRegions);
    await page.getByTestId('detect-regions').click();
    let detRes = await det;
    assert.equal(detRes.status(), 200, await detRes.text());
    assert.deepEqual(detRes.request().postDataJSON(), { strategy: 'default' });
    const nDefault = (await detRes.json()).regions.length;
    assert.ok(nDefault >= 1, 'default detection found regions');
    await count('region-shape', nDefault);
    await count('region-item', nDefault);
    const labels = (await page.getByTestId('region-label').allTextContents()).map((s) => s.trim());
    assert.deepEqual(labels, Array.from({ length: nDefault }, (_, i) => String(i).padStart(2, '0')));

    // --- the keyboard removes a region: focus its outline, press Delete
    await page.locator('[data-testid="region-shape"] polygon').first().focus();
    const delRes = await patched(() => page.keyboard.press('Delete'));
    assert.equal(delRes.request().postDataJSON().regions.length, nDefault - 1);
    await count('region-shape', nDefault - 1);

    // --- a bad parameter: the server's error in words, nothing sent for a value the form refuses
    await page.getByTestId('region-strategy').selectOption('adaptive');
    await page.locator('.pv-params summary').click();
    await page.getByTestId('param-block_size').fill('4');
    await page.getByTestId('detect-regions').click();
    await page.getByText('Block size must be an odd number (1, 3, 5, …).').waitFor();

    // --- template_match: drag a box on the image, detect with it
    await page.getByTestId('region-strategy').selectOption('template_match');
    await page.getByTestId('draw-box').click();
    await page.locator('[data-testid="image-stage"][data-mode="box"]').waitFor();
    const img = await drawnImage(page);
    await page.mouse.move(img.x + img.width * 0.3, img.y + img.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(img.x + img.width * 0.4, img.y + img.height * 0.38, { steps: 5 });
    await page.mouse.move(img.x + img.width * 0.45, img.y + img.height * 0.45, { steps: 5 });
    await page.mouse.up();
    await page.getByTestId('template-box').waitFor();
    const typedBox = {};
    for (const f of ['x', 'y', 'width', 'height']) typedBox[f] = Number(await page.getByTestId(`box-${f}`).inputValue());
    assert.ok(typedBox.width >= 4 && typedBox.height >= 4, `box from the drag: ${JSON.stringify(typedBox)}`);
    det = page.waitForResponse(isRegions);
    await page.getByTestId('detect-regions').click();
    detRes = await det;
    assert.equal(detRes.status(), 200, await detRes.text());
    const sent = detRes.request().postDataJSON();
    assert.equal(sent.strategy, 'template_match');
    assert.deepEqual(sent.template_box, typedBox);
    // the drag mapped through object-fit: 30%..45% of the image's own pixels
    const { width: W, height: H } = (await detRes.json()).palette.image;
    assert.ok(Math.abs(typedBox.x - W * 0.3) <= 2 && Math.abs(typedBox.y - H * 0.3) <= 2, `box origin ${typedBox.x},${typedBox.y} of ${W}×${H}`);
    assert.ok(Math.abs(typedBox.width - W * 0.15) <= 3, `box width ${typedBox.width} of ${W}`);
    const nTemplate = (await detRes.json()).regions.length;
    assert.ok(nTemplate >= 1, 'the template matches at least itself');
    await count('region-shape', nTemplate);

    // --- match palette swatches; hover highlights both ways
    await page.getByTestId('match-swatches').check();
    await count('region-match', nTemplate);
    assert.match((await page.getByTestId('region-match').first().textContent()) ?? '', /#[0-9a-f]{6}.*ΔE \d/);
    await page.getByTestId('region-item').last().hover();
    await page.locator('[data-testid="region-shape"][data-hot="true"]').waitFor();
    assert.equal(await page.getByTestId('region-shape').last().getAttribute('data-hot'), 'true');
    await page.locator('[data-testid="swatch-row"][data-hot="true"]').waitFor();
    await page.mouse.move(1, 1);
    await page.waitForFunction(() => !document.querySelector('[data-testid="region-shape"][data-hot="true"]'));
    await page.locator('[data-testid="region-shape"] polygon').last().hover();
    await page.locator('[data-testid="region-item"][data-hot="true"]').waitFor();
    assert.equal(await page.getByTestId('region-item').last().getAttribute('data-hot'), 'true');

    // --- remove a region by clicking it: one fewer, still after a reload
    await patched(() => page.locator('[data-testid="region-shape"] polygon').last().click());
    await count('region-shape', nTemplate - 1);
    await page.reload();
    await count('region-item', nTemplate - 1);
    await count('region-shape', nTemplate - 1);
  }));

test('owner: clear regions, sample swatches, background, delete, labels, rename', { timeout: 120000 }, () =>
  step(async () => {
    // --- the template box typed instead of drawn: checked first, then sent as typed
    await page.getByTestId('region-strategy').selectOption('template_match');
    await page.getByTestId('box-x').fill('40');
    await page.getByTestId('box-y').fill('30');
    await page.getByTestId('box-width').fill('9999');
    await page.getByTestId('box-height').fill('50');
    await page.getByTestId('detect-regions').click();
    await page.getByTestId('box-error').filter({ hasText: /fit inside the image \(\d+ × \d+ pixels\)/ }).waitFor();
    await page.getByTestId('box-width').fill('60');
    let det = page.waitForResponse(isRegions);
    await page.getByTestId('detect-regions').click();
    const detRes = await det;
    assert.equal(detRes.status(), 200, await detRes.text());
    assert.deepEqual(detRes.request().postDataJSON().template_box, { x: 40, y: 30, width: 60, height: 50 });
    await page.getByTestId('region-shape').first().waitFor();

    // --- clear all
    await page.getByTestId('clear-regions').click();
    await count('region-shape', 0);
    await page.reload();
    await page.getByTestId('swatch').first().waitFor();
    await count('region-shape', 0);

    // --- sample a colour with the mouse: live preview, click adds it
    let n = await page.getByTestId('swatch').count();
    await page.getByTestId('sample-start').click();
    await page.locator('[data-testid="image-stage"][data-mode="sample"]').waitFor();
    const img = await drawnImage(page);
    await page.mouse.move(img.x + img.width * 0.5, img.y + img.height * 0.5);
    await page.mouse.move(img.x + img.width * 0.52, img.y + img.height * 0.5);
    await page.getByTestId('sample-hex').filter({ hasText: /^#[0-9a-f]{6}$/ }).waitFor();
    const previewed = (await page.getByTestId('sample-hex').textContent()).trim();
    let res = await patched(() => page.mouse.click(img.x + img.width * 0.52, img.y + img.height * 0.5));
    assert.equal(res.request().postDataJSON().colors.at(-1), previewed);
    await count('swatch', n + 1);
    assert.equal((await hexes()).at(-1), previewed);
    await page.reload();
    await count('swatch', n + 1);
    assert.equal((await hexes()).at(-1), previewed, 'the sampled swatch is stored');
    n += 1;

    // --- Escape cancels sampling; the keyboard samples too (arrows move, Enter adds)
    await page.getByTestId('sample-start').click();
    await page.locator('[data-testid="image-stage"][data-mode="sample"]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="image-stage"][data-mode="view"]').waitFor();
    await page.getByTestId('sample-start').click();
    await page.getByTestId('image-stage').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.getByTestId('sample-hex').filter({ hasText: /^#[0-9a-f]{6}$/ }).waitFor();
    await patched(() => page.keyboard.press('Enter'));
    await count('swatch', n + 1);
    n += 1;

    // --- set the background swatch: shown, stored
    res = await patched(() => page.getByTestId('swatch-background').nth(1).click());
    assert.deepEqual(res.request().postDataJSON(), { background: 1 });
    await page.locator('[data-testid="swatch-row"][data-background="true"] [data-testid="background-badge"]').waitFor();
    assert.equal(await page.getByTestId('swatch-row').nth(1).getAttribute('data-background'), 'true');

    // --- delete a swatch (the first: the background moves with its colour)
    const before = await hexes();
    res = await patched(() => page.getByTestId('swatch-delete').first().click());
    assert.equal(res.request().postDataJSON().background, 0);
    await count('swatch', n - 1);
    assert.deepEqual(await hexes(), before.slice(1));
    assert.equal(await page.getByTestId('swatch-row').first().getAttribute('data-background'), 'true');
    n -= 1;

    // --- labels inline: Enter saves, blur saves, Escape cancels
    await page.getByTestId('swatch-label').first().click();
    await page.getByTestId('swatch-label-input').fill('Sky');
    await patched(() => page.keyboard.press('Enter'));
    await page.getByTestId('swatch-label').first().filter({ hasText: /^Sky$/ }).waitFor();
    await page.getByTestId('swatch-label').nth(1).click();
    await page.getByTestId('swatch-label-input').fill('Leaf');
    await patched(() => page.getByTestId('palette-title').click());
    await page.getByTestId('swatch-label').nth(1).filter({ hasText: /^Leaf$/ }).waitFor();
    await page.getByTestId('swatch-label').nth(2).click();
    await page.getByTestId('swatch-label-input').fill('Nope');
    await page.keyboard.press('Escape');
    assert.notEqual((await page.getByTestId('swatch-label').nth(2).textContent()).trim(), 'Nope');

    // --- palette name: Enter saves; leaving the field saves
    await page.getByTestId('rename-palette').click();
    await page.getByTestId('rename-input').fill('Fruit (enter)');
    await patched(() => page.keyboard.press('Enter'));
    await page.getByTestId('palette-title').filter({ hasText: 'Fruit (enter)' }).waitFor();
    await page.getByTestId('rename-palette').click();
    await page.getByTestId('rename-input').fill('Fruit (blur)');
    await patched(() => page.getByRole('heading', { name: /Swatches/ }).click());
    await page.getByTestId('palette-title').filter({ hasText: 'Fruit (blur)' }).waitFor();
    await page.reload();
    await page.getByTestId('palette-title').filter({ hasText: 'Fruit (blur)' }).waitFor();
    assert.deepEqual(
      (await page.getByTestId('swatch-label').allTextContents()).slice(0, 2).map((s) => s.trim()),
      ['Sky', 'Leaf'],
    );
  }));

test('owner: contrast, export json and ase, keyboard regenerate', { timeout: 90000 }, () =>
  step(async () => {
    // --- contrast: text on the background swatch by default; the same colour twice fails all
    assert.equal(await page.getByTestId('contrast-bg').inputValue(), '0');
    assert.match((await page.getByTestId('contrast-ratio').textContent()).trim(), /^\d{1,2}\.\d\d : 1$/);
    assert.equal(await page.getByTestId('contrast-badge').count(), 4);
    await page.getByTestId('contrast-fg').selectOption('0');
    await page.getByTestId('contrast-ratio').filter({ hasText: /^1\.00 : 1$/ }).waitFor();
    const passes = await page.getByTestId('contrast-badge').evaluateAll((els) => els.map((e) => e.getAttribute('data-pass')));
    assert.deepEqual(passes, ['false', 'false', 'false', 'false']);

    // --- every export format is offered; json and ase download
    for (const f of ['json', 'css', 'scss', 'tailwind', 'gpl', 'ase', 'svg', 'png']) {
      assert.match(await page.getByTestId(`export-${f}`).getAttribute('href'), new RegExp(`/export\\?format=${f}$`));
    }
    const shown = await hexes();
    let dl = page.waitForEvent('download');
    await page.getByTestId('export-json').click();
    let file = await dl;
    const json = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
    assert.equal(json.name, 'Fruit (blur)');
    assert.deepEqual(json.colors, shown);
    dl = page.waitForEvent('download');
    await page.getByTestId('export-ase').click();
    file = await dl;
    const ase = fs.readFileSync(await file.path());
    assert.equal(ase.subarray(0, 4).toString('latin1'), 'ASEF');
    assert.equal(ase.readUInt16BE(4), 1, 'ASE version 1.0');
    assert.equal(ase.readUInt32BE(8), shown.length, 'one block per colour');

    // --- keyboard only: Tab to K=5 and press Enter
    await page.getByRole('link', { name: /all palettes/i }).focus();
    let found = false;
    for (let i = 0; i < 80 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'regen-5');
    }
    assert.ok(found, 'K=5 is reachable with Tab');
    const ex = page.waitForResponse((r) => /\/extract$/.test(new URL(r.url()).pathname));
    await page.keyboard.press('Enter');
    const exRes = await ex;
    assert.equal(exRes.status(), 200);
    assert.deepEqual(exRes.request().postDataJSON(), { k: 5 });
    await page.locator('[data-testid="regen-5"][aria-pressed="true"]').waitFor();

    // leave regions for the viewer to look at
    await page.getByTestId('region-strategy').selectOption('default');
    const det = page.waitForResponse(isRegions);
    await page.getByTestId('detect-regions').click();
    assert.equal((await det).status(), 200);
    await page.getByTestId('region-shape').first().waitFor();
    assert.deepEqual(cspViolations, [], 'no CSP violations');
    assert.deepEqual(pageErrors, [], 'no page errors');
  }));

test('a viewer sees the palette without any write control', { timeout: 90000 }, () =>
  step(async () => {
    let csrf = await csrfFrom(page.context(), server.url);
    const inv = await page.request.post(api('/invitations'), {
      headers: { 'X-CSRF-Token': csrf },
      data: { email: viewerEmail, role: 'viewer' },
    });
    assert.equal(inv.status(), 201, await inv.text());
    const token = (await inv.json()).invitation.token;
    // The viewer's own session replaces the owner's in this browser.
    const su = await page.request.post(`${server.url}/api/v1/auth/signup`, {
      data: { email: viewerEmail, password, name: 'View Viewer' },
    });
    assert.equal(su.status(), 201, await su.text());
    csrf = await csrfFrom(page.context(), server.url);
    const acc = await page.request.post(`${server.url}/api/v1/invitations/accept`, {
      headers: { 'X-CSRF-Token': csrf },
      data: { token },
    });
    assert.equal(acc.status(), 200, await acc.text());
    assert.equal((await acc.json()).role, 'viewer');

    await page.goto(paletteUrl);
    await page.getByTestId('palette-title').filter({ hasText: 'Fruit (blur)' }).waitFor();
    await page.getByTestId('swatch').first().waitFor();
    await page.getByTestId('region-shape').first().waitFor();
    for (const id of [
      'rename-palette', 'delete-palette', 'regen-5', 'regen-7', 'regen-9', 'sample-start',
      'swatch-delete', 'swatch-background', 'swatch-label-input', 'region-strategy', 'detect-regions',
      'clear-regions', 'region-remove', 'draw-box', 'share-create', 'share-revoke',
    ]) {
      assert.equal(await page.getByTestId(id).count(), 0, `a viewer must not see ${id}`);
    }
    assert.equal(await page.locator('[data-testid="region-shape"] polygon[role="button"]').count(), 0);
    assert.equal(await page.locator('button[data-testid="swatch-label"]').count(), 0, 'labels are not editable');
    // ... and still reads: copy, names, contrast, export
    await page.getByTestId('swatch').first().click();
    await page.getByTestId('toast').filter({ hasText: /#[0-9a-f]{6}/i }).waitFor();
    assert.ok((await page.getByTestId('swatch-name').count()) >= 1);
    await page.getByTestId('contrast-ratio').waitFor();
    assert.equal(await page.getByTestId('export-json').count(), 1);
    // a phone-wide window: nothing wider than the screen
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 360);
    const img = await page.getByTestId('palette-image').boundingBox();
    assert.ok(img.x >= 0 && img.x + img.width <= 360, `image inside the screen: ${JSON.stringify(img)}`);
    await page.setViewportSize({ width: 1280, height: 800 });

    // a click on a region removes nothing for a viewer
    const regions = await page.getByTestId('region-shape').count();
    let patches = 0;
    page.on('request', (r) => r.method() === 'PATCH' && patches++);
    await page.locator('[data-testid="region-shape"] polygon').last().click();
    await page.waitForTimeout(300);
    assert.equal(patches, 0);
    assert.equal(await page.getByTestId('region-shape').count(), regions);
    assert.deepEqual(cspViolations, [], 'no CSP violations');
    assert.deepEqual(pageErrors, [], 'no page errors');
  }));
