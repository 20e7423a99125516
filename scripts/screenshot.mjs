#!/usr/bin/env node
// Takes the screenshots in docs/screenshots/: the main screens of the web app, each in the light
// and the dark theme at 1280x800 (and the palette view at a phone's 390x844), plus
// docs/screenshot.png (the README's: the palette view, light).
//
//   (cd tests/e2e && npm ci)          # playwright-core, resolved from tests/e2e/node_modules
//   node scripts/screenshot.mjs build/release/palettemaker [outdir]
//
// Starts the binary on a loopback port with a temp data dir (like the e2e tests), makes the data
// through the public API (an owner, palettes from the test images, regions, a teammate, a share
// link), then opens each screen by its address in Debian's headless chromium.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { launchBrowser, startServer, csrfFrom } = await import(path.join(ROOT, 'tests/e2e/harness.mjs'));

const bin = process.argv[2] || process.env.PM_TEST_BIN;
const outDir = path.resolve(process.argv[3] || path.join(ROOT, 'docs/screenshots'));
const testdata = process.env.PM_TESTDATA_DIR || path.resolve(ROOT, '../shared/testdata');
const images = ['fruits.jpg', 'coins.png', 'smarties.png'].map((n) => path.join(testdata, 'images', n));

if (!bin) {
  console.error('usage: node scripts/screenshot.mjs path/to/palettemaker [outdir]');
  process.exit(2);
}
for (const image of images) {
  if (!fs.existsSync(image)) {
    console.error(`test image not found: ${image} (set PM_TESTDATA_DIR)`);
    process.exit(2);
  }
}

async function ok(res, what, status = [200, 201, 204]) {
  if (!status.includes(res.status())) throw new Error(`${what} answered ${res.status()}: ${await res.text()}`);
  return res.status() === 204 ? null : res.json();
}

/** Everything the screens show, made through the API; returns the addresses to visit. */
async function seed(server, context) {
  const api = context.request;
  const me = await ok(
    await api.post(`${server.url}/api/v1/auth/signup`, {
      data: { email: 'ada@example.com', password: 'analytical-engine-1843', name: 'Ada Lovelace' },
    }),
    'sign-up',
  );
  const slug = me.workspaces[0].slug;
  const ws = `${server.url}/api/v1/t/${encodeURIComponent(slug)}`;
  const headers = { 'X-CSRF-Token': await csrfFrom(context, server.url) };
  const ids = [];
  for (const image of [...images].reverse()) {
    const ext = path.extname(image).slice(1);
    const { palette } = await ok(
      await api.post(`${ws}/palettes`, {
        headers,
        multipart: { file: { name: path.basename(image), mimeType: `image/${ext === 'jpg' ? 'jpeg' : ext}`, buffer: fs.readFileSync(image) } },
      }),
      `upload ${path.basename(image)}`,
    );
    ids.unshift(palette.id);
  }
  const [fruits, coins] = ids;
  await ok(await api.patch(`${ws}/palettes/${fruits}`, { headers, data: { name: 'Fruit bowl' } }), 'rename');
  await ok(await api.post(`${ws}/palettes/${fruits}/extract`, { headers, data: { k: 9 } }), 'extract');
  await ok(await api.post(`${ws}/palettes/${coins}/regions`, { headers, data: { strategy: 'circles' } }), 'regions');
  // A teammate (invited and accepted in a second context would need a second account; an
  // invitation pending is what the members screen shows next to the owner).
  await ok(await api.post(`${ws}/invitations`, { headers, data: { email: 'grace@example.com', role: 'editor' } }), 'invite');
  const share = await api.post(`${ws}/palettes/${fruits}/shares`, { headers, data: {} });
  const shareUrl = share.status() === 201 ? (await share.json()).share.url : null;
  return { slug, fruits, coins, shareUrl };
}

let server;
let browser;
try {
  server = await startServer(bin);
  browser = await launchBrowser({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const { context } = browser;
  const data = await seed(server, context);
  const w = `/w/${encodeURIComponent(data.slug)}`;
  const screens = [
    { name: 'palettes', path: w, ready: '[data-testid="palette-card"] img' },
    { name: 'palette', path: `${w}/p/${data.fruits}`, ready: '[data-testid="swatch"]' },
    { name: 'regions', path: `${w}/p/${data.coins}`, ready: '[data-testid="swatch"]' },
    { name: 'members', path: `${w}/members` },
    { name: 'usage', path: `${w}/usage` },
    { name: 'account', path: '/account' },
  ];
  if (data.shareUrl) screens.push({ name: 'shared', path: new URL(data.shareUrl).pathname, ready: '[data-testid="shared-swatch"]' });

  fs.mkdirSync(outDir, { recursive: true });
  const page = context.pages()[0] ?? (await context.newPage());
  const shoot = async (screen, theme, file) => {
    await page.evaluate((t) => localStorage.setItem('pm-theme', t), theme);
    await page.goto(server.url + screen.path);
    await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
    if (screen.ready) await page.locator(screen.ready).first().waitFor({ timeout: 15000 });
    await page.waitForFunction(() => [...document.images].every((img) => img.complete));
    await page.waitForLoadState('networkidle');
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: file });
    console.log(`wrote ${path.relative(ROOT, file)}`);
  };
  await page.goto(server.url + w);
  for (const theme of ['light', 'dark']) {
    for (const screen of screens) await shoot(screen, theme, path.join(outDir, `${screen.name}-${theme}.png`));
  }
  await page.setViewportSize({ width: 390, height: 844 });
  for (const theme of ['light', 'dark']) {
    await shoot(screens[1], theme, path.join(outDir, `palette-phone-${theme}.png`));
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await shoot(screens[1], 'light', path.join(ROOT, 'docs/screenshot.png'));
} catch (e) {
  console.error(`screenshot failed: ${e && e.stack ? e.stack : e}`);
  if (server) console.error(server.logs());
  process.exitCode = 1;
} finally {
  await browser?.stop().catch(() => {});
  await server?.stop().catch(() => {});
}
