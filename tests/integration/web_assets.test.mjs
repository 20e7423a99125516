// The embedded web app is sent compressed: Brotli or gzip copies made at build time, chosen by
// Accept-Encoding (q=0 respected; identity otherwise), with Vary: Accept-Encoding, the original
// file's Content-Type and the encoded body's Content-Length. SPA paths still get index.html.
// Does not touch storage; runs on both backend pairs anyway (the suite runs every file twice).
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';

import { startServer } from './harness.mjs';

// node:http, not fetch: fetch asks for and silently decodes compressed bodies itself.
function get(baseUrl, path, acceptEncoding) {
  const headers = acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding };
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, baseUrl), { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function decode(res) {
  const coding = res.headers['content-encoding'];
  if (coding === 'br') return zlib.brotliDecompressSync(res.body);
  if (coding === 'gzip') return zlib.gunzipSync(res.body);
  assert.equal(coding, undefined, `unexpected Content-Encoding ${coding}`);
  return res.body;
}

describe('compressed web assets', () => {
  let server;
  let paths;

  before(async () => {
    server = await startServer();
    const index = await get(server.url, '/index.html');
    assert.equal(index.status, 200);
    const js = [...index.body.toString('utf8').matchAll(/\/assets\/[^"']+\.js/g)].map((m) => m[0]);
    assert.ok(js.length > 0, 'index.html references the JS bundle');
    paths = { '/index.html': 'text/html; charset=utf-8', [js[0]]: 'text/javascript; charset=utf-8' };
  });
  after(async () => {
    if (server) await server.stop();
  });

  const cases = [
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'br'],
    ['gzip;q=0, br;q=0', undefined],
    ['*;q=0', undefined],
    ['identity', undefined],
    [undefined, undefined],
  ];

  it('answers each Accept-Encoding with the right coding and the same content', async () => {
    for (const [path, type] of Object.entries(paths)) {
      const identity = await get(server.url, path);
      assert.equal(identity.headers['content-encoding'], undefined);
      for (const [accept, want] of cases) {
        const what = `${path} Accept-Encoding: ${accept}`;
        const res = await get(server.url, path, accept);
        assert.equal(res.status, 200, what);
        assert.equal(res.headers['content-encoding'], want, what);
        assert.equal(res.headers['content-type'], type, what);
        assert.equal(res.headers.vary, 'Accept-Encoding', what);
        assert.equal(Number(res.headers['content-length']), res.body.length, `${what}: Content-Length of the sent body`);
        assert.deepEqual(decode(res), identity.body, `${what}: decodes to the file`);
        if (want) assert.ok(res.body.length < identity.body.length, `${what}: ${res.body.length} bytes`);
      }
    }
  });

  it('keeps the caching rules: hashed assets immutable, index.html no-cache', async () => {
    const [js] = Object.keys(paths).filter((p) => p.startsWith('/assets/'));
    const res = await get(server.url, js, 'br');
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    const index = await get(server.url, '/index.html', 'br');
    assert.equal(index.headers['cache-control'], 'no-cache');
  });

  it('client-side routes still get index.html, compressed too', async () => {
    const index = await get(server.url, '/index.html');
    for (const path of ['/', '/login', '/w/some-team/palettes/12']) {
      const res = await get(server.url, path, 'gzip, br');
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['content-encoding'], 'br', path);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', path);
      assert.deepEqual(decode(res), index.body, path);
    }
    // A missing hashed asset is still a 404, whatever the encoding asked for, and the compressed
    // copies are not files of their own.
    assert.equal((await get(server.url, '/assets/missing-abc123.js', 'br')).status, 404);
    const [js] = Object.keys(paths).filter((p) => p.startsWith('/assets/'));
    assert.equal((await get(server.url, `${js}.br`)).status, 404);
    assert.equal((await get(server.url, `${js}.gz`, 'gzip')).status, 404);
    const htmlCopy = await get(server.url, '/index.html.br');
    assert.deepEqual(htmlCopy.body, index.body, '/index.html.br is a client route like any other: index.html');
  });
});
