// Server basics (health, request ids, security headers, 404s, the SPA and its assets) and the
// CLI subcommands that need no server (version, --help, palette, bad config).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  assertError,
  assertStatus,
  imagePath,
  makeTempDir,
  rawFetch,
  removeTempDir,
  runCli,
  startServer,
  HEX_COLOR,
} from './harness.mjs';

function assertSecurityHeaders(res, where) {
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, `Content-Security-Policy on ${where}`);
  assert.match(csp, /frame-ancestors\s+[^;]+/, `CSP has frame-ancestors on ${where}: ${csp}`);
  assert.equal((res.headers.get('x-content-type-options') || '').toLowerCase(), 'nosniff',
    `X-Content-Type-Options nosniff on ${where}`);
}

describe('server basics', () => {
  let server;
  let url;

  before(async () => {
    server = await startServer();
    url = server.url;
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('/healthz is 200 {"status":"ok"}', async () => {
    const res = await rawFetch(`${url}/healthz`);
    assertStatus(res, 200);
    assert.deepEqual(res.json, { status: 'ok' });
  });

  it('/readyz is 200', async () => {
    assertStatus(await rawFetch(`${url}/readyz`), 200);
  });

  it('X-Request-Id: echoed when sane, generated otherwise, on every response', async () => {
    const mine = 'it-req-0123456789abcdef';
    const echoed = await rawFetch(`${url}/healthz`, { headers: { 'X-Request-Id': mine } });
    assert.equal(echoed.headers.get('x-request-id'), mine);

    const g1 = (await rawFetch(`${url}/healthz`)).headers.get('x-request-id');
    const g2 = (await rawFetch(`${url}/healthz`)).headers.get('x-request-id');
    assert.ok(g1 && g1.length >= 8, `generated id: ${g1}`);
    assert.ok(g2 && g2 !== g1, 'generated ids differ per request');

    for (const insane of ['x'.repeat(1000), 'a b<script>"', '']) {
      const res = await rawFetch(`${url}/healthz`, { headers: { 'X-Request-Id': insane } });
      const id = res.headers.get('x-request-id');
      assert.ok(id && id.length > 0, 'an id is generated');
      assert.notEqual(id, insane, `insane id ${JSON.stringify(insane.slice(0, 20))} is not echoed`);
      assert.ok(id.length <= 200, 'generated id is short');
    }

    // Errors carry the same id in the body.
    const err = await rawFetch(`${url}/api/v1/me`, { headers: { 'X-Request-Id': mine } });
    assertError(err, 401, 'unauthenticated');
    assert.equal(err.json.error.request_id, mine);
  });

  it('security headers on /, a client route, /api and /healthz', async () => {
    assertSecurityHeaders(await rawFetch(`${url}/`), '/');
    assertSecurityHeaders(await rawFetch(`${url}/some/client/route`), '/some/client/route');
    assertSecurityHeaders(await rawFetch(`${url}/api/v1/me`), '/api/v1/me');
    assertSecurityHeaders(await rawFetch(`${url}/api/v1/nope`), '/api/v1/nope');
    assertSecurityHeaders(await rawFetch(`${url}/healthz`), '/healthz');
  });

  it('unknown /api paths are 404 JSON errors, never the SPA', async () => {
    for (const p of ['/api/v1/nope', '/api/v2/palettes', '/api/', '/api/v1/t/', '/api/v1/auth/nope']) {
      assertError(await rawFetch(`${url}${p}`), 404, 'not_found', p);
    }
  });

  it('GET / serves index.html with no-cache; client routes fall back to it', async () => {
    const root = await rawFetch(`${url}/`);
    assertStatus(root, 200);
    assert.match(root.headers.get('content-type') || '', /^text\/html/);
    assert.match(root.headers.get('cache-control') || '', /no-cache|no-store/, 'index.html not cached');
    assert.match(root.text, /<html/i);
    for (const p of ['/some/client/route', '/palettes/12', '/login?next=%2F']) {
      const res = await rawFetch(`${url}${p}`);
      assertStatus(res, 200, p);
      assert.match(res.headers.get('content-type') || '', /^text\/html/, p);
      assert.equal(res.text, root.text, `${p} serves the same index.html`);
    }
  });

  it('hashed assets under /assets/ are immutable with a JS/CSS content type', async () => {
    const root = await rawFetch(`${url}/`);
    assertStatus(root, 200);
    const refs = [...root.text.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    assert.ok(refs.length > 0, `index.html references an /assets/ JS or CSS file:\n${root.text.slice(0, 1000)}`);
    for (const ref of refs) {
      const res = await rawFetch(`${url}${ref}`);
      assertStatus(res, 200, ref);
      const ct = res.headers.get('content-type') || '';
      if (ref.endsWith('.js')) assert.match(ct, /^(text|application)\/javascript/, `${ref}: ${ct}`);
      else assert.match(ct, /^text\/css/, `${ref}: ${ct}`);
      assert.match(res.headers.get('cache-control') || '', /immutable/, `${ref} Cache-Control`);
      assert.ok(res.bytes.length > 0);
      assert.equal((res.headers.get('x-content-type-options') || '').toLowerCase(), 'nosniff');
    }
  });

  it('path tricks do not escape the web root', async () => {
    for (const p of ['/assets/../../../../etc/passwd', '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd']) {
      const res = await rawFetch(`${url}${p}`);
      assert.ok(!res.text.includes('root:x:0:0'), `${p} leaked /etc/passwd`);
      assert.ok(res.status < 500, `${p}: ${res.status}`);
    }
  });

  it('SIGTERM shuts the server down cleanly (exit code 0)', async () => {
    server.assertAlive();
    const r = await server.stop();
    assert.equal(r.exitedEarly, false);
    assert.equal(r.killed, false, 'exited within 5 s of SIGTERM');
    assert.equal(r.signal, null, 'exited by itself, not by the signal');
    assert.equal(r.code, 0);
  });
});

describe('draining on SIGTERM', () => {
  it('/readyz turns 503 at once while requests are still served, then the process exits 0', async () => {
    const server = await startServer({
      env: { PALETTEMAKER_SERVER_DRAIN_GRACE_S: '2', PALETTEMAKER_SERVER_REPLICA_NAME: 'replica-a' },
    });
    try {
      const ready = await rawFetch(`${server.url}/readyz`);
      assertStatus(ready, 200, 'readyz before SIGTERM');
      assert.equal(ready.headers.get('x-palettemaker-replica'), 'replica-a');
      const stopped = server.stop();  // SIGTERM; resolves when the process has exited
      let draining = null;
      const deadline = Date.now() + 1500;
      while (Date.now() < deadline) {
        const r = await rawFetch(`${server.url}/readyz`);
        if (r.status === 503) {
          draining = r;
          break;
        }
      }
      assert.ok(draining, '/readyz answered 503 within 1.5 s of SIGTERM');
      assert.equal(draining.json.status, 'draining');
      assert.equal((draining.headers.get('connection') || '').toLowerCase(), 'close');
      const health = await rawFetch(`${server.url}/healthz`);
      assertStatus(health, 200, 'requests are still served while draining');
      const r = await stopped;
      assert.equal(r.killed, false, 'exited by itself after the grace period');
      assert.equal(r.code, 0);
    } finally {
      await server.stop();
    }
  });
});

describe('CLI', () => {
  it('`version` exits 0 and prints a version', async () => {
    const r = await runCli(['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\d+\.\d+\.\d+/);
  });

  it('`--help`, `serve --help` and `palette --help` exit 0 with usage text', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['palette', '--help']]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.ok((r.stdout + r.stderr).trim().length > 0, `${args.join(' ')} prints something`);
    }
    const top = await runCli(['--help']);
    assert.match(top.stdout, /serve/);
    assert.match(top.stdout, /palette/);
  });

  it('an unknown subcommand exits non-zero', async () => {
    const r = await runCli(['no-such-command']);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.trim().length > 0);
  });

  it('`palette fruits.jpg --k 5` prints JSON with a colors array', async () => {
    const r = await runCli(['palette', imagePath('fruits.jpg'), '--k', '5']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(Array.isArray(out.colors), r.stdout);
    assert.ok(out.colors.length >= 1 && out.colors.length <= 5, `${out.colors.length} colours`);
    for (const c of out.colors) assert.match(c, HEX_COLOR);
    // Deterministic.
    const again = await runCli(['palette', imagePath('fruits.jpg'), '--k', '5']);
    assert.deepEqual(JSON.parse(again.stdout).colors, out.colors);
  });

  it('`palette truncated.jpg` exits non-zero with an error on stderr', async () => {
    const r = await runCli(['palette', imagePath('truncated.jpg')]);
    assert.notEqual(r.code, 0);
    assert.equal(r.signal, null, 'exits, does not crash');
    assert.ok(r.stderr.trim().length > 0, 'error on stderr');
  });

  it('`palette --k 1` and a missing file are errors', async () => {
    for (const args of [['palette', imagePath('fruits.jpg'), '--k', '1'], ['palette', imagePath('fruits.jpg'), '--k', '21'],
      ['palette', imagePath('fruits.jpg'), '--k', 'x'], ['palette', '/nonexistent/image.jpg']]) {
      const r = await runCli(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.equal(r.signal, null, `${args.join(' ')} exits, does not crash`);
      assert.ok(r.stderr.trim().length > 0, `${args.join(' ')}: error on stderr`);
    }
  });

  it('`serve` with PALETTEMAKER_SERVER_THREADS=abc exits non-zero with one line naming server.threads', async () => {
    const dataDir = await makeTempDir('pm-it-badcfg-');
    try {
      const r = await runCli(['serve'], {
        env: {
          PALETTEMAKER_SERVER_THREADS: 'abc',
          PALETTEMAKER_SERVER_LISTEN: '127.0.0.1:0',
          PALETTEMAKER_DATA_DIR: dataDir,
        },
        timeoutMs: 15_000,
      });
      assert.equal(r.timedOut, false, `serve started despite bad config: ${r.stdout}`);
      assert.notEqual(r.code, 0);
      assert.equal(r.signal, null);
      const lines = r.stderr.split('\n').filter((l) => l.trim());
      assert.equal(lines.length, 1, `exactly one line on stderr:\n${r.stderr}`);
      assert.match(lines[0], /server\.threads/);
      assert.doesNotMatch(r.stdout, /listening/);
    } finally {
      await removeTempDir(dataDir);
    }
  });

  it('`migrate` applies and lists migrations, and is idempotent', async () => {
    const dataDir = await makeTempDir('pm-it-migrate-');
    try {
      // A fresh SQLite file whatever the backend under test, so the first run applies something.
      const env = { PALETTEMAKER_DATA_DIR: dataDir, PALETTEMAKER_DATABASE_URL: `sqlite://${dataDir}/fresh.db` };
      const first = await runCli(['migrate'], { env });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^0001 .*applied$/m);
      assert.match(first.stdout, /[1-9]\d* migration\(s\) applied now/);
      const again = await runCli(['migrate'], { env });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^0 migration\(s\) applied now/m);
    } finally {
      await removeTempDir(dataDir);
    }
  });

  it('`migrate` with an unsupported database URL exits 2 naming database.url', async () => {
    const r = await runCli(['migrate'], { env: { PALETTEMAKER_DATABASE_URL: 'mysql://db/x' } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /database\.url/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('`config dump` prints the effective configuration with secrets masked', async () => {
    const r = await runCli(['config', 'dump'], {
      env: {
        PALETTEMAKER_SERVER_LISTEN: '127.0.0.1:9999',
        PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY: 'hunter2-secret',
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /listen = "127\.0\.0\.1:9999"/);
    assert.doesNotMatch(r.stdout, /hunter2-secret/);
    assert.match(r.stdout, /s3_secret_access_key = "\*\*\*"/);
  });

  it('`config dump` with a bad value and `--config` with a missing file fail with one line', async () => {
    const bad = await runCli(['config', 'dump'], { env: { PALETTEMAKER_LOG_LEVEL: 'loud' } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /log\.level/);
    const missing = await runCli(['--config', '/nonexistent/palettemaker.toml', 'config', 'dump']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nonexistent/);
  });
});
