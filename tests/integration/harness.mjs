// Integration-test harness: starts the real `palettemaker serve` binary on a loopback port with a
// fresh data directory, and gives tests a small cookie-jar HTTP client plus assertion helpers.
//
// Runs on Node 18.20 and Node 20 with no npm dependencies (global fetch, FormData, Blob only;
// no `File`, no `fs.readdir({recursive})`, no `zlib.crc32`).
//
// Environment:
//   PM_TEST_BIN        path to the binary under test (required)
//   PM_TESTDATA_DIR         the shared test data (images/...); default ../../../shared/testdata
//   PM_TEST_BACKEND         name of the backend pair under test (informational; default sqlite)
//   PM_TEST_SERVER_ENV_X=v  passed to every server started here as X=v (prefix stripped), e.g.
//                           PM_TEST_SERVER_ENV_PALETTEMAKER_DATABASE_URL=postgres://...
//                           PM_TEST_SERVER_ENV_PALETTEMAKER_STORAGE_URL=s3://...
//   PM_TEST_KEEP_DATA=1     keep the temp data dirs (for debugging a failure)

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const BIN = process.env.PM_TEST_BIN || '';
export const TESTDATA_DIR =
  process.env.PM_TESTDATA_DIR || path.resolve(HERE, '../../../shared/testdata');
export const IMAGES_DIR = path.join(TESTDATA_DIR, 'images');
export const BACKEND = process.env.PM_TEST_BACKEND || 'sqlite';

const SERVER_ENV_PREFIX = 'PM_TEST_SERVER_ENV_';
const START_DEADLINE_MS = 20_000;
const STOP_GRACE_MS = 5_000;

export function requireBin() {
  assert.ok(BIN, 'PM_TEST_BIN must point to the palettemaker binary');
  assert.ok(fs.existsSync(BIN), `PM_TEST_BIN=${BIN} does not exist`);
  return BIN;
}

export function imagePath(name) {
  return path.join(IMAGES_DIR, name);
}

// ---------------------------------------------------------------------------------------------
// Process management

const liveChildren = new Set();
const liveTempDirs = new Set();

// Last line of defence if a test file dies without running its `after` hooks.
process.on('exit', () => {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (!process.env.PM_TEST_KEEP_DATA) {
    for (const dir of liveTempDirs) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
  }
});

// The environment a child process gets: the parent's, minus any PALETTEMAKER_* settings (so the
// tests are hermetic), plus PM_TEST_SERVER_ENV_* (prefix stripped), plus what the test passes.
export function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('PALETTEMAKER_')) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith(SERVER_ENV_PREFIX) && k.length > SERVER_ENV_PREFIX.length) {
      env[k.slice(SERVER_ENV_PREFIX.length)] = v;
    }
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined || v === null) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

export async function makeTempDir(prefix = 'pm-it-') {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  liveTempDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir) {
  liveTempDirs.delete(dir);
  if (process.env.PM_TEST_KEEP_DATA) return;
  await fsp.rm(dir, { recursive: true, force: true });
}

function waitForExit(child, ms) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, ms);
    function onExit() {
      clearTimeout(timer);
      resolve(true);
    }
    child.once('exit', onExit);
  });
}

