// Tenant isolation: another user's workspace and palettes answer 404 not_found (never 403), and
// nothing of theirs changes; without a session everything is 401 (PRODUCT.md §3 "Isolation").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  assertError,
  assertStatus,
  imagePath,
  newUser,
  objectFiles,
  rawFetch,
  startServer,
} from './harness.mjs';

describe('tenant isolation', () => {
  let server;
  let a;
  let b;
  let palette; // A's palette
  let aBase;
  let bBase;
  let snapshot;

  before(async () => {
    server = await startServer();
    a = await newUser(server.url);
    b = await newUser(server.url);
    aBase = a.palettesPath();
    bBase = b.palettesPath();
    const res = await a.upload(imagePath('fruits.jpg'), 'fruits.jpg');
    assertStatus(res, 201);
    palette = res.json.palette;
    snapshot = (await a.get(`${aBase}/${palette.id}`)).json.palette;
  });
  after(async () => {
    if (server) await server.stop();
  });

  async function assertAUnchanged() {
    const got = await a.get(`${aBase}/${palette.id}`);
    assertStatus(got, 200);
    assert.deepEqual(got.json.palette, snapshot, "A's palette is unchanged");
    const list = await a.get(aBase);
    assert.deepEqual(list.json.palettes.map((p) => p.id), [palette.id]);
  }

  it('B cannot list A\'s workspace (404, same as a workspace that does not exist)', async () => {
    const foreign = assertError(await b.get(aBase), 404, 'not_found', 'foreign workspace');
    const missing = assertError(await b.get('/api/v1/t/no-such-ws-0/palettes'), 404, 'not_found', 'missing workspace');
    assert.equal(foreign.code, missing.code);
  });

  for (const [label, baseOf] of [
    ["under A's slug", () => aBase],
    ["under B's own slug", () => bBase],
  ]) {
    describe(`B with A's palette id ${label}`, () => {
      it('GET palette is 404', async () => {
        assertError(await b.get(`${baseOf()}/${palette.id}`), 404, 'not_found');
      });
      it('GET image is 404 and leaks no ETag', async () => {
        const res = await b.get(`${baseOf()}/${palette.id}/image`);
        assertError(res, 404, 'not_found');
        assert.equal(res.headers.get('etag'), null, 'no ETag leaked');
        const cached = await b.get(`${baseOf()}/${palette.id}/image`, { headers: { 'If-None-Match': `"${palette.image.sha256}"` } });
        assertError(cached, 404, 'not_found', 'conditional GET must not answer 304');
      });
      it('PATCH is 404', async () => {
        assertError(await b.patch(`${baseOf()}/${palette.id}`, { name: 'pwned' }), 404, 'not_found');
        await assertAUnchanged();
      });
      it('extract is 404', async () => {
        assertError(await b.post(`${baseOf()}/${palette.id}/extract`, { k: 3 }), 404, 'not_found');
        await assertAUnchanged();
      });
      it('region detection is 404', async () => {
        assertError(await b.post(`${baseOf()}/${palette.id}/regions`, { strategy: 'otsu' }), 404, 'not_found');
        assertError(await b.post(`${baseOf()}/${palette.id}/regions`, { strategy: 'nope' }), 404, 'not_found',
          'a bad request for a foreign palette is still 404');
        await assertAUnchanged();
      });
      it('extract with use_regions is 404', async () => {
        assertError(await b.post(`${baseOf()}/${palette.id}/extract`, { use_regions: true }), 404, 'not_found');
        await assertAUnchanged();
      });
      it('PATCH of colours, labels, regions, region labels, background is 404', async () => {
        for (const body of [{ colors: ['#000000'] }, { labels: ['x', 'y', 'z', 'u', 'v'] },
          { regions: [[[0, 0], [10, 0], [10, 10]]] }, { region_labels: [] }, { background: 0 }]) {
          assertError(await b.patch(`${baseOf()}/${palette.id}`, body), 404, 'not_found', JSON.stringify(body));
        }
        await assertAUnchanged();
      });
      it('duplicate is 404 and copies nothing', async () => {
        const objs = objectFiles(server);
        const mine = (await b.get(bBase)).json.palettes.length;
        assertError(await b.post(`${baseOf()}/${palette.id}/duplicate`), 404, 'not_found');
        await assertAUnchanged();
        assert.equal((await b.get(bBase)).json.palettes.length, mine, 'no copy in B\'s workspace');
        if (objs) assert.deepEqual(objectFiles(server), objs);
      });
      it('move is 404', async () => {
        for (const to of ['top', 'bottom', 'up', 'down']) {
          assertError(await b.post(`${baseOf()}/${palette.id}/move`, { to }), 404, 'not_found', to);
        }
        await assertAUnchanged();
      });
      it('DELETE is 404', async () => {
        const objs = objectFiles(server);
        assertError(await b.del(`${baseOf()}/${palette.id}`), 404, 'not_found');
        await assertAUnchanged();
        if (objs) assert.deepEqual(objectFiles(server), objs, "A's object is still stored");
        const img = await a.get(`${aBase}/${palette.id}/image`);
        assertStatus(img, 200);
      });
    });
  }

  it('B cannot reorder A\'s list: 404 under A\'s slug; A\'s ids in B\'s own list are a 409', async () => {
    const put = (p, ids) => b.request('PUT', `${p}/order`, { json: { ids } });
    assertError(await put(aBase, [palette.id]), 404, 'not_found');
    // B's list is not the set [A's id], whether or not that id exists anywhere: nothing leaks.
    const foreign = assertError(await put(bBase, [palette.id]), 409, 'conflict');
    const missing = assertError(await put(bBase, [999999]), 409, 'conflict');
    assert.equal(foreign.message, missing.message);
    await assertAUnchanged();
  });

  it('B cannot upload into A\'s workspace', async () => {
    const objs = objectFiles(server);
    assertError(await b.upload(imagePath('coins.png'), 'coins.png', { ws: a.ws }), 404, 'not_found');
    await assertAUnchanged();
    if (objs) assert.deepEqual(objectFiles(server), objs, 'nothing stored');
  });

  it('B\'s own workspace is empty and works', async () => {
    const list = await b.get(bBase);
    assertStatus(list, 200);
    assert.deepEqual(list.json.palettes, []);
    const up = await b.upload(imagePath('coins.png'), 'coins.png');
    assertStatus(up, 201);
    // and A cannot see B's palette either
    assertError(await a.get(`${bBase}/${up.json.palette.id}`), 404, 'not_found');
    assertError(await a.get(`${aBase}/${up.json.palette.id}`), 404, 'not_found');
    await assertAUnchanged();
  });

  it('each tenant\'s objects live under its own tenants/{id}/ prefix', async () => {
    const files = objectFiles(server);
    if (!files) return; // storage is not a local directory in this run
    const prefixes = new Set(files.map((f) => f.split('/').slice(0, 2).join('/')));
    for (const f of files) assert.match(f, /^tenants\/[^/]+\/./, f);
    assert.equal(prefixes.size, 2, `A's and B's objects under two tenant prefixes: ${files}`);
  });

  it('without a session everything is 401 unauthenticated', async () => {
    const u = server.url;
    const cases = [
      ['GET', `${aBase}`],
      ['GET', `${aBase}/${palette.id}`],
      ['GET', `${aBase}/${palette.id}/image`],
      ['PATCH', `${aBase}/${palette.id}`, { name: 'anon' }],
      ['DELETE', `${aBase}/${palette.id}`],
      ['POST', `${aBase}/${palette.id}/extract`, { k: 3 }],
      ['POST', `${aBase}/${palette.id}/regions`, { strategy: 'otsu' }],
      ['POST', `${aBase}/${palette.id}/duplicate`, {}],
      ['POST', `${aBase}/${palette.id}/move`, { to: 'top' }],
      ['PUT', `${aBase}/order`, { ids: [palette.id] }],
      ['GET', '/api/v1/t/no-such-ws-0/palettes'],
      ['GET', `/api/v1/t/${a.ws}/members`],
      ['GET', `/api/v1/t/${a.ws}/invitations`],
      ['GET', `/api/v1/t/${a.ws}/tokens`],
      ['POST', `/api/v1/t/${a.ws}/tokens`, { name: 'x', scope: 'write' }],
      ['POST', '/api/v1/workspaces', { name: 'x' }],
      ['POST', '/api/v1/invitations/accept', { token: 'x' }],
    ];
    for (const [method, p, json] of cases) {
      const res = await rawFetch(u + p, {
        method,
        headers: json ? { 'Content-Type': 'application/json' } : {},
        body: json ? JSON.stringify(json) : undefined,
      });
      assertError(res, 401, 'unauthenticated', `${method} ${p}`);
    }
    await assertAUnchanged();
  });

  describe('members, invitations and tokens of A are unreachable from B', () => {
    let aWs;
    let bWs;
    let invitation;
    let token;
    const bearer = (t, method, p, json) => rawFetch(server.url + p, {
      method,
      headers: { Authorization: `Bearer ${t}`, ...(json ? { 'Content-Type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
    });
    before(async () => {
      aWs = `/api/v1/t/${a.ws}`;
      bWs = `/api/v1/t/${b.ws}`;
      const inv = await a.post(`${aWs}/invitations`, { email: 'someone@example.com', role: 'viewer' });
      assertStatus(inv, 201);
      invitation = inv.json.invitation;
      const tok = await a.post(`${aWs}/tokens`, { name: 'a', scope: 'write' });
      assertStatus(tok, 201);
      token = tok.json.token;
    });
    async function assertAIntact() {
      assert.deepEqual((await a.get(`${aWs}/members`)).json.members.map((m) => [m.user_id, m.role]), [[a.user.id, 'owner']]);
      assert.deepEqual((await a.get(`${aWs}/invitations`)).json.invitations.map((i) => i.id), [invitation.id]);
      assert.ok((await a.get(`${aWs}/tokens`)).json.tokens.some((t) => t.id === token.id));
      assertStatus(await bearer(token.token, 'GET', aBase), 200);
    }

    it('under A\'s slug everything is 404', async () => {
      for (const [method, p, json] of [
        ['GET', ''], ['GET', '/members'], ['GET', '/invitations'], ['GET', '/tokens'],
        ['PATCH', `/members/${a.user.id}`, { role: 'viewer' }], ['DELETE', `/members/${a.user.id}`],
        ['POST', '/invitations', { email: b.email, role: 'admin' }], ['DELETE', `/invitations/${invitation.id}`],
        ['POST', '/tokens', { name: 'x', scope: 'write' }], ['DELETE', `/tokens/${token.id}`],
        ['POST', '/leave'], ['POST', '/transfer', { user_id: b.user.id }]]) {
        assertError(await b.request(method, `${aWs}${p}`, json ? { json } : {}), 404, 'not_found', `${method} ${p}`);
      }
      await assertAIntact();
    });

    it('A\'s ids under B\'s own slug are 404 too', async () => {
      assertError(await b.del(`${bWs}/invitations/${invitation.id}`), 404, 'not_found');
      assertError(await b.del(`${bWs}/tokens/${token.id}`), 404, 'not_found');
      assertError(await b.patch(`${bWs}/members/${a.user.id}`, { role: 'viewer' }), 404, 'not_found');
      assertError(await b.del(`${bWs}/members/${a.user.id}`), 404, 'not_found');
      assertError(await b.post(`${bWs}/transfer`, { user_id: a.user.id }), 404, 'not_found');
      assert.ok(!(await b.get(`${bWs}/members`)).json.members.some((m) => m.user_id === a.user.id));
      assert.deepEqual((await b.get(`${bWs}/invitations`)).json.invitations, []);
      assert.ok((await b.get(`${bWs}/tokens`)).json.tokens.every((t) => t.user.id === b.user.id));
      await assertAIntact();
    });

    it('A\'s token is 404 in B\'s workspace; B\'s token is 404 in A\'s', async () => {
      assertError(await bearer(token.token, 'GET', bBase), 404, 'not_found');
      assertError(await bearer(token.token, 'GET', `${bWs}/members`), 404, 'not_found');
      const bt = (await b.post(`${bWs}/tokens`, { name: 'b', scope: 'write' })).json.token;
      assertError(await bearer(bt.token, 'GET', aBase), 404, 'not_found');
      assertError(await bearer(bt.token, 'PATCH', `${aBase}/${palette.id}`, { name: 'pwned' }), 404, 'not_found');
      assertError(await bearer(bt.token, 'GET', `${aWs}/members`), 404, 'not_found');
      await assertAUnchanged();
      await assertAIntact();
    });
  });

  it('the server is still alive after all of the above', () => {
    server.assertAlive();
  });
});
