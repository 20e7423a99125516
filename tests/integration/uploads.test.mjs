// Bad uploads: wrong types, oversize, missing field, no CSRF, chunked bodies, dimension bombs.
// Every refused upload must leave no row and no stored object (docs/API.md "Upload errors").
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  assertError,
  assertStatus,
  decodableFormats,
  imagePath,
  listFilesRecursive,
  newUser,
  objectFiles,
  pngWithDimensions,
  rawExchange,
  startServer,
} from './harness.mjs';

const UPLOAD_MAX = 200000;

describe('bad uploads', () => {
  let server;
  let user;
  let base;
  // `palettemaker version` lists the formats this build decodes (no AVIF in the static build).
  let formats;

  before(async () => {
    formats = await decodableFormats();
    server = await startServer({ env: { PALETTEMAKER_LIMITS_UPLOAD_MAX_BYTES: String(UPLOAD_MAX) } });
    user = await newUser(server.url);
    base = user.palettesPath();
  });
  after(async () => {
    if (server) await server.stop();
  });

  async function count() {
    const res = await user.get(`${base}?limit=100`);
    assertStatus(res, 200);
    return res.json.palettes.length;
  }

  // Runs `fn` and checks it stored nothing: same row count, same object files.
  async function storesNothing(fn) {
    const rows = await count();
    const objs = objectFiles(server);
    await fn();
    assert.equal(await count(), rows, 'no row left behind');
    if (objs) assert.deepEqual(objectFiles(server), objs, 'no object left behind');
  }

  it('a small real image uploads fine under the lowered limit', async () => {
    const res = await user.upload(imagePath('fruits.jpg'), 'fruits.jpg');
    assertStatus(res, 201);
    if (server.objectsDir) assert.equal(objectFiles(server).length, 1);
  });

  it('a text file named photo.jpg sent as image/jpeg is 415 unsupported_media_type', async () => {
    await storesNothing(async () => {
      const text = Buffer.from('This is not a JPEG at all, just some text.\n'.repeat(50));
      assertError(await user.upload(text, 'photo.jpg', { contentType: 'image/jpeg' }), 415, 'unsupported_media_type');
    });
  });

  it('an empty file is refused with 4xx and stores nothing', async () => {
    await storesNothing(async () => {
      const res = await user.upload(Buffer.alloc(0), 'empty.png', { contentType: 'image/png' });
      assert.ok([400, 415, 422].includes(res.status), `empty file: ${res.describe()}`);
      assertError(res, res.status, { 400: 'invalid_argument', 415: 'unsupported_media_type', 422: 'invalid_image' }[res.status]);
    });
  });

  it('a PNG named .jpg is sniffed: stored as png and served as image/png', async () => {
    const bytes = fs.readFileSync(imagePath('coins.png'));
    const res = await user.upload(bytes, 'coins.jpg', { contentType: 'image/jpeg' });
    assertStatus(res, 201);
    assert.equal(res.json.palette.image.format, 'png');
    assert.equal(res.json.palette.image.mime, 'image/png');
    const img = await user.get(`${base}/${res.json.palette.id}/image`);
    assertStatus(img, 200);
    assert.equal((img.headers.get('content-type') || '').split(';')[0], 'image/png');
    assert.ok(img.bytes.equals(bytes));
  });

  it('a file over limits.upload_max_bytes is 413 payload_too_large and stores nothing', async () => {
    const bytes = fs.readFileSync(imagePath('starry_night.jpg')); // ~300 KB real JPEG
    assert.ok(bytes.length > UPLOAD_MAX && bytes.length < 400000);
    await storesNothing(async () => {
      assertError(await user.upload(bytes, 'starry_night.jpg'), 413, 'payload_too_large');
    });
    // The server is still healthy and accepts the next upload.
    const ok = await user.upload(imagePath('fruits.webp'), 'fruits.webp');
    assertStatus(ok, 201, 'upload after a 413');
  });

  it('image dimensions over the limits are 413 payload_too_large and store nothing', async () => {
    const bomb = await pngWithDimensions(30000, 30000);
    assert.ok(bomb.length < 5000);
    await storesNothing(async () => {
      assertError(await user.upload(bomb, 'bomb.png'), 413, 'payload_too_large');
    });
  });

  it('a multipart body without a file field is 400 invalid_argument', async () => {
    await storesNothing(async () => {
      const fd = new FormData();
      fd.append('name', 'no file here');
      assertError(await user.request('POST', base, { body: fd }), 400, 'invalid_argument', 'only name');
      const fd2 = new FormData();
      fd2.append('picture', new Blob([fs.readFileSync(imagePath('fruits.jpg'))], { type: 'image/jpeg' }), 'fruits.jpg');
      assertError(await user.request('POST', base, { body: fd2 }), 400, 'invalid_argument', 'wrong field name');
    });
  });

  it('a JSON body without url is 400 invalid_argument', async () => {
    await storesNothing(async () => {
      assertError(await user.post(base, {}), 400, 'invalid_argument', '{}');
      assertError(await user.post(base, { name: 'x' }), 400, 'invalid_argument', '{name}');
    });
  });

  it('a body that is neither multipart nor JSON is 415', async () => {
    await storesNothing(async () => {
      assertError(await user.request('POST', base, {
        body: fs.readFileSync(imagePath('fruits.jpg')),
        headers: { 'Content-Type': 'image/jpeg' },
      }), 415, 'unsupported_media_type', 'raw image/jpeg body');
      assertError(await user.request('POST', base, {
        body: 'hello', headers: { 'Content-Type': 'text/plain' },
      }), 415, 'unsupported_media_type', 'text/plain');
    });
  });

  it('a multipart body without its closing boundary is 400 invalid_argument and stores nothing', async () => {
    await storesNothing(async () => {
      const body = Buffer.concat([
        Buffer.from('--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n' +
          'Content-Type: image/jpeg\r\n\r\n'),
        fs.readFileSync(imagePath('fruits.jpg')),
        // no "\r\n--XYZ--"
      ]);
      assertError(await user.request('POST', base, {
        body, headers: { 'Content-Type': 'multipart/form-data; boundary=XYZ' },
      }), 400, 'invalid_argument', 'unterminated multipart');
    });
  });

  it('an upload without X-CSRF-Token (cookie auth) is 403 csrf_failed and stores nothing', async () => {
    await storesNothing(async () => {
      assertError(await user.upload(imagePath('fruits.jpg'), 'fruits.jpg', { csrf: false }), 403, 'csrf_failed');
      assertError(await user.upload(imagePath('fruits.jpg'), 'fruits.jpg', { csrf: 'wrong' }), 403, 'csrf_failed',
        'wrong token');
    });
  });

  it('an AVIF upload is a clear 415 when this build has no AVIF decoder, and stores nothing', async () => {
    if (formats.includes('avif')) {
      assertStatus(await user.upload(imagePath('chelsea.avif'), 'chelsea.avif'), 201, 'AVIF decodes here');
      return;
    }
    await storesNothing(async () => {
      const err = assertError(await user.upload(imagePath('chelsea.avif'), 'chelsea.avif'), 415,
        'unsupported_media_type', 'AVIF without libavif');
      assert.match(err.message, /AVIF support is not compiled into this build/);
    });
  });

  it('an unauthenticated upload is 401 and stores nothing', async () => {
    await storesNothing(async () => {
      const fd = new FormData();
      fd.append('file', new Blob([fs.readFileSync(imagePath('fruits.jpg'))], { type: 'image/jpeg' }), 'fruits.jpg');
      const res = await fetch(`${server.url}${base}`, { method: 'POST', body: fd });
      const text = await res.text();
      assert.equal(res.status, 401, text);
      assert.equal(JSON.parse(text).error.code, 'unauthenticated');
    });
  });

  it('concurrent uploads all land: distinct rows, one object each', async () => {
    const rows = await count();
    const objs = objectFiles(server);
    const files = ['fruits.jpg', 'coins.png', 'fruits.webp', 'no_time_for_that_tiny.gif', 'multipage_rgb.tif',
      'building.jpg', 'rocket.jpg'];
    if (formats.includes('avif')) files.push('chelsea.avif');
    const results = await Promise.all(files.map((f) => user.upload(imagePath(f), f)));
    results.forEach((r, i) => assertStatus(r, 201, `parallel upload of ${files[i]}`));
    const ids = results.map((r) => r.json.palette.id);
    assert.equal(new Set(ids).size, ids.length, 'distinct ids');
    assert.equal(await count(), rows + files.length);
    if (objs) assert.equal(objectFiles(server).length, objs.length + files.length);
    // Each palette serves its own bytes.
    for (let i = 0; i < files.length; i++) {
      const img = await user.get(`${base}/${ids[i]}/image`);
      assertStatus(img, 200);
      assert.ok(img.bytes.equals(fs.readFileSync(imagePath(files[i]))), `${files[i]} bytes`);
    }
  });

  it('file names with paths, odd characters or excessive length do not escape or break anything', async () => {
    const names = ['../../../../evil.jpg', '..\\..\\evil2.jpg', 'Früchte süß.jpg', `${'a'.repeat(150)}.jpg`,
      'noext', '.jpg', 'dots.in.name.jpg'];
    for (const filename of names) {
      const res = await user.upload(imagePath('fruits.jpg'), filename);
      if (res.status !== 201) {
        assertError(res, 400, 'invalid_argument', `filename ${JSON.stringify(filename)}`);
        continue;
      }
      const n = res.json.palette.name;
      assert.equal(typeof n, 'string');
      assert.ok(n.trim().length >= 1 && [...n].length <= 100,
        `name ${JSON.stringify(n)} from ${JSON.stringify(filename)} keeps the 1-100 rule`);
    }
    const up = await user.upload(imagePath('fruits.jpg'), 'Früchte süß.jpg');
    assertStatus(up, 201);
    assert.equal(up.json.palette.name, 'Früchte süß', 'UTF-8 file names survive');
    // Nothing was written outside the data dir's own layout.
    const all = listFilesRecursive(server.dataDir);
    assert.ok(!all.some((f) => /evil/.test(f)), `no file named after the upload: ${all.filter((f) => /evil/.test(f))}`);
    if (server.objectsDir) {
      for (const f of objectFiles(server)) {
        assert.match(f, /^tenants\/[^/]+\//, `object key under tenants/{id}/: ${f}`);
        assert.ok(!/evil|Früchte|\.\./.test(f), `object key does not use the file name: ${f}`);
      }
    }
    assert.ok(!fs.existsSync(path.join(path.dirname(server.dataDir), 'evil.jpg')));
  });

  it('the optional name field keeps the 1-100 rule', async () => {
    for (const name of ['n'.repeat(101), '   ', '']) {
      const rows = await count();
      const res = await user.upload(imagePath('fruits.jpg'), 'fruits.jpg', { name });
      if (res.status === 201) {
        const n = res.json.palette.name;
        assert.ok(n.trim().length >= 1 && [...n].length <= 100, `name ${JSON.stringify(n)} from field ${JSON.stringify(name)}`);
      } else {
        assertError(res, 400, 'invalid_argument', `name field ${JSON.stringify(name.slice(0, 10))}`);
        assert.equal(await count(), rows, 'refused upload left no row');
      }
    }
  });

  // Chunked bodies go over a raw socket: the server refuses them on their headers, and a body
  // the server never reads would make its close reset the connection under the response.
  function chunkedRequest(method, p, contentType, parts) {
    const head = `${method} ${p} HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\n` +
      `Content-Type: ${contentType}\r\nCookie: ${user.cookieHeader()}\r\n` +
      `X-CSRF-Token: ${user.cookies.get('pm_csrf')}\r\nTransfer-Encoding: chunked\r\n` +
      'Connection: close\r\n\r\n';
    const framed = Buffer.concat([
      ...parts.flatMap((part) => {
        const b = Buffer.from(part);
        return [Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')];
      }),
      Buffer.from('0\r\n\r\n'),
    ]);
    return rawExchange(server.url, head, framed);
  }

  it('a chunked (no Content-Length) upload is 411 length_required and stores nothing', async () => {
    // A real multipart body, sent with Transfer-Encoding: chunked.
    const fd = new FormData();
    fd.append('file', new Blob([fs.readFileSync(imagePath('fruits.jpg'))], { type: 'image/jpeg' }), 'fruits.jpg');
    const packed = new Response(fd);
    const contentType = packed.headers.get('content-type');
    const body = Buffer.from(await packed.arrayBuffer());
    await storesNothing(async () => {
      const res = await chunkedRequest('POST', base, contentType, [body.subarray(0, 1000), body.subarray(1000)]);
      assertError(res, 411, 'length_required');
    });
  });

  it('a chunked JSON body is 411 length_required', async () => {
    const res = await chunkedRequest('PATCH', `${base}/1`, 'application/json', ['{"name":', '"chunked"}']);
    assertError(res, 411, 'length_required');
  });

  it('the server is still alive after all of the above', () => {
    server.assertAlive();
  });
});
