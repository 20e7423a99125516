// Scroll smoothness of the palette list with 1,000 palettes, in headless Chromium.
//
//   node bench/web_list.mjs [path/to/palettemaker] [count] [--no-images]
//
// Starts the binary with a temp data dir (tests/e2e/harness.mjs), makes `count` palettes (one
// upload + duplicates, tests/e2e/list_seed.mjs), opens the list, lets infinite scroll load
// every page, then scrolls from the top to the bottom by a fixed step per animation frame and
// records the time between frames (requestAnimationFrame deltas) and the long tasks (> 50 ms,
// PerformanceObserver) on the way. Runs at a desktop (1280×800, four columns) and a phone
// (360×740, one column) viewport. Prints one JSON line per viewport. Needs `npm ci` in tests/e2e.
// --no-images answers every list image request with an error, which separates the cost of
// decoding and painting the images from the cost of the list itself.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, startServer } from '../tests/e2e/harness.mjs';
import { seedPalettes } from '../tests/e2e/list_seed.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.argv[2] || path.join(root, 'build/cc/palettemaker');
const count = Number(process.argv[3] || 1000);
const noImages = process.argv.includes('--no-images');
const image = path.join(root, '../shared/testdata/images/fruits.jpg');
const STEP_PX = 60; // per frame: ~3,600 px/s at 60 Hz, a brisk trackpad fling

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function run(server, viewport) {
  const browser = await launchBrowser({ viewport });
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(60000);
    if (noImages) await page.route(/\/palettes\/\d+\/(image|thumbnail)$/, (route) => route.abort());
    const { slug } = await seedPalettes(browser.context, server.url, { image, count, concurrency: 8 });
    await page.goto(`${server.url}/w/${encodeURIComponent(slug)}`);
    await page.getByTestId('palette-card').first().waitFor();
    const t0 = Date.now();
    while ((await page.getByTestId('palette-list').evaluate((el) => Number(el.dataset.total))) < count) {
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await page.waitForTimeout(50);
    }
    const loadAllMs = Date.now() - t0;
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(1000);

    const r = await page.evaluate(async (step) => {
      const longTasks = [];
      const po = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
      po.observe({ type: 'longtask' });
      const deltas = [];
      let maxCards = 0;
      let maxElements = 0;
      let last = -1;
      let frames = 0;
      await new Promise((resolve) => {
        const frame = (t) => {
          if (last >= 0) deltas.push(t - last);
          last = t;
          if (frames++ % 10 === 0) {
            maxCards = Math.max(maxCards, document.querySelectorAll('[data-testid="palette-card"]').length);
            maxElements = Math.max(maxElements, document.getElementsByTagName('*').length);
          }
          const before = window.scrollY;
          window.scrollBy(0, step);
          if (window.scrollY === before) resolve();
          else requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      });
      await new Promise((r) => setTimeout(r, 100)); // let the observer deliver the last entries
      po.disconnect();
      return { deltas, longTasks, maxCards, maxElements, height: document.documentElement.scrollHeight };
    }, STEP_PX);

    const sorted = r.deltas.slice().sort((a, b) => a - b);
    return {
      viewport: `${viewport.width}x${viewport.height}`,
      palettes: count,
      images: !noImages,
      load_all_pages_ms: loadAllMs,
      scrolled_px: r.height,
      frames: r.deltas.length,
      frame_ms_median: +quantile(sorted, 0.5).toFixed(1),
      frame_ms_p95: +quantile(sorted, 0.95).toFixed(1),
      frame_ms_max: +sorted[sorted.length - 1].toFixed(1),
      long_tasks: r.longTasks.length,
      long_task_ms_total: Math.round(r.longTasks.reduce((a, b) => a + b, 0)),
      max_cards_in_dom: r.maxCards,
      max_elements_in_dom: r.maxElements,
    };
  } finally {
    await browser.stop();
  }
}

const server = await startServer(bin, { env: { PALETTEMAKER_LOG_LEVEL: 'warn' } });
try {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 360, height: 740 },
  ]) {
    console.log(JSON.stringify(await run(server, viewport)));
  }
} finally {
  await server.stop();
}
