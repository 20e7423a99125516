// The palette list with 1,000 palettes: infinite scroll reaches the end, every palette can be
// scrolled to, the DOM holds only the cards near the viewport, and the list loads thumbnails
// (when the server offers them) rather than the full images. No timings here: scroll smoothness
// is measured by bench/web_list.mjs (docs/BENCHMARKS.md).
//
//   PM_TEST_BIN=build/cc/palettemaker PM_TESTDATA_DIR=../shared/testdata node --test tests/e2e/list_scale.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { E2E_DIR, launchBrowser, loadChromium, startServer } from './harness.mjs';
import { seedPalettes } from './list_seed.mjs';

const BIN = process.env.PM_TEST_BIN;
const TESTDATA = process.env.PM_TESTDATA_DIR || path.resolve(E2E_DIR, '../../../shared/testdata');
const IMAGE = path.join(TESTDATA, 'images', 'fruits.jpg');
const COUNT = 1000;
// Three screens of rows (the visible one and one above and below) at 1280×800 are ~40 cards;
// anything near the full list would mean the windowing is off.
const MAX_CARDS_IN_DOM = 150;

let server;
let browser;
let page;
let seeded;
const pageErrors = [];

before(async () => {
  loadChromium();
  assert.ok(fs.existsSync(IMAGE), `test image not found: ${IMAGE} (set PM_TESTDATA_DIR)`);
  server = await startServer(BIN);
  browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack ? e.stack : e)));
  seeded = await seedPalettes(browser.context, server.url, { image: IMAGE, count: COUNT, concurrency: 8 });
});

after(async () => {
  const results = await Promise.allSettled([browser?.stop(), server?.stop()]);
  for (const r of results) if (r.status === 'rejected') console.error('cleanup failed:', r.reason);
});

const cardsInDom = () => page.getByTestId('palette-card').count();
const loaded = () => page.getByTestId('palette-list').evaluate((el) => Number(el.dataset.total));
const nextFrame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('1,000 palettes: scrolled to the end, all reachable, bounded DOM, thumbnails only', { timeout: 240000 }, async () => {
  try {
    // Every list image request is recorded, then answered with an error: what is checked is
    // which URL the page asks for, and skipping 1,000 decodes keeps this test quick on a busy
    // machine (web.test.mjs checks that a card's image really loads).
    const imageRequests = [];
    await page.route(/\/palettes\/\d+\/(image|thumbnail)$/, (route) => {
      imageRequests.push(new URL(route.request().url()).pathname);
      return route.abort();
    });

    await page.goto(`${server.url}/w/${encodeURIComponent(seeded.slug)}`);
    await page.getByTestId('palette-card').first().waitFor();
    assert.equal(await page.getByTestId('palette-name').first().textContent(), `fruits (${COUNT})`, 'newest on top');

    // Scroll to the bottom until infinite scroll has loaded everything.
    let maxCards = 0;
    const deadline = Date.now() + 120000;
    while ((await loaded()) < COUNT || (await page.getByTestId('load-more').count()) > 0) {
      assert.ok(Date.now() < deadline, `infinite scroll stopped at ${await loaded()} palettes`);
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await nextFrame();
      maxCards = Math.max(maxCards, await cardsInDom());
    }
    assert.equal(await loaded(), COUNT);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight)); // past the last page's growth
    await nextFrame();
    assert.equal((await page.getByTestId('palette-name').last().textContent())?.trim(), 'fruits', 'the first upload is last');

    // Walk the list a screen at a time: every palette shows up on the way.
    await page.evaluate(() => window.scrollTo(0, 0));
    await nextFrame();
    const seen = new Set();
    for (;;) {
      // One round trip per screen: read the rendered cards, then scroll on by a screen (the
      // window renders a screen above and below, so no row is skipped even if it lags a frame).
      const step = await page.evaluate(() => {
        const names = [...document.querySelectorAll('[data-testid="palette-name"]')].map((e) => e.textContent.trim());
        const cards = document.querySelectorAll('[data-testid="palette-card"]').length;
        const before = window.scrollY;
        window.scrollBy(0, window.innerHeight);
        return { names, cards, atEnd: window.scrollY === before };
      });
      for (const n of step.names) seen.add(n);
      maxCards = Math.max(maxCards, step.cards);
      if (step.atEnd) break;
      await nextFrame();
    }
    const expected = new Set(['fruits', ...Array.from({ length: COUNT - 1 }, (_, i) => `fruits (${i + 2})`)]);
    assert.equal(seen.size, COUNT, 'every palette name was on screen once');
    assert.deepEqual([...expected].filter((n) => !seen.has(n)), [], 'no name missing');
    assert.ok(maxCards <= MAX_CARDS_IN_DOM, `at most ${MAX_CARDS_IN_DOM} cards in the DOM at once (saw ${maxCards})`);
    assert.ok(maxCards >= 8, `the visible rows are rendered (saw ${maxCards})`);

    // Each list image is the palette's thumbnail when the server offers one, else its image.
    const expectedUrl = new Map();
    for (let cursor = null, first = true; first || cursor; first = false) {
      const q = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
      const res = await fetch(`${seeded.base}/palettes?${q}`, { headers: { cookie: seeded.cookie } });
      assert.equal(res.status, 200);
      const body = await res.json();
      for (const p of body.palettes) expectedUrl.set(p.id, new URL(p.thumbnail_url ?? p.image_url, server.url).pathname);
      cursor = body.next_cursor;
    }
    assert.ok(imageRequests.length > 0, 'the list loaded images');
    const wrong = imageRequests.filter((p) => expectedUrl.get(Number(/\/palettes\/(\d+)\//.exec(p)[1])) !== p);
    assert.deepEqual(wrong.slice(0, 5), [], 'list images use thumbnail_url when present');
    assert.deepEqual(pageErrors, [], 'no page errors');
  } catch (e) {
    if (server) e.message += `\n${server.logs()}`;
    if (pageErrors.length) e.message += `\n--- page errors ---\n${pageErrors.join('\n')}`;
    throw e;
  }
});
