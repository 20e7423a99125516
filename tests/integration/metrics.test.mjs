// /metrics and the request log (issue 7 part 9; docs/OPERATIONS.md "Metrics and alerts"), through
// the real binary: counters and histograms move with the right labels as requests are made,
// route labels are patterns (never slugs or ids), per-tenant counters honour
// metrics.tenant_cardinality_cap, and the endpoint answers only allowed networks or the token
// (X-Forwarded-For counted through server.trusted_proxy_hops). 192.0.2.0/24 and 203.0.113.0/24
// are documentation ranges used here only as configuration values and header text; nothing
// connects to them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  BACKEND,
  assertStatus,
  imagePath,
  makeTempDir,
  newUser,
  rawExchange,
  rawFetch,
  removeTempDir,
  startServer,
} from './harness.mjs';
import { checkHistograms, parseExposition, select, sum, value } from './prometheus_text.mjs';

async function scrape(url, headers = {}) {
  const res = await rawFetch(`${url}/metrics`, { headers });
  assertStatus(res, 200, 'scrape');
  assert.match(res.header('content-type'), /^text\/plain; version=0\.0\.4/);
  const parsed = parseExposition(res.text);
  checkHistograms(parsed);
  return parsed;
}

function requestLines(server) {
  return server
    .stderrText()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((o) => o.msg === 'request');
}

