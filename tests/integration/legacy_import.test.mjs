// `palettemaker import-legacy`: an install of the original single-user app (the sample in
// ../shared/testdata/legacy: two good lines, a malformed line 2, a line whose image is missing)
// imported into one workspace while the server runs. Checked through the API: names, colours,
// labels, background, regions, creation times and the file's order on top; bad lines reported
// by number with nothing left behind; a second run imports nothing; --dry-run writes nothing;
// another workspace is untouched; bad arguments exit 2.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { assertStatus, makeTempDir, newUser, runCli, sha256Hex, startServer, TESTDATA_DIR } from './harness.mjs';
import { cliEnvFor, tenantObjects } from './operator_helpers.mjs';

const LEGACY = path.join(TESTDATA_DIR, 'legacy');
const METADATA = path.join(LEGACY, 'image_metadata.jsonl');
const UPLOADS = path.join(LEGACY, 'uploads');

async function palettes(client) {
  const res = await client.get(`${client.palettesPath()}?limit=100`);
  assertStatus(res, 200, 'list');
  return res.json.palettes;
}

describe('import-legacy', () => {
  let server;
  let owner;
  let other;
  const run = (args) => runCli(['import-legacy', ...args], { env: cliEnvFor(server), timeoutMs: 60_000 });

  before(async () => {
    server = await startServer();
    owner = await newUser(server.url);
    other = await newUser(server.url);
  });
  after(async () => server?.stop());

  it('--dry-run checks every line and writes nothing', async () => {
    const r = await run(['--metadata', METADATA, '--uploads', UPLOADS, '--tenant', owner.ws, '--dry-run']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /line 1: ok "Fruit bowl": would be imported/);
    assert.match(r.stderr, /line 2: error: not valid JSON/);
    assert.match(r.stdout, /dry run, nothing written; .*: 4 lines: 0 imported, 0 already present, 2 failed, 2 would be imported/);
    assert.deepEqual(await palettes(owner), []);
  });

  it('imports the good lines in the file order, reports the bad ones by line number', async () => {
    const r = await run(['--metadata', METADATA, '--uploads', UPLOADS, '--tenant', owner.ws]);
    assert.equal(r.code, 1, 'some lines failed: exit 1');
    assert.match(r.stdout, /line 1: imported "Fruit bowl": imported as palette \d+/);
    assert.match(r.stdout, /line 3: imported "img-1739454600000-123456789"/);
    assert.match(r.stderr, /line 2: error: not valid JSON/);
    assert.match(r.stderr, /line 4: error: image file not found: .*img-1739350800000-555555555\.jpeg/);
    assert.match(r.stdout, /: 4 lines: 2 imported, 0 already present, 2 failed/);

    const list = await palettes(owner);
    assert.deepEqual(list.map((p) => p.name), ['Fruit bowl', 'img-1739454600000-123456789'], 'line 1 on top');
    const [fruit, coins] = list;
    assert.deepEqual(fruit.colors, ['#5a3b1e', '#8c6a2f', '#b8862c', '#c9a35a', '#d9b98c']);
    assert.deepEqual(fruit.labels, ['A', 'B', 'C', 'D', 'E']);
    assert.equal(fruit.background, 2);
    assert.deepEqual(fruit.regions, [[[10, 10], [200, 10], [200, 200], [10, 200]]]);
    assert.deepEqual(fruit.region_labels, ['00']);
    assert.equal(fruit.region_colors.length, 1, 'region colours recomputed from the image');
    assert.equal(fruit.created_at, '2025-02-13T15:31:40.000Z');
    assert.equal(fruit.image.width, 512);
    assert.equal(fruit.image.height, 480);
    // The older record: colours as recorded, labels A.., no regions or background.
    assert.deepEqual(coins.colors, ['#4b4b4b', '#7d7d7d', '#a9a9a9']);
    assert.deepEqual(coins.labels, ['A', 'B', 'C']);
    assert.equal(coins.background, null);
    assert.deepEqual(coins.regions, []);
    assert.equal(coins.created_at, '2025-02-13T15:30:00.000Z');
    // The stored bytes are the legacy files.
    for (const [p, file] of [[fruit, 'img-1739454700000-987654321.jpeg'], [coins, 'img-1739454600000-123456789.png']]) {
      const img = await owner.get(p.image_url);
      assertStatus(img, 200, 'image');
      assert.equal(sha256Hex(img.bytes), sha256Hex(fs.readFileSync(path.join(UPLOADS, file))));
    }
  });

  it('a second run imports nothing twice', async () => {
    const before = await palettes(owner);
    const objects = tenantObjects(server, owner.workspaces[0].id).length;
    const r = await run(['--metadata', METADATA, '--uploads', UPLOADS, '--tenant', owner.ws]);
    assert.match(r.stdout, /line 1: skipped "Fruit bowl": already imported as palette \d+/);
    assert.match(r.stdout, /: 4 lines: 0 imported, 2 already present, 2 failed/);
    assert.deepEqual((await palettes(owner)).map((p) => p.id), before.map((p) => p.id));
    assert.equal(tenantObjects(server, owner.workspaces[0].id).length, objects, 'no new objects');
  });

  it('a line the palette rules refuse leaves nothing behind; the other workspace is untouched', async () => {
    const dir = await makeTempDir('pm-legacy-');
    const good = fs.readFileSync(METADATA, 'utf8').split('\n')[0];
    const rec = JSON.parse(good);
    const lines = [
      // Background index past the colours; a polygon outside the 512x480 image.
      JSON.stringify({ ...rec, paletteName: 'Bad background', backgroundSwatchIndex: 9 }),
      JSON.stringify({ ...rec, paletteName: 'Bad region', regions: [[[0, 0], [900, 0], [900, 900]]] }),
      JSON.stringify({ ...rec, paletteName: 'Bad colour', colorPalette: ['#12345'] }),
      JSON.stringify({ ...rec, paletteName: 'Typo', colourPalette: ['#123456'] }),
      JSON.stringify({ ...rec, paletteName: 'Escape', cachedFilePath: 'uploads/..' }),
      '[1, 2, 3]',
      JSON.stringify({ ...rec, paletteName: 'Good one' }),
    ];
    const metadata = path.join(dir, 'image_metadata.jsonl');
    fs.writeFileSync(metadata, lines.join('\n') + '\n');
    const objectsBefore = tenantObjects(server, other.workspaces[0].id).length;
    const r = await run(['--metadata', metadata, '--uploads', UPLOADS, '--tenant', other.ws]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /line 1: error "Bad background": .*background/);
    assert.match(r.stderr, /line 2: error "Bad region": .*region/i);
    assert.match(r.stderr, /line 3: error: .*colorPalette/);
    assert.match(r.stderr, /line 4: error: unknown field colourPalette/);
    assert.match(r.stderr, /line 5: error: cachedFilePath does not name a file/);
    assert.match(r.stderr, /line 6: error: not a JSON object/);
    assert.match(r.stdout, /line 7: imported "Good one"/);
    assert.match(r.stdout, /: 7 lines: 1 imported, 0 already present, 6 failed/);
    assert.deepEqual((await palettes(other)).map((p) => p.name), ['Good one']);
    // Only the good line's image is stored: the refused ones were removed again.
    assert.equal(tenantObjects(server, other.workspaces[0].id).length, objectsBefore + 1);
    // The first workspace did not change.
    assert.equal((await palettes(owner)).length, 2);
  });

  it('bad arguments and unknown workspaces are refused clearly', async () => {
    let r = await runCli(['import-legacy', '--metadata', METADATA, '--tenant', owner.ws], { env: cliEnvFor(server) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--uploads is required/);
    r = await run(['--metadata', '/nonexistent/meta.jsonl', '--uploads', UPLOADS, '--tenant', owner.ws]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /File does not exist/);
    r = await run(['--metadata', METADATA, '--uploads', UPLOADS, '--tenant', 'no-such-workspace']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no workspace with the slug no-such-workspace/);
  });
});