// Starts `palettemaker serve`. Options:
//   env: extra environment for the server (e.g. {PALETTEMAKER_LIMITS_UPLOAD_MAX_BYTES: 200000})
//   args: extra arguments after `serve`
// Returns {url, port, dataDir, objectsDir, child, stop(), stderrText(), stdoutText()}.
// objectsDir is null when the storage backend is not the default local directory.
export async function startServer({ env = {}, args = [] } = {}) {
  requireBin();
  const dataDir = await makeTempDir('pm-it-data-');
  const serverEnv = childEnv({
    PALETTEMAKER_SERVER_LISTEN: '127.0.0.1:0',
    PALETTEMAKER_DATA_DIR: dataDir,
    // No drain grace unless a test asks for it, so stopping a test server is immediate.
    PALETTEMAKER_SERVER_DRAIN_GRACE_S: '0',
    ...env,
  });
  const child = spawn(BIN, ['serve', ...args], {
    cwd: dataDir,
    env: serverEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 4_000_000) stderr = stderr.slice(-2_000_000);
  });

  // stop(): SIGTERM, wait up to 5 s, then SIGKILL; removes the data dir. Resolves
  // {code, signal, killed, exitedEarly}: exitedEarly means the server had died before stop().
  let stopped = null;
  const stop = () => {
    if (!stopped) stopped = doStop();
    return stopped;
  };
  const doStop = async () => {
    const exitedEarly = child.exitCode !== null || child.signalCode !== null;
    let killed = false;
    if (!exitedEarly) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, STOP_GRACE_MS))) {
        killed = true;
        child.kill('SIGKILL');
        await waitForExit(child, STOP_GRACE_MS);
      }
    }
    liveChildren.delete(child);
    await removeTempDir(dataDir);
    return { code: child.exitCode, signal: child.signalCode, killed, exitedEarly };
  };

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      const re = /palettemaker listening on (http:\/\/127\.0\.0\.1:(\d+))/;
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`server did not report listening within ${START_DEADLINE_MS} ms\n` +
          `stdout:\n${stdout}\nstderr:\n${stderr}`));
      }, START_DEADLINE_MS);
      function onData(d) {
        stdout += d;
        const m = re.exec(stdout);
        if (m) {
          cleanup();
          resolve(m[1]);
        }
      }
      function onExit(code, signal) {
        cleanup();
        reject(new Error(`server exited before listening (code ${code}, signal ${signal})\n` +
          `stdout:\n${stdout}\nstderr:\n${stderr}`));
      }
      function onError(err) {
        cleanup();
        reject(err);
      }
      function cleanup() {
        clearTimeout(timer);
        child.stdout.removeListener('data', onData);
        child.removeListener('exit', onExit);
        child.removeListener('error', onError);
      }
      child.stdout.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
    });
  } catch (err) {
    await stop();
    throw err;
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout.on('data', (d) => {
    stdout += d;
    if (stdout.length > 4_000_000) stdout = stdout.slice(-2_000_000);
  });

  const storageOverridden = Boolean(serverEnv.PALETTEMAKER_STORAGE_URL);
  const assertAlive = () => {
    assert.ok(child.exitCode === null && child.signalCode === null,
      `server died (code ${child.exitCode}, signal ${child.signalCode}); stderr tail:\n${stderr.slice(-4000)}`);
  };
  return {
    assertAlive,
    url,
    port: Number(new URL(url).port),
    dataDir,
    objectsDir: storageOverridden ? null : path.join(dataDir, 'objects'),
    child,
    stop,
    stderrText: () => stderr,
    stdoutText: () => stdout,
  };
}

// Runs the binary with `args` to completion (killed after timeoutMs). Returns
// {code, signal, stdout, stderr, timedOut}. Runs in a fresh temp dir as cwd.
export async function runCli(args, { env = {}, timeoutMs = 30_000 } = {}) {
  requireBin();
  const cwd = await makeTempDir('pm-it-cli-');
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(BIN, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      liveChildren.add(child);
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        liveChildren.delete(child);
        reject(err);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        liveChildren.delete(child);
        resolve({ code, signal, stdout, stderr, timedOut });
      });
    });
  } finally {
    await removeTempDir(cwd);
  }
}

// ---------------------------------------------------------------------------------------------
// Object-store inspection (local file storage only)

