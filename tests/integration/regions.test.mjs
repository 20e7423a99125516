// Regions and hand editing (docs/API.md "Palettes"): region detection, extraction from the
// regions only, PATCH of colours / labels / regions / region labels / background with every bad
// input refused and nothing changed, duplicates sharing their image, list order and moves, and
// the viewer role.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  HEX_COLOR,
  assertError,
  assertStatus,
  imagePath,
  newUser,
  objectFiles,
  sha256Hex,
  startServer,
} from './harness.mjs';

const COINS = { file: 'coins.png', width: 384, height: 303 };
const FRUITS = { file: 'fruits.jpg', width: 512, height: 480 };

// A membership API comes later; until then the role is changed in the database itself:
// sqlite3 on the server's file, or psql as the serving role inside the tenant (RLS applies).
function setRoleInDatabase(server, tenantId, userId, role) {
  assert.ok(['owner', 'admin', 'editor', 'viewer'].includes(role));
  const update = `UPDATE memberships SET role = '${role}' WHERE tenant_id = ${Number(tenantId)} ` +
    `AND user_id = ${Number(userId)}`;
  const pgUrl = process.env.PM_TEST_SERVER_ENV_PALETTEMAKER_DATABASE_URL;
  const [tool, args] = pgUrl && pgUrl.startsWith('postgres')
    // One -c string is one transaction, so the local setting holds for the UPDATE.
    ? ['psql', [pgUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c',
      `SELECT set_config('app.tenant_id', '${Number(tenantId)}', true); ${update};`]]
    : ['sqlite3', [path.join(server.dataDir, 'palettemaker.db'), '.timeout 5000', update]];
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`could not change the role with ${tool} (scripts/install-deps.sh test installs it): ` +
      `${err.code === 'ENOENT' ? `${tool} is not installed` : String(err.stderr || err.message)}`);
  }
}

function assertPolygonInside(poly, { width, height }, where) {
  assert.ok(Array.isArray(poly) && poly.length >= 3, `${where}: a polygon of >= 3 points: ${JSON.stringify(poly)}`);
  for (const pt of poly) {
    assert.ok(Array.isArray(pt) && pt.length === 2, `${where}: point ${JSON.stringify(pt)}`);
    const [x, y] = pt;
    assert.ok(Number.isInteger(x) && Number.isInteger(y), `${where}: integer point ${JSON.stringify(pt)}`);
    assert.ok(x >= 0 && x <= width && y >= 0 && y <= height, `${where}: point ${JSON.stringify(pt)} inside ${width}x${height}`);
  }
}

function assertRegionColors(p, image) {
  assert.ok(Array.isArray(p.region_colors), 'region_colors');
  assert.equal(p.region_colors.length, p.regions.length, 'one region colour per region');
  p.region_colors.forEach((rc, i) => {
    const where = `region_colors[${i}]`;
    assert.ok(Array.isArray(rc.centroid) && rc.centroid.length === 2, `${where}.centroid`);
    const [cx, cy] = rc.centroid;
    assert.ok(cx >= 0 && cx <= image.width && cy >= 0 && cy <= image.height, `${where}.centroid inside: ${rc.centroid}`);
    assert.ok(rc.average === null || HEX_COLOR.test(rc.average), `${where}.average: ${rc.average}`);
    if (p.colors.length > 0 && rc.average !== null) {
      assert.ok(Number.isInteger(rc.swatch) && rc.swatch >= 0 && rc.swatch < p.colors.length, `${where}.swatch: ${rc.swatch}`);
      assert.equal(rc.hex, p.colors[rc.swatch], `${where}.hex is the swatch's colour`);
    }
  });
}

function labels00(n) {
  return Array.from({ length: n }, (_, i) => String(i).padStart(2, '0'));
}

const SQUARE = (x, y, s) => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

