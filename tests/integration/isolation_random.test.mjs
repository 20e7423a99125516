// Randomized tenant isolation: several users in several workspaces (personal ones and two teams
// with mixed roles) perform a few hundred random operations -- on their own workspaces and on
// others', with their own palette ids and with others' -- and no response ever contains another
// workspace's slug, name, palette names, palette ids or image bytes. Each answer is also checked
// against what membership and role allow (a non-member gets 404, a viewer 403 on writes).
//
// The run is reproducible: the seed is printed, and PM_TEST_SEED=<n> replays it.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';

import { Client, assertStatus, newUser, startServer, sha256Hex } from './harness.mjs';

const OPS = Number(process.env.PM_TEST_RANDOM_OPS || 400);
const SEED = Number(process.env.PM_TEST_SEED || crypto.randomInt(1, 2 ** 31));

// mulberry32: a tiny seeded PRNG, so a failing sequence can be replayed.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A real PNG of w x h pixels in four random mid-tone blocks: every upload has its own bytes.
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function randomPng(rand, w = 48, h = 32) {
  const colors = Array.from({ length: 4 }, () => [0, 1, 2].map(() => 60 + Math.floor(rand() * 120)));
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) {
      const c = colors[(x < w / 2 ? 0 : 1) + (y < h / 2 ? 0 : 2)];
      row[1 + x * 3] = c[0];
      row[2 + x * 3] = c[1];
      row[3 + x * 3] = c[2];
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Every palette id found anywhere in a JSON value under a "palette"/"palettes" key.
function paletteIdsIn(value, out = new Set(), underPalette = false) {
  if (Array.isArray(value)) {
    for (const v of value) paletteIdsIn(v, out, underPalette);
  } else if (value && typeof value === 'object') {
    if (underPalette && 'id' in value) out.add(String(value.id));
    for (const [k, v] of Object.entries(value)) {
      paletteIdsIn(v, out, k === 'palette' || k === 'palettes' || (underPalette && k === 'items'));
    }
  }
  return out;
}

describe(`randomized isolation (${OPS} operations, seed ${SEED})`, () => {
  let server;
  const rand = prng(SEED);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const users = [];
  // slug -> {slug, name, members: Map(userIndex -> role), palettes: Map(id -> name), hashes: Set}
  const workspaces = new Map();
  const log = [];

  before(async () => {
    server = await startServer();
    for (let i = 0; i < 4; i++) {
      const u = await newUser(server.url, { name: `User${i}-${crypto.randomBytes(3).toString('hex')}` });
      users.push(u);
      const slug = u.ws;
      workspaces.set(slug, {
        slug,
        name: u.workspaces[0].name,
        members: new Map([[i, 'owner']]),
        palettes: new Map(),
        hashes: new Set(),
      });
    }
    // Two team workspaces with mixed roles: users 0 (owner), 1 (editor), 2 (viewer) in the first;
    // users 2 (owner), 3 (admin), 0 (viewer) in the second.
    for (const [owner, others] of [[0, [[1, 'editor'], [2, 'viewer']]], [2, [[3, 'admin'], [0, 'viewer']]]]) {
      const name = `Team-${crypto.randomBytes(4).toString('hex')}`;
      const res = await users[owner].post('/api/v1/workspaces', { name });
      assertStatus(res, 201, 'create team');
      const slug = res.json.workspace.slug;
      const ws = { slug, name, members: new Map([[owner, 'owner']]), palettes: new Map(), hashes: new Set() };
      workspaces.set(slug, ws);
      for (const [who, role] of others) {
        const inv = await users[owner].post(`/api/v1/t/${slug}/invitations`, { email: users[who].email, role });
        assertStatus(inv, 201, 'invite');
        assertStatus(await users[who].post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200);
        ws.members.set(who, role);
      }
    }
  });
  after(async () => {
    if (server) await server.stop();
  });

  // Everything that identifies workspace `slug` and must not appear in answers about another.
  function secretsOf(ws) {
    const out = [ws.slug, ws.name, ...ws.palettes.values()];
    return out.filter((s) => s && s.length >= 6);
  }

  function checkNoLeak(res, ws, what) {
    // A member's e-mail address may appear in answers about the workspace (the members list), and
    // a personal workspace's slug is made from its owner's address: take those out first.
    let text = res.text || '';
    for (const i of ws.members.keys()) text = text.split(users[i].email).join('<member>');
    for (const other of workspaces.values()) {
      if (other === ws) continue;
      for (const secret of secretsOf(other)) {
        assert.ok(!text.includes(secret),
          `${what}: the answer about ${ws.slug} contains "${secret}" of ${other.slug} (seed ${SEED})`);
      }
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return;
    }
    for (const id of paletteIdsIn(body)) {
      assert.ok(ws.palettes.has(id),
        `${what}: palette id ${id} in the answer is not one of ${ws.slug}'s (seed ${SEED})`);
    }
  }

  const writeRoles = new Set(['owner', 'admin', 'editor']);
  const allPaletteIds = () => [...workspaces.values()].flatMap((w) => [...w.palettes.keys()]);

  // One random operation; returns a description for the failure log.
  async function step(n) {
    const ui = Math.floor(rand() * users.length);
    const u = users[ui];
    const ws = pick([...workspaces.values()]);
    const role = ws.members.get(ui);
    const base = `/api/v1/t/${ws.slug}`;
    // A palette id: usually this workspace's own, often another's, sometimes a made-up one.
    const own = [...ws.palettes.keys()];
    const r = rand();
    const pid = own.length && r < 0.55 ? pick(own) : r < 0.9 && allPaletteIds().length ? pick(allPaletteIds()) : '999999';
    const pidIsOwn = ws.palettes.has(pid);
    const op = pick(['list', 'get', 'image', 'upload', 'upload', 'rename', 'duplicate', 'delete', 'extract',
      'regions', 'move', 'members', 'workspace', 'token']);
    const what = `#${n} user${ui} (${role || 'non-member'}) ${op} on ${ws.slug} palette ${pid}`;
    log.push(what);
    let res;
    // Expected status for a palette-scoped call.
    const expectFor = (write) => (!role ? 404 : write && !writeRoles.has(role) ? 403 : !pidIsOwn ? 404 : null);
    switch (op) {
      case 'list': {
        res = await u.get(`${base}/palettes?limit=50`);
        if (!role) assert.equal(res.status, 404, what);
        else {
          assert.equal(res.status, 200, what);
          const ids = res.json.palettes.map((p) => String(p.id)).sort();
          assert.deepEqual(ids, [...ws.palettes.keys()].sort(), `${what}: the list is exactly the workspace's`);
        }
        break;
      }
      case 'get':
        res = await u.get(`${base}/palettes/${pid}`);
        assert.equal(res.status, expectFor(false) ?? 200, what);
        break;
      case 'image': {
        res = await u.get(`${base}/palettes/${pid}/image`);
        const exp = expectFor(false) ?? 200;
        assert.equal(res.status, exp, what);
        if (exp === 200) {
          assert.ok(ws.hashes.has(sha256Hex(res.bytes)), `${what}: the image bytes are one of this workspace's uploads`);
        }
        for (const other of workspaces.values()) {
          if (other !== ws && res.bytes && res.bytes.length > 0) {
            assert.ok(!other.hashes.has(sha256Hex(res.bytes)), `${what}: bytes of ${other.slug} served`);
          }
        }
        break;
      }
      case 'upload': {
        const png = randomPng(rand, 32 + Math.floor(rand() * 32), 24 + Math.floor(rand() * 24));
        const name = `secret-${crypto.randomBytes(5).toString('hex')}`;
        res = await u.upload(png, 'x.png', { ws: ws.slug, name });
        const exp = !role ? 404 : writeRoles.has(role) ? 201 : 403;
        assert.equal(res.status, exp, `${what}: ${res.text}`);
        if (exp === 201) {
          ws.palettes.set(String(res.json.palette.id), name);
          ws.hashes.add(sha256Hex(png));
        }
        break;
      }
      case 'rename': {
        const name = `secret-${crypto.randomBytes(5).toString('hex')}`;
        res = await u.patch(`${base}/palettes/${pid}`, { name });
        const exp = expectFor(true) ?? 200;
        assert.equal(res.status, exp, `${what}: ${res.text}`);
        if (exp === 200) ws.palettes.set(pid, name);
        break;
      }
      case 'duplicate': {
        res = await u.post(`${base}/palettes/${pid}/duplicate`);
        const exp = expectFor(true) ?? 201;
        assert.equal(res.status, exp, `${what}: ${res.text}`);
        if (exp === 201) ws.palettes.set(String(res.json.palette.id), res.json.palette.name);
        break;
      }
      case 'delete': {
        if (rand() < 0.6) return; // keep the workspaces populated
        res = await u.del(`${base}/palettes/${pid}`);
        const exp = expectFor(true) ?? 204;
        assert.equal(res.status, exp, `${what}: ${res.text}`);
        if (exp === 204) ws.palettes.delete(pid);
        break;
      }
      case 'extract':
        res = await u.post(`${base}/palettes/${pid}/extract`, { k: 3 + Math.floor(rand() * 5) });
        assert.equal(res.status, expectFor(true) ?? 200, `${what}: ${res.text}`);
        break;
      case 'regions':
        res = await u.post(`${base}/palettes/${pid}/regions`, { strategy: pick(['otsu', 'adaptive', 'quadtree']) });
        assert.equal(res.status, expectFor(true) ?? 200, `${what}: ${res.text}`);
        break;
      case 'move':
        res = await u.post(`${base}/palettes/${pid}/move`, { to: pick(['top', 'bottom', 'up', 'down']) });
        assert.equal(res.status, expectFor(true) ?? 200, `${what}: ${res.text}`);
        break;
      case 'members': {
        res = await u.get(`${base}/members`);
        assert.equal(res.status, role ? 200 : 404, what);
        if (role) {
          const ids = res.json.members.map((m) => m.user_id ?? m.id).map(String).sort();
          const expected = [...ws.members.keys()].map((i) => String(users[i].user.id)).sort();
          assert.deepEqual(ids, expected, `${what}: exactly the workspace's members`);
        }
        break;
      }
      case 'workspace':
        res = await u.get(base);
        assert.equal(res.status, role ? 200 : 404, what);
        break;
      case 'token': {
        // A read token made in one of the user's own workspaces, used on this one.
        const mine = [...workspaces.values()].filter((w) => w.members.has(ui));
        const home = pick(mine);
        const made = await u.post(`/api/v1/t/${home.slug}/tokens`, { name: 'rnd', scope: 'read' });
        assertStatus(made, 201, what);
        const t = new Client(server.url);
        res = await t.get(`${base}/palettes?limit=50`, { headers: { Authorization: `Bearer ${made.json.token.token}` } });
        assert.equal(res.status, home === ws ? 200 : 404, `${what}: token of ${home.slug}`);
        break;
      }
      default:
        throw new Error(op);
    }
    if (res) checkNoLeak(res, ws, what);
  }

  it('no answer crosses a workspace boundary', async () => {
    try {
      for (let n = 0; n < OPS; n++) await step(n);
    } catch (err) {
      err.message += `\nlast operations:\n${log.slice(-10).join('\n')}`;
      throw err;
    }
    // Every workspace still holds exactly what its members did to it.
    for (const ws of workspaces.values()) {
      const ownerIndex = [...ws.members.entries()].find(([, r]) => r === 'owner')[0];
      const res = await users[ownerIndex].get(`/api/v1/t/${ws.slug}/palettes?limit=100`);
      assertStatus(res, 200);
      assert.deepEqual(res.json.palettes.map((p) => String(p.id)).sort(), [...ws.palettes.keys()].sort(), ws.slug);
      for (const p of res.json.palettes) assert.equal(p.name, ws.palettes.get(String(p.id)), `${ws.slug} ${p.id}`);
    }
  });
});
