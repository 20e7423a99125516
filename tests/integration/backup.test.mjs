// `palettemaker backup` / `restore`.
// SQLite + local disk: a backup taken while a loop keeps uploading, editing and deleting through
// the API restores into a new data dir, and a second server on it serves every palette that
// existed when the backup started exactly as the first one does (JSON fields, image bytes), and
// every palette it has with its image (no dangling rows); a tampered or truncated archive is
// refused with the target left empty; a non-empty target and an existing --out are refused.
// PostgreSQL + S3: `backup` refuses, pointing to pg_dump and bucket versioning.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  assertStatus, BACKEND, Client, IMAGES_DIR, makeTempDir, newUser, PASSWORD, removeTempDir, runCli, sha256Hex,
  startServer,
} from './harness.mjs';
import { cliEnvFor } from './operator_helpers.mjs';

const IMAGES = ['coins.png', 'logo.png', 'fruits.jpg', 'smarties.png', 'board.jpg'];

async function listAll(client) {
  const out = [];
  let cursor = null;
  do {
    const res = await client.get(`${client.palettesPath()}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assertStatus(res, 200, 'list');
    out.push(...res.json.palettes);
    cursor = res.json.next_cursor;
  } while (cursor);
  return out;
}

async function imageBytes(client, p) {
  const res = await client.get(p.image_url);
  assertStatus(res, 200, `image of ${p.id}`);
  return res.bytes;
}

async function signIn(url, email) {
  const c = new Client(url);
  assertStatus(await c.login({ email, password: PASSWORD }), 200, `log-in of ${email}`);
  return c;
}

if (BACKEND !== 'sqlite') {
  describe('backup on PostgreSQL + S3', () => {
    let server;
    let tmp;
    before(async () => {
      server = await startServer();
      tmp = await makeTempDir('pm-it-backup-');
    });
    after(async () => {
      await server?.stop();
      await removeTempDir(tmp);
    });

    it('refuses clearly and points to pg_dump and bucket versioning', async () => {
      const out = path.join(tmp, 'b.tar');
      const r = await runCli(['backup', '--out', out], { env: cliEnvFor(server) });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /pg_dump/);
      assert.match(r.stderr, /bucket versioning/);
      assert.match(r.stderr, /docs\/OPERATIONS\.md/);
      assert.equal(fs.existsSync(out), false, 'no archive written');
      assert.deepEqual(fs.readdirSync(tmp), [], 'nothing left beside it');
    });
  });
} else {
  describe('backup and restore (SQLite + local disk)', () => {
    let server;
    let alice;
    let bob;
    let tmp;
    let archive;
    before(async () => {
      server = await startServer();
      tmp = await makeTempDir('pm-it-backup-');
      alice = await newUser(server.url);
      bob = await newUser(server.url);
      // Two workspaces with palettes, an edited one, a duplicate (a shared object), a deleted one.
      for (const [i, file] of IMAGES.entries()) {
        const who = i % 2 === 0 ? alice : bob;
        assertStatus(await who.upload(path.join(IMAGES_DIR, file), file, { name: `p${i}` }), 201, file);
      }
      const [first] = await listAll(alice);
      assertStatus(await alice.patch(`${alice.palettesPath()}/${first.id}`, { name: 'Edited' }), 200);
      assertStatus(await alice.post(`${alice.palettesPath()}/${first.id}/duplicate`, {}), 201, 'duplicate');
      const bobs = await listAll(bob);
      assertStatus(await bob.del(`${bob.palettesPath()}/${bobs[0].id}`), 204, 'delete');
    });
    after(async () => {
      await server?.stop();
      await removeTempDir(tmp);
    });

    it('backs up under write load; a server on the restored data serves the same palettes and bytes', { timeout: 240_000 }, async () => {
      // What exists before the backup starts (the load below never touches these).
      const before = new Map();
      for (const c of [alice, bob]) {
        for (const p of await listAll(c)) before.set(p.id, { client: c, palette: p, bytes: await imageBytes(c, p) });
      }
      assert.ok(before.size >= 5);

      // The load: uploads, renames and deletes of new palettes in a third workspace and alice's.
      const carol = await newUser(server.url);
      let stop = false;
      const counts = { uploads: 0, edits: 0, deletes: 0 };
      const load = (async () => {
        let i = 0;
        while (!stop) {
          const who = i % 2 === 0 ? carol : alice;
          const file = IMAGES[i % IMAGES.length];
          i += 1;
          const up = await who.upload(path.join(IMAGES_DIR, file), file, { name: `load ${i}` });
          assertStatus(up, 201, 'load upload');
          counts.uploads += 1;
          const p = up.json.palette;
          assertStatus(await who.patch(`${who.palettesPath()}/${p.id}`, { name: `load ${i} renamed` }), 200);
          counts.edits += 1;
          if (i % 3 === 0) {
            assertStatus(await who.del(`${who.palettesPath()}/${p.id}`), 204);
            counts.deletes += 1;
          }
        }
      })();
      // Let the load get going, then back up while it runs.
      while (counts.uploads < 2) await new Promise((r) => setTimeout(r, 20));
      archive = path.join(tmp, 'backup.tar');
      const r = await runCli(['backup', '--out', archive], { env: cliEnvFor(server), timeoutMs: 120_000 });
      const uploadsDuring = counts.uploads;
      // Keep writing a little after it, then stop.
      while (counts.uploads < uploadsDuring + 2) await new Promise((res) => setTimeout(res, 20));
      stop = true;
      await load;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /backup .*backup\.tar: \d+ workspaces, \d+ palettes, \d+ objects \(\d+ bytes\), database \d+ bytes, schema version \d+, archive \d+ bytes, [\d.]+ s/);
      assert.ok(counts.uploads > 2 && counts.edits > 2, `the load ran: ${JSON.stringify(counts)}`);
      assert.deepEqual(fs.readdirSync(tmp), ['backup.tar'], 'no temporary files left');
      console.log(`# ${r.stdout.trim()} (load meanwhile: ${JSON.stringify(counts)})`);

      const restored = path.join(tmp, 'restored');
      const rr = await runCli(['restore', archive], { env: { PALETTEMAKER_DATA_DIR: restored }, timeoutMs: 120_000 });
      assert.equal(rr.code, 0, rr.stdout + rr.stderr);
      assert.match(rr.stdout, /restored .* into .*restored: \d+ workspaces, \d+ palettes, \d+ objects \(\d+ bytes\), database \d+ bytes, [\d.]+ s/);
      console.log(`# ${rr.stdout.trim()}`);
      assert.deepEqual(fs.readdirSync(tmp).sort(), ['backup.tar', 'restored'], 'no staging directory left');

      const second = await startServer({ env: { PALETTEMAKER_DATA_DIR: restored } });
      try {
        for (const original of [alice, bob, carol]) {
          const c = await signIn(second.url, original.email);
          const got = await listAll(c);
          const byId = new Map(got.map((p) => [p.id, p]));
          // Every palette that existed before the backup: identical, image byte for byte.
          for (const [id, b] of before) {
            if (b.client !== original) continue;
            const p = byId.get(id);
            assert.ok(p, `palette ${id} restored`);
            assert.deepEqual(p, b.palette, `palette ${id}: every field as the first server serves it`);
            const now = await original.get(`${original.palettesPath()}/${id}`);
            assertStatus(now, 200);
            assert.deepEqual(p, now.json.palette, `palette ${id} equals the live one`);
            assert.ok((await imageBytes(c, p)).equals(b.bytes), `palette ${id}: image bytes`);
          }
          // Their order is kept (the load only adds on top).
          const beforeIds = [...before].filter(([, b]) => b.client === original).map(([id]) => id);
          assert.deepEqual(got.map((p) => p.id).filter((id) => before.has(id)), beforeIds, 'list order');
          // Whatever else the backup caught has its image: no dangling rows.
          for (const p of got) {
            const bytes = await imageBytes(c, p);
            assert.equal(bytes.length, p.image.bytes, `palette ${p.id}: image size`);
            if (p.image.sha256) assert.equal(sha256Hex(bytes), p.image.sha256, `palette ${p.id}: image digest`);
          }
        }
      } finally {
        await second.stop();
        await removeTempDir(restored);
      }
    });

    it('a tampered or truncated archive is refused and the target stays empty', async () => {
      assert.ok(archive, 'made by the test above');
      const bytes = fs.readFileSync(archive);
      const variants = {
        // A byte of the first entry's data (an object: the first header is 512 bytes, no pax).
        'flipped data byte': (() => { const b = Buffer.from(bytes); b[512 + 100] ^= 0x01; return b; })(),
        // A byte in the middle (data or padding).
        'flipped middle byte': (() => { const b = Buffer.from(bytes); b[Math.floor(b.length / 2)] ^= 0x01; return b; })(),
        // A byte of the first header (the first entry's name).
        'flipped header byte': (() => { const b = Buffer.from(bytes); b[5] ^= 0x01; return b; })(),
        truncated: bytes.subarray(0, bytes.length - 3000),
      };
      for (const [what, data] of Object.entries(variants)) {
        const bad = path.join(tmp, 'bad.tar');
        fs.writeFileSync(bad, data);
        const target = path.join(tmp, 'target');
        fs.mkdirSync(target);
        const r = await runCli(['restore', bad], { env: { PALETTEMAKER_DATA_DIR: target } });
        assert.equal(r.code, 2, `${what}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /checksum|truncated|corrupt|modified/, what);
        assert.deepEqual(fs.readdirSync(target), [], `${what}: target left empty`);
        assert.deepEqual(fs.readdirSync(tmp).sort(), ['backup.tar', 'bad.tar', 'target'], `${what}: nothing beside it`);
        fs.rmdirSync(target);
        fs.rmSync(bad);
      }
    });

    it('refuses a non-empty target directory and an existing --out', async () => {
      const target = path.join(tmp, 'busy');
      fs.mkdirSync(target);
      fs.writeFileSync(path.join(target, 'keep.txt'), 'mine');
      const r = await runCli(['restore', archive], { env: { PALETTEMAKER_DATA_DIR: target } });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /not empty/);
      assert.deepEqual(fs.readdirSync(target), ['keep.txt']);
      assert.equal(fs.readFileSync(path.join(target, 'keep.txt'), 'utf8'), 'mine');

      const before = fs.readFileSync(archive);
      const b = await runCli(['backup', '--out', archive], { env: cliEnvFor(server) });
      assert.notEqual(b.code, 0);
      assert.match(b.stderr, /already exists/);
      assert.ok(fs.readFileSync(archive).equals(before), 'the existing file is untouched');
    });
  });
}
