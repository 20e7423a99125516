// Tenant export / import ("ejection"): a workspace on a SQLite + local-disk server is exported
// (GET /api/v1/t/{ws}/export as the owner, and `palettemaker export-tenant`) and imported with
// `palettemaker import-tenant` into a second deployment -- SQLite + local disk in the sqlite run,
// PostgreSQL + S3 in the pg run (the source server is then started with the SQLite settings
// explicitly) -- and everything is compared: palettes in order with every field, image bytes,
// members (matched by e-mail; one without an account is reported), workspace name. The export
// holds only that workspace (another workspace's palettes and images are absent); only the owner
// may export (403 for an editor), it is audited; a tampered, truncated or malformed archive and
// a taken slug are refused, leaving nothing behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  assertStatus, BACKEND, Client, IMAGES_DIR, makeTempDir, newUser, PASSWORD, removeTempDir, runCli, sha256Hex,
  startServer,
} from './harness.mjs';
import { cliEnvFor } from './operator_helpers.mjs';

// The SQLite + local-disk settings, whatever backend the run is for (null removes a variable).
const SQLITE_ENV = {
  PALETTEMAKER_DATABASE_URL: null,
  PALETTEMAKER_DATABASE_MIGRATION_URL: null,
  PALETTEMAKER_STORAGE_URL: null,
  PALETTEMAKER_STORAGE_S3_ENDPOINT: null,
  PALETTEMAKER_STORAGE_S3_REGION: null,
  PALETTEMAKER_STORAGE_S3_PATH_STYLE: null,
  PALETTEMAKER_STORAGE_S3_ACCESS_KEY_ID: null,
  PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY: null,
};

