// Plans, quotas, rate limits and metering (issue 5 item 4; docs/API.md "Plans and quotas"),
// through the real server on whichever backend pair the harness is given. Every refusal is
// checked for its status, code and Retry-After, and for having changed nothing. The last suite
// runs two replicas on one database and checks that the per-day and per-minute caps hold across
// them.
//
// The servers use the built-in plan "free" as the default plan, shrunk through
// PALETTEMAKER_PLANS_FREE_<KEY>, and the images are generated here, so every size is known.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';

import {
  assertError,
  assertStatus,
  Client,
  PASSWORD,
  makeTempDir,
  newUser,
  objectFiles,
  removeTempDir,
  sqlInTenant,
  startServer,
} from './harness.mjs';

// ---------------------------------------------------------------------------------------------
// Images of known size

const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  let c = 0xffffffff;
  for (const b of td) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return Buffer.concat([len, td, crc]);
}

// A valid RGB PNG. noise: random pixels (incompressible: about width*height*3 bytes); otherwise
// four flat colour blocks (a few hundred bytes).
function png(width, height, { noise = false } = {}) {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  const random = noise ? crypto.randomBytes(width * height * 3) : null;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * row + 1 + x * 3;
      if (noise) {
        random.copy(raw, o, (y * width + x) * 3, (y * width + x) * 3 + 3);
      } else {
        const block = (x < width / 2 ? 0 : 1) + (y < height / 2 ? 0 : 2);
        const colors = [[200, 40, 40], [40, 160, 60], [50, 70, 200], [220, 200, 60]];
        raw[o] = colors[block][0];
        raw[o + 1] = colors[block][1];
        raw[o + 2] = colors[block][2];
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, noise ? { level: 0 } : {})),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Helpers

const PLAN_ENV = {
  PALETTEMAKER_PLANS_DEFAULT: 'free',
  PALETTEMAKER_PLANS_FREE_MEMBERS: '4',
  PALETTEMAKER_PLANS_FREE_PALETTES: '3',
  PALETTEMAKER_PLANS_FREE_STORAGE_BYTES: '50000',
  PALETTEMAKER_PLANS_FREE_UPLOAD_BYTES: '40000',
  PALETTEMAKER_PLANS_FREE_IMAGE_PIXELS: '250000',
  PALETTEMAKER_PLANS_FREE_DETECTIONS_PER_DAY: '2',
  PALETTEMAKER_PLANS_FREE_REQUESTS_PER_MINUTE: '0',
  // For the accept test: a workspace moved to "pro" may have one member.
  PALETTEMAKER_PLANS_PRO_MEMBERS: '1',
};

async function paletteIds(client, ws = client.ws) {
  const res = await client.get(`/api/v1/t/${ws}/palettes?limit=100`);
  assertStatus(res, 200, 'list');
  return res.json.palettes.map((p) => p.id);
}

async function usage(client, ws = client.ws) {
  const res = await client.get(`/api/v1/t/${ws}/usage`);
  assertStatus(res, 200, 'usage');
  return res.json;
}

async function tenantIdOf(client, ws = client.ws) {
  const res = await client.get(`/api/v1/t/${ws}`);
  assertStatus(res, 200);
  return res.json.workspace.id;
}

function utcDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function secondsToUtcMidnight(ms) {
  const next = Math.floor(ms / 86_400_000 + 1) * 86_400_000;
  return Math.ceil((next - ms) / 1000);
}

async function addMember(owner, user, role, ws = owner.ws) {
  const inv = await owner.post(`/api/v1/t/${ws}/invitations`, { email: user.email, role });
  assertStatus(inv, 201, `invite ${role}`);
  assertStatus(await user.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200,
    `accept ${role}`);
}

// ---------------------------------------------------------------------------------------------

