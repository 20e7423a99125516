// The palette walk: upload every test image, read bytes back, extract, list and paginate,
// rename, delete (docs/API.md "Palettes").
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  IMAGES_DIR,
  ISO_TS,
  assertColorSet,
  assertError,
  assertStatus,
  decodableFormats,
  formatForName,
  mimeForName,
  newUser,
  objectFiles,
  sha256Hex,
  startServer,
} from './harness.mjs';

const TRUNCATED = 'truncated.jpg';

describe('palettes walk', () => {
  let server;
  let user;
  let base; // /api/v1/t/{ws}/palettes
  const uploaded = []; // {file, bytes, palette} in upload order

  before(async () => {
    server = await startServer();
    user = await newUser(server.url);
    base = user.palettesPath();
  });
  after(async () => {
    if (server) await server.stop();
  });

  async function listAll(query = '') {
    const res = await user.get(`${base}${query}`);
    assertStatus(res, 200, `list ${query}`);
    return res.json;
  }

  function assertPalette(p, { file, bytes }) {
    const name = path.basename(file, path.extname(file));
    assert.ok(Number.isInteger(p.id) && p.id > 0, `id ${p.id}`);
    assert.equal(p.name, name, 'name defaults to the file name without extension');
    assert.match(p.created_at, ISO_TS);
    assert.match(p.updated_at, ISO_TS);
    assert.ok(p.image, 'image');
    assert.equal(p.image.format, formatForName(file), `${file} format`);
    assert.equal(p.image.mime, mimeForName(file), `${file} mime`);
    assert.ok(Number.isInteger(p.image.width) && p.image.width > 0, `${file} width ${p.image.width}`);
    assert.ok(Number.isInteger(p.image.height) && p.image.height > 0, `${file} height ${p.image.height}`);
    assert.equal(p.image.bytes, bytes.length, `${file} bytes`);
    assert.equal(p.image.sha256, sha256Hex(bytes), `${file} sha256`);
    assert.equal(p.image_url, `${base}/${p.id}/image`);
    // params.k is the k it was extracted with; null (or absent) = the default parameters.
    assert.ok(p.params && typeof p.params === 'object', `params: ${JSON.stringify(p.params)}`);
    assert.ok(p.params.k === null || p.params.k === undefined ||
      (Number.isInteger(p.params.k) && p.params.k >= 2 && p.params.k <= 20), `params.k: ${JSON.stringify(p.params)}`);
    assertColorSet(p, { maxK: Number.isInteger(p.params.k) ? p.params.k : 20 });
    assert.ok(Array.isArray(p.regions), 'regions');
  }

  it('an empty workspace lists nothing', async () => {
    const body = await listAll();
    assert.deepEqual(body.palettes, []);
    assert.equal(body.next_cursor, null);
  });

  it('uploads every test image (except truncated.jpg) with 201 and a palette', async () => {
    const all = fs.readdirSync(IMAGES_DIR).filter((f) => f !== TRUNCATED && formatForName(f)).sort();
    assert.ok(all.length >= 10, `test images found in ${IMAGES_DIR}: ${all}`);
    // A format this build does not decode (AVIF in the static build) is a clear 415.
    const formats = await decodableFormats();
    const files = all.filter((f) => formats.includes(formatForName(f)));
    for (const file of all.filter((f) => !files.includes(f))) {
      const err = assertError(await user.upload(path.join(IMAGES_DIR, file), file), 415, 'unsupported_media_type',
        file);
      assert.match(err.message, /not compiled into this build/, file);
    }
    // Check every file, then report all failures together (and keep the good uploads for the
    // rest of the walk).
    const failures = [];
    for (const file of files) {
      const bytes = fs.readFileSync(path.join(IMAGES_DIR, file));
      const res = await user.upload(bytes, file);
      try {
        assertStatus(res, 201, `upload ${file}`);
        const p = res.json.palette;
        assert.ok(p, `${file}: response has {palette}: ${res.text.slice(0, 200)}`);
        uploaded.push({ file, bytes, palette: p });
        assertPalette(p, { file, bytes });
        // GET returns the same palette.
        const got = await user.get(`${base}/${p.id}`);
        assertStatus(got, 200);
        assert.deepEqual(got.json.palette, p, `${file}: GET equals the upload response`);
      } catch (err) {
        failures.push(`${file}: ${err.message}`);
      }
    }
    assert.deepEqual(failures, [], failures.join('\n\n'));
    const ids = uploaded.map((u) => u.palette.id);
    assert.equal(new Set(ids).size, ids.length, 'distinct ids');
    if (server.objectsDir) {
      assert.equal(objectFiles(server).length, uploaded.length, 'one stored object per palette');
    }
  });

  it('an upload with a name field uses it', async () => {
    const file = 'fruits.jpg';
    const bytes = fs.readFileSync(path.join(IMAGES_DIR, file));
    const res = await user.upload(bytes, file, { name: 'Summer fruit' });
    assertStatus(res, 201);
    assert.equal(res.json.palette.name, 'Summer fruit');
    uploaded.push({ file, bytes, palette: res.json.palette });
  });

  it('truncated.jpg is 422 invalid_image and leaves no row and no object', async () => {
    const before = (await listAll('?limit=100')).palettes.length;
    const objsBefore = objectFiles(server);
    const res = await user.upload(path.join(IMAGES_DIR, TRUNCATED), TRUNCATED);
    assertError(res, 422, 'invalid_image');
    assert.equal((await listAll('?limit=100')).palettes.length, before, 'no row');
    if (objsBefore) assert.deepEqual(objectFiles(server), objsBefore, 'no object');
  });

  it('the image bytes come back byte-for-byte with Content-Type and ETag; If-None-Match is 304', async () => {
    for (const { file, bytes, palette } of uploaded) {
      const res = await user.get(`${base}/${palette.id}/image`);
      assertStatus(res, 200, `image of ${file}`);
      assert.equal((res.headers.get('content-type') || '').split(';')[0].trim(), mimeForName(file),
        `${file} Content-Type`);
      assert.ok(res.bytes.equals(bytes), `${file}: bytes differ (got ${res.bytes.length}, want ${bytes.length})`);
      const etag = res.headers.get('etag');
      assert.equal(etag, `"${sha256Hex(bytes)}"`, `${file} ETag`);
      const cached = await user.get(`${base}/${palette.id}/image`, { headers: { 'If-None-Match': etag } });
      assertStatus(cached, 304, `${file} If-None-Match`);
      assert.equal(cached.bytes.length, 0, '304 has no body');
      assert.equal(cached.headers.get('etag'), etag, '304 repeats the ETag');
      const other = await user.get(`${base}/${palette.id}/image`, { headers: { 'If-None-Match': '"nope"' } });
      assertStatus(other, 200, `${file} non-matching If-None-Match`);
    }
  });

  it('If-None-Match follows RFC 9110: a list, a weak tag or * also match', async () => {
    const { palette, bytes } = uploaded[0];
    const tag = `"${sha256Hex(bytes)}"`;
    for (const inm of [`"nope", ${tag}`, `W/${tag}`, '*']) {
      const res = await user.get(`${base}/${palette.id}/image`, { headers: { 'If-None-Match': inm } });
      assertStatus(res, 304, `If-None-Match: ${inm}`);
    }
  });

  it('extract with k=7 and k=9 gives ≤ k colours, deterministically, saved on the palette', async () => {
    const { palette } = uploaded.find((u) => u.file === 'fruits.jpg');
    const url = `${base}/${palette.id}/extract`;
    for (const k of [7, 9]) {
      const a = await user.post(url, { k });
      assertStatus(a, 200, `extract k=${k}`);
      assertColorSet(a.json, { maxK: k });
      const b = await user.post(url, { k });
      assertStatus(b, 200);
      assert.deepEqual(b.json.colors, a.json.colors, `k=${k} is deterministic`);
      assert.deepEqual(b.json.coverage, a.json.coverage, `k=${k} coverage is deterministic`);
      const got = await user.get(`${base}/${palette.id}`);
      assertStatus(got, 200);
      assert.deepEqual(got.json.palette.colors, a.json.colors, 'saved on the palette');
      assert.deepEqual(got.json.palette.labels, a.json.labels);
      assert.deepEqual(got.json.palette.coverage, a.json.coverage);
      assert.equal(got.json.palette.params.k, k, 'params.k saved');
    }
  });

  it('extract boundaries: k=2, k=20 and no k are fine', async () => {
    const { palette } = uploaded.find((u) => u.file === 'no_time_for_that_tiny.gif');
    const url = `${base}/${palette.id}/extract`;
    for (const k of [2, 20]) {
      const res = await user.post(url, { k });
      assertStatus(res, 200, `k=${k}`);
      assertColorSet(res.json, { maxK: k });
    }
    const def = await user.post(url, {});
    assertStatus(def, 200, 'no k');
    assertColorSet(def.json, { maxK: 20 });
  });

  it('extract rejects k=1, k=21, k="x", k=2.5, unknown fields, bad JSON, missing CSRF', async () => {
    const { palette } = uploaded.find((u) => u.file === 'fruits.jpg');
    const url = `${base}/${palette.id}/extract`;
    const before = (await user.get(`${base}/${palette.id}`)).json.palette;
    for (const body of [{ k: 1 }, { k: 21 }, { k: 'x' }, { k: 2.5 }, { k: 0 }, { k: -5 }, { k: '7' },
      { k: 5, bogus: true }, [5]]) {
      assertError(await user.post(url, body), 400, 'invalid_argument', `extract ${JSON.stringify(body)}`);
    }
    assertError(await user.request('POST', url, { body: '{"k":', headers: { 'Content-Type': 'application/json' } }),
      400, 'invalid_argument', 'malformed JSON');
    assertError(await user.post(url, { k: 5 }, { csrf: false }), 403, 'csrf_failed');
    const afterward = (await user.get(`${base}/${palette.id}`)).json.palette;
    assert.deepEqual(afterward, before, 'failed extracts changed nothing');
  });

  it('lists newest first', async () => {
    const body = await listAll();
    assert.equal(body.next_cursor, null, 'all fit in the default page of 50');
    const want = uploaded.map((u) => u.palette.id).reverse();
    assert.deepEqual(body.palettes.map((p) => p.id), want);
    for (const p of body.palettes) {
      assert.match(p.image_url, /\/image$/);
      assert.ok(Array.isArray(p.colors));
    }
  });

  it('paginates with limit=5: no duplicates, no misses, last next_cursor null', async () => {
    const want = uploaded.map((u) => u.palette.id).reverse();
    const seen = [];
    let cursor = null;
    let pages = 0;
    do {
      const q = `?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = await listAll(q);
      pages += 1;
      assert.ok(pages <= want.length + 1, 'pagination terminates');
      assert.ok(body.palettes.length <= 5, `page size ${body.palettes.length}`);
      seen.push(...body.palettes.map((p) => p.id));
      cursor = body.next_cursor;
      if (cursor !== null) {
        assert.equal(typeof cursor, 'string');
        assert.ok(cursor.length > 0);
        assert.equal(body.palettes.length, 5, 'a page before the last is full');
      }
    } while (cursor !== null);
    assert.deepEqual(seen, want, 'pages concatenate to the full newest-first list');
  });

  it('limit=1 and limit=100 are fine', async () => {
    const one = await listAll('?limit=1');
    assert.equal(one.palettes.length, 1);
    assert.equal(typeof one.next_cursor, 'string');
    const hundred = await listAll('?limit=100');
    assert.equal(hundred.palettes.length, uploaded.length);
    assert.equal(hundred.next_cursor, null);
  });

  it('cursors are stable: a new upload or a deleted boundary row neither duplicates nor skips', async () => {
    const want = uploaded.map((u) => u.palette.id).reverse();
    const first = await listAll('?limit=5');
    assert.deepEqual(first.palettes.map((p) => p.id), want.slice(0, 5));
    // Upload a newer palette, and delete the last row of page 1 (the cursor's boundary).
    const extra = await user.upload(path.join(IMAGES_DIR, 'coins.png'), 'coins.png', { name: 'extra' });
    assertStatus(extra, 201);
    const boundary = first.palettes[4].id;
    assertStatus(await user.del(`${base}/${boundary}`), 204);
    const second = await listAll(`?limit=5&cursor=${encodeURIComponent(first.next_cursor)}`);
    assert.deepEqual(second.palettes.map((p) => p.id), want.slice(5, 10),
      'page 2 continues after the boundary, unaffected by the insert and the delete');
    // Forget both changes in the walk's bookkeeping.
    const gone = uploaded.findIndex((u) => u.palette.id === boundary);
    uploaded.splice(gone, 1);
    assertStatus(await user.del(`${base}/${extra.json.palette.id}`), 204);
  });

  it('bad limit or cursor is 400 invalid_argument', async () => {
    for (const q of ['?limit=0', '?limit=101', '?limit=-1', '?limit=abc', '?limit=5x',
      '?cursor=garbage', '?cursor=%00%01', `?cursor=${'z'.repeat(300)}`]) {
      assertError(await user.get(`${base}${q}`), 400, 'invalid_argument', q);
    }
  });

  it('rename: PATCH {name} trims, saves and bumps updated_at', async () => {
    const { palette } = uploaded[0];
    const res = await user.patch(`${base}/${palette.id}`, { name: '  Sunset over the bay  ' });
    assertStatus(res, 200);
    const p = res.json.palette;
    assert.equal(p.name, 'Sunset over the bay');
    assert.equal(p.id, palette.id);
    assert.deepEqual(p.colors, palette.colors, 'colours untouched');
    assert.ok(Date.parse(p.updated_at) >= Date.parse(palette.updated_at), 'updated_at moves forward');
    assert.equal(p.created_at, palette.created_at, 'created_at unchanged');
    const got = await user.get(`${base}/${palette.id}`);
    assert.equal(got.json.palette.name, 'Sunset over the bay');
  });

  it('rename: 100 characters (also multi-byte) ok', async () => {
    const { palette } = uploaded[0];
    for (const name of ['n'.repeat(100), 'é'.repeat(100), '🎨'.repeat(100)]) {
      const res = await user.patch(`${base}/${palette.id}`, { name });
      assertStatus(res, 200, `name of ${name.length} UTF-16 units`);
      assert.equal(res.json.palette.name, name);
    }
  });

  it('rename: empty, whitespace-only, 101 chars, wrong type, unknown field, no CSRF are rejected', async () => {
    const { palette } = uploaded[0];
    assertStatus(await user.patch(`${base}/${palette.id}`, { name: 'Keep me' }), 200);
    const cases = [
      { name: '' },
      { name: '   \t  ' },
      { name: 'x'.repeat(101) },
      { name: 'é'.repeat(101) },
      { name: 5 },
      { name: null },
      { name: 'ok', bogus: 1 },
      { nmae: 'typo' },
    ];
    for (const body of cases) {
      assertError(await user.patch(`${base}/${palette.id}`, body), 400, 'invalid_argument',
        `PATCH ${JSON.stringify(body).slice(0, 60)}`);
    }
    assertError(await user.request('PATCH', `${base}/${palette.id}`,
      { body: '{"name":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_argument', 'bad JSON');
    assertError(await user.request('PATCH', `${base}/${palette.id}`,
      { body: '{"name":"x"}', headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
    assertError(await user.patch(`${base}/${palette.id}`, { name: 'No csrf' }, { csrf: false }), 403, 'csrf_failed');
    const got = await user.get(`${base}/${palette.id}`);
    assert.equal(got.json.palette.name, 'Keep me', 'failed renames changed nothing');
  });

  it('unknown ids are 404 not_found', async () => {
    for (const id of [999999]) {
      assertError(await user.get(`${base}/${id}`), 404, 'not_found', `GET ${id}`);
      assertError(await user.get(`${base}/${id}/image`), 404, 'not_found', `image ${id}`);
      assertError(await user.patch(`${base}/${id}`, { name: 'x' }), 404, 'not_found', `PATCH ${id}`);
      assertError(await user.del(`${base}/${id}`), 404, 'not_found', `DELETE ${id}`);
      assertError(await user.post(`${base}/${id}/extract`, { k: 5 }), 404, 'not_found', `extract ${id}`);
    }
  });

  it('odd palette ids are a clean 400 or 404, never a 5xx', async () => {
    for (const id of ['abc', '1.5', '-1', '99999999999999999999999', '1%2F..', '%00']) {
      for (const [method, suffix] of [['GET', ''], ['GET', '/image'], ['DELETE', '']]) {
        const res = await user.request(method, `${base}/${id}${suffix}`);
        assert.ok([400, 404].includes(res.status), `${method} ${id}${suffix}: ${res.describe()}`);
        assertError(res, res.status, res.status === 400 ? 'invalid_argument' : 'not_found', `${method} ${id}${suffix}`);
      }
    }
  });

  it('names with NUL, control characters and markup round-trip exactly or are refused with 400', async () => {
    const { palette } = uploaded[0];
    for (const name of ['a\u0000b', 'tab\there', '<script>alert(1)</script>', 'line\nbreak', '\u202eevil']) {
      const res = await user.patch(`${base}/${palette.id}`, { name });
      if (res.status === 200) {
        const got = await user.get(`${base}/${palette.id}`);
        assert.equal(got.json.palette.name, name, `stored exactly: ${JSON.stringify(name)}`);
      } else {
        assertError(res, 400, 'invalid_argument', JSON.stringify(name));
      }
    }
    assertStatus(await user.patch(`${base}/${palette.id}`, { name: 'Sane again' }), 200);
  });

  it('a JSON body over server.max_json_bytes is 413 payload_too_large', async () => {
    const { palette } = uploaded[0];
    const res = await user.patch(`${base}/${palette.id}`, { name: 'x', pad: 'y'.repeat(2 * 1024 * 1024) });
    assertError(res, 413, 'payload_too_large');
  });

  it('concurrent deletes of one palette: one 204, the rest 404', async () => {
    const res = await user.upload(path.join(IMAGES_DIR, 'fruits.webp'), 'fruits.webp');
    assertStatus(res, 201);
    const id = res.json.palette.id;
    const objs = objectFiles(server);
    const results = await Promise.all(Array.from({ length: 5 }, () => user.del(`${base}/${id}`)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [204, 404, 404, 404, 404]);
    if (objs) assert.equal(objectFiles(server).length, objs.length - 1);
  });

  it('delete: 204, then the palette, its image and its stored object are gone; again 404', async () => {
    const victim = uploaded.find((u) => u.file === 'board.jpg') || uploaded[1];
    const id = victim.palette.id;
    const objsBefore = objectFiles(server);
    assertError(await user.del(`${base}/${id}`, { csrf: false }), 403, 'csrf_failed', 'DELETE without CSRF');
    assertStatus(await user.get(`${base}/${id}`), 200, 'still there after the refused delete');

    const res = await user.del(`${base}/${id}`);
    assertStatus(res, 204);
    assert.equal(res.bytes.length, 0);
    assertError(await user.get(`${base}/${id}`), 404, 'not_found', 'GET after delete');
    assertError(await user.get(`${base}/${id}/image`), 404, 'not_found', 'image after delete');
    assertError(await user.post(`${base}/${id}/extract`, { k: 5 }), 404, 'not_found', 'extract after delete');
    assertError(await user.patch(`${base}/${id}`, { name: 'ghost' }), 404, 'not_found', 'PATCH after delete');
    if (objsBefore) {
      const objsAfter = objectFiles(server);
      assert.equal(objsAfter.length, objsBefore.length - 1, 'exactly one object removed');
      assert.ok(objsAfter.every((f) => objsBefore.includes(f)), 'no new objects');
    }
    const list = await listAll('?limit=100');
    assert.ok(!list.palettes.some((p) => p.id === id), 'not listed');
    assert.equal(list.palettes.length, uploaded.length - 1);
    assertError(await user.del(`${base}/${id}`), 404, 'not_found', 'second delete');

    // Other palettes are untouched.
    const other = uploaded.find((u) => u.palette.id !== id);
    const img = await user.get(`${base}/${other.palette.id}/image`);
    assertStatus(img, 200);
    assert.ok(img.bytes.equals(other.bytes));
  });

  it('an unknown workspace slug is 404 not_found', async () => {
    assertError(await user.get('/api/v1/t/no-such-workspace-xyz/palettes'), 404, 'not_found');
    assertError(await user.upload(path.join(IMAGES_DIR, 'fruits.jpg'), 'fruits.jpg', { ws: 'no-such-workspace-xyz' }),
      404, 'not_found');
  });

  it('the server is still alive after all of the above', () => {
    server.assertAlive();
  });
});
