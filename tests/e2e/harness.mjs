// Shared by web.test.mjs and scripts/screenshot.mjs: start the real palettemaker binary on a
// loopback port with a throw-away data dir, and Debian's chromium through playwright-core with
// a throw-away profile. Everything started here is stopped and deleted by the returned stop().
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** playwright-core's chromium, resolved from tests/e2e/node_modules (never a global install). */
export function loadChromium() {
  const require = createRequire(path.join(E2E_DIR, 'package.json'));
  try {
    return require('playwright-core').chromium;
  } catch (e) {
    throw new Error(
      `playwright-core is not installed in ${E2E_DIR}/node_modules: run npm ci in tests/e2e ` +
        `(cd ${E2E_DIR} && npm ci). Cause: ${e && e.message}`,
    );
  }
}

export function chromiumPath() {
  const p = process.env.PM_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(p)) {
    throw new Error(`Chromium not found at ${p}: apt-get install chromium (or set PM_CHROMIUM)`);
  }
  return p;
}

/** Keeps the last `max` characters written to it. */
class Tail {
  constructor(max = 16384) {
    this.max = max;
    this.text = '';
  }
  push(chunk) {
    this.text = (this.text + chunk).slice(-this.max);
  }
}

/**
 * Starts `bin serve` with PALETTEMAKER_SERVER_LISTEN=127.0.0.1:0 and a fresh
 * PALETTEMAKER_DATA_DIR, waits (up to timeoutMs) for the line
 * "palettemaker listening on http://127.0.0.1:PORT" and returns
 * {url, stop(), logs(): string}. On timeout or early exit it rejects with the captured stderr.
 */
export async function startServer(bin, { timeoutMs = 20000, env = {} } = {}) {
  if (!bin) throw new Error('PM_TEST_BIN is not set: point it at the palettemaker binary');
  if (!fs.existsSync(bin)) throw new Error(`palettemaker binary not found at ${bin}: build it first`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-e2e-data-'));
  const stdout = new Tail();
  const stderr = new Tail();
  // The server refuses unknown PALETTEMAKER_* variables; pass only what the test sets.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('PALETTEMAKER_') && k !== 'PM_TEST_BIN'));
  const child = spawn(path.resolve(bin), ['serve'], {
    env: {
      ...inherited,
      PALETTEMAKER_SERVER_LISTEN: '127.0.0.1:0',
      PALETTEMAKER_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  // Killed with us if the test process dies before stop() runs.
  const onExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', onExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    if (!exited) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const logs = () => `--- server stdout (tail) ---\n${stdout.text}\n--- server stderr (tail) ---\n${stderr.text}`;

  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      reject(new Error(`palettemaker did not print "palettemaker listening on ..." within ${timeoutMs} ms\n${logs()}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout.push(chunk);
      buf += chunk;
      const m = /palettemaker listening on (https?:\/\/[^\s]+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        buf = '';
        resolve(m[1].replace(/\/+$/, ''));
      }
    });
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${bin}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`palettemaker exited (code ${code}, signal ${signal}) before listening\n${logs()}`));
    });
  }).catch(async (e) => {
    await stop();
    throw e;
  });

  return { url, stop, logs, dataDir };
}

/**
 * Launches chromium with a fresh temp profile. Returns {context, stop()}; stop() closes the
 * browser and deletes the profile.
 */
export async function launchBrowser({ viewport = { width: 1280, height: 800 }, colorScheme = 'light', acceptDownloads = false } = {}) {
  const chromium = loadChromium();
  const executablePath = chromiumPath();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-e2e-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      colorScheme,
      acceptDownloads,
      timeout: 30000,
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      await context.close();
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  };
  return { context, stop };
}

/** The cookies' CSRF value for API calls made from Node with the page's context. */
export async function csrfFrom(context, url) {
  const cookies = await context.cookies(url);
  const c = cookies.find((x) => x.name === 'pm_csrf');
  return c ? c.value : '';
}

/**
 * Where the palette image itself is drawn inside its <img> box (object-fit: contain letterboxes
 * it), in page coordinates: {x, y, width, height}.
 */
export async function drawnImage(page, testId = 'palette-image') {
  const img = page.getByTestId(testId);
  const box = await img.boundingBox();
  const nat = await img.evaluate((i) => ({ w: i.naturalWidth, h: i.naturalHeight }));
  const scale = Math.min(box.width / nat.w, box.height / nat.h);
  const width = nat.w * scale;
  const height = nat.h * scale;
  return { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height };
}

/**
 * Drops the file at `file` (sent as `name`, MIME `type`) on the element `[data-testid=testId]`:
 * the DataTransfer is built inside the page and dragenter, dragover and drop are dispatched.
 */
export async function dropFile(page, file, { name = path.basename(file), type, testId = 'dropzone' }) {
  const b64 = fs.readFileSync(file).toString('base64');
  await page.evaluate(
    ({ b64, name, type, testId }) => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type }));
      const zone = document.querySelector(`[data-testid="${testId}"]`);
      for (const t of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(t, { bubbles: true, cancelable: true, dataTransfer: dt }));
      }
    },
    { b64, name, type, testId },
  );
}
