// First-load budget: what a browser with an empty cache downloads of the app itself (the HTML
// document, JS and CSS; not API calls) to show the login page, and the palette list of a fresh
// account, must stay under 200 KB each. Measured in headless Chromium from the bytes on the
// wire (CDP Network.loadingFinished encodedDataLength: compressed body plus headers). Prints the
// figures; docs/BENCHMARKS.md quotes them.
//
//   PM_TEST_BIN=build/cc/palettemaker PM_TESTDATA_DIR=../shared/testdata node --test tests/e2e/first_load.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launchBrowser, loadChromium, startServer } from './harness.mjs';

const BUDGET = 200 * 1024;
const APP_TYPES = new Set(['Document', 'Script', 'Stylesheet']);

let server;
let browser;
let page;
let cdp;
const requests = new Map(); // requestId -> {url, type, encoding, bytes}

before(async () => {
  loadChromium();
  server = await startServer(process.env.PM_TEST_BIN);
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(15000);
  cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  // Every load below is a first load: nothing comes from the HTTP cache.
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  cdp.on('Network.responseReceived', (e) => {
    requests.set(e.requestId, {
      url: e.response.url,
      type: e.type,
      encoding: e.response.headers['content-encoding'] || e.response.headers['Content-Encoding'] || 'identity',
      bytes: 0,
    });
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  });
});

after(async () => {
  const results = await Promise.allSettled([browser?.stop(), server?.stop()]);
  for (const r of results) if (r.status === 'rejected') console.error('cleanup failed:', r.reason);
});

// Loads `path` cold and returns the app's own document/JS/CSS transfers.
async function firstLoad(path, ready) {
  requests.clear();
  await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
  await ready();
  const own = [...requests.values()].filter((r) => r.url.startsWith(server.url) && APP_TYPES.has(r.type));
  const total = own.reduce((sum, r) => sum + r.bytes, 0);
  const lines = own.map((r) => `  ${r.type.padEnd(10)} ${String(r.bytes).padStart(7)} B  ${r.encoding.padEnd(8)} ${new URL(r.url).pathname}`);
  console.log(`first load of ${path}: ${(total / 1024).toFixed(1)} KB (document + JS + CSS, as transferred)\n${lines.join('\n')}`);
  return { own, total };
}

test('the login page loads under 200 KB', { timeout: 60000 }, async () => {
  const { own, total } = await firstLoad('/login', () => page.getByRole('heading', { name: /log in/i }).waitFor());
  assert.ok(own.some((r) => r.type === 'Script'), 'the JS bundle was counted');
  assert.ok(own.every((r) => r.bytes > 0), 'every transfer was measured');
  const script = own.find((r) => r.type === 'Script');
  assert.notEqual(script.encoding, 'identity', 'the JS bundle is sent compressed');
  assert.ok(total < BUDGET, `first load of /login is ${total} bytes, over the ${BUDGET} byte budget`);
});

test('the palette list of a fresh account loads under 200 KB', { timeout: 60000 }, async () => {
  const signup = await page.request.post(`${server.url}/api/v1/auth/signup`, {
    data: { email: `first-load-${Date.now()}-${process.pid}@example.com`, password: 'correct horse battery staple' },
  });
  assert.equal(signup.status(), 201, await signup.text());
  const { workspaces } = await signup.json();
  const { own, total } = await firstLoad(`/w/${encodeURIComponent(workspaces[0].slug)}`, () =>
    page.getByText('No palettes yet').waitFor());
  assert.ok(own.some((r) => r.type === 'Script'), 'the JS bundle was counted');
  assert.ok(total < BUDGET, `first load of the palette list is ${total} bytes, over the ${BUDGET} byte budget`);
});