describe('regions, editing, duplicates and order', () => {
  let server;
  let user;
  let base;
  let coins; // palette
  let fruits; // palette

  before(async () => {
    server = await startServer();
    user = await newUser(server.url);
    base = user.palettesPath();
    let res = await user.upload(imagePath(COINS.file), COINS.file);
    assertStatus(res, 201);
    coins = res.json.palette;
    res = await user.upload(imagePath(FRUITS.file), FRUITS.file);
    assertStatus(res, 201);
    fruits = res.json.palette;
  });
  after(async () => {
    if (server) await server.stop();
  });

  const get = async (id) => {
    const res = await user.get(`${base}/${id}`);
    assertStatus(res, 200, `GET ${id}`);
    return res.json.palette;
  };
  const listIds = async () => {
    const res = await user.get(`${base}?limit=100`);
    assertStatus(res, 200);
    return res.json.palettes.map((p) => p.id);
  };

  describe('region detection', () => {
    it('a new palette has no regions, no labels, no background, no region params', async () => {
      const p = await get(coins.id);
      assert.deepEqual(p.regions, []);
      assert.deepEqual(p.region_labels, []);
      assert.deepEqual(p.region_colors, []);
      assert.equal(p.background, null);
      assert.equal(p.regions_params, null);
    });

    it('otsu on coins.png: regions returned, stored, shown by GET, with colours and labels 00..', async () => {
      const res = await user.post(`${base}/${coins.id}/regions`, { strategy: 'otsu' });
      assertStatus(res, 200, 'detect otsu');
      const body = res.json;
      assert.ok(body.regions.length >= 3, `coins has several coins: ${body.regions.length} regions`);
      assert.ok(body.regions.length <= 20, 'capped at max_regions (20)');
      body.regions.forEach((poly, i) => assertPolygonInside(poly, COINS, `region ${i}`));
      assert.deepEqual(body.region_labels, labels00(body.regions.length));
      assert.equal(body.strategy, 'otsu');
      assert.equal(body.used, 'otsu');
      assert.equal(body.params.max_regions, 20, `effective params: ${JSON.stringify(body.params)}`);
      assert.equal(body.params.min_area, 0.005);
      assertRegionColors({ ...body, colors: body.palette.colors }, COINS);

      const p = await get(coins.id);
      assert.deepEqual(body.palette, p, 'palette in the response is the stored one');
      assert.deepEqual(p.regions, body.regions);
      assert.deepEqual(p.region_labels, body.region_labels);
      assert.deepEqual(p.region_colors, body.region_colors);
      assert.deepEqual(p.colors, coins.colors, 'colours untouched');
      assert.equal(p.params.k, null, 'params.k kept');
      assert.equal(p.regions_params.strategy, 'otsu');
      assert.equal(p.regions_params.used, 'otsu');
      assert.deepEqual(p.regions_params.params, body.params);
      assert.deepEqual(p.params.regions, p.regions_params);
      // Deterministic.
      const again = await user.post(`${base}/${coins.id}/regions`, { strategy: 'otsu' });
      assertStatus(again, 200);
      assert.deepEqual(again.json.regions, body.regions, 'same image + request -> same regions');
    });

    it('parameters are used and stored (max_regions=3, adaptive block_size=15)', async () => {
      let res = await user.post(`${base}/${coins.id}/regions`, { strategy: 'otsu', params: { max_regions: 3 } });
      assertStatus(res, 200);
      assert.ok(res.json.regions.length >= 1 && res.json.regions.length <= 3, `${res.json.regions.length} regions`);
      assert.equal((await get(coins.id)).regions_params.params.max_regions, 3);
      res = await user.post(`${base}/${coins.id}/regions`, { strategy: 'adaptive', params: { block_size: 15 } });
      assertStatus(res, 200);
      assert.equal(res.json.used, 'adaptive');
      assert.equal(res.json.params.block_size, 15);
      const p = await get(coins.id);
      assert.equal(p.regions_params.strategy, 'adaptive');
      assert.equal(p.regions_params.params.block_size, 15);
      assertRegionColors(p, COINS);
    });

    it('bad requests are 400 with a clear message, and nothing is stored', async () => {
      const beforeCoins = await get(coins.id);
      const beforeFruits = await get(fruits.id);
      const casesFor = (image) => [
        [{ strategy: 'nope' }, /nope|strateg/i],
        [{ strategy: 'otsu', params: { bogus: 1 } }, /bogus/],
        [{ strategy: 'adaptive', params: { block_size: 4 } }, /block_size/],
        [{ strategy: 'otsu', params: { max_regions: 0 } }, /max_regions/],
        [{ strategy: 'otsu', params: { min_area: 'big' } }, /min_area/],
        [{ strategy: 'otsu', params: { blur: true } }, /blur/],
        [{ strategy: 'otsu', params: [1] }, /params/],
        [{ strategy: 'template_match' }, /template_box/],
        [{ strategy: 'template_match', template_box: { x: image.width - 2, y: 0, width: 50, height: 50 } }, /template_box must lie inside/],
        [{ strategy: 'template_match', template_box: { x: 0, y: image.height, width: 50, height: 50 } }, /template_box must lie inside/],
        [{ strategy: 'template_match', template_box: { x: -1, y: 0, width: 50, height: 50 } }, /template_box must lie inside/],
        [{ strategy: 'template_match', template_box: { x: 0, y: 0, width: 50 } }, /height/],
        [{ strategy: 'template_match', template_box: { x: 0.5, y: 0, width: 50, height: 50 } }, /template_box\.x/],
        [{ strategy: 'otsu', template_box: { x: 0, y: 0, width: 50, height: 50 } }, /template_box/],
        [{ strategy: 5 }, /strategy/],
        [{ strategy: 'otsu', bogus: true }, /bogus/],
      ];
      for (const [id, before, image] of [[coins.id, beforeCoins, COINS], [fruits.id, beforeFruits, FRUITS]]) {
        for (const [body, message] of casesFor(image)) {
          const err = assertError(await user.post(`${base}/${id}/regions`, body), 400, 'invalid_argument',
            `regions ${JSON.stringify(body)}`);
          assert.match(err.message, message, `message for ${JSON.stringify(body)}`);
        }
        assertError(await user.request('POST', `${base}/${id}/regions`,
          { body: '{"strategy":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_argument');
        assert.deepEqual(await get(id), before, 'nothing stored');
      }
    });

    it('every strategy answers through the API with well-formed, stored regions', async () => {
      const strategies = ['default', 'adaptive', 'otsu', 'canny', 'color', 'watershed', 'grabcut', 'slic',
        'saliency', 'meanshift', 'quadtree', 'circles', 'rectangles', 'contour_circles', 'template_match'];
      const failures = [];
      for (const strategy of strategies) {
        const body = { strategy };
        if (strategy === 'template_match') body.template_box = { x: 10, y: 10, width: 60, height: 60 };
        const res = await user.post(`${base}/${coins.id}/regions`, body);
        try {
          assertStatus(res, 200, strategy);
          const r = res.json;
          assert.equal(r.strategy, strategy);
          assert.ok(strategy === 'default' ? typeof r.used === 'string' && r.used.length > 0 : r.used === strategy,
            `used: ${r.used}`);
          assert.ok(r.regions.length <= 20, `${r.regions.length} regions`);
          r.regions.forEach((poly, i) => assertPolygonInside(poly, COINS, `${strategy} region ${i}`));
          assert.deepEqual(r.region_labels, labels00(r.regions.length));
          assertRegionColors({ ...r, colors: r.palette.colors }, COINS);
          assert.deepEqual(r.palette.regions, r.regions, 'stored');
          assert.equal(r.palette.regions_params.strategy, strategy);
          if (strategy === 'template_match') {
            assert.deepEqual(r.palette.regions_params.template_box, body.template_box, 'the box is stored');
          }
        } catch (err) {
          failures.push(`${strategy}: ${err.message}`);
        }
      }
      assert.deepEqual(failures, [], failures.join('\n'));
    });

    it('unknown palette is 404', async () => {
      assertError(await user.post(`${base}/999999/regions`, { strategy: 'otsu' }), 404, 'not_found');
    });
  });

  describe('extraction from the regions', () => {
    it('use_regions without regions is 400 and changes nothing', async () => {
      const before = await get(fruits.id);
      const err = assertError(await user.post(`${base}/${fruits.id}/extract`, { use_regions: true }), 400,
        'invalid_argument');
      assert.equal(err.message, 'this palette has no regions: detect regions first, or extract without use_regions');
      assertError(await user.post(`${base}/${fruits.id}/extract`, { use_regions: 'yes' }), 400, 'invalid_argument');
      assert.deepEqual(await get(fruits.id), before);
    });

    it('use_regions extracts from the pixels inside the regions only', async () => {
      const whole = await user.post(`${base}/${fruits.id}/extract`, {});
      assertStatus(whole, 200);
      assertStatus(await user.patch(`${base}/${fruits.id}`, { regions: [SQUARE(300, 250, 200)] }), 200);
      const masked = await user.post(`${base}/${fruits.id}/extract`, { use_regions: true });
      assertStatus(masked, 200, 'extract use_regions');
      assert.notDeepEqual(masked.json.colors, whole.json.colors, 'a corner of fruits.jpg has other colours');
      assert.deepEqual(masked.json.labels, masked.json.colors.map((_, i) => String.fromCharCode(65 + i)));
      const p = await get(fruits.id);
      assert.deepEqual(p, masked.json.palette);
      assert.deepEqual(p.colors, masked.json.colors);
      assert.equal(p.params.use_regions, true);
      assert.equal(p.region_colors.length, 1);
      assertRegionColors(p, FRUITS);
      assert.deepEqual(masked.json.region_colors, p.region_colors);
      // Deterministic, and whole-image extraction comes back after.
      const again = await user.post(`${base}/${fruits.id}/extract`, { use_regions: true });
      assert.deepEqual(again.json.colors, masked.json.colors);
      const plain = await user.post(`${base}/${fruits.id}/extract`, { use_regions: false });
      assert.deepEqual(plain.json.colors, whole.json.colors);
      assert.equal(plain.json.palette.params.use_regions, false);
      assertRegionColors(plain.json.palette, FRUITS);
    });

    it('extract recomputes region colours against the new colours', async () => {
      const res = await user.post(`${base}/${coins.id}/extract`, { k: 2 });
      assertStatus(res, 200);
      const p = res.json.palette;
      assert.ok(p.regions.length > 0);
      assertRegionColors(p, COINS);
      for (const rc of p.region_colors) assert.ok(p.colors.includes(rc.hex), `${rc.hex} in ${p.colors}`);
    });
  });

  describe('PATCH', () => {
    it('colors: normalised to lower case, labels regenerated, coverage cleared, region colours recomputed', async () => {
      const regions = (await get(coins.id)).regions;
      let res = await user.patch(`${base}/${coins.id}`, { colors: ['#000000', '#FFFFFF'] });
      assertStatus(res, 200);
      let p = res.json.palette;
      assert.deepEqual(p.colors, ['#000000', '#ffffff']);
      assert.deepEqual(p.labels, ['A', 'B']);
      assert.deepEqual(p.coverage, []);
      assert.deepEqual(p.regions, regions, 'regions untouched');
      assertRegionColors(p, COINS);
      const swatches = p.region_colors.map((rc) => rc.swatch);
      // Swap the two colours: every region's swatch index flips, its hex stays.
      res = await user.patch(`${base}/${coins.id}`, { colors: ['#ffffff', '#000000'] });
      assertStatus(res, 200);
      p = res.json.palette;
      assertRegionColors(p, COINS);
      assert.deepEqual(p.region_colors.map((rc) => rc.swatch), swatches.map((s) => (s === null ? null : 1 - s)));
      assert.deepEqual(await get(coins.id), p, 'stored');
    });

    it('labels, background, region labels', async () => {
      let res = await user.patch(`${base}/${coins.id}`, { labels: ['Paper', 'Ink'], background: 0 });
      assertStatus(res, 200);
      assert.deepEqual(res.json.palette.labels, ['Paper', 'Ink']);
      assert.equal(res.json.palette.background, 0);
      const n = res.json.palette.regions.length;
      const names = Array.from({ length: n }, (_, i) => `coin ${i + 1}`);
      res = await user.patch(`${base}/${coins.id}`, { region_labels: names });
      assertStatus(res, 200);
      assert.deepEqual(res.json.palette.region_labels, names);
      assert.equal(res.json.palette.background, 0, 'background kept');
      res = await user.patch(`${base}/${coins.id}`, { background: null });
      assertStatus(res, 200);
      assert.equal(res.json.palette.background, null);
      // Colours and labels together; a background out of range after fewer colours is reset.
      assertStatus(await user.patch(`${base}/${coins.id}`, { background: 1 }), 200);
      res = await user.patch(`${base}/${coins.id}`, { colors: ['#808080'], labels: ['Grey'] });
      assertStatus(res, 200);
      assert.deepEqual(res.json.palette.labels, ['Grey']);
      assert.equal(res.json.palette.background, null, 'background 1 of 1 colour is gone');
      assert.deepEqual(await get(coins.id), res.json.palette);
    });

    it('regions: replaced, labels 00.. regenerated, colours computed; [] clears them', async () => {
      const regions = [SQUARE(10, 10, 100), [[200, 20], [380, 20], [290, 290]]];
      let res = await user.patch(`${base}/${fruits.id}`, { regions });
      assertStatus(res, 200);
      let p = res.json.palette;
      assert.deepEqual(p.regions, regions);
      assert.deepEqual(p.region_labels, ['00', '01']);
      assertRegionColors(p, FRUITS);
      assert.deepEqual(p.region_colors[0].centroid, [60, 60]);
      res = await user.patch(`${base}/${fruits.id}`, { regions: [regions[1]], region_labels: ['triangle'] });
      assertStatus(res, 200);
      p = res.json.palette;
      assert.deepEqual(p.region_labels, ['triangle']);
      assert.equal(p.region_colors.length, 1);
      // Vertices on the far edges (x = width, y = height) are inside.
      res = await user.patch(`${base}/${fruits.id}`, { regions: [[[0, 0], [FRUITS.width, 0], [FRUITS.width, FRUITS.height]]] });
      assertStatus(res, 200);
      res = await user.patch(`${base}/${fruits.id}`, { regions: [] });
      assertStatus(res, 200);
      p = res.json.palette;
      assert.deepEqual([p.regions, p.region_labels, p.region_colors], [[], [], []]);
      assert.deepEqual(await get(fruits.id), p);
    });

    it('every bad input is 400 and changes nothing (all or nothing)', async () => {
      assertStatus(await user.patch(`${base}/${fruits.id}`, { regions: [SQUARE(10, 10, 50)], colors: ['#102030', '#405060'] }), 200);
      const before = await get(fruits.id);
      const tooManyRegions = Array.from({ length: 101 }, () => SQUARE(0, 0, 10));
      const cases = [
        [{ colors: ['#12345'] }, /colors\[0\]/],
        [{ colors: ['#1234567'] }, /colors\[0\]/],
        [{ colors: ['#gggggg'] }, /colors\[0\]/],
        [{ colors: ['red'] }, /colors\[0\]/],
        [{ colors: ['#abc'] }, /colors\[0\]/],
        [{ colors: ['#aabbcc', ' #aabbcc'] }, /colors\[1\]/],
        [{ colors: [] }, /colors/],
        [{ colors: Array.from({ length: 65 }, () => '#000000') }, /colors/],
        [{ colors: [5] }, /colors\[0\]/],
        [{ colors: '#aabbcc' }, /colors/],
        [{ labels: ['only one'] }, /labels/],
        [{ labels: ['A', 'B', 'C'] }, /labels/],
        [{ colors: ['#000000', '#111111', '#222222'], labels: ['A', 'B'] }, /labels/],
        [{ labels: ['A', ''] }, /labels\[1\]/],
        [{ labels: ['A', '   '] }, /labels\[1\]/],
        [{ labels: ['A', 'x'.repeat(33)] }, /labels\[1\]/],
        [{ labels: ['A', 7] }, /labels\[1\]/],
        [{ labels: 'A' }, /labels/],
        [{ regions: [[[0, 0], [10, 10]]] }, /region 0/],
        [{ regions: [[[0, 0], [FRUITS.width + 1, 0], [10, 10]]] }, /region 0/],
        [{ regions: [SQUARE(0, 0, 10), [[0, 0], [10, 0], [10, -1]]] }, /region 1/],
        [{ regions: [[[0, 0], [100, 100], [100, 0], [0, 100]]] }, /region 0/], // bow tie
        [{ regions: [[[0, 0], [10.5, 0], [10, 10]]] }, /region 0.*integer/],
        [{ regions: [[[0, 0], ['10', 0], [10, 10]]] }, /region 0/],
        [{ regions: [[[0, 0, 0], [10, 0], [10, 10]]] }, /region 0/],
        [{ regions: [[[0, 0], [10, 0], [20, 0]]] }, /region 0/], // no area
        [{ regions: tooManyRegions }, /100/],
        [{ regions: 'none' }, /regions/],
        [{ regions: [SQUARE(0, 0, 10)], region_labels: ['a', 'b'] }, /region_labels/],
        [{ region_labels: ['00', '01'] }, /region_labels/],
        [{ region_labels: ['y'.repeat(33)] }, /region_labels\[0\]/],
        [{ background: 2 }, /background/],
        [{ background: -1 }, /background/],
        [{ background: 1.5 }, /background/],
        [{ background: '0' }, /background/],
        [{ colors: ['#000000'], background: 1 }, /background/],
        [{ name: 5 }, /name/],
        [{ name: null }, /name/],
        [{ name: '' }, /name/],
        [{ bogus: 1 }, /bogus/],
        [{ colours: ['#000000'] }, /colours/],
        [{ colors: ['#000000', '#ffffff'], bogus: 1 }, /bogus/],
        [{ name: 'fine', colors: ['#000000', 'nope'] }, /colors\[1\]/],
        [{}, /nothing to change/],
      ];
      for (const [body, message] of cases) {
        const where = `PATCH ${JSON.stringify(body).slice(0, 80)}`;
        const err = assertError(await user.patch(`${base}/${fruits.id}`, body), 400, 'invalid_argument', where);
        assert.match(err.message, message, `${where}: ${err.message}`);
        assert.deepEqual(await get(fruits.id), before, `${where} changed nothing`);
      }
      assertError(await user.request('PATCH', `${base}/${fruits.id}`,
        { body: '[1]', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_argument');
      assertError(await user.patch(`${base}/${fruits.id}`, { colors: ['#000000'] }, { csrf: false }), 403, 'csrf_failed');
      assertError(await user.patch(`${base}/999999`, { colors: ['#000000'] }), 404, 'not_found');
      assert.deepEqual(await get(fruits.id), before);
    });
  });

  describe('duplicate', () => {
    let original;
    let copies = [];
    let bytes;

    before(async () => {
      bytes = fs.readFileSync(imagePath(COINS.file));
      const res = await user.upload(bytes, COINS.file, { name: 'Coins' });
      assertStatus(res, 201);
      original = res.json.palette;
      assertStatus(await user.post(`${base}/${original.id}/regions`, { strategy: 'otsu', params: { max_regions: 4 } }), 200);
      assertStatus(await user.patch(`${base}/${original.id}`, { background: 1, labels: original.colors.map((_, i) => `c${i}`) }), 200);
      original = await get(original.id);
    });

    it('copies every field, names "Coins (2)" then "(3)", shares the stored image, goes on top', async () => {
      const objs = objectFiles(server);
      for (const want of ['Coins (2)', 'Coins (3)']) {
        const res = await user.post(`${base}/${original.id}/duplicate`);
        assertStatus(res, 201, 'duplicate');
        const p = res.json.palette;
        copies.push(p);
        assert.equal(p.name, want);
        assert.notEqual(p.id, original.id);
        for (const f of ['image', 'colors', 'labels', 'coverage', 'regions', 'region_colors', 'region_labels',
          'background', 'params', 'regions_params']) {
          assert.deepEqual(p[f], original[f], `${f} copied`);
        }
        assert.equal(p.image_url, `${base}/${p.id}/image`);
        assert.deepEqual(await get(p.id), p);
        assert.equal((await listIds())[0], p.id, 'on top of the list');
        const img = await user.get(`${base}/${p.id}/image`);
        assertStatus(img, 200);
        assert.ok(img.bytes.equals(bytes), 'same bytes');
        assert.equal(img.headers.get('etag'), `"${sha256Hex(bytes)}"`, 'same ETag');
      }
      if (objs) assert.deepEqual(objectFiles(server), objs, 'no second copy of the bytes');
      // A copy of a copy strips its " (n)" and takes the next free n.
      const res = await user.post(`${base}/${copies[0].id}/duplicate`, {});
      assertStatus(res, 201);
      assert.equal(res.json.palette.name, 'Coins (4)');
      copies.push(res.json.palette);
    });

    it('a 100-character name stays within 100 characters', async () => {
      const long = 'é'.repeat(100);
      assertStatus(await user.patch(`${base}/${copies[2].id}`, { name: long }), 200);
      let res = await user.post(`${base}/${copies[2].id}/duplicate`);
      assertStatus(res, 201);
      assert.equal(res.json.palette.name, `${'é'.repeat(96)} (2)`);
      const first = res.json.palette;
      res = await user.post(`${base}/${copies[2].id}/duplicate`);
      assertStatus(res, 201);
      assert.equal(res.json.palette.name, `${'é'.repeat(96)} (3)`);
      for (const p of [first, res.json.palette]) assertStatus(await user.del(`${base}/${p.id}`), 204);
      assertStatus(await user.del(`${base}/${copies[2].id}`), 204);
      copies = copies.slice(0, 2);
    });

    it('bad duplicate requests: body fields, unknown id', async () => {
      assertError(await user.post(`${base}/${original.id}/duplicate`, { name: 'x' }), 400, 'invalid_argument');
      assertError(await user.post(`${base}/999999/duplicate`), 404, 'not_found');
      assertError(await user.post(`${base}/${original.id}/duplicate`, undefined, { csrf: false }), 403, 'csrf_failed');
    });

    it('deleting the original keeps the copies readable; deleting them all removes the object', async () => {
      const objs = objectFiles(server);
      assertStatus(await user.del(`${base}/${original.id}`), 204);
      for (const c of copies) {
        const img = await user.get(`${base}/${c.id}/image`);
        assertStatus(img, 200, 'the copy still reads its image');
        assert.ok(img.bytes.equals(bytes));
        assertStatus(await user.post(`${base}/${c.id}/extract`, { k: 3 }), 200, 'and can re-extract from it');
      }
      if (objs) assert.deepEqual(objectFiles(server), objs, 'the shared object is kept');
      assertStatus(await user.del(`${base}/${copies[0].id}`), 204);
      if (objs) assert.deepEqual(objectFiles(server), objs, 'still shared by the last copy');
      assertStatus(await user.del(`${base}/${copies[1].id}`), 204);
      if (objs) {
        const now = objectFiles(server);
        assert.equal(now.length, objs.length - 1, 'the object went with the last palette using it');
        assert.ok(now.every((f) => objs.includes(f)));
      }
    });

    it('concurrent deletes of the last two sharers delete the object exactly once', async () => {
      const res = await user.upload(imagePath('smarties.png'), 'smarties.png');
      assertStatus(res, 201);
      const dup = await user.post(`${base}/${res.json.palette.id}/duplicate`);
      assertStatus(dup, 201);
      const objs = objectFiles(server);
      const results = await Promise.all([res.json.palette.id, dup.json.palette.id].map((id) => user.del(`${base}/${id}`)));
      assert.deepEqual(results.map((r) => r.status), [204, 204]);
      if (objs) assert.equal(objectFiles(server).length, objs.length - 1, 'no leak');
    });
  });

  describe('order and moves', () => {
    before(async () => {
      for (const file of ['logo.png', 'board.jpg']) assertStatus(await user.upload(imagePath(file), file), 201);
    });

    it('PUT order with a permutation reorders the list; 204', async () => {
      const ids = await listIds();
      assert.ok(ids.length >= 3, `${ids.length} palettes`);
      const reversed = [...ids].reverse();
      const res = await user.request('PUT', `${base}/order`, { json: { ids: reversed } });
      assertStatus(res, 204);
      assert.deepEqual(await listIds(), reversed);
      // Pagination follows the new order.
      const page = await user.get(`${base}?limit=2`);
      assert.deepEqual(page.json.palettes.map((p) => p.id), reversed.slice(0, 2));
      const rest = await user.get(`${base}?limit=100&cursor=${encodeURIComponent(page.json.next_cursor)}`);
      assert.deepEqual(rest.json.palettes.map((p) => p.id), reversed.slice(2));
      // New uploads still appear on top.
      const up = await user.upload(imagePath('logo.png'), 'logo.png');
      assertStatus(up, 201);
      assert.deepEqual(await listIds(), [up.json.palette.id, ...reversed]);
    });

    it('a different set of ids is 409 conflict; malformed bodies are 400; nothing moves', async () => {
      const ids = await listIds();
      const put = (json) => user.request('PUT', `${base}/order`, { json });
      for (const ids2 of [ids.slice(1), [...ids, 999999], [...ids.slice(1), 999999], []]) {
        const err = assertError(await put({ ids: ids2 }), 409, 'conflict', JSON.stringify(ids2));
        assert.match(err.message, /changed/);
      }
      for (const body of [{ ids: [ids[0], ...ids] }, { ids: 'all' }, { ids: [String(ids[0])] }, { ids: [1.5] },
        { ids: [null] }, {}, { ids: ids, extra: 1 }, { ids: Array.from({ length: 10001 }, (_, i) => i + 1) }]) {
        assertError(await put(body), 400, 'invalid_argument', JSON.stringify(body).slice(0, 60));
      }
      assertError(await user.request('PUT', `${base}/order`, { json: { ids }, csrf: false }), 403, 'csrf_failed');
      assert.deepEqual(await listIds(), ids);
    });

    it('move top, bottom, up, down', async () => {
      const ids = await listIds();
      const move = async (id, to) => {
        const res = await user.post(`${base}/${id}/move`, { to });
        assertStatus(res, 200, `move ${to}`);
        assert.equal(res.json.palette.id, id);
        return listIds();
      };
      const [a, b, c] = ids;
      const last = ids[ids.length - 1];
      assert.deepEqual(await move(c, 'top'), [c, a, b, ...ids.slice(3)]);
      assert.deepEqual(await move(c, 'top'), [c, a, b, ...ids.slice(3)], 'top stays top');
      assert.deepEqual(await move(c, 'down'), [a, c, b, ...ids.slice(3)]);
      assert.deepEqual(await move(b, 'up'), [a, b, c, ...ids.slice(3)]);
      assert.deepEqual(await move(a, 'up'), ids, 'the top cannot go up');
      assert.deepEqual(await move(a, 'bottom'), [...ids.slice(1), a]);
      assert.deepEqual(await move(a, 'down'), [...ids.slice(1), a], 'the bottom cannot go down');
      assert.deepEqual(await move(a, 'top'), ids);
      assert.deepEqual(await move(last, 'up'), [...ids.slice(0, -2), last, ids[ids.length - 2]]);
      await move(last, 'down');
      assert.deepEqual(await listIds(), ids);
    });

    it('bad moves: 400 for a bad `to`, 404 for an unknown palette', async () => {
      const ids = await listIds();
      for (const body of [{ to: 'sideways' }, { to: 'TOP' }, { to: 1 }, {}, { to: 'top', by: 2 }]) {
        assertError(await user.post(`${base}/${ids[1]}/move`, body), 400, 'invalid_argument', JSON.stringify(body));
      }
      assertError(await user.post(`${base}/999999/move`, { to: 'top' }), 404, 'not_found');
      assert.deepEqual(await listIds(), ids);
    });
  });

  describe('viewer role', () => {
    it('a viewer reads everything and gets 403 on every write; nothing changes', async () => {
      const v = await newUser(server.url);
      const vBase = v.palettesPath();
      const up = await v.upload(imagePath(COINS.file), COINS.file);
      assertStatus(up, 201);
      const id = up.json.palette.id;
      assertStatus(await v.post(`${vBase}/${id}/regions`, { strategy: 'otsu' }), 200);
      const snapshot = (await v.get(`${vBase}/${id}`)).json.palette;
      setRoleInDatabase(server, v.workspaces[0].id, v.user.id, 'viewer');
      const me = await v.get('/api/v1/me');
      assert.equal(me.json.workspaces[0].role, 'viewer');

      assertStatus(await v.get(`${vBase}/${id}`), 200);
      assertStatus(await v.get(vBase), 200);
      assertStatus(await v.get(`${vBase}/${id}/image`), 200);
      const writes = [
        ['POST', `${vBase}/${id}/regions`, { strategy: 'otsu' }],
        ['POST', `${vBase}/${id}/extract`, { k: 3 }],
        ['POST', `${vBase}/${id}/extract`, { use_regions: true }],
        ['PATCH', `${vBase}/${id}`, { colors: ['#000000'] }],
        ['PATCH', `${vBase}/${id}`, { name: 'renamed' }],
        ['POST', `${vBase}/${id}/duplicate`, {}],
        ['POST', `${vBase}/${id}/move`, { to: 'top' }],
        ['PUT', `${vBase}/order`, { ids: [id] }],
        ['DELETE', `${vBase}/${id}`, undefined],
      ];
      for (const [method, p, json] of writes) {
        assertError(await v.request(method, p, json === undefined ? {} : { json }), 403, 'permission_denied',
          `${method} ${p}`);
      }
      const after = await v.get(vBase);
      assert.deepEqual(after.json.palettes, [snapshot], 'nothing changed');
    });
  });

  it('the server is still alive after all of the above', () => {
    server.assertAlive();
  });
});
