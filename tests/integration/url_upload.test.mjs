// Upload by URL: POST /api/v1/t/{ws}/palettes with {url, name?}. Every network peer here is a
// Node server on 127.0.0.1 (the rule for network tests); refusals are proven with loopback
// spellings only. Three servers: the default address policy (loopback refused, the image
// server's port allowed so the address is the only reason), uploads.url_allow_loopback=true
// (fetching works, remote failures), and uploads.url_fetch=false.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';

import { assertError, assertStatus, imagePath, newUser, objectFiles, startServer } from './harness.mjs';

const UPLOAD_MAX = 250000;
const INTERNAL = 'this address points to a private or internal network and cannot be fetched';

// The image server. Counts requests so a test can show a refused URL was never fetched.
function startImageServer() {
  const state = { requests: 0, bigSent: 0, bigClosed: false };
  const server = http.createServer((req, res) => {
    state.requests += 1;
    const url = new URL(req.url, 'http://127.0.0.1');
    const p = url.pathname;
    if (p.startsWith('/img/')) {
      const bytes = fs.readFileSync(imagePath(p.slice(5)));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
      res.end(bytes);
    } else if (p === '/') {
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.end(fs.readFileSync(imagePath('coins.png')));
    } else if (p.startsWith('/redirect/')) {
      // /redirect/N answers N redirects (relative Locations), then the image.
      const n = Number(p.slice(10));
      res.writeHead(302, { Location: n > 1 ? `/redirect/${n - 1}` : '/img/fruits.jpg' });
      res.end('moved');
    } else if (p === '/to-ftp') {
      res.writeHead(301, { Location: `ftp://127.0.0.1:${server.address().port}/fruits.jpg` });
      res.end();
    } else if (p === '/to-unspecified') {
      res.writeHead(302, { Location: `http://0.0.0.0:${server.address().port}/img/fruits.jpg` });
      res.end();
    } else if (p === '/text') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('just some words, not an image at all\n'.repeat(20));
    } else if (p === '/big') {
      // A PNG signature, then far more than the upload limit, with no Content-Length.
      res.writeHead(200, { 'Content-Type': 'image/png' });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      res.write(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      const total = 64 * 1024 * 1024;
      res.on('close', () => {
        state.bigClosed = true;
      });
      const pump = () => {
        while (state.bigSent < total && !res.destroyed) {
          state.bigSent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    } else if (p === '/slow') {
      // Headers and the start of a PNG, then nothing until the client gives up.
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.write(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      state.slowStarted = Date.now();
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('no such image');
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, state, port: server.address().port }));
  });
}

async function stopImageServer(img) {
  if (!img) return;
  img.server.closeAllConnections?.();
  await new Promise((resolve) => img.server.close(resolve));
}

// This machine's host name when /etc/hosts maps it to 127/8 (read from the file, so no DNS
// query leaves the machine); otherwise null.
function loopbackHostName() {
  const name = os.hostname();
  let hosts = '';
  try {
    hosts = fs.readFileSync('/etc/hosts', 'utf8');
  } catch {
    return null;
  }
  for (const line of hosts.split('\n')) {
    const [addr, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (addr && addr.startsWith('127.') && names.includes(name)) return name;
  }
  return null;
}

async function paletteCount(user, ws = user.ws) {
  const res = await user.get(`/api/v1/t/${ws}/palettes?limit=100`);
  assertStatus(res, 200);
  return res.json.palettes.length;
}

describe('upload by URL, default address policy', () => {
  let img;
  let server;
  let user;

  before(async () => {
    img = await startImageServer();
    // The image server's port is allowed: only the address can make these refusals.
    server = await startServer({ env: { PALETTEMAKER_UPLOADS_URL_PORTS: `80,443,${img.port}` } });
    user = await newUser(server.url);
  });
  after(async () => {
    if (server) await server.stop();
    await stopImageServer(img);
  });

  it('refuses every spelling of loopback with 400, fetches nothing and stores nothing', async () => {
    const p = img.port;
    const urls = [
      `http://127.0.0.1:${p}/img/fruits.jpg`,
      `http://127.1:${p}/img/fruits.jpg`,
      `http://2130706433:${p}/img/fruits.jpg`,
      `http://0x7f000001:${p}/img/fruits.jpg`,
      `http://0177.0.0.1:${p}/img/fruits.jpg`,
      `http://[::1]:${p}/img/fruits.jpg`,
      `http://[::ffff:127.0.0.1]:${p}/img/fruits.jpg`,
      `http://[::ffff:7f00:1]:${p}/img/fruits.jpg`,
      `http://localhost:${p}/img/fruits.jpg`,
      `http://LOCALHOST.:${p}/img/fruits.jpg`,
      `http://%31%32%37.0.0.1:${p}/img/fruits.jpg`,
      `http://127.0.0.1:${p}/img/fruits.jpg#@example.com`,
      `http://0.0.0.0:${p}/img/fruits.jpg`,
      'http://127.0.0.1/img/fruits.jpg',
      'http://localhost/',
    ];
    const hostName = loopbackHostName();
    if (hostName) urls.push(`http://${hostName}:${p}/img/fruits.jpg`);
    const objects = objectFiles(server);
    for (const url of urls) {
      const res = await user.post(user.palettesPath(), { url });
      assertError(res, 400, 'invalid_argument', url);
      assert.match(res.json.error.message, new RegExp(INTERNAL), url);
    }
    assert.equal(img.state.requests, 0, 'the image server was never contacted');
    assert.equal(await paletteCount(user), 0);
    if (objects) assert.deepEqual(objectFiles(server), objects, 'no object written');
  });

  it('refuses credentials, backslashes, whitespace and other schemes with a reason', async () => {
    const p = img.port;
    const cases = [
      [`http://evil@127.0.0.1:${p}/img/fruits.jpg`, /user name or password/],
      [`http://user:pw@localhost:${p}/`, /user name or password/],
      [`http://127.0.0.1:${p}\\@example.com/img/fruits.jpg`, /backslashes/],
      [`http://127.0.0.1 :${p}/img/fruits.jpg`, /spaces or control characters/],
      [` http://127.0.0.1:${p}/img/fruits.jpg`, /spaces or control characters/],
      [`ftp://127.0.0.1:${p}/fruits.jpg`, /only http:\/\/ and https:\/\//],
      [`file:///etc/passwd`, /only http:\/\/ and https:\/\//],
      ['not a url', /spaces/],
      ['127.0.0.1/img/fruits.jpg', /not valid/],
      [`http://127.0.0.1:8/img/fruits.jpg`, /port 8; only ports 80, 443 and \d+ can be fetched/],
    ];
    for (const [url, why] of cases) {
      const res = await user.post(user.palettesPath(), { url });
      assertError(res, 400, 'invalid_argument', url);
      assert.match(res.json.error.message, why, url);
    }
    assert.equal(img.state.requests, 0);
    assert.equal(await paletteCount(user), 0);
  });
});

describe('upload by URL from a loopback test server (uploads.url_allow_loopback)', () => {
  let img;
  let server;
  let owner;
  let base;
  let closedPort; // nothing listens there

  before(async () => {
    img = await startImageServer();
    const probe = http.createServer();
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));
    server = await startServer({
      env: {
        PALETTEMAKER_UPLOADS_URL_ALLOW_LOOPBACK: 'true',
        PALETTEMAKER_UPLOADS_URL_PORTS: `${img.port},${closedPort}`,
        PALETTEMAKER_UPLOADS_URL_TIMEOUT_S: '2',
        PALETTEMAKER_LIMITS_UPLOAD_MAX_BYTES: String(UPLOAD_MAX),
      },
    });
    owner = await newUser(server.url);
    base = owner.palettesPath();
  });
  after(async () => {
    if (server) await server.stop();
    await stopImageServer(img);
  });

  const at = (path) => `http://127.0.0.1:${img.port}${path}`;

  // Runs `fn` and checks it stored nothing: same row count, same object files.
  async function storesNothing(fn) {
    const rows = await paletteCount(owner);
    const objs = objectFiles(server);
    await fn();
    assert.equal(await paletteCount(owner), rows, 'no row left behind');
    if (objs) assert.deepEqual(objectFiles(server), objs, 'no object left behind');
  }

  it('fetches the image, names the palette after the file and stores the same bytes', async () => {
    const res = await owner.post(base, { url: at('/img/fruits.jpg') });
    assertStatus(res, 201);
    const p = res.json.palette;
    assert.equal(p.name, 'fruits');
    assert.equal(p.image.format, 'jpeg');
    assert.ok(p.colors.length >= 2);
    const stored = await owner.get(`${base}/${p.id}/image`);
    assertStatus(stored, 200);
    assert.ok(stored.bytes.equals(fs.readFileSync(imagePath('fruits.jpg'))), 'stored bytes equal the served bytes');
  });

  it('takes an explicit name; without a path segment the name is the host; localhost is admitted too', async () => {
    const named = await owner.post(base, { url: at('/img/coins.png'), name: 'Old coins' });
    assertStatus(named, 201);
    assert.equal(named.json.palette.name, 'Old coins');
    const root = await owner.post(base, { url: at('/') });
    assertStatus(root, 201);
    assert.equal(root.json.palette.name, '127.0.0.1');
    const local = await owner.post(base, { url: `http://localhost:${img.port}/img/fruits.webp` });
    assertStatus(local, 201);
    assert.equal(local.json.palette.image.format, 'webp');
  });

  it('follows up to 3 redirects and refuses the 4th with 502', async () => {
    const three = await owner.post(base, { url: at('/redirect/3') });
    assertStatus(three, 201);
    assert.equal(three.json.palette.name, '3', 'named after the URL asked for');
    await storesNothing(async () => {
      const four = await owner.post(base, { url: at('/redirect/4') });
      assertError(four, 502, 'fetch_failed');
      assert.match(four.json.error.message, /redirected more than 3 times/);
    });
  });

  it('refuses a redirect to another scheme or to 0.0.0.0, even with loopback allowed', async () => {
    await storesNothing(async () => {
      const ftp = await owner.post(base, { url: at('/to-ftp') });
      assertError(ftp, 400, 'invalid_argument');
      assert.match(ftp.json.error.message, /redirected to a ftp: address; only http and https can be fetched/);
      const zero = await owner.post(base, { url: at('/to-unspecified') });
      assertError(zero, 400, 'invalid_argument');
      assert.match(zero.json.error.message, new RegExp(INTERNAL));
    });
  });

  it('a 404 from the remote server is 502 fetch_failed naming the status', async () => {
    await storesNothing(async () => {
      const res = await owner.post(base, { url: at('/missing.jpg') });
      assertError(res, 502, 'fetch_failed');
      assert.match(res.json.error.message, /answered 404/);
    });
  });

  it('a refused connection is 502 fetch_failed naming the problem', async () => {
    await storesNothing(async () => {
      const res = await owner.post(base, { url: `http://127.0.0.1:${closedPort}/img/fruits.jpg` });
      assertError(res, 502, 'fetch_failed');
      assert.match(res.json.error.message, new RegExp(`could not connect to 127\\.0\\.0\\.1 on port ${closedPort}`));
    });
  });

  it('a body past the upload limit is 413, aborted early, and stores nothing', async () => {
    await storesNothing(async () => {
      const res = await owner.post(base, { url: at('/big') });
      assertError(res, 413, 'payload_too_large');
      assert.match(res.json.error.message, new RegExp(`upload limit of ${UPLOAD_MAX} bytes`));
    });
    // The transfer was cut off: far less than the 64 MiB on offer left the image server.
    const deadline = Date.now() + 5000;
    while (!img.state.bigClosed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(img.state.bigClosed, 'the server-side stream was closed');
    assert.ok(img.state.bigSent < 32 * 1024 * 1024, `sent ${img.state.bigSent} bytes`);
  });

  it('a server that stalls is a 502 timeout after uploads.url_timeout_s', async () => {
    await storesNothing(async () => {
      const t0 = Date.now();
      const res = await owner.post(base, { url: at('/slow') });
      assertError(res, 502, 'fetch_failed');
      assert.match(res.json.error.message, /timed out \(the limit is 2 s\)/);
      const took = Date.now() - t0;
      assert.ok(took >= 1500 && took < 10000, `took ${took} ms`);
    });
  });

  it('a body that is not an image is 415 as for a file', async () => {
    await storesNothing(async () => {
      assertError(await owner.post(base, { url: at('/text') }), 415, 'unsupported_media_type');
    });
  });

  it('a viewer is 403 and a non-member 404, and neither makes the server fetch', async () => {
    const slug = (await owner.post('/api/v1/workspaces', { name: 'URL team' })).json.workspace.slug;
    const viewer = await newUser(server.url);
    const inv = await owner.post(`/api/v1/t/${slug}/invitations`, { email: viewer.email, role: 'viewer' });
    assertStatus(inv, 201);
    assertStatus(await viewer.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200);
    const stranger = await newUser(server.url);
    const before = img.state.requests;
    const path = `/api/v1/t/${slug}/palettes`;
    assertError(await viewer.post(path, { url: at('/img/fruits.jpg') }), 403, 'permission_denied');
    assertError(await stranger.post(path, { url: at('/img/fruits.jpg') }), 404, 'not_found');
    assert.equal(img.state.requests, before, 'nothing fetched');
    assert.equal(await paletteCount(owner, slug), 0);
    // The stranger's own workspace is untouched too.
    assert.equal(await paletteCount(stranger), 0);
  });

  it('bad bodies are 400: malformed JSON, missing or non-string url, unknown fields, long names', async () => {
    await storesNothing(async () => {
      const raw = await owner.request('POST', base, { body: '{"url":', headers: { 'Content-Type': 'application/json' } });
      assertError(raw, 400, 'invalid_argument', 'malformed JSON');
      const missing = await owner.post(base, {});
      assertError(missing, 400, 'invalid_argument', 'missing url');
      assert.match(missing.json.error.message, /url is required/);
      assertError(await owner.post(base, { url: 5 }), 400, 'invalid_argument', 'url not a string');
      assertError(await owner.post(base, { url: '' }), 400, 'invalid_argument', 'empty url');
      const unknown = await owner.post(base, { url: at('/img/fruits.jpg'), tags: ['x'] });
      assertError(unknown, 400, 'invalid_argument', 'unknown field');
      assert.match(unknown.json.error.message, /tags/);
      assertError(await owner.post(base, { url: at('/img/fruits.jpg'), name: 7 }), 400, 'invalid_argument');
      assertError(await owner.post(base, { url: at('/img/fruits.jpg'), name: 'x'.repeat(101) }), 400,
        'invalid_argument', 'name too long');
      assertError(await owner.post(base, [at('/img/fruits.jpg')]), 400, 'invalid_argument', 'array body');
    });
  });
});

describe('upload by URL turned off (uploads.url_fetch=false)', () => {
  let img;
  let server;

  before(async () => {
    img = await startImageServer();
    server = await startServer({
      env: {
        PALETTEMAKER_UPLOADS_URL_FETCH: 'false',
        PALETTEMAKER_UPLOADS_URL_ALLOW_LOOPBACK: 'true',
        PALETTEMAKER_UPLOADS_URL_PORTS: String(img.port),
      },
    });
  });
  after(async () => {
    if (server) await server.stop();
    await stopImageServer(img);
  });

  it('refuses with a message that says so, and fetches nothing; file uploads still work', async () => {
    const user = await newUser(server.url);
    const res = await user.post(user.palettesPath(), { url: `http://127.0.0.1:${img.port}/img/fruits.jpg` });
    assertError(res, 400, 'invalid_argument');
    assert.match(res.json.error.message, /does not upload images from a URL/);
    assert.equal(img.state.requests, 0);
    assertStatus(await user.upload(imagePath('fruits.jpg'), 'fruits.jpg'), 201);
  });
});
