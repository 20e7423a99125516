// Palette export: GET /api/v1/t/{ws}/palettes/{id}/export?format=... for every format, with its
// Content-Type and Content-Disposition; the .ase bytes and the PNG strip parsed back; bad format 400; a non-member
// 404; a viewer and a read token may export; signed out 401; each export is audited.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';

import { assertError, assertStatus, imagePath, newUser, rawFetch, startServer } from './harness.mjs';

const FORMATS = {
  json: { type: 'application/json', ext: 'json' },
  css: { type: 'text/css', ext: 'css' },
  scss: { type: 'text/x-scss', ext: 'scss' },
  tailwind: { type: 'application/javascript', ext: 'js' },
  gpl: { type: 'application/x-gimp-palette', ext: 'gpl' },
  ase: { type: 'application/octet-stream', ext: 'ase' },
  svg: { type: 'image/svg+xml', ext: 'svg' },
  png: { type: 'image/png', ext: 'png' },
};

// A minimal PNG reader (8-bit RGB or RGBA, not interlaced): checks the signature, reads IHDR,
// inflates the IDAT stream and undoes the row filters. Returns {width, height, pixel(x, y)}.
function decodePng(buf) {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(buf.toString('latin1', 12, 16), 'IHDR', 'IHDR first');
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const [depth, colorType, , , interlace] = buf.subarray(24, 29);
  assert.equal(depth, 8);
  assert.ok(colorType === 2 || colorType === 6, `colour type ${colorType}`);
  assert.equal(interlace, 0);
  const bpp = colorType === 2 ? 3 : 4;
  const idat = [];
  for (let pos = 8; pos < buf.length;) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (type === 'IDAT') idat.push(buf.subarray(pos + 8, pos + 8 + len));
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  assert.equal(raw.length, height * (stride + 1), 'inflated size');
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= bpp ? out[y * stride + i - bpp] : 0;
      const b = y > 0 ? out[(y - 1) * stride + i] : 0;
      const c = i >= bpp && y > 0 ? out[(y - 1) * stride + i - bpp] : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else assert.equal(filter, 0, `row filter ${filter}`);
      out[y * stride + i] = (x + pred) & 0xff;
    }
  }
  return { width, height, pixel: (x, y) => [...out.subarray((y * width + x) * bpp, (y * width + x) * bpp + 3)] };
}

// Adobe Swatch Exchange reader: [{name, model, rgb: [r, g, b] floats, type}].
function parseAse(buf) {
  assert.equal(buf.toString('latin1', 0, 4), 'ASEF');
  assert.equal(buf.readUInt16BE(4), 1);
  assert.equal(buf.readUInt16BE(6), 0);
  const count = buf.readUInt32BE(8);
  let pos = 12;
  const out = [];
  for (let i = 0; i < count; i++) {
    const type = buf.readUInt16BE(pos);
    const len = buf.readUInt32BE(pos + 2);
    pos += 6;
    const end = pos + len;
    if (type === 0x0001) {
      const nameLen = buf.readUInt16BE(pos);
      pos += 2;
      const units = [];
      for (let k = 0; k < nameLen; k++, pos += 2) units.push(buf.readUInt16BE(pos));
      assert.equal(units.pop(), 0, 'name ends with 0');
      const model = buf.toString('latin1', pos, pos + 4);
      pos += 4;
      const rgb = [buf.readFloatBE(pos), buf.readFloatBE(pos + 4), buf.readFloatBE(pos + 8)];
      pos += 12;
      const colorType = buf.readUInt16BE(pos);
      pos += 2;
      assert.equal(pos, end, 'block length');
      out.push({ name: String.fromCharCode(...units), model, rgb, type: colorType });
    }
    pos = end;
  }
  assert.equal(pos, buf.length, 'no trailing bytes');
  return out;
}

const rgbOf = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

