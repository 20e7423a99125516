// API tokens (PRODUCT.md §3 "Accounts", §5 "Authorization: Bearer"): shown once, hashed at rest,
// scoped read or write, never above their user's role, only in their own workspace, revocable,
// expiring, gone with their user's membership; managing tokens needs a session.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import {
  assertError,
  assertStatus,
  imagePath,
  newUser,
  rawFetch,
  sqlInTenant,
  startServer,
} from './harness.mjs';

const TOKEN_RE = /^pm_[A-Za-z0-9_-]{43}$/;

async function addMember(inviter, slug, user, role) {
  const inv = await inviter.post(`/api/v1/t/${slug}/invitations`, { email: user.email, role });
  assertStatus(inv, 201, `invite ${role}`);
  assertStatus(await user.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200);
}

describe('API tokens', () => {
  let server;
  let ada; // owner
  let slug;
  let wsId;
  let palette;
  const bearer = (token) => ({ Authorization: `Bearer ${token}` });
  // A request with only the token: no cookie, no CSRF header.
  const withToken = (token, method, p, json) => rawFetch(server.url + p, {
    method,
    headers: { ...bearer(token), ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: json !== undefined ? JSON.stringify(json) : undefined,
  });
  const uploadWithToken = (token, ws = slug) => {
    const fd = new FormData();
    fd.append('file', new Blob([pngBytes], { type: 'image/png' }), 'coins.png');
    return rawFetch(`${server.url}/api/v1/t/${ws}/palettes`, { method: 'POST', headers: bearer(token), body: fd });
  };
  let pngBytes;
  const mint = async (client, body, ws = slug) => {
    const res = await client.post(`/api/v1/t/${ws}/tokens`, body);
    assertStatus(res, 201, `create token ${JSON.stringify(body)}`);
    return res.json.token;
  };

  before(async () => {
    pngBytes = fs.readFileSync(imagePath('coins.png'));
    server = await startServer();
    ada = await newUser(server.url);
    const ws = await ada.post('/api/v1/workspaces', { name: 'Tokens' });
    slug = ws.json.workspace.slug;
    wsId = ws.json.workspace.id;
    const up = await ada.upload(imagePath('coins.png'), 'coins.png', { ws: slug });
    assertStatus(up, 201);
    palette = up.json.palette;
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('create: shown once as pm_ + 43 base64url characters; listed without it', async () => {
    const t = await mint(ada, { name: 'ci', scope: 'read' });
    assert.match(t.token, TOKEN_RE);
    assert.equal(t.name, 'ci');
    assert.equal(t.scope, 'read');
    assert.equal(t.expires_at, null);
    assert.equal(t.last_used_at, null);
    assert.deepEqual(t.user, { id: ada.user.id, email: ada.email });
    const list = await ada.get(`/api/v1/t/${slug}/tokens`);
    assertStatus(list, 200);
    const row = list.json.tokens.find((x) => x.id === t.id);
    assert.equal(row.token, undefined, 'never shown again');
    assert.equal(row.name, 'ci');
    assert.ok(!Number.isNaN(Date.parse(row.created_at)));
    const t30 = await mint(ada, { name: 'month', scope: 'write', expires_in_days: 30 });
    const days = (Date.parse(t30.expires_at) - Date.parse(t30.created_at)) / 86400000;
    assert.ok(Math.abs(days - 30) < 0.01, `30 days: ${days}`);
  });

  it('bad bodies are 400', async () => {
    for (const body of [{}, { name: 'x' }, { scope: 'read' }, { name: 'x', scope: 'admin' }, { name: '', scope: 'read' },
      { name: 'x', scope: 'read', expires_in_days: 0 }, { name: 'x', scope: 'read', expires_in_days: 3651 },
      { name: 'x', scope: 'read', expires_in_days: 'soon' }, { name: 'x', scope: 'read', expires_in_days: 1.5 },
      { name: 'x', scope: 'read', extra: true }]) {
      assertError(await ada.post(`/api/v1/t/${slug}/tokens`, body), 400, 'invalid_argument', JSON.stringify(body));
    }
  });

  it('a read token reads (no CSRF, no cookie) and cannot write; last_used_at is recorded', async () => {
    const t = await mint(ada, { name: 'reader', scope: 'read' });
    const list = await withToken(t.token, 'GET', `/api/v1/t/${slug}/palettes`);
    assertStatus(list, 200);
    assert.deepEqual(list.json.palettes.map((p) => p.id), [palette.id]);
    assertStatus(await withToken(t.token, 'GET', `/api/v1/t/${slug}/palettes/${palette.id}/image`), 200);
    assertStatus(await withToken(t.token, 'GET', `/api/v1/t/${slug}`), 200);
    const ro = assertError(await withToken(t.token, 'PATCH', `/api/v1/t/${slug}/palettes/${palette.id}`, { name: 'no' }),
      403, 'permission_denied');
    assert.match(ro.message, /read-only/);
    assertError(await uploadWithToken(t.token), 403, 'permission_denied');
    const row = (await ada.get(`/api/v1/t/${slug}/tokens`)).json.tokens.find((x) => x.id === t.id);
    assert.ok(row.last_used_at && !Number.isNaN(Date.parse(row.last_used_at)), 'last_used_at set');
  });

  it('a write token edits and uploads without a CSRF token', async () => {
    const t = await mint(ada, { name: 'writer', scope: 'write' });
    const patched = await withToken(t.token, 'PATCH', `/api/v1/t/${slug}/palettes/${palette.id}`, { name: 'via token' });
    assertStatus(patched, 200);
    assert.equal(patched.json.palette.name, 'via token');
    const up = await uploadWithToken(t.token);
    assertStatus(up, 201);
    assertStatus(await withToken(t.token, 'DELETE', `/api/v1/t/${slug}/palettes/${up.json.palette.id}`), 204);
  });

  it('tokens cannot manage tokens, members, invitations, leave or transfer (403); /me and /workspaces are 401', async () => {
    const t = await mint(ada, { name: 'w', scope: 'write' });
    for (const [method, p, body] of [
      ['POST', '/tokens', { name: 'minted', scope: 'read' }], ['GET', '/tokens'], ['DELETE', `/tokens/${t.id}`],
      ['GET', '/invitations'], ['POST', '/invitations', { email: 'a@example.com', role: 'viewer' }],
      ['PATCH', `/members/${ada.user.id}`, { role: 'viewer' }], ['POST', '/leave'], ['POST', '/transfer', { user_id: 1 }]]) {
      assertError(await withToken(t.token, method, `/api/v1/t/${slug}${p}`, body), 403, 'permission_denied', `${method} ${p}`);
    }
    assertStatus(await withToken(t.token, 'GET', `/api/v1/t/${slug}/members`), 200, 'reading members is reading');
    assertError(await withToken(t.token, 'GET', '/api/v1/me'), 401, 'unauthenticated');
    assertError(await withToken(t.token, 'POST', '/api/v1/workspaces', { name: 'x' }), 401, 'unauthenticated');
    assert.ok((await ada.get(`/api/v1/t/${slug}/tokens`)).json.tokens.some((x) => x.id === t.id), 'not revoked');
  });

  it('only in its own workspace: another workspace of the same user is 404', async () => {
    const t = await mint(ada, { name: 'here', scope: 'write' });
    assertError(await withToken(t.token, 'GET', `/api/v1/t/${ada.ws}/palettes`), 404, 'not_found', 'own personal ws');
    assertError(await withToken(t.token, 'GET', '/api/v1/t/no-such-ws-0/palettes'), 404, 'not_found');
    const bob = await newUser(server.url);
    assertError(await withToken(t.token, 'GET', `/api/v1/t/${bob.ws}/palettes`), 404, 'not_found');
    assertError(await uploadWithToken(t.token, ada.ws), 404, 'not_found');
  });

  it('malformed, unknown, revoked and expired tokens are 401 with a clear message', async () => {
    const p = `${server.url}/api/v1/t/${slug}/palettes`;
    for (const header of ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'pm_abc', 'Bearer  pm_x', 'Bearer a b']) {
      const res = await rawFetch(p, { headers: { Authorization: header } });
      const e = assertError(res, 401, 'unauthenticated', header);
      assert.match(e.message, /Authorization|API token/, header);
    }
    for (const token of ['pm_short', `pm_${'!'.repeat(43)}`, `xx_${'a'.repeat(43)}`, `pm_${'a'.repeat(43)}`]) {
      assertError(await rawFetch(p, { headers: bearer(token) }), 401, 'unauthenticated', token);
    }
    const t = await mint(ada, { name: 'gone', scope: 'read' });
    assertStatus(await rawFetch(p, { headers: bearer(t.token) }), 200);
    assertStatus(await ada.del(`/api/v1/t/${slug}/tokens/${t.id}`), 204);
    const revoked = assertError(await rawFetch(p, { headers: bearer(t.token) }), 401, 'unauthenticated');
    assert.match(revoked.message, /invalid or revoked/);
    assertError(await ada.del(`/api/v1/t/${slug}/tokens/${t.id}`), 404, 'not_found');

    const old = await mint(ada, { name: 'old', scope: 'read', expires_in_days: 1 });
    assertStatus(await rawFetch(p, { headers: bearer(old.token) }), 200);
    sqlInTenant(server, wsId, `UPDATE api_tokens SET expires_at = 1 WHERE id = ${Number(old.id)}`);
    const expired = assertError(await rawFetch(p, { headers: bearer(old.token) }), 401, 'unauthenticated');
    assert.match(expired.message, /expired/);
  });

  describe('and roles', () => {
    let vw;
    let ed;
    let adm;
    before(async () => {
      vw = await newUser(server.url);
      ed = await newUser(server.url);
      adm = await newUser(server.url);
      await addMember(ada, slug, vw, 'viewer');
      await addMember(ada, slug, ed, 'editor');
      await addMember(ada, slug, adm, 'admin');
    });

    it('a viewer creates read tokens only', async () => {
      assertError(await vw.post(`/api/v1/t/${slug}/tokens`, { name: 'w', scope: 'write' }), 403, 'permission_denied');
      const t = await mint(vw, { name: 'r', scope: 'read' });
      assertStatus(await withToken(t.token, 'GET', `/api/v1/t/${slug}/palettes`), 200);
    });

    it('a write token never exceeds its user: demoted to viewer, it cannot write any more', async () => {
      const t = await mint(ed, { name: 'ed', scope: 'write' });
      assertStatus(await withToken(t.token, 'PATCH', `/api/v1/t/${slug}/palettes/${palette.id}`, { name: 'by editor' }), 200);
      assertStatus(await ada.patch(`/api/v1/t/${slug}/members/${ed.user.id}`, { role: 'viewer' }), 200);
      assertError(await withToken(t.token, 'PATCH', `/api/v1/t/${slug}/palettes/${palette.id}`, { name: 'no' }), 403,
        'permission_denied');
      assertStatus(await ada.patch(`/api/v1/t/${slug}/members/${ed.user.id}`, { role: 'editor' }), 200);
      const admTok = await mint(adm, { name: 'adm', scope: 'write' });
      assertError(await withToken(admTok.token, 'GET', `/api/v1/t/${slug}/invitations`), 403, 'permission_denied',
        'an admin\'s token is still only an editor');
    });

    it('members list their own tokens; admins list and revoke everyone\'s', async () => {
      const mine = await mint(ed, { name: 'mine', scope: 'read' });
      const edList = (await ed.get(`/api/v1/t/${slug}/tokens`)).json.tokens;
      assert.ok(edList.length > 0 && edList.every((x) => x.user.id === ed.user.id), 'only own');
      const admList = (await adm.get(`/api/v1/t/${slug}/tokens`)).json.tokens;
      assert.ok(admList.some((x) => x.user.id === ada.user.id) && admList.some((x) => x.user.id === ed.user.id));
      assert.equal(admList.find((x) => x.id === mine.id).user.email, ed.email);
      const adaTok = admList.find((x) => x.user.id === ada.user.id);
      assertError(await ed.del(`/api/v1/t/${slug}/tokens/${adaTok.id}`), 404, 'not_found', 'not their own');
      assertStatus(await adm.del(`/api/v1/t/${slug}/tokens/${mine.id}`), 204);
      assertError(await withToken(mine.token, 'GET', `/api/v1/t/${slug}/palettes`), 401, 'unauthenticated');
    });

    it('a removed member\'s tokens stop working (401)', async () => {
      const gone = await newUser(server.url);
      await addMember(ada, slug, gone, 'editor');
      const t = await mint(gone, { name: 'x', scope: 'write' });
      assertStatus(await withToken(t.token, 'GET', `/api/v1/t/${slug}/palettes`), 200);
      assertStatus(await ada.del(`/api/v1/t/${slug}/members/${gone.user.id}`), 204);
      assertError(await withToken(t.token, 'GET', `/api/v1/t/${slug}/palettes`), 401, 'unauthenticated');
    });
  });

  it('the server is still alive', () => {
    server.assertAlive();
  });
});
