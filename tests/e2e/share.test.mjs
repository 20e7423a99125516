// End-to-end test of a read-only share link: an owner (signed up through the API in one browser
// context) uploads an image and makes a link; a fresh browser context with no cookies opens
// /s/{token} and sees the name, the swatches' hex values and the image, and downloads an export;
// once revoked, the same address says the link is not valid.
//
//   PM_TEST_BIN=build/cc/palettemaker PM_TESTDATA_DIR=../shared/testdata node --test tests/e2e/share.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM_ARGS, E2E_DIR, chromiumPath, loadChromium, startServer } from './harness.mjs';

const BIN = process.env.PM_TEST_BIN;
const TESTDATA = process.env.PM_TESTDATA_DIR || path.resolve(E2E_DIR, '../../../shared/testdata');
const IMAGE = path.join(TESTDATA, 'images', 'fruits.jpg');
const T = 15000;

let server;
let browser;
const pageErrors = [];

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
  const chromium = loadChromium();
  assert.ok(fs.existsSync(IMAGE), `test image not found: ${IMAGE} (set PM_TESTDATA_DIR)`);
  server = await startServer(BIN);
  // A plain (non-persistent) browser: each newContext() is a fresh profile without cookies.
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, timeout: 30000 });
});

after(async () => {
  const results = await Promise.allSettled([browser?.close(), server?.stop()]);
  for (const r of results) if (r.status === 'rejected') console.error('cleanup failed:', r.reason);
});

async function freshPage() {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack ? e.stack : e)));
  return { context, page };
}

test('a share link opens signed out, downloads an export, and stops when revoked', { timeout: 180000 }, () =>
  step(async () => {
    // --- the owner, through the API of their own browser context
    const owner = await browser.newContext();
    const email = `e2e-share-${Date.now()}-${process.pid}@example.com`;
    const signup = await owner.request.post(`${server.url}/api/v1/auth/signup`, {
      data: { email, password: 'correct horse battery staple' },
    });
    assert.equal(signup.status(), 201, await signup.text());
    const slug = (await signup.json()).workspaces[0].slug;
    const csrf = (await owner.cookies(server.url)).find((c) => c.name === 'pm_csrf')?.value ?? '';
    const headers = { 'X-CSRF-Token': csrf };
    const up = await owner.request.post(`${server.url}/api/v1/t/${encodeURIComponent(slug)}/palettes`, {
      headers,
      multipart: {
        name: 'Shared fruit',
        file: { name: 'fruits.jpg', mimeType: 'image/jpeg', buffer: fs.readFileSync(IMAGE) },
      },
    });
    assert.equal(up.status(), 201, await up.text());
    const palette = (await up.json()).palette;
    const sharesPath = `${server.url}/api/v1/t/${encodeURIComponent(slug)}/palettes/${palette.id}/shares`;
    const made = await owner.request.post(sharesPath, { headers });
    assert.equal(made.status(), 201, await made.text());
    const share = (await made.json()).share;
    assert.equal(share.url, `${server.url}/s/${share.token}`);

    // --- a stranger: a fresh context, no cookies at all
    const { context, page } = await freshPage();
    assert.deepEqual(await context.cookies(server.url), []);
    await page.goto(share.url);
    await page.getByTestId('shared-name').filter({ hasText: 'Shared fruit' }).waitFor();
    const hexes = (await page.getByTestId('shared-swatch-hex').allTextContents()).map((t) => t.trim());
    assert.deepEqual(hexes, palette.colors);
    const labels = (await page.getByTestId('shared-swatch-label').allTextContents()).map((t) => t.trim());
    assert.deepEqual(labels, palette.labels);
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="shared-image"]');
      return img && img.complete && img.naturalWidth > 0;
    });
    const natural = await page.getByTestId('shared-image').evaluate((img) => [img.naturalWidth, img.naturalHeight]);
    assert.deepEqual(natural, [palette.image.width, palette.image.height]);
    // The image fits the page (no horizontal overflow from a large photo).
    const box = await page.getByTestId('shared-image').boundingBox();
    assert.ok(box && box.width <= 1280, `image width ${box && box.width}`);
    // Signed out: no way into the app from here.
    assert.equal(await page.getByTestId('shared-app-link').count(), 0);
    assert.equal(await page.locator('a[href^="/w/"]').count(), 0);
    assert.ok(new URL(page.url()).pathname.startsWith('/s/'), 'not sent to /login');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('shared-download-json').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'Shared-fruit.json');
    const file = await download.path();
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { name: 'Shared fruit', colors: palette.colors });

    // --- the owner opens the same link: signed in, the page offers the way back
    const ownerPage = await owner.newPage();
    ownerPage.setDefaultTimeout(T);
    await ownerPage.goto(share.url);
    await ownerPage.getByTestId('shared-name').filter({ hasText: 'Shared fruit' }).waitFor();
    await ownerPage.getByTestId('shared-app-link').waitFor();

    // --- revoked: the stranger's reload says so, in words
    const revoked = await owner.request.delete(`${sharesPath}/${share.id}`, { headers });
    assert.equal(revoked.status(), 204, await revoked.text());
    await page.reload();
    await page.getByTestId('shared-invalid').filter({ hasText: 'This link is not valid or was revoked' }).waitFor();
    assert.equal(await page.getByTestId('shared-name').count(), 0);

    // A token that never existed reads the same.
    await page.goto(`${server.url}/s/pms_${'Q'.repeat(43)}`);
    await page.getByTestId('shared-invalid').waitFor();

    assert.deepEqual(pageErrors, [], 'no page errors');
    await context.close();
    await owner.close();
  }));
