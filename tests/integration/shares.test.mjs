// Read-only share links: create, list and revoke under /api/v1/t/{ws}/palettes/{id}/shares, and
// the public /api/v1/shared/{token} (JSON, image, export) that needs no session and shows nothing
// but the palette (no id, no workspace, no user). Revoked, malformed and unknown tokens, a deleted
// palette and a soft-deleted workspace are the same 404; a suspended workspace's links still read.
// Roles: a viewer lists but cannot create or revoke; a non-member and another workspace get 404.
// On both backend pairs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { assertError, assertStatus, imagePath, newUser, rawFetch, startServer } from './harness.mjs';
import { newOperator } from './operator_helpers.mjs';

const PUBLIC_KEYS = [
  'background', 'colors', 'coverage', 'created_at', 'image', 'labels', 'name', 'region_colors', 'region_labels',
  'regions', 'updated_at',
];
const TOKEN = /^pms_[A-Za-z0-9_-]{43}$/;

async function addMember(inviter, slug, user, role) {
  const inv = await inviter.post(`/api/v1/t/${slug}/invitations`, { email: user.email, role });
  assertStatus(inv, 201, `invite ${role}`);
  assertStatus(await user.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200);
}

// Signed out: a plain request with no cookie and no Authorization header.
const anon = (server, p, headers = {}) => rawFetch(server.url + p, { headers });

function assertPublicHeaders(res, context) {
  assert.equal(res.header('cache-control'), 'no-store', `${context}: Cache-Control`);
  assert.match(res.header('x-robots-tag') || '', /noindex/, `${context}: X-Robots-Tag`);
}