describe('plans and quotas', () => {
  let server;
  before(async () => {
    server = await startServer({ env: PLAN_ENV });
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('a new workspace starts with the default plan and zero usage', async () => {
    const ada = await newUser(server.url);
    const u = await usage(ada);
    assert.deepEqual(u.plan, {
      name: 'free',
      limits: {
        members: 4, palettes: 3, storage_bytes: 50000, upload_bytes: 40000, image_pixels: 250000,
        detections_per_day: 2, requests_per_minute: null,
      },
    });
    assert.equal(u.usage.members, 1);
    assert.equal(u.usage.pending_invitations, 0);
    assert.equal(u.usage.palettes, 0);
    assert.equal(u.usage.storage_bytes, 0);
    assert.equal(u.usage.uploads_today, 0);
    assert.equal(u.usage.detections_today, 0);
    assert.ok(u.usage.requests_today >= 1, 'this request is metered');
    assert.equal(u.days.length, 30);
    assert.equal(u.days[29].day, utcDay(Date.now()));
    for (const d of u.days) {
      assert.deepEqual(Object.keys(d).sort(),
        ['day', 'detections', 'extractions', 'requests', 'upload_bytes', 'uploads']);
    }
  });

  it('palettes and storage: 402 quota_exceeded before anything is stored; duplicates share bytes', async () => {
    const ada = await newUser(server.url);
    const big = png(100, 100, { noise: true }); // ~30 KB
    const small = png(64, 64);
    const before0 = objectFiles(server);

    const first = await ada.upload(big, 'big.png');
    assertStatus(first, 201, 'first upload');
    // 2 x ~30 KB > 50000 stored bytes.
    const bigAgain = png(100, 100, { noise: true });
    const refused = assertError(await ada.upload(bigAgain, 'again.png'), 402, 'quota_exceeded', 'storage');
    assert.match(refused.message, /50000 bytes/);
    assert.match(refused.message, /plan "free"/);
    assert.deepEqual(await paletteIds(ada), [first.json.palette.id], 'nothing added');
    let u = await usage(ada);
    assert.equal(u.usage.storage_bytes, big.length);
    assert.equal(u.usage.uploads_today, 1, 'a refused upload is not metered');
    if (before0) assert.equal(objectFiles(server).length, before0.length + 1, 'no object left behind');

    // A duplicate shares the image: the palette count grows, stored bytes do not.
    const dup = await ada.post(`/api/v1/t/${ada.ws}/palettes/${first.json.palette.id}/duplicate`);
    assertStatus(dup, 201, 'duplicate');
    assertStatus(await ada.upload(small, 'small.png'), 201, 'third palette');
    u = await usage(ada);
    assert.equal(u.usage.palettes, 3);
    assert.equal(u.usage.storage_bytes, big.length + small.length);

    // At the cap: upload and duplicate are refused, nothing changes.
    const ids = await paletteIds(ada);
    const full = assertError(await ada.upload(small, 'one-more.png'), 402, 'quota_exceeded', 'palettes');
    assert.match(full.message, /limit of 3 palettes/);
    assertError(await ada.post(`/api/v1/t/${ada.ws}/palettes/${first.json.palette.id}/duplicate`), 402,
      'quota_exceeded', 'duplicate at the cap');
    assert.deepEqual(await paletteIds(ada), ids);
    if (before0) assert.equal(objectFiles(server).length, before0.length + 2);

    // Deleting makes room again.
    assertStatus(await ada.del(`/api/v1/t/${ada.ws}/palettes/${ids[0]}`), 204);
    assertStatus(await ada.upload(small, 'fits.png'), 201, 'room again');
  });

  it('upload bytes and image pixels: 413 naming the plan, nothing stored', async () => {
    const ada = await newUser(server.url);
    const before0 = objectFiles(server);
    const tooBig = png(120, 120, { noise: true }); // ~43 KB > 40000
    assert.ok(tooBig.length > 40000);
    const e1 = assertError(await ada.upload(tooBig, 'big.png'), 413, 'payload_too_large', 'upload bytes');
    assert.match(e1.message, /plan \("free"\)/);
    assert.match(e1.message, /40000 bytes/);

    const wide = png(600, 500); // 300000 pixels > 250000, a small file
    assert.ok(wide.length < 40000);
    const e2 = assertError(await ada.upload(wide, 'wide.png'), 413, 'payload_too_large', 'pixels');
    assert.match(e2.message, /600 x 500/);
    assert.match(e2.message, /250000/);
    assert.match(e2.message, /plan \("free"\)/);

    assert.deepEqual(await paletteIds(ada), []);
    const u = await usage(ada);
    assert.equal(u.usage.storage_bytes, 0);
    assert.equal(u.usage.uploads_today, 0);
    if (before0) assert.deepEqual(objectFiles(server), before0, 'no object left behind');

    // Within both caps it works.
    assertStatus(await ada.upload(png(500, 500), 'ok.png'), 201);
  });

  it('detections per day: 429 with Retry-After to the next UTC midnight; bad requests use none', async () => {
    const ada = await newUser(server.url);
    const up = await ada.upload(png(200, 160), 'shapes.png');
    assertStatus(up, 201);
    const path = `/api/v1/t/${ada.ws}/palettes/${up.json.palette.id}/regions`;
    assertStatus(await ada.post(path, {}), 200, 'first detection');
    assertError(await ada.post(path, { strategy: 'no-such-strategy' }), 400, 'invalid_argument');
    assertError(await ada.post(path, { bogus: 1 }), 400, 'invalid_argument');
    const second = await ada.post(path, { strategy: 'otsu' });
    assertStatus(second, 200, 'second detection (the bad ones did not count)');
    const saved = second.json.palette;

    const now = Date.now();
    const res = await ada.post(path, {});
    const e = assertError(res, 429, 'rate_limited', 'third detection');
    assert.match(e.message, /2 region detections a day/);
    const retry = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 86400, `Retry-After ${retry}`);
    // The server counts to its own clock; allow for the request's time in flight.
    assert.ok(Math.abs(retry - secondsToUtcMidnight(now)) <= 60,
      `Retry-After ${retry} vs ${secondsToUtcMidnight(now)} s to midnight UTC`);

    const got = await ada.get(`/api/v1/t/${ada.ws}/palettes/${up.json.palette.id}`);
    assert.deepEqual(got.json.palette.regions, saved.regions, 'the refused detection changed nothing');
    assert.equal(got.json.palette.updated_at, saved.updated_at);

    // Extraction is metered too (uploads count as extractions).
    assertStatus(await ada.post(`/api/v1/t/${ada.ws}/palettes/${up.json.palette.id}/extract`, { k: 3 }), 200);
    const u = await usage(ada);
    assert.equal(u.usage.detections_today, 2);
    assert.equal(u.usage.uploads_today, 1);
    assert.equal(u.usage.extractions_today, 2);
    const today = u.days[29];
    assert.equal(today.day, utcDay(Date.now()));
    assert.equal(today.detections, 2);
    assert.equal(today.uploads, 1);
    assert.equal(today.extractions, 2);
    assert.equal(today.upload_bytes, up.json.palette.image.bytes);
    assert.ok(today.requests >= 9, `requests today ${today.requests}`);
    assert.equal(u.usage.requests_today, today.requests);
  });

  it('members: invitations count toward the cap; 402 on invite, re-inviting an address is free', async () => {
    const ada = await newUser(server.url);
    const bob = await newUser(server.url);
    const cat = await newUser(server.url);
    const dan = await newUser(server.url);
    const eve = await newUser(server.url);
    const invitations = `/api/v1/t/${ada.ws}/invitations`;
    await addMember(ada, bob, 'editor');
    assertStatus(await ada.post(invitations, { email: cat.email, role: 'viewer' }), 201);
    assertStatus(await ada.post(invitations, { email: dan.email, role: 'viewer' }), 201);
    // 2 members + 2 pending = 4: full.
    const e = assertError(await ada.post(invitations, { email: eve.email, role: 'viewer' }), 402,
      'quota_exceeded', 'fifth member');
    assert.match(e.message, /limit of 4 members/);
    const list = await ada.get(invitations);
    assert.equal(list.json.invitations.length, 2, 'no invitation made');
    // Inviting the same address again replaces its invitation: still allowed.
    const again = await ada.post(invitations, { email: dan.email, role: 'editor' });
    assertStatus(again, 201, 're-invite');
    assertStatus(await dan.post('/api/v1/invitations/accept', { token: again.json.invitation.token }), 200);
    const u = await usage(ada);
    assert.equal(u.usage.members, 3);
    assert.equal(u.usage.pending_invitations, 1);
    // Cancelling an invitation makes room.
    const pending = (await ada.get(invitations)).json.invitations[0];
    assertStatus(await ada.del(`${invitations}/${pending.id}`), 204);
    assertStatus(await ada.post(invitations, { email: eve.email, role: 'viewer' }), 201);
  });

  it('members: accepting is refused with 402 when the workspace is full (its plan changed)', async () => {
    const ada = await newUser(server.url);
    const bob = await newUser(server.url);
    const inv = await ada.post(`/api/v1/t/${ada.ws}/invitations`, { email: bob.email, role: 'viewer' });
    assertStatus(inv, 201);
    const carolEmail = `carol-${Date.now()}-${process.pid}@example.com`;
    const invCarol = await ada.post(`/api/v1/t/${ada.ws}/invitations`, { email: carolEmail, role: 'viewer' });
    assertStatus(invCarol, 201);
    // The operator moved the workspace to "pro", which here allows one member.
    sqlInTenant(server, await tenantIdOf(ada), `UPDATE tenants SET plan = 'pro' WHERE id = ${await tenantIdOf(ada)}`);
    const e = assertError(await bob.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 402,
      'quota_exceeded', 'accept');
    assert.match(e.message, /limit of 1 members/);
    assert.match(e.message, /plan "pro"/);
    const members = await ada.get(`/api/v1/t/${ada.ws}/members`);
    assert.equal(members.json.members.length, 1, 'bob did not join');
    assertError(await bob.get(`/api/v1/t/${ada.ws}`), 404, 'not_found');
    const u = await usage(ada);
    assert.equal(u.plan.name, 'pro');
    assert.equal(u.plan.limits.members, 1);
    assert.equal(u.usage.pending_invitations, 2, 'the invitations are still there');
    // Signing up with an invitation into the full workspace is refused the same way, before any
    // account is made.
    const carol = new Client(server.url);
    assertError(await carol.signup({ email: carolEmail, password: PASSWORD, invitation: invCarol.json.invitation.token }),
      402, 'quota_exceeded', 'sign-up with an invitation');
    assertError(await carol.login({ email: carolEmail, password: PASSWORD }), 401, 'unauthenticated', 'no account was made');
  });

  it('usage: owner and admin only (403 for editor, viewer, tokens), 404 for non-members, 401 signed out', async () => {
    const ada = await newUser(server.url);
    const adm = await newUser(server.url);
    const ed = await newUser(server.url);
    const vi = await newUser(server.url);
    const stranger = await newUser(server.url);
    await addMember(ada, adm, 'admin');
    await addMember(ada, ed, 'editor');
    await addMember(ada, vi, 'viewer');
    const path = `/api/v1/t/${ada.ws}/usage`;
    assertStatus(await ada.get(path), 200, 'owner');
    const asAdmin = await adm.get(path);
    assertStatus(asAdmin, 200, 'admin');
    assert.equal(asAdmin.json.usage.members, 4);
    assertError(await ed.get(path), 403, 'permission_denied', 'editor');
    assertError(await vi.get(path), 403, 'permission_denied', 'viewer');
    assertError(await stranger.get(path), 404, 'not_found', 'non-member');
    assertError(await stranger.get(`/api/v1/t/no-such-workspace-${Date.now()}/usage`), 404, 'not_found');
    assertError(await new Client(server.url).get(path), 401, 'unauthenticated', 'signed out');
    const tok = await ada.post(`/api/v1/t/${ada.ws}/tokens`, { name: 'ci', scope: 'write' });
    assertStatus(tok, 201);
    const bearer = new Client(server.url);
    assertError(await bearer.get(path, { headers: { Authorization: `Bearer ${tok.json.token.token}` } }), 403,
      'permission_denied', 'API token');
    // Another workspace's usage is not reachable through one's own token.
    assertError(await bearer.get(`/api/v1/t/${stranger.ws}/usage`,
      { headers: { Authorization: `Bearer ${tok.json.token.token}` } }), 404, 'not_found');
    assertError(await ada.request('POST', path, { json: {} }), 400, 'invalid_argument', 'POST is not a method here');
  });
});

// ---------------------------------------------------------------------------------------------
// Two replicas on one database: PostgreSQL (+ S3) when the harness is given it, otherwise one
// SQLite file and object directory shared by both processes.

describe('quotas across replicas', () => {
  let a;
  let b;
  let shared;
  before(async () => {
    shared = await makeTempDir('pm-it-shared-');
    const env = {
      ...PLAN_ENV,
      PALETTEMAKER_DATA_DIR: shared,
      PALETTEMAKER_PLANS_FREE_REQUESTS_PER_MINUTE: '6',
    };
    a = await startServer({ env: { ...env, PALETTEMAKER_SERVER_REPLICA_NAME: 'replica-a' } });
    b = await startServer({ env: { ...env, PALETTEMAKER_SERVER_REPLICA_NAME: 'replica-b' } });
  });
  after(async () => {
    if (a) await a.stop();
    if (b) await b.stop();
    if (shared) await removeTempDir(shared);
  });

  // Sends `count` requests alternating A, B, A, ... Returns [{status, replica, retry, code}].
  async function alternate(client, count, send) {
    const out = [];
    for (let i = 0; i < count; i++) {
      client.baseUrl = i % 2 === 0 ? a.url : b.url;
      const res = await send();
      out.push({
        status: res.status,
        replica: res.headers.get('x-palettemaker-replica'),
        retry: res.headers.get('retry-after'),
        code: res.status >= 400 ? res.json.error.code : undefined,
      });
    }
    return out;
  }

  it('detections_per_day holds across replicas (A ok, B ok, A 429, B 429)', async () => {
    const ada = await newUser(a.url);
    const up = await ada.upload(png(160, 120), 'shapes.png');
    assertStatus(up, 201);
    const path = `/api/v1/t/${ada.ws}/palettes/${up.json.palette.id}/regions`;
    const results = await alternate(ada, 4, () => ada.post(path, {}));
    assert.deepEqual(results.map((r) => r.replica), ['replica-a', 'replica-b', 'replica-a', 'replica-b']);
    assert.deepEqual(results.map((r) => r.status), [200, 200, 429, 429], JSON.stringify(results));
    for (const r of results.slice(2)) {
      assert.equal(r.code, 'rate_limited');
      assert.ok(Number(r.retry) >= 1 && Number(r.retry) <= 86400, `Retry-After ${r.retry}`);
    }
  });

  it('requests_per_minute holds across replicas: the 7th request in a minute is 429 on either', async () => {
    // Fixed one-minute windows: a run that straddles a window boundary proves nothing, so it is
    // repeated with a fresh workspace (a new counter); two attempts cannot both straddle one.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const ada = await newUser(a.url);
      const started = Date.now();
      const results = await alternate(ada, 9, () => ada.get(`/api/v1/t/${ada.ws}/palettes`));
      const ended = Date.now();
      if (Math.floor(started / 60_000) !== Math.floor(ended / 60_000)) continue;
      assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200, 200, 429, 429, 429],
        JSON.stringify(results));
      assert.deepEqual(new Set(results.map((r) => r.replica)), new Set(['replica-a', 'replica-b']));
      const windowLeft = Math.ceil((60_000 - (started % 60_000)) / 1000);
      for (const r of results.slice(6)) {
        assert.equal(r.code, 'rate_limited');
        const retry = Number(r.retry);
        assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= windowLeft,
          `Retry-After ${r.retry} must be within the rest of the minute (${windowLeft} s)`);
      }
      return;
    }
    assert.fail('every attempt straddled a minute boundary');
  });
});
