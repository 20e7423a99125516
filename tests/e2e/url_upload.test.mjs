// End-to-end: "From a URL" in the uploader. A tiny image server on 127.0.0.1 (the only network
// peer), one palettemaker with uploads.url_allow_loopback=true (PALETTEMAKER_UPLOADS_URL_ALLOW_LOOPBACK,
// testing only) and one with the default configuration, which refuses loopback addresses.
//
//   PM_TEST_BIN=build/cc/palettemaker node --test tests/e2e/url_upload.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { E2E_DIR, launchBrowser, loadChromium, startServer } from './harness.mjs';

const BIN = process.env.PM_TEST_BIN;
const TESTDATA = process.env.PM_TESTDATA_DIR || path.resolve(E2E_DIR, '../../../shared/testdata');
const IMAGES = path.join(TESTDATA, 'images');
const T = 15000;
const password = 'correct horse battery staple';

let images; // {server, port, requests}
let loopbackServer;
let defaultServer;
let browser;
let page;
const pageErrors = [];

async function step(fn) {
  try {
    await fn();
  } catch (e) {
    for (const s of [loopbackServer, defaultServer]) if (s) e.message += `\n${s.logs()}`;
    if (pageErrors.length) e.message += `\n--- page errors ---\n${pageErrors.join('\n')}`;
    throw e;
  }
}

// Serves /images/<name> from the shared test data after a short pause, so the UI's
// "Fetching…" state is visible for a moment.
function startImageServer() {
  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests += 1;
    const name = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname.replace(/^\/images\//, ''));
    const file = path.join(IMAGES, path.basename(name));
    if (!req.url.startsWith('/images/') || !fs.existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    setTimeout(() => {
      const bytes = fs.readFileSync(file);
      res.writeHead(200, { 'Content-Length': bytes.length }).end(bytes);
    }, 1200);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, state, port: server.address().port })));
}

async function signUp(baseUrl, tag) {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel('Name').fill(`URL ${tag}`);
  await page.getByLabel('E-mail').fill(`e2e-url-${tag}-${Date.now()}-${process.pid}@example.com`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/w\/[^/]+$/);
  await page.getByText('No palettes yet').waitFor();
}

before(async () => {
  loadChromium();
  assert.ok(fs.existsSync(path.join(IMAGES, 'fruits.jpg')), `test images not found under ${IMAGES} (set PM_TESTDATA_DIR)`);
  images = await startImageServer();
  loopbackServer = await startServer(BIN, {
    env: {
      PALETTEMAKER_UPLOADS_URL_ALLOW_LOOPBACK: 'true',
      PALETTEMAKER_UPLOADS_URL_PORTS: String(images.port),
    },
  });
  defaultServer = await startServer(BIN);
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack ? e.stack : e)));
});

after(async () => {
  const results = await Promise.allSettled([
    browser?.stop(),
    loopbackServer?.stop(),
    defaultServer?.stop(),
    images && new Promise((r) => {
      images.server.closeAllConnections?.();
      images.server.close(r);
    }),
  ]);
  for (const r of results) if (r.status === 'rejected') console.error('cleanup failed:', r.reason);
});

test('a pasted image URL becomes a palette', { timeout: 120000 }, () =>
  step(async () => {
    await signUp(loopbackServer.url, 'ok');
    // A slip is explained before anything is sent.
    await page.getByTestId('url-input').fill('ftp://127.0.0.1/fruits.jpg');
    await page.getByTestId('url-submit').click();
    await page.getByTestId('url-error').filter({ hasText: 'Only web addresses starting with http:// or https://' }).waitFor();
    assert.equal(images.state.requests, 0);

    const url = `http://127.0.0.1:${images.port}/images/fruits.jpg`;
    await page.getByTestId('url-input').fill(url);
    assert.equal(await page.getByTestId('url-error').count(), 0, 'typing clears the old error');
    const done = page.waitForResponse((r) => r.request().method() === 'POST' && /\/palettes$/.test(new URL(r.url()).pathname));
    await page.getByTestId('url-submit').click();
    await page.getByTestId('upload-job').filter({ hasText: 'Fetching…' }).waitFor();
    const res = await done;
    assert.equal(res.status(), 201, `URL upload answered ${res.status()}: ${await res.text()}`);
    assert.equal(res.request().headers()['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(res.request().postData() ?? '{}'), { url });
    // One upload opens the new palette, as for a single file.
    await page.waitForURL(/\/w\/[^/]+\/p\/[^/]+$/);
    assert.equal((await page.getByTestId('palette-title').textContent())?.trim(), 'fruits');
    await page.getByTestId('swatch').first().waitFor();
    assert.equal(images.state.requests, 1);
  }));

test('with the default configuration a loopback URL is refused in words', { timeout: 120000 }, () =>
  step(async () => {
    await signUp(defaultServer.url, 'refused');
    const before = images.state.requests;
    await page.getByTestId('url-input').fill('http://localhost/images/fruits.jpg');
    await page.getByTestId('url-submit').click();
    const error = page.getByTestId('upload-error');
    await error.waitFor();
    const text = ((await error.textContent()) ?? '').trim();
    assert.match(text, /private or internal network and cannot be fetched/);
    assert.doesNotMatch(text, /[{}]|invalid_argument/, 'a sentence, not raw JSON');
    await page.getByTestId('upload-job').filter({ hasText: 'Failed' }).waitFor();
    assert.equal(images.state.requests, before, 'the refused URL was never fetched');
    await page.getByText('No palettes yet').waitFor();
  }));