describe('share links', () => {
  let server;
  let owner;
  let editor;
  let viewer;
  let outsider;
  let bob; // owner of workspace B
  let slug;
  let bSlug;
  let palette;
  let bPalette;
  let base;

  before(async () => {
    server = await startServer();
    owner = await newUser(server.url);
    editor = await newUser(server.url);
    viewer = await newUser(server.url);
    outsider = await newUser(server.url);
    bob = await newUser(server.url);
    slug = (await owner.post('/api/v1/workspaces', { name: 'Shares' })).json.workspace.slug;
    await addMember(owner, slug, editor, 'editor');
    await addMember(owner, slug, viewer, 'viewer');
    const up = await owner.upload(imagePath('fruits.jpg'), 'fruits.jpg', { ws: slug, name: 'Fruit bowl' });
    assertStatus(up, 201);
    palette = up.json.palette;
    base = `/api/v1/t/${slug}/palettes/${palette.id}/shares`;
    bSlug = (await bob.post('/api/v1/workspaces', { name: 'Bobs' })).json.workspace.slug;
    const bUp = await bob.upload(imagePath('coins.png'), 'coins.png', { ws: bSlug });
    assertStatus(bUp, 201);
    bPalette = bUp.json.palette;
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('an editor creates a link; the token and url are shown once, the list never shows them', async () => {
    const res = await editor.post(base);
    assertStatus(res, 201);
    const share = res.json.share;
    assert.deepEqual(Object.keys(share).sort(), ['created_at', 'created_by', 'id', 'palette_id', 'token', 'url']);
    assert.match(share.token, TOKEN);
    assert.equal(share.url, `${server.url}/s/${share.token}`);
    assert.equal(share.palette_id, palette.id);
    assert.deepEqual(share.created_by, { id: editor.user.id, name: editor.user.name });
    assert.match(share.created_at, /^\d{4}-\d\d-\d\dT/);

    const second = await owner.post(base, {});
    assertStatus(second, 201);
    assert.notEqual(second.json.share.token, share.token);

    const list = await viewer.get(base);
    assertStatus(list, 200);
    assert.deepEqual(list.json.shares.map((s) => s.id), [second.json.share.id, share.id], 'newest first');
    for (const s of list.json.shares) {
      assert.deepEqual(Object.keys(s).sort(), ['created_at', 'created_by', 'id', 'palette_id']);
    }
    assert.ok(!list.text.includes(share.token), 'the list never shows a token');
  });

  it('the public JSON has exactly the palette, and nothing that names the workspace or a user', async () => {
    const { token } = (await owner.post(base)).json.share;
    const res = await anon(server, `/api/v1/shared/${token}`);
    assertStatus(res, 200);
    assertPublicHeaders(res, 'shared json');
    assert.deepEqual(Object.keys(res.json), ['palette']);
    const p = res.json.palette;
    assert.deepEqual(Object.keys(p).sort(), PUBLIC_KEYS);
    assert.deepEqual(Object.keys(p.image).sort(), ['height', 'mime', 'width']);
    assert.equal(p.name, 'Fruit bowl');
    assert.deepEqual(p.colors, palette.colors);
    assert.deepEqual(p.labels, palette.labels);
    assert.equal(p.image.width, palette.image.width);
    assert.equal(p.image.mime, 'image/jpeg');
    for (const leak of [slug, 'Shares', owner.email, editor.email, '"id"', 'tenant', '"palette_id"', 'sha256', 'tenants/']) {
      assert.ok(!res.text.includes(leak), `public body must not contain ${leak}`);
    }
    // A session (the owner's, or anyone's) changes nothing.
    for (const client of [owner, outsider]) {
      const signedIn = await client.get(`/api/v1/shared/${token}`);
      assertStatus(signedIn, 200);
      assert.deepEqual(signedIn.json, res.json);
    }
    // So does an Authorization header, even a bogus one (no 401 here).
    const bearer = await anon(server, `/api/v1/shared/${token}`, { Authorization: 'Bearer pm_not-a-token' });
    assertStatus(bearer, 200);
    assert.deepEqual(bearer.json, res.json);
  });

  it('the image is the uploaded file, with an ETag and 304', async () => {
    const { token } = (await owner.post(base)).json.share;
    const res = await anon(server, `/api/v1/shared/${token}/image`);
    assertStatus(res, 200);
    assertPublicHeaders(res, 'shared image');
    assert.equal(res.header('content-type'), 'image/jpeg');
    assert.ok(res.bytes.equals(fs.readFileSync(imagePath('fruits.jpg'))), 'the uploaded bytes');
    const etag = res.header('etag');
    assert.ok(etag, 'ETag');
    const again = await anon(server, `/api/v1/shared/${token}/image`, { 'If-None-Match': etag });
    assert.equal(again.status, 304);
  });

  it('exports work like the workspace export; a bad format is 400', async () => {
    const { token } = (await owner.post(base)).json.share;
    const json = await anon(server, `/api/v1/shared/${token}/export?format=json`);
    assertStatus(json, 200);
    assertPublicHeaders(json, 'shared export');
    assert.equal(json.header('content-disposition'), 'attachment; filename="Fruit-bowl.json"');
    assert.deepEqual(json.json, { name: 'Fruit bowl', colors: palette.colors });
    const inTenant = await owner.get(`/api/v1/t/${slug}/palettes/${palette.id}/export?format=gpl`);
    const gpl = await anon(server, `/api/v1/shared/${token}/export?format=gpl`);
    assertStatus(gpl, 200);
    assert.equal(gpl.text, inTenant.text, 'the same file as the workspace export');
    assertError(await anon(server, `/api/v1/shared/${token}/export?format=bmp`), 400, 'invalid_argument');
    assertError(await anon(server, `/api/v1/shared/${token}/export`), 400, 'invalid_argument');
  });

  it('revoking stops the link at once; the same 404 as a token that never existed', async () => {
    const { id, token } = (await owner.post(base)).json.share;
    assertStatus(await anon(server, `/api/v1/shared/${token}`), 200);
    const del = await editor.del(`${base}/${id}`);
    assert.equal(del.status, 204);
    const gone = assertError(await anon(server, `/api/v1/shared/${token}`), 404, 'not_found');
    assertError(await anon(server, `/api/v1/shared/${token}/image`), 404, 'not_found');
    assertError(await anon(server, `/api/v1/shared/${token}/export?format=json`), 404, 'not_found');
    const never = assertError(await anon(server, `/api/v1/shared/pms_${'A'.repeat(43)}`), 404, 'not_found');
    assert.equal(gone.message, never.message);
    assert.ok(!(await owner.get(base)).json.shares.some((s) => s.id === id), 'not listed any more');
    assertError(await owner.del(`${base}/${id}`), 404, 'not_found');
  });

  it('malformed tokens are 404 not_found', async () => {
    const shaped = assertError(await anon(server, `/api/v1/shared/pms_${'B'.repeat(43)}`), 404, 'not_found');
    const bad = [
      'x', 'pms_', `pms_${'A'.repeat(42)}`, `pms_${'A'.repeat(44)}`, `pm_${'A'.repeat(44)}`, `PMS_${'A'.repeat(43)}`,
      `pms_${'A'.repeat(42)}%21`, 'pms_' + 'A'.repeat(5000), '...',
    ];
    for (const t of bad) {
      const e = assertError(await anon(server, `/api/v1/shared/${t}`), 404, 'not_found', t.slice(0, 60));
      assert.equal(e.message, shaped.message, t.slice(0, 60));
      assertError(await anon(server, `/api/v1/shared/${t}/image`), 404, 'not_found', `${t.slice(0, 60)}/image`);
    }
    for (const p of ['/api/v1/shared/', '/api/v1/shared', '/api/v1/shared/../t', '/api/v1/shared//image',
      '/api/v1/shared/..%2F..%2Fetc%2Fpasswd', '/api/v1/shared/%2E%2E/%2E%2E/etc/passwd',
      '/api/v1/shared/%2E%2E', '/api/v1/shared/pms_..%2F..']) {
      assertError(await anon(server, p), 404, 'not_found', p);
    }
  });

  it('a viewer cannot create or revoke (403); a non-member gets 404', async () => {
    const { id } = (await owner.post(base)).json.share;
    assertError(await viewer.post(base), 403, 'permission_denied');
    assertError(await viewer.del(`${base}/${id}`), 403, 'permission_denied');
    for (const [method, p] of [['POST', base], ['GET', base], ['DELETE', `${base}/${id}`]]) {
      const e = assertError(await outsider.request(method, p), 404, 'not_found', `outsider ${method}`);
      assert.match(e.message, /workspace not found/);
    }
    assert.ok((await owner.get(base)).json.shares.some((s) => s.id === id), 'still active');
  });

  it("workspace B's member cannot reach A's share through B's slug", async () => {
    const { id, token } = (await owner.post(base)).json.share;
    const bBase = `/api/v1/t/${bSlug}/palettes`;
    assertError(await bob.del(`${bBase}/${palette.id}/shares/${id}`), 404, 'not_found');
    assertError(await bob.del(`${bBase}/${bPalette.id}/shares/${id}`), 404, 'not_found');
    assertError(await bob.get(`${bBase}/${palette.id}/shares`), 404, 'not_found');
    assertError(await bob.post(`${bBase}/${palette.id}/shares`), 404, 'not_found');
    // A palette id of B under A's slug is not A's either.
    assertError(await owner.post(`/api/v1/t/${slug}/palettes/${bPalette.id}/shares`), 404, 'not_found');
    assertStatus(await anon(server, `/api/v1/shared/${token}`), 200);
  });

  it('bad ids and bodies: unknown or non-numeric palette 404, unknown share 404, unknown field 400', async () => {
    const { id } = (await owner.post(base)).json.share;
    for (const bad of ['999999999', 'abc', '0', '-1', '1.5']) {
      const p = `/api/v1/t/${slug}/palettes/${bad}/shares`;
      assertError(await owner.post(p), 404, 'not_found', `POST ${bad}`);
      assertError(await owner.get(p), 404, 'not_found', `GET ${bad}`);
      assertError(await owner.del(`${p}/${id}`), 404, 'not_found', `DELETE ${bad}`);
    }
    for (const bad of ['999999999', 'abc', '0']) {
      assertError(await owner.del(`${base}/${bad}`), 404, 'not_found', `share ${bad}`);
    }
    // Another palette's share id under this palette: not found, and it stays active.
    const other = await owner.upload(imagePath('coins.png'), 'coins.png', { ws: slug });
    const otherShare = (await owner.post(`/api/v1/t/${slug}/palettes/${other.json.palette.id}/shares`)).json.share;
    assertError(await owner.del(`${base}/${otherShare.id}`), 404, 'not_found');
    assertStatus(await anon(server, `/api/v1/shared/${otherShare.token}`), 200);
    assertError(await owner.post(base, { expires_in_days: 3 }), 400, 'invalid_argument');
    assertError(await owner.post(base, undefined, { csrf: false }), 403, 'csrf_failed');
  });

  it('deleting the palette kills its links', async () => {
    const up = await owner.upload(imagePath('coins.png'), 'coins.png', { ws: slug, name: 'Doomed' });
    const p = `/api/v1/t/${slug}/palettes/${up.json.palette.id}`;
    const { token } = (await owner.post(`${p}/shares`)).json.share;
    assertStatus(await anon(server, `/api/v1/shared/${token}`), 200);
    assert.equal((await owner.del(p)).status, 204);
    assertError(await anon(server, `/api/v1/shared/${token}`), 404, 'not_found');
    assertError(await anon(server, `/api/v1/shared/${token}/image`), 404, 'not_found');
  });

  it('creating and revoking are audited with the palette id', async () => {
    const { id } = (await owner.post(base)).json.share;
    assert.equal((await owner.del(`${base}/${id}`)).status, 204);
    const res = await owner.get(`/api/v1/t/${slug}/audit?action=share.&limit=200`);
    assertStatus(res, 200);
    const mine = res.json.entries.filter((e) => e.target === `share:${id}`);
    assert.deepEqual(mine.map((e) => e.action).sort(), ['share.created', 'share.revoked']);
    for (const e of mine) assert.equal(e.details.palette_id, palette.id);
    assert.ok(!res.text.includes('pms_'), 'no token in the audit log');
  });
});

describe('share links and the workspace lifecycle', () => {
  let server;
  let op;
  let owner;
  let ws;
  let token;

  before(async () => {
    server = await startServer();
    op = await newOperator(server);
    owner = await newUser(server.url);
    ws = (await owner.post('/api/v1/workspaces', { name: 'Lifecycle shares' })).json.workspace;
    const up = await owner.upload(imagePath('coins.png'), 'coins.png', { ws: ws.slug });
    assertStatus(up, 201);
    const made = await owner.post(`/api/v1/t/${ws.slug}/palettes/${up.json.palette.id}/shares`);
    assertStatus(made, 201);
    token = made.json.share.token;
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('a suspended workspace keeps reading; a soft-deleted one is 404; restored, it reads again', async () => {
    assertStatus(await op.post(`/api/v1/admin/tenants/${ws.id}/suspend`), 200);
    assertStatus(await anon(server, `/api/v1/shared/${token}`), 200);
    assertStatus(await anon(server, `/api/v1/shared/${token}/image`), 200);
    assertStatus(await op.post(`/api/v1/admin/tenants/${ws.id}/reactivate`), 200);
    assertStatus(await op.del(`/api/v1/admin/tenants/${ws.id}`), 200);
    assertError(await anon(server, `/api/v1/shared/${token}`), 404, 'not_found');
    assertError(await anon(server, `/api/v1/shared/${token}/image`), 404, 'not_found');
    assertStatus(await op.post(`/api/v1/admin/tenants/${ws.id}/restore`), 200);
    assertStatus(await anon(server, `/api/v1/shared/${token}`), 200);
  });
});
