#!/usr/bin/env node
// Takes docs/screenshot.png: the palette view of fruits.jpg in the light theme at 1280x800.
//
//   (cd tests/e2e && npm ci)          # playwright-core, resolved from tests/e2e/node_modules
//   node scripts/screenshot.mjs build/release/palettemaker [out.png]
//
// Starts the binary on a loopback port with a temp data dir (like the e2e test), signs up and
// uploads through the API, then opens the page in Debian's headless chromium.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { launchBrowser, startServer, csrfFrom } = await import(path.join(ROOT, 'tests/e2e/harness.mjs'));

const bin = process.argv[2] || process.env.PM_TEST_BIN;
const out = path.resolve(process.argv[3] || path.join(ROOT, 'docs/screenshot.png'));
const testdata = process.env.PM_TESTDATA_DIR || path.resolve(ROOT, '../shared/testdata');
const image = path.join(testdata, 'images/fruits.jpg');

if (!bin) {
  console.error('usage: node scripts/screenshot.mjs path/to/palettemaker [out.png]');
  process.exit(2);
}
if (!fs.existsSync(image)) {
  console.error(`test image not found: ${image} (set PM_TESTDATA_DIR)`);
  process.exit(2);
}

let server;
let browser;
try {
  server = await startServer(bin);
  browser = await launchBrowser({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const { context } = browser;
  await context.addInitScript(() => localStorage.setItem('pm-theme', 'light'));
  const api = context.request;

  const signup = await api.post(`${server.url}/api/v1/auth/signup`, {
    data: { email: 'ada@example.com', password: 'analytical-engine-1843', name: 'Ada Lovelace' },
  });
  if (signup.status() !== 201) throw new Error(`sign-up answered ${signup.status()}: ${await signup.text()}`);
  const me = await signup.json();
  const slug = me.workspaces[0].slug;

  const upload = await api.post(`${server.url}/api/v1/t/${encodeURIComponent(slug)}/palettes`, {
    headers: { 'X-CSRF-Token': await csrfFrom(context, server.url) },
    multipart: { file: { name: 'fruits.jpg', mimeType: 'image/jpeg', buffer: fs.readFileSync(image) } },
  });
  if (upload.status() !== 201) throw new Error(`upload answered ${upload.status()}: ${await upload.text()}`);
  const { palette } = await upload.json();

  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${server.url}/w/${encodeURIComponent(slug)}/p/${palette.id}`);
  await page.getByTestId('swatch').first().waitFor({ timeout: 15000 });
  await page.waitForFunction(() => {
    const img = document.querySelector('.pv-image img');
    return img && img.complete && img.naturalWidth > 0;
  });
  await page.evaluate(() => document.fonts.ready);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} catch (e) {
  console.error(`screenshot failed: ${e && e.stack ? e.stack : e}`);
  if (server) console.error(server.logs());
  process.exitCode = 1;
} finally {
  await browser?.stop().catch(() => {});
  await server?.stop().catch(() => {});
}