describe('palette export', () => {
  let server;
  let owner;
  let slug;
  let palette;
  let base;

  before(async () => {
    server = await startServer();
    owner = await newUser(server.url);
    slug = (await owner.post('/api/v1/workspaces', { name: 'Export' })).json.workspace.slug;
    const up = await owner.upload(imagePath('fruits.jpg'), 'fruits.jpg', { ws: slug, name: 'Fruit "bowl"/2' });
    assertStatus(up, 201);
    palette = up.json.palette;
    base = `/api/v1/t/${slug}/palettes/${palette.id}/export`;
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('serves every format with its Content-Type and an attachment file name', async () => {
    for (const [format, { type, ext }] of Object.entries(FORMATS)) {
      const res = await owner.get(`${base}?format=${format}`);
      assertStatus(res, 200, format);
      assert.ok(res.header('content-type').startsWith(type), `${format}: ${res.header('content-type')}`);
      assert.equal(res.header('content-disposition'), `attachment; filename="Fruit--bowl--2.${ext}"`);
    }
  });

  it('json is the name and the palette colours', async () => {
    const res = await owner.get(`${base}?format=json`);
    assert.deepEqual(res.json, { name: palette.name, colors: palette.colors });
    assert.deepEqual(Object.keys(res.json), ['name', 'colors']);
  });

  it('css, scss, tailwind, gpl and svg carry every colour', async () => {
    const css = (await owner.get(`${base}?format=css`)).text;
    palette.colors.forEach((c, i) => assert.ok(css.includes(`  --fruit-bowl-2-${i + 1}: ${c};`), css));
    const scss = (await owner.get(`${base}?format=scss`)).text;
    palette.colors.forEach((c, i) => assert.ok(scss.includes(`$fruit-bowl-2-${i + 1}: ${c};`), scss));
    const tw = (await owner.get(`${base}?format=tailwind`)).text;
    assert.ok(tw.startsWith('module.exports = {'));
    palette.colors.forEach((c, i) => assert.ok(tw.includes(`${i + 1}: '${c}'`), tw));
    const gpl = (await owner.get(`${base}?format=gpl`)).text.split('\n');
    assert.equal(gpl[0], 'GIMP Palette');
    assert.equal(gpl[1], `Name: ${palette.name}`);
    assert.equal(gpl[2], `Columns: ${palette.colors.length}`);
    assert.equal(gpl[3], '#');
    palette.colors.forEach((c, i) => {
      const m = /^([ \d]{3}) ([ \d]{3}) ([ \d]{3})\t(.+)$/.exec(gpl[4 + i]);
      assert.ok(m, gpl[4 + i]);
      assert.deepEqual([m[1], m[2], m[3]].map(Number), rgbOf(c));
      assert.equal(m[4], palette.labels[i] || c);
    });
    const svg = (await owner.get(`${base}?format=svg`)).text;
    const fills = [...svg.matchAll(/<rect [^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    assert.deepEqual(fills, palette.colors);
    assert.ok(svg.includes('<title>Fruit &quot;bowl&quot;/2</title>'), svg);
    assert.ok(!svg.includes('<script'));
  });

  it('ase parses back to the palette colours', async () => {
    const res = await owner.get(`${base}?format=ase`);
    const swatches = parseAse(res.bytes);
    assert.equal(swatches.length, palette.colors.length);
    swatches.forEach((s, i) => {
      assert.equal(s.model, 'RGB ');
      assert.equal(s.type, 2);
      assert.equal(s.name, palette.labels[i] || palette.colors[i]);
      const want = rgbOf(palette.colors[i]);
      s.rgb.forEach((v, k) => assert.ok(Math.abs(v - want[k] / 255) < 1e-6, `${v} vs ${want[k]}`));
    });
  });

  it('png is a strip of 120 px squares, one per colour in palette order', async () => {
    const res = await owner.get(`${base}?format=png`);
    assertStatus(res, 200);
    const png = decodePng(res.bytes);
    assert.equal(png.width, 120 * palette.colors.length);
    assert.equal(png.height, 120);
    palette.colors.forEach((c, i) => {
      assert.deepEqual(png.pixel(i * 120 + 60, 60), rgbOf(c), `block ${i} centre`);
      assert.deepEqual(png.pixel(i * 120, 119), rgbOf(c), `block ${i} corner`);
    });
  });

  it('a missing or unknown format is 400 naming the formats', async () => {
    for (const q of ['', '?format=', '?format=pdf']) {
      const res = await owner.get(base + q);
      assertError(res, 400, 'invalid_argument', q);
      assert.match(res.json.error.message, /json, css, scss, tailwind, gpl, ase, svg, png/);
    }
  });

  it('a non-member gets 404, signed out 401, a missing palette 404', async () => {
    const outsider = await newUser(server.url);
    assert.equal((await outsider.get(`${base}?format=json`)).status, 404);
    // The outsider's own workspace does not hold this palette either.
    assert.equal((await outsider.get(`/api/v1/t/${outsider.ws}/palettes/${palette.id}/export?format=json`)).status, 404);
    assert.equal((await rawFetch(`${server.url}${base}?format=json`)).status, 401);
    assert.equal((await owner.get(`/api/v1/t/${slug}/palettes/999999999/export?format=json`)).status, 404);
  });

  it('a viewer and a read token can export', async () => {
    const viewer = await newUser(server.url);
    const inv = await owner.post(`/api/v1/t/${slug}/invitations`, { email: viewer.email, role: 'viewer' });
    assertStatus(inv, 201);
    assertStatus(await viewer.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200);
    assertStatus(await viewer.get(`${base}?format=gpl`), 200, 'viewer');
    const tok = await owner.post(`/api/v1/t/${slug}/tokens`, { name: 'ro', scope: 'read' });
    assertStatus(tok, 201);
    const res = await rawFetch(`${server.url}${base}?format=ase`, {
      headers: { Authorization: `Bearer ${tok.json.token.token}` },
    });
    assertStatus(res, 200, 'read token');
    assert.equal(parseAse(res.bytes).length, palette.colors.length);
  });

  it('each export is audited with its format', async () => {
    const res = await owner.get(`/api/v1/t/${slug}/audit?action=palette.exported&limit=100`);
    assertStatus(res, 200);
    const formats = res.json.entries.map((e) => {
      assert.equal(e.target, `palette:${palette.id}`);
      return e.details.format;
    });
    for (const f of Object.keys(FORMATS)) assert.ok(formats.includes(f), `${f} in ${formats}`);
  });
});
