// Thumbnails: GET /api/v1/t/{ws}/palettes/{id}/thumbnail is a WebP whose longest side is at most
// 320 px (never upscaled), cached by ETag; made once and stored under the tenant's prefix,
// shared by duplicates, deleted with the last palette using the image. Another workspace's
// member gets 404. On both backend pairs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertError, assertStatus, imagePath, newUser, rawFetch, startServer } from './harness.mjs';
import { tenantObjects } from './operator_helpers.mjs';

// Width and height from a WebP's first chunk (lossy VP8, lossless VP8L or extended VP8X).
function webpSize(buf) {
  assert.equal(buf.toString('latin1', 0, 4), 'RIFF', 'RIFF header');
  assert.equal(buf.toString('latin1', 8, 12), 'WEBP', 'WEBP form');
  const chunk = buf.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    assert.deepEqual([...buf.subarray(23, 26)], [0x9d, 0x01, 0x2a], 'VP8 key frame start code');
    return { width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    assert.equal(buf[20], 0x2f, 'VP8L signature');
    const bits = buf.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  assert.equal(chunk, 'VP8X', `unknown WebP chunk ${chunk}`);
  return { width: buf.readUIntLE(24, 3) + 1, height: buf.readUIntLE(27, 3) + 1 };
}

const thumbKeys = (server, tenantId) => tenantObjects(server, tenantId).filter((k) => k.includes('/thumbs/'));
const imageKeys = (server, tenantId) => tenantObjects(server, tenantId).filter((k) => k.includes('/images/'));

describe('palette thumbnails', () => {
  let server;
  let owner;
  let ws;

  before(async () => {
    server = await startServer();
    owner = await newUser(server.url);
    const made = await owner.post('/api/v1/workspaces', { name: 'Thumbs' });
    assertStatus(made, 201);
    ws = made.json.workspace;
  });
  after(async () => {
    if (server) await server.stop();
  });

  async function upload(name) {
    const up = await owner.upload(imagePath(name), name, { ws: ws.slug });
    assertStatus(up, 201, name);
    return up.json.palette;
  }

  it('is a WebP at most 320 px on its longest side, aspect kept, listed as thumbnail_url', async () => {
    // building.jpg is 868x600 (landscape), fruits.jpg 512x480.
    for (const [name, want] of [['building.jpg', { width: 320, height: 221 }], ['fruits.jpg', { width: 320, height: 300 }]]) {
      const p = await upload(name);
      assert.equal(p.thumbnail_url, `/api/v1/t/${ws.slug}/palettes/${p.id}/thumbnail`);
      const res = await owner.get(p.thumbnail_url);
      assertStatus(res, 200, name);
      assert.equal(res.header('content-type'), 'image/webp');
      assert.deepEqual(webpSize(res.bytes), want, name);
      assert.ok(res.bytes.length < 40_000, `${name}: ${res.bytes.length} bytes`);
    }
    const list = await owner.get(`/api/v1/t/${ws.slug}/palettes`);
    for (const p of list.json.palettes) {
      assert.equal(p.thumbnail_url, `/api/v1/t/${ws.slug}/palettes/${p.id}/thumbnail`);
    }
  });

  it('a small image is not upscaled', async () => {
    const p = await upload('no_time_for_that_tiny.gif'); // 14x25
    const res = await owner.get(p.thumbnail_url);
    assertStatus(res, 200);
    assert.deepEqual(webpSize(res.bytes), { width: 14, height: 25 });
  });

  it('is cached by ETag: If-None-Match answers 304 without a body', async () => {
    const p = await upload('coins.png');
    const first = await owner.get(p.thumbnail_url);
    assertStatus(first, 200);
    const etag = first.header('etag');
    assert.match(etag, /^"[^"]+"$/);
    assert.notEqual(etag, `"${p.image.sha256}"`, 'not the original image\'s ETag');
    assert.match(first.header('cache-control'), /^private, max-age=\d+$/);
    const again = await owner.get(p.thumbnail_url, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.bytes.length, 0);
    const other = await owner.get(p.thumbnail_url, { headers: { 'If-None-Match': '"something-else"' } });
    assertStatus(other, 200);
    assert.deepEqual(other.bytes, first.bytes, 'the same thumbnail every time');
  });

  it('is stored once under the tenant, shared by duplicates, and deleted with the last palette using it', async () => {
    const made = await owner.post('/api/v1/workspaces', { name: 'Thumb store' });
    const w = made.json.workspace;
    const up = await owner.upload(imagePath('rocket.jpg'), 'rocket.jpg', { ws: w.slug });
    assertStatus(up, 201);
    const p = up.json.palette;
    assert.deepEqual(thumbKeys(server, w.id), [], 'made lazily, not at upload');
    assertStatus(await owner.get(p.thumbnail_url), 200);
    const keys = thumbKeys(server, w.id);
    assert.equal(keys.length, 1);
    assert.ok(keys[0].startsWith(`tenants/${w.id}/thumbs/`), keys[0]);

    const dup = await owner.post(`/api/v1/t/${w.slug}/palettes/${p.id}/duplicate`);
    assertStatus(dup, 201);
    const dupThumb = await owner.get(dup.json.palette.thumbnail_url);
    assertStatus(dupThumb, 200);
    assert.deepEqual(thumbKeys(server, w.id), keys, 'the duplicate shares the thumbnail');

    assertStatus(await owner.del(`/api/v1/t/${w.slug}/palettes/${p.id}`), 204);
    assert.deepEqual(thumbKeys(server, w.id), keys, 'still used by the duplicate');
    assertError(await owner.get(p.thumbnail_url), 404, 'not_found');
    assertStatus(await owner.get(dup.json.palette.thumbnail_url), 200);

    assertStatus(await owner.del(`/api/v1/t/${w.slug}/palettes/${dup.json.palette.id}`), 204);
    assert.deepEqual(thumbKeys(server, w.id), [], 'thumbnail deleted with the last palette');
    assert.deepEqual(imageKeys(server, w.id), [], 'image deleted too');
    assertError(await owner.get(dup.json.palette.thumbnail_url), 404, 'not_found');
  });

  it('another workspace cannot read it; bad ids and signed-out requests are refused', async () => {
    const p = await upload('smarties.png');
    const outsider = await newUser(server.url);
    const cross = await outsider.get(p.thumbnail_url);
    assertError(cross, 404, 'not_found');
    assert.match(cross.json.error.message, /workspace not found/);
    // The outsider's own workspace does not hold this palette id either.
    assertError(await outsider.get(`/api/v1/t/${outsider.ws}/palettes/${p.id}/thumbnail`), 404, 'not_found');
    assert.equal((await rawFetch(`${server.url}${p.thumbnail_url}`)).status, 401);
    for (const id of ['0', '-1', 'abc', '999999999']) {
      assertError(await owner.get(`/api/v1/t/${ws.slug}/palettes/${id}/thumbnail`), 404, 'not_found', id);
    }
    assertError(await owner.post(p.thumbnail_url, {}), 400, 'invalid_argument', 'POST');
  });
});