describe('metrics from an allowed network', () => {
  let server;
  let a;
  let b;
  let c;
  let before_;
  let after_;
  let uploadedBytes = 0;
  let paletteId;
  let uploadRequestId;

  before(async () => {
    server = await startServer({
      env: {
        PALETTEMAKER_METRICS_TENANT_CARDINALITY_CAP: '2',
        PALETTEMAKER_PLANS_DEFAULT: 'free',
        PALETTEMAKER_PLANS_FREE_PALETTES: '2',
        PALETTEMAKER_PLANS_FREE_MEMBERS: '0',
        PALETTEMAKER_PLANS_FREE_STORAGE_BYTES: '0',
        PALETTEMAKER_PLANS_FREE_UPLOAD_BYTES: '0',
        PALETTEMAKER_PLANS_FREE_IMAGE_PIXELS: '0',
        PALETTEMAKER_PLANS_FREE_DETECTIONS_PER_DAY: '0',
        PALETTEMAKER_PLANS_FREE_REQUESTS_PER_MINUTE: '0',
      },
    });
    before_ = await scrape(server.url);
    // Three workspaces, first seen in the order a, b, c.
    a = await newUser(server.url);
    const image = fs.readFileSync(imagePath('coins.png'));
    for (let i = 0; i < 2; i++) {
      const up = await a.upload(image, 'coins.png');
      assertStatus(up, 201, 'upload');
      uploadedBytes += image.length;
      paletteId = up.json.palette.id;
      if (i === 0) uploadRequestId = up.header('x-request-id');
    }
    const third = await a.upload(image, 'coins.png');
    assertStatus(third, 402, 'the plan allows two palettes');
    const regions = await a.post(`/api/v1/t/${a.ws}/palettes/${paletteId}/regions`, { strategy: 'otsu' });
    assertStatus(regions, 200, 'regions');
    assertStatus(await a.get(`/api/v1/t/${a.ws}/palettes/${paletteId}`), 200, 'get');
    assertStatus(await a.get('/api/v1/no-such-thing/42'), 404, 'unknown API path');
    b = await newUser(server.url);
    assertStatus(await b.get(`/api/v1/t/${b.ws}/palettes`), 200, 'list b');
    c = await newUser(server.url);
    assertStatus(await c.get(`/api/v1/t/${c.ws}/palettes`), 200, 'list c');
    assertStatus(await c.get(`/api/v1/t/${c.ws}/palettes`), 200, 'list c again');
    // Refused before routing (chunked body: 411), and not even parsable (httplib's own 400,
    // without our pre-routing step): both are counted, as unmatched, and leave the in-flight
    // gauge where it was.
    const chunked = await rawExchange(server.url,
      `POST /api/v1/t/${a.ws}/palettes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`, '0\r\n\r\n');
    assert.equal(chunked.status, 411);
    const garbage = await rawExchange(server.url, 'NOT A REQUEST LINE\r\n\r\n');
    assert.equal(garbage.status, 400);
    // A request is counted when httplib's logger runs, just after its response bytes are written:
    // a client that has read the whole response can scrape before that. Wait (briefly) until the
    // last two requests are in; the assertions below still check the exact numbers.
    const seen = (snap, status) => sum(snap, 'palettemaker_http_requests_total', { route: 'unmatched', status }) -
      sum(before_, 'palettemaker_http_requests_total', { route: 'unmatched', status });
    for (const deadline = Date.now() + 5_000; ;) {
      after_ = await scrape(server.url);
      if ((seen(after_, '400') >= 1 && seen(after_, '411') >= 1) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  after(async () => {
    if (server) await server.stop();
  });

  const delta = (name, labels) => value(after_, name, labels) - value(before_, name, labels);

  it('counts requests by route pattern, method and status', () => {
    const route = '/api/v1/t/{ws}/palettes';
    assert.equal(delta('palettemaker_http_requests_total', { route, method: 'POST', status: '201' }), 2);
    assert.equal(delta('palettemaker_http_requests_total', { route, method: 'POST', status: '402' }), 1);
    assert.equal(delta('palettemaker_http_requests_total', { route, method: 'GET', status: '200' }), 3);
    assert.equal(delta('palettemaker_http_requests_total',
      { route: '/api/v1/t/{ws}/palettes/{id}/regions', method: 'POST', status: '200' }), 1);
    assert.equal(delta('palettemaker_http_requests_total',
      { route: '/api/v1/t/{ws}/palettes/{id}', method: 'GET', status: '200' }), 1);
    assert.equal(delta('palettemaker_http_requests_total',
      { route: '/api/v1/auth/signup', method: 'POST', status: '201' }), 3);
    assert.equal(delta('palettemaker_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }), 1);
    assert.equal(delta('palettemaker_http_requests_total', { route: 'unmatched', method: 'POST', status: '411' }), 1);
    assert.equal(sum(after_, 'palettemaker_http_requests_total', { route: 'unmatched', status: '400' }) -
      sum(before_, 'palettemaker_http_requests_total', { route: 'unmatched', status: '400' }), 1);
    // The histogram is by status class; its count matches the counter.
    assert.equal(delta('palettemaker_http_request_duration_seconds_count',
      { route, method: 'POST', status_class: '2xx' }), 2);
    assert.equal(delta('palettemaker_http_request_duration_seconds_count',
      { route, method: 'POST', status_class: '4xx' }), 1);
    assert.ok(value(after_, 'palettemaker_http_request_duration_seconds_sum',
      { route, method: 'POST', status_class: '2xx' }) > 0);
    // The scrape itself is counted under /metrics and is the one request in flight.
    assert.ok(value(after_, 'palettemaker_http_requests_total', { route: '/metrics', method: 'GET', status: '200' }) >= 1);
    assert.equal(value(after_, 'palettemaker_http_requests_in_flight'), 1);
  });

  it('never puts a slug, an id or a raw path into a route label', () => {
    const routes = new Set(select(after_, 'palettemaker_http_requests_total').map((s) => s.labels.route));
    for (const r of routes) {
      assert.ok(r === 'unmatched' || r === 'static' || r.startsWith('/'), r);
      for (const secret of [a.ws, b.ws, c.ws, String(paletteId), 'no-such-thing']) {
        assert.ok(!r.includes(secret), `route label ${r} contains ${secret}`);
      }
    }
    assert.ok(routes.has('/api/v1/t/{ws}/palettes/{id}'));
  });

  it('times the image engine by operation', () => {
    assert.equal(delta('palettemaker_engine_operation_duration_seconds_count', { operation: 'regions_otsu' }), 1);
    assert.ok(delta('palettemaker_engine_operation_duration_seconds_count', { operation: 'decode' }) >= 3);
    assert.ok(delta('palettemaker_engine_operation_duration_seconds_count', { operation: 'palette' }) >= 2);
    assert.ok(value(after_, 'palettemaker_engine_operation_duration_seconds_sum', { operation: 'decode' }) > 0);
  });

  it('counts uploads, their bytes and the quota refusal', () => {
    assert.equal(delta('palettemaker_uploads_total', { result: 'ok' }), 2);
    assert.equal(delta('palettemaker_uploads_total', { result: 'quota_exceeded' }), 1);
    assert.equal(delta('palettemaker_upload_bytes_total'), uploadedBytes);
    assert.equal(delta('palettemaker_quota_refusals_total', { resource: 'palettes' }), 1);
    assert.equal(value(after_, 'palettemaker_tenant_quota_refusals_total', { tenant: a.ws }), 1);
  });

  it('keeps per-tenant labels under the cardinality cap (2): the third workspace is _other', () => {
    // a: 2 uploads + the refused one + regions + get = 5 tenant requests.
    assert.equal(value(after_, 'palettemaker_tenant_requests_total', { tenant: a.ws }), 5);
    assert.equal(value(after_, 'palettemaker_tenant_requests_total', { tenant: b.ws }), 1);
    assert.equal(value(after_, 'palettemaker_tenant_requests_total', { tenant: c.ws }), 0);
    assert.equal(value(after_, 'palettemaker_tenant_requests_total', { tenant: '_other' }), 2);
    const tenants = new Set(select(after_, 'palettemaker_tenant_requests_total').map((s) => s.labels.tenant));
    assert.deepEqual([...tenants].sort(), [a.ws, b.ws, '_other'].sort());
    assert.equal(value(after_, 'palettemaker_tenant_uploads_total', { tenant: a.ws }), 2);
    assert.equal(value(after_, 'palettemaker_tenant_upload_bytes_total', { tenant: a.ws }), uploadedBytes);
  });

  it('counts database and object-store operations by backend and kind', () => {
    const db = select(after_, 'palettemaker_db_operations_total');
    assert.ok(db.length > 0);
    const backend = db[0].labels.backend;
    // Only the backend in use has series; with-services.sh runs this file on PostgreSQL + S3.
    assert.equal(backend, BACKEND === 'postgres' ? 'postgres' : 'sqlite');
    assert.ok(db.every((d) => d.labels.backend === backend));
    assert.ok(delta('palettemaker_db_operations_total', { backend, operation: 'insert' }) >= 3, 'sign-ups insert');
    assert.ok(delta('palettemaker_db_operations_total', { backend, operation: 'select' }) > 10);
    assert.ok(value(after_, 'palettemaker_db_operation_duration_seconds_count', { backend, operation: 'select' }) > 0);
    assert.equal(sum(after_, 'palettemaker_db_errors_total'), 0);
    const os = select(after_, 'palettemaker_object_store_operations_total', { operation: 'put' });
    assert.equal(os.length, 1);
    assert.equal(os[0].labels.backend, process.env.PM_TEST_SERVER_ENV_PALETTEMAKER_STORAGE_URL ? 's3' : 'local');
    assert.ok(delta('palettemaker_object_store_operations_total', { backend: os[0].labels.backend, operation: 'put' }) >= 2);
    assert.equal(sum(after_, 'palettemaker_object_store_errors_total'), 0);
  });

  it('exports readiness, build info and start time', () => {
    assert.equal(value(after_, 'palettemaker_ready'), 1);
    assert.equal(value(after_, 'palettemaker_draining'), 0);
    assert.equal(select(after_, 'palettemaker_build_info').length, 1);
    assert.match(select(after_, 'palettemaker_build_info')[0].labels.version, /^\d+\.\d+\.\d+/);
    const start = value(after_, 'palettemaker_process_start_time_seconds');
    assert.ok(Math.abs(start - Date.now() / 1000) < 600, `start time ${start}`);
  });

  it('writes one JSON log line per request with id, tenant, user, route, status, duration, bytes', () => {
    const lines = requestLines(server);
    const upload = lines.find((l) => l.request_id === uploadRequestId);
    assert.ok(upload, `no log line with request_id ${uploadRequestId}`);
    assert.equal(upload.route, '/api/v1/t/{ws}/palettes');
    assert.equal(upload.method, 'POST');
    assert.equal(upload.status, 201);
    assert.equal(upload.tenant, a.ws);
    assert.ok(upload.tenant_id > 0);
    assert.equal(upload.user_id, a.user.id);
    assert.ok(typeof upload.duration_ms === 'number' && upload.duration_ms > 0);
    assert.ok(upload.bytes > 0);
    const notFound = lines.find((l) => l.path === '/api/v1/no-such-thing/42');
    assert.equal(notFound.route, 'unmatched');
    assert.equal(notFound.status, 404);
    assert.equal(notFound.tenant, '');
    // Every request got its line: the three sign-ups, for one.
    assert.equal(lines.filter((l) => l.route === '/api/v1/auth/signup').length, 3);
  });
});

describe('metrics access', () => {
  let dir;
  before(async () => {
    dir = await makeTempDir('pm-it-metrics-');
  });
  after(async () => {
    if (dir) await removeTempDir(dir);
  });

  it('from a network outside metrics.allow_networks: 404 without the token or with a wrong one, 200 with it', async () => {
    const tokenFile = path.join(dir, 'metrics-token');
    fs.writeFileSync(tokenFile, 's3cret-metrics-token\n');
    const server = await startServer({
      env: {
        PALETTEMAKER_METRICS_ALLOW_NETWORKS: '192.0.2.0/24',
        PALETTEMAKER_METRICS_TOKEN_FILE: tokenFile,
      },
    });
    try {
      const none = await rawFetch(`${server.url}/metrics`);
      assert.equal(none.status, 404);
      assert.ok(!none.text.includes('palettemaker_'), 'a refusal reveals no metrics');
      const wrong = await rawFetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer s3cret-metrics-tokeN' } });
      assert.equal(wrong.status, 404);
      const prefix = await rawFetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer s3cret' } });
      assert.equal(prefix.status, 404);
      const basic = await rawFetch(`${server.url}/metrics`, { headers: { Authorization: 's3cret-metrics-token' } });
      assert.equal(basic.status, 404);
      const ok = await scrape(server.url, { Authorization: 'Bearer s3cret-metrics-token' });
      assert.ok(value(ok, 'palettemaker_http_requests_total', { route: '/metrics', status: '404', method: 'GET' }) >= 4);
      // Without trusted proxies, X-Forwarded-For is not believed.
      const forged = await rawFetch(`${server.url}/metrics`, { headers: { 'X-Forwarded-For': '192.0.2.7' } });
      assert.equal(forged.status, 404);
    } finally {
      await server.stop();
    }
  });

  it('a proxied request while no proxy is trusted: only the token opens it', async () => {
    const server = await startServer({ env: { PALETTEMAKER_METRICS_TOKEN: 'tok-en-42' } });
    try {
      // The peer is loopback (allowed by default), but a proxy forwarded the request: whoever
      // sent it is unknown.
      for (const h of [{ 'X-Forwarded-For': '127.0.0.1' }, { Forwarded: 'for=203.0.113.9' }, { 'X-Real-IP': '127.0.0.1' }]) {
        assert.equal((await rawFetch(`${server.url}/metrics`, { headers: h })).status, 404, JSON.stringify(h));
      }
      const withToken = await rawFetch(`${server.url}/metrics`,
        { headers: { 'X-Forwarded-For': '203.0.113.9', Authorization: 'Bearer tok-en-42' } });
      assert.equal(withToken.status, 200);
      assert.equal((await rawFetch(`${server.url}/metrics`)).status, 200, 'a direct loopback scrape');
    } finally {
      await server.stop();
    }
  });

  it('behind a trusted proxy the original client decides: loopback peer, internet client -> 404', async () => {
    const server = await startServer({ env: { PALETTEMAKER_SERVER_TRUSTED_PROXY_HOPS: '1' } });
    try {
      // The default allow list is loopback; our peer address is loopback, but the proxy says the
      // request came from an internet client.
      const proxied = await rawFetch(`${server.url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
      assert.equal(proxied.status, 404);
      // A spoofed left-most entry does not help: the proxy appends the real client on the right.
      const spoofed = await rawFetch(`${server.url}/metrics`,
        { headers: { 'X-Forwarded-For': '127.0.0.1, 203.0.113.9' } });
      assert.equal(spoofed.status, 404);
      // Prometheus inside the allowed network, through the proxy.
      const local = await rawFetch(`${server.url}/metrics`, { headers: { 'X-Forwarded-For': '127.0.0.1' } });
      assert.equal(local.status, 200);
    } finally {
      await server.stop();
    }
  });

  it('an allowed network behind a trusted proxy needs no token', async () => {
    const server = await startServer({
      env: { PALETTEMAKER_SERVER_TRUSTED_PROXY_HOPS: '1', PALETTEMAKER_METRICS_ALLOW_NETWORKS: '192.0.2.0/24' },
    });
    try {
      assert.equal((await rawFetch(`${server.url}/metrics`, { headers: { 'X-Forwarded-For': '192.0.2.44' } })).status, 200);
      assert.equal((await rawFetch(`${server.url}/metrics`, { headers: { 'X-Forwarded-For': '192.0.3.44' } })).status, 404);
    } finally {
      await server.stop();
    }
  });

  it('metrics.enabled = false: 404 even from loopback and with the token', async () => {
    const server = await startServer({
      env: { PALETTEMAKER_METRICS_ENABLED: 'false', PALETTEMAKER_METRICS_TOKEN: 'tok-tok-tok' },
    });
    try {
      assert.equal((await rawFetch(`${server.url}/metrics`)).status, 404);
      assert.equal((await rawFetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer tok-tok-tok' } })).status, 404);
    } finally {
      await server.stop();
    }
  });

  it('a bad metrics.allow_networks stops start-up with one line naming the key', async () => {
    await assert.rejects(
      startServer({ env: { PALETTEMAKER_METRICS_ALLOW_NETWORKS: '10.0.0.1/8' } }),
      /metrics\.allow_networks/);
  });
});