async function listAll(client, ws) {
  const out = [];
  let cursor = null;
  do {
    const res = await client.get(`/api/v1/t/${ws}/palettes?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assertStatus(res, 200, 'list');
    out.push(...res.json.palettes);
    cursor = res.json.next_cursor;
  } while (cursor);
  return out;
}

// The entries of a ustar archive: name -> Buffer (pax 'x' headers applied). Enough to look inside.
function readTar(buf) {
  const out = new Map();
  let off = 0;
  let paxPath = null;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a, n) => h.subarray(a, a + n).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(str(124, 12).trim(), 8);
    const type = String.fromCharCode(h[156]);
    const data = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const m = data.toString('utf8').match(/\d+ path=([^\n]*)\n/);
      paxPath = m ? m[1] : null;
      continue;
    }
    out.set(paxPath || str(0, 100), data);
    paxPath = null;
  }
  return out;
}

// What must survive the trip: everything but the id and the URLs (which name the id).
function comparable(p) {
  const { id, ...rest } = p;
  return Object.fromEntries(Object.entries(rest).filter(([k]) => !k.endsWith('_url')));
}

describe('tenant export and import', () => {
  let source;
  let target;
  let tmp;
  let alice; // owner of the exported workspace (on the source)
  let bob; // editor in it
  let carol; // viewer in it, with no account on the target
  let dave; // another workspace on the source (isolation)
  let slug;
  let exported; // the archive from the API
  const sourceCli = (args) => runCli(args, { env: { ...SQLITE_ENV, PALETTEMAKER_DATA_DIR: source.dataDir }, timeoutMs: 120_000 });
  const targetCli = (args) => runCli(args, { env: cliEnvFor(target), timeoutMs: 120_000 });

  before(async () => {
    source = await startServer({ env: SQLITE_ENV });
    target = await startServer();
    tmp = await makeTempDir('pm-it-export-');
    alice = await newUser(source.url);
    bob = await newUser(source.url);
    carol = await newUser(source.url);
    dave = await newUser(source.url);
    const team = await alice.post('/api/v1/workspaces', { name: 'Export Team' });
    assertStatus(team, 201, 'team workspace');
    slug = team.json.workspace.slug;
    for (const [who, role] of [[bob, 'editor'], [carol, 'viewer']]) {
      const inv = await alice.post(`/api/v1/t/${slug}/invitations`, { email: who.email, role });
      assertStatus(inv, 201, 'invite');
      assertStatus(await who.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200, 'accept');
    }
    const base = `/api/v1/t/${slug}/palettes`;
    const ids = [];
    for (const file of ['coins.png', 'fruits.jpg', 'logo.png']) {
      const up = await alice.upload(path.join(IMAGES_DIR, file), file, { ws: slug, name: `Team ${file}` });
      assertStatus(up, 201, file);
      ids.push(up.json.palette.id);
    }
    const up = await bob.upload(path.join(IMAGES_DIR, 'smarties.png'), 'smarties.png', { ws: slug, name: 'By Bob' });
    assertStatus(up, 201, 'bob upload');
    // Edited fields, regions, a background, a duplicate (shared image) and a reorder.
    assertStatus(await alice.patch(`${base}/${ids[0]}`, { name: 'Coins, renamed', labels: ['one', 'two', 'three', 'four', 'five'].slice(0, (await alice.get(`${base}/${ids[0]}`)).json.palette.colors.length) }), 200, 'rename');
    assertStatus(await alice.post(`${base}/${ids[0]}/regions`, { strategy: 'otsu' }), 200, 'regions');
    assertStatus(await alice.patch(`${base}/${ids[1]}`, { background: 0 }), 200, 'background');
    assertStatus(await alice.post(`${base}/${ids[1]}/duplicate`, {}), 201, 'duplicate');
    assertStatus(await alice.post(`${base}/${ids[2]}/move`, { to: 'bottom' }), 200, 'move');
    // Another workspace with its own image, which must not leak into the export.
    assertStatus(await dave.upload(path.join(IMAGES_DIR, 'rocket.jpg'), 'rocket.jpg', { name: 'Dave only' }), 201);
  });
  after(async () => {
    await source?.stop();
    await target?.stop();
    await removeTempDir(tmp);
  });

  it('only the owner can export; the archive holds that workspace and nothing else; audited', async () => {
    assertStatus(await bob.get(`/api/v1/t/${slug}/export`), 403, 'an editor may not export');
    assertStatus(await dave.get(`/api/v1/t/${slug}/export`), 404, 'a non-member sees nothing');
    const res = await alice.get(`/api/v1/t/${slug}/export`);
    assertStatus(res, 200, 'export');
    assert.equal(res.headers.get('content-type'), 'application/x-tar');
    assert.match(res.headers.get('content-disposition'), new RegExp(`attachment; filename="palettemaker-${slug}-\\d{4}-\\d{2}-\\d{2}\\.tar"`));
    exported = res.bytes;
    const entries = readTar(exported);
    const names = [...entries.keys()];
    assert.deepEqual(names.slice(0, 3), ['workspace.json', 'members.json', 'palettes.json']);
    assert.equal(names[names.length - 1], 'manifest.json', 'the manifest comes last');
    const manifest = JSON.parse(entries.get('manifest.json'));
    assert.equal(manifest.format, 'palettemaker-tenant-export');
    assert.equal(manifest.format_version, 1);
    for (const f of manifest.files) assert.equal(sha256Hex(entries.get(f.name)), f.sha256, f.name);

    const source_ = await listAll(alice, slug);
    const inArchive = JSON.parse(entries.get('palettes.json'));
    assert.deepEqual(inArchive.map((p) => p.id), source_.map((p) => p.id), 'every palette, top first');
    const images = names.filter((n) => n.startsWith('objects/'));
    const digests = new Set(images.map((n) => sha256Hex(entries.get(n))));
    assert.deepEqual(digests, new Set(source_.map((p) => p.image.sha256)), 'exactly the workspace\'s images');
    assert.equal(images.length, source_.length - 1, 'the duplicate shares its image');
    const daves = await listAll(dave, dave.ws);
    assert.ok(!digests.has(daves[0].image.sha256), 'another workspace\'s image is not in it');
    assert.ok(!entries.get('palettes.json').toString().includes('Dave only'));
    const members = JSON.parse(entries.get('members.json'));
    assert.deepEqual(members.map((m) => [m.email, m.role]).sort(),
      [[alice.email, 'owner'], [bob.email, 'editor'], [carol.email, 'viewer']].sort());
    assert.ok(!entries.get('members.json').toString().includes(dave.email));
    assert.equal(JSON.parse(entries.get('workspace.json')).name, 'Export Team');

    const audit = await alice.get(`/api/v1/t/${slug}/audit?action=workspace.exported`);
    assertStatus(audit, 200, 'audit');
    assert.equal(audit.json.entries.length, 1, JSON.stringify(audit.json));
  });

  it(`imports into ${BACKEND === 'postgres' ? 'PostgreSQL + S3' : 'another SQLite + local disk deployment'}: everything compares`, async () => {
    assert.ok(exported, 'made by the test above');
    // The CLI export of the same workspace verifies the same way and holds the same rows.
    const cliOut = path.join(tmp, 'cli-export.tar');
    const ce = await sourceCli(['export-tenant', slug, '--out', cliOut]);
    assert.equal(ce.code, 0, ce.stdout + ce.stderr);
    assert.match(ce.stdout, /exported .*: 3 members, 5 palettes, 4 images \(\d+ bytes\), archive \d+ bytes/);
    assert.deepEqual(JSON.parse(readTar(fs.readFileSync(cliOut)).get('palettes.json')),
      JSON.parse(readTar(exported).get('palettes.json')));

    const file = path.join(tmp, 'api-export.tar');
    fs.writeFileSync(file, exported);
    // On the target: alice and bob have accounts (same e-mail), carol does not.
    const alice2 = await newUser(target.url, { email: alice.email });
    const bob2 = await newUser(target.url, { email: bob.email });
    const r = await targetCli(['import-tenant', file]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`member added: ${bob.email.replace(/[.+]/g, '\\$&')} \\(editor\\)`));
    assert.match(r.stdout, new RegExp(`member not added: ${carol.email.replace(/[.+]/g, '\\$&')} has no account here`));
    assert.match(r.stdout, new RegExp(`imported .* as workspace ${slug} \\(id \\d+\\): 5 palettes, 4 images \\(\\d+ bytes\\), 1 members added, 1 without an account`));
    console.log(`# ${r.stdout.trim().split('\n').pop()}`);

    const before_ = await listAll(alice, slug);
    const after_ = await listAll(alice2, slug);
    // updated_at is kept, except that a palette never edited after its creation that carries
    // regions or a background (a duplicate) comes out 1 ms later: the store moves updated_at
    // strictly forward when those are written (documented in docs/OPERATIONS.md).
    const sameTimes = after_.map((p, i) => {
      const b = before_[i];
      if (b && p.updated_at !== b.updated_at && b.updated_at === b.created_at &&
          Date.parse(p.updated_at) === Date.parse(b.created_at) + 1) {
        return { ...p, updated_at: b.updated_at };
      }
      return p;
    });
    assert.deepEqual(sameTimes.map(comparable), before_.map(comparable), 'every palette, every field, in order');
    for (const [i, p] of after_.entries()) {
      const a = await alice.get(before_[i].image_url);
      const b = await alice2.get(p.image_url);
      assertStatus(b, 200, 'imported image');
      assert.ok(b.bytes.equals(a.bytes), `${p.name}: image bytes`);
    }
    const ws = await alice2.get(`/api/v1/t/${slug}`);
    assertStatus(ws, 200);
    assert.equal(ws.json.workspace.name, 'Export Team');
    const members = await alice2.get(`/api/v1/t/${slug}/members`);
    assertStatus(members, 200);
    assert.deepEqual(members.json.members.map((m) => [m.email, m.role]).sort(),
      [[alice.email, 'owner'], [bob.email, 'editor']].sort());
    assert.equal((await listAll(bob2, slug)).length, 5, 'bob sees it as a member');

    // Exported again from the target (PostgreSQL + S3 in the pg run): the same palettes, members, images.
    const back = await alice2.get(`/api/v1/t/${slug}/export`);
    assertStatus(back, 200, 'export from the target');
    const first = readTar(exported);
    const second = readTar(back.bytes);
    const rows = (entries) => JSON.parse(entries.get('palettes.json')).map(({ id, updated_at: u, image, ...rest }) => {
      const { entry, ...img } = image;
      return { ...rest, image: img };
    });
    assert.deepEqual(rows(second), rows(first), 'palettes.json round-trips');
    const digests = (entries) => new Set([...entries].filter(([n]) => n.startsWith('objects/')).map(([, d]) => sha256Hex(d)));
    assert.deepEqual(digests(second), digests(first), 'the same images');
    assert.deepEqual(JSON.parse(second.get('members.json')).map((m) => [m.email, m.role]).sort(),
      [[alice.email, 'owner'], [bob.email, 'editor']].sort());
    const audit = await alice2.get(`/api/v1/t/${slug}/audit?action=workspace.`);
    assertStatus(audit, 200);
    assert.deepEqual(audit.json.entries.map((e) => e.action).sort(), ['workspace.exported', 'workspace.imported']);

    // The same slug again: refused, nothing changes.
    const again = await targetCli(['import-tenant', file]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already exists here; pass --slug/);
    assert.equal((await listAll(alice2, slug)).length, 5);
  });

  it('a tampered, truncated or malformed archive is refused and leaves nothing behind', async () => {
    assert.ok(exported);
    const alice2 = new Client(target.url);
    assertStatus(await alice2.login({ email: alice.email, password: PASSWORD }), 200);
    const entries = readTar(exported);
    const firstImage = [...entries.keys()].find((n) => n.startsWith('objects/'));
    const at = exported.indexOf(entries.get(firstImage)); // its data in the archive
    const variants = {
      'flipped image byte': (() => { const b = Buffer.from(exported); b[at + 50] ^= 0x01; return b; })(),
      'flipped header byte': (() => { const b = Buffer.from(exported); b[3] ^= 0x01; return b; })(),
      truncated: exported.subarray(0, exported.length - 2000),
      'not an archive': Buffer.from('{"palettes": []}\n'.repeat(100)),
    };
    for (const [what, data] of Object.entries(variants)) {
      const file = path.join(tmp, 'bad.tar');
      fs.writeFileSync(file, data);
      const newSlug = `bad-${what.replace(/[^a-z]+/g, '-')}`.slice(0, 30).replace(/-$/, '');
      const r = await targetCli(['import-tenant', file, '--slug', newSlug]);
      assert.equal(r.code, 2, `${what}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /checksum|truncated|corrupt|not a POSIX ustar archive/, what);
      assertStatus(await alice2.get(`/api/v1/t/${newSlug}`), 404, `${what}: no workspace made`);
    }
    // Unknown owner: refused before anything is created.
    const ws = path.join(tmp, 'good.tar');
    fs.writeFileSync(ws, exported);
    const r = await targetCli(['import-tenant', ws, '--slug', 'no-owner-here', '--owner', 'nobody@example.com']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no account with the owner's e-mail address nobody@example\.com/);
    assertStatus(await alice2.get('/api/v1/t/no-owner-here'), 404);
  });
});