// Every regular file under dir, as paths relative to dir, sorted. Empty directories (such as an
// empty `.tmp`) contribute nothing; files inside `.tmp` do count (a leaked partial upload).
export function listFilesRecursive(dir) {
  const out = [];
  const walk = (d, rel) => {
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (err) {
      if (err.code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

// The stored objects of a server, or null when its storage is not a local directory.
export function objectFiles(server) {
  if (!server.objectsDir) return null;
  return listFilesRecursive(server.objectsDir);
}

// ---------------------------------------------------------------------------------------------
// HTTP

export class Response_ {
  constructor(res, buf) {
    this.res = res;
    this.status = res.status;
    this.headers = res.headers;
    this.bytes = buf;
    this._json = undefined;
  }
  get text() {
    return this.bytes.toString('utf8');
  }
  get json() {
    if (this._json === undefined) {
      try {
        this._json = JSON.parse(this.text);
      } catch (err) {
        throw new Error(`response (${this.status}) is not JSON: ${this.text.slice(0, 500)}`);
      }
    }
    return this._json;
  }
  header(name) {
    return this.headers.get(name);
  }
  setCookies() {
    return getSetCookies(this.headers);
  }
  describe() {
    return `${this.status} ${this.headers.get('content-type') || ''} ${this.text.slice(0, 400)}`;
  }
}

export function getSetCookies(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const joined = headers.get('set-cookie');
  if (!joined) return [];
  // Split "a=1; Path=/, b=2; Expires=Thu, 01 Jan 1970 00:00:00 GMT" only before "name=".
  return joined.split(/,\s*(?=[A-Za-z0-9!#$%&'*+.^_`|~-]+=)/);
}

// Parses one Set-Cookie header into {name, value, attrs} (attrs keys lower-cased).
export function parseSetCookie(line) {
  const parts = line.split(';').map((s) => s.trim());
  const first = parts.shift();
  const eq = first.indexOf('=');
  const cookie = { name: first.slice(0, eq), value: first.slice(eq + 1), attrs: {} };
  for (const p of parts) {
    if (!p) continue;
    const i = p.indexOf('=');
    if (i < 0) cookie.attrs[p.toLowerCase()] = true;
    else cookie.attrs[p.slice(0, i).toLowerCase()] = p.slice(i + 1);
  }
  return cookie;
}

function isExpiringCookie(c) {
  if (c.attrs['max-age'] !== undefined && Number(c.attrs['max-age']) <= 0) return true;
  if (c.attrs.expires && Date.parse(c.attrs.expires) <= Date.now()) return true;
  return false;
}

// A fetch wrapper that reads the whole body and never follows redirects.
export async function rawFetch(url, init = {}) {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const buf = Buffer.from(await res.arrayBuffer());
  return new Response_(res, buf);
}

// A client with a cookie jar. Sends X-CSRF-Token (from pm_csrf) on non-GET/HEAD/OPTIONS requests
// unless called with {csrf: false} (or {csrf: '<explicit value>'}).
export class Client {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.cookies = new Map();
    this.user = null;
    this.workspaces = null;
  }

  get ws() {
    return this.workspaces && this.workspaces[0] ? this.workspaces[0].slug : undefined;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  absorbCookies(res) {
    for (const line of res.setCookies()) {
      const c = parseSetCookie(line);
      if (!c.name) continue;
      if (isExpiringCookie(c) || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  // opts: {json, body, headers, csrf, raw}; json is serialised with Content-Type
  // application/json; body is sent as is.
  async request(method, urlPath, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    const cookie = this.cookieHeader();
    if (cookie && headers.Cookie === undefined && headers.cookie === undefined) {
      headers.Cookie = cookie;
    }
    const safe = ['GET', 'HEAD', 'OPTIONS'].includes(method);
    if (typeof opts.csrf === 'string') {
      headers['X-CSRF-Token'] = opts.csrf;
    } else if (!safe && opts.csrf !== false && this.cookies.has('pm_csrf')) {
      headers['X-CSRF-Token'] = this.cookies.get('pm_csrf');
    }
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
    }
    const res = await rawFetch(this.baseUrl + urlPath, { method, headers, body });
    this.absorbCookies(res);
    return res;
  }

  get(p, opts) {
    return this.request('GET', p, opts);
  }
  post(p, json, opts = {}) {
    return this.request('POST', p, json === undefined ? opts : { ...opts, json });
  }
  patch(p, json, opts = {}) {
    return this.request('PATCH', p, json === undefined ? opts : { ...opts, json });
  }
  del(p, opts) {
    return this.request('DELETE', p, opts);
  }

  async signup(body) {
    const res = await this.post('/api/v1/auth/signup', body);
    if (res.status === 201) this.remember(res.json);
    return res;
  }

  async login(body) {
    const res = await this.post('/api/v1/auth/login', body);
    if (res.status === 200) this.remember(res.json);
    return res;
  }

  remember(body) {
    this.user = body.user;
    this.workspaces = body.workspaces;
  }

  // Multipart upload of a file path or Buffer. opts: {ws, name, contentType, csrf, field}.
  async upload(fileOrBuffer, filename, opts = {}) {
    const bytes = Buffer.isBuffer(fileOrBuffer) ? fileOrBuffer : fs.readFileSync(fileOrBuffer);
    const name = filename || (Buffer.isBuffer(fileOrBuffer) ? 'upload.bin' : path.basename(fileOrBuffer));
    const fd = new FormData();
    if (opts.name !== undefined) fd.append('name', opts.name);
    const type = opts.contentType || mimeForName(name);
    fd.append(opts.field || 'file', new Blob([bytes], { type }), name);
    const ws = opts.ws || this.ws;
    return this.request('POST', `/api/v1/t/${ws}/palettes`, { body: fd, csrf: opts.csrf });
  }

  palettesPath(ws = this.ws) {
    return `/api/v1/t/${ws}/palettes`;
  }
}

const MIME_BY_EXT = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.avif': 'image/avif',
};
const FORMAT_BY_EXT = {
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.png': 'png',
  '.webp': 'webp',
  '.gif': 'gif',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.avif': 'avif',
};

// The image formats this build decodes, from `palettemaker version` ("image formats: jpeg png
// ..."): the static release build has no AVIF (libavif is shared-only on Debian).
let decodable = null;
export async function decodableFormats() {
  if (!decodable) {
    const r = await runCli(['version']);
    assert.equal(r.code, 0, r.stderr);
    const line = r.stdout.match(/^image formats: (.+)$/m);
    assert.ok(line, `version prints the image formats: ${r.stdout}`);
    decodable = line[1].split(' ');
    assert.ok(['jpeg', 'png', 'webp', 'gif', 'tiff'].every((f) => decodable.includes(f)), line[0]);
  }
  return decodable;
}

export function mimeForName(name) {
  return MIME_BY_EXT[path.extname(name).toLowerCase()] || 'application/octet-stream';
}
export function formatForName(name) {
  return FORMAT_BY_EXT[path.extname(name).toLowerCase()];
}

let emailCounter = 0;
export function uniqueEmail(tag = 'user') {
  emailCounter += 1;
  const rnd = crypto.randomBytes(4).toString('hex');
  return `${tag}-${process.pid}-${emailCounter}-${rnd}@example.com`;
}

export const PASSWORD = 'correct horse battery staple';

// Signs up a fresh user on a new Client. Returns the client (with .user, .workspaces, .ws).
export async function newUser(baseUrl, overrides = {}) {
  const client = new Client(baseUrl);
  const email = overrides.email || uniqueEmail();
  const res = await client.signup({ email, password: PASSWORD, ...overrides });
  assert.equal(res.status, 201, `signup failed: ${res.describe()}`);
  client.email = email;
  client.password = overrides.password || PASSWORD;
  return client;
}

// Low-level HTTP via node:http, for what fetch will not send (chunked bodies, bad framing).
// chunks: array of Buffers/strings written one by one; without a Content-Length header node
// sends them with Transfer-Encoding: chunked. Resolves {status, headers, text, json()} or, if the
// server closed the connection before answering, rejects.
export function rawHttp(baseUrl, { method = 'GET', path: p = '/', headers = {}, chunks = [] } = {}) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method, path: p, headers, agent: false },
      (res) => {
        const bufs = [];
        res.on('data', (d) => bufs.push(d));
        res.on('end', () => {
          const buf = Buffer.concat(bufs);
          const hdrs = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) v.forEach((x) => hdrs.append(k, x));
            else if (v !== undefined) hdrs.set(k, v);
          }
          resolve(new Response_({ status: res.statusCode, headers: hdrs }, buf));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    // A server that answers early (411/413) may close before we finish writing: that is fine as
    // long as the response arrived, so swallow write errors after a response.
    (async () => {
      try {
        for (const c of chunks) {
          if (!req.write(c)) await new Promise((r) => req.once('drain', r));
        }
        req.end();
      } catch {
        /* reported through 'error' */
      }
    })();
  });
}

// One request over a raw TCP socket, for framing that fetch will not send (chunked bodies).
// Writes `head` (request line + headers, CRLF-terminated, blank line included), then waits for
// the server's answer; only if none has started within `bodyAfterMs` does it send `body` (a
// Buffer or string, already framed). A server that refuses the request on its headers therefore
// never sees a body byte, so its immediate close cannot reset the connection under the response.
// Resolves a Response_ once the server closes the connection or the response is complete.
export function rawExchange(baseUrl, head, body = '', { bodyAfterMs = 2_000, deadlineMs = 20_000 } = {}) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    const bufs = [];
    let bodyTimer = null;
    let done = false;
    const deadline = setTimeout(() => finish(new Error(`no complete response within ${deadlineMs} ms`)), deadlineMs);
    function finish(err) {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(bodyTimer);
      sock.destroy();
      const raw = Buffer.concat(bufs);
      if (err && raw.length === 0) {
        reject(err);
        return;
      }
      try {
        resolve(parseRawResponse(raw));
      } catch (e) {
        reject(err || e);
      }
    }
    sock.on('connect', () => {
      sock.write(head);
      bodyTimer = setTimeout(() => {
        if (bufs.length === 0 && body.length > 0) sock.write(body);
      }, bodyAfterMs);
    });
    sock.on('data', (d) => {
      bufs.push(d);
      if (isCompleteResponse(Buffer.concat(bufs))) finish();
    });
    sock.on('end', () => finish());
    sock.on('error', (err) => finish(err));
  });
}

function splitHead(raw) {
  const i = raw.indexOf('\r\n\r\n');
  if (i < 0) return null;
  const lines = raw.subarray(0, i).toString('latin1').split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = new Headers();
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    if (c > 0) headers.append(l.slice(0, c).trim(), l.slice(c + 1).trim());
  }
  return { status, headers, body: raw.subarray(i + 4) };
}

function isCompleteResponse(raw) {
  const h = splitHead(raw);
  if (!h) return false;
  if (h.status === 100) return false;
  const len = h.headers.get('content-length');
  return len !== null && h.body.length >= Number(len);
}

function parseRawResponse(raw) {
  let h = splitHead(raw);
  if (!h) throw new Error(`incomplete HTTP response: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  while (h.status === 100) h = splitHead(h.body);
  const len = h.headers.get('content-length');
  const body = len !== null ? h.body.subarray(0, Number(len)) : h.body;
  return new Response_({ status: h.status, headers: h.headers }, body);
}

// ---------------------------------------------------------------------------------------------
// Assertions

// Checks the JSON error shape {"error":{"code","message","request_id"}} with request_id equal
// to the X-Request-Id response header.
export function assertError(res, status, code, context = '') {
  const where = context ? ` (${context})` : '';
  assert.equal(res.status, status, `expected ${status} ${code}${where}, got ${res.describe()}`);
  const ct = res.headers.get('content-type') || '';
  assert.match(ct, /^application\/json\b/i, `error Content-Type${where}: ${ct}`);
  const body = res.json;
  assert.ok(body && typeof body === 'object' && body.error && typeof body.error === 'object',
    `error body shape${where}: ${res.text}`);
  assert.equal(body.error.code, code, `error code${where}: ${res.text}`);
  assert.equal(typeof body.error.message, 'string', `error.message${where}`);
  assert.ok(body.error.message.trim().length > 0, `error.message empty${where}`);
  assert.equal(typeof body.error.request_id, 'string', `error.request_id${where}`);
  assert.ok(body.error.request_id.length > 0, `error.request_id empty${where}`);
  assert.equal(body.error.request_id, res.headers.get('x-request-id'),
    `error.request_id must equal X-Request-Id${where}`);
  return body.error;
}

export function assertStatus(res, status, context = '') {
  assert.equal(res.status, status,
    `expected ${status}${context ? ` (${context})` : ''}, got ${res.describe()}`);
}

export const HEX_COLOR = /^#[0-9a-f]{6}$/;

export function expectedLabels(n) {
  // A..Z, then AA, AB, ... (only A..T are reachable with k <= 20).
  const out = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    let x = i;
    do {
      s = String.fromCharCode(65 + (x % 26)) + s;
      x = Math.floor(x / 26) - 1;
    } while (x >= 0);
    out.push(s);
  }
  return out;
}

// Checks {colors, labels, coverage} of a palette or an extract response.
export function assertColorSet(obj, { maxK } = {}) {
  assert.ok(Array.isArray(obj.colors), `colors must be an array: ${JSON.stringify(obj)}`);
  assert.ok(obj.colors.length >= 1, 'at least one colour');
  if (maxK !== undefined) assert.ok(obj.colors.length <= maxK, `${obj.colors.length} colours > k=${maxK}`);
  for (const c of obj.colors) assert.match(c, HEX_COLOR);
  assert.deepEqual(obj.labels, expectedLabels(obj.colors.length), 'labels A.. matching colours');
  assert.ok(Array.isArray(obj.coverage), 'coverage must be an array');
  assert.equal(obj.coverage.length, obj.colors.length, 'coverage length');
  let sum = 0;
  for (const c of obj.coverage) {
    assert.equal(typeof c, 'number');
    assert.ok(c >= 0 && c <= 1, `coverage ${c} out of [0,1]`);
    sum += c;
  }
  assert.ok(sum <= 1.0001, `coverage sums to ${sum} > 1`);
  assert.ok(Array.isArray(obj.region_colors), 'region_colors must be an array');
}

export const ISO_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export function sha256Hex(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Crafted images

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

// A small, valid-looking PNG whose header claims width x height (RGB, 8 bit). The pixel data is
// a tiny zlib stream, so a decoder that checks limits before decoding rejects it cheaply.
export async function pngWithDimensions(width, height) {
  const zlib = await import('node:zlib');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const idat = zlib.deflateSync(Buffer.alloc(1 + width * 3 > 65536 ? 65536 : 1 + width * 3));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// Runs one SQL statement on the server's database inside tenant `tenantId` (for what the API
// cannot do, e.g. making an invitation or a token expire): sqlite3 on the server's file, or psql
// as the serving role with app.tenant_id set, so Row-Level Security applies.
// (scripts/install-deps.sh test installs both tools.)
export function sqlInTenant(server, tenantId, sql) {
  const pgUrl = process.env.PM_TEST_SERVER_ENV_PALETTEMAKER_DATABASE_URL;
  const [tool, args] = pgUrl && pgUrl.startsWith('postgres')
    // One -c string is one transaction, so the local setting holds for the statement.
    ? ['psql', [pgUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c',
      `SELECT set_config('app.tenant_id', '${Number(tenantId)}', true); ${sql};`]]
    : ['sqlite3', [path.join(server.dataDir, 'palettemaker.db'), '.timeout 5000', sql]];
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`could not run SQL with ${tool}: ` +
      `${err.code === 'ENOENT' ? `${tool} is not installed` : String(err.stderr || err.message)}`);
  }
}
