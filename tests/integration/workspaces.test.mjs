// Team workspaces, members, roles, ownership transfer and invitations (PRODUCT.md §3
// "Workspaces"), through the real server on whichever backend pair the harness is given.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  assertError,
  assertStatus,
  Client,
  newUser,
  PASSWORD,
  sha256Hex,
  sqlInTenant,
  startServer,
  uniqueEmail,
} from './harness.mjs';

// Invites `user` into `slug` with `role` (as `inviter`) and accepts. Returns the invitation.
async function addMember(inviter, slug, user, role) {
  const inv = await inviter.post(`/api/v1/t/${slug}/invitations`, { email: user.email, role });
  assertStatus(inv, 201, `invite ${role}`);
  const acc = await user.post('/api/v1/invitations/accept', { token: inv.json.invitation.token });
  assertStatus(acc, 200, `accept ${role}`);
  return inv.json.invitation;
}

async function members(client, slug) {
  const res = await client.get(`/api/v1/t/${slug}/members`);
  assertStatus(res, 200);
  return res.json.members;
}

function roleOf(list, userId) {
  const m = list.find((x) => x.user_id === userId);
  return m ? m.role : undefined;
}

describe('workspaces', () => {
  let server;
  let ada; // owner of the team workspace
  before(async () => {
    server = await startServer();
    ada = await newUser(server.url);
  });
  after(async () => {
    if (server) await server.stop();
  });

  describe('creating', () => {
    it('POST /workspaces with a name makes a team workspace owned by the caller, slug from the name', async () => {
      const res = await ada.post('/api/v1/workspaces', { name: 'Design Team!' });
      assertStatus(res, 201);
      assert.equal(res.json.role, 'owner');
      assert.equal(res.json.workspace.name, 'Design Team!');
      assert.match(res.json.workspace.slug, /^design-team(-[a-z0-9]+)?$/);
      assert.equal(res.json.workspace.personal, false);
      const me = await ada.get('/api/v1/me');
      const ws = me.json.workspaces.find((w) => w.slug === res.json.workspace.slug);
      assert.deepEqual({ role: ws.role, personal: ws.personal }, { role: 'owner', personal: false });
      assert.equal(me.json.workspaces.find((w) => w.slug === ada.ws).personal, true, 'the sign-up one is personal');
      const again = await ada.post('/api/v1/workspaces', { name: 'Design Team!' });
      assertStatus(again, 201);
      assert.notEqual(again.json.workspace.slug, res.json.workspace.slug, 'a second one gets a free slug');
    });

    it('an explicit slug is used; a taken one is 409; a bad one is 400', async () => {
      const slug = `acme-${Date.now().toString(36)}`;
      const res = await ada.post('/api/v1/workspaces', { name: 'Acme', slug });
      assertStatus(res, 201);
      assert.equal(res.json.workspace.slug, slug);
      const get = await ada.get(`/api/v1/t/${slug}`);
      assertStatus(get, 200);
      assert.equal(get.json.role, 'owner');
      assert.equal(get.json.workspace.slug, slug);
      assertError(await ada.post('/api/v1/workspaces', { name: 'Other', slug }), 409, 'conflict');
      assertError(await ada.post('/api/v1/workspaces', { name: 'Other', slug: ada.ws }), 409, 'conflict',
        'a personal slug is taken too');
      for (const bad of ['A', 'a', '-ab', 'ab-', 'Upper', 'a b', 'a_b', 'é-b', 'x'.repeat(41), '']) {
        assertError(await ada.post('/api/v1/workspaces', { name: 'X', slug: bad }), 400, 'invalid_argument', bad);
      }
    });

    it('bad bodies are 400 and create nothing', async () => {
      const before_ = (await ada.get('/api/v1/me')).json.workspaces.length;
      for (const body of [{}, { name: '' }, { name: '   ' }, { name: 7 }, { name: 'x'.repeat(101) },
        { name: 'ok', slug: 5 }, { name: 'ok', extra: 1 }]) {
        assertError(await ada.post('/api/v1/workspaces', body), 400, 'invalid_argument', JSON.stringify(body));
      }
      assertError(await ada.request('POST', '/api/v1/workspaces', { body: 'not json', headers: { 'Content-Type': 'application/json' } }),
        400, 'invalid_argument');
      assert.equal((await ada.get('/api/v1/me')).json.workspaces.length, before_);
    });

    it('needs a session and a CSRF token', async () => {
      const anon = new Client(server.url);
      assertError(await anon.post('/api/v1/workspaces', { name: 'x' }), 401, 'unauthenticated');
      assertError(await ada.post('/api/v1/workspaces', { name: 'x' }, { csrf: false }), 403, 'csrf_failed');
    });
  });

  describe('invitations', () => {
    let slug;
    before(async () => {
      const res = await ada.post('/api/v1/workspaces', { name: 'Invites' });
      slug = res.json.workspace.slug;
    });

    it('invite -> token and accept URL once, logged; accept joins with the role; twice is 404', async () => {
      const bob = await newUser(server.url);
      const inv = await ada.post(`/api/v1/t/${slug}/invitations`, { email: `  ${bob.email.toUpperCase()} `, role: 'editor' });
      assertStatus(inv, 201);
      const i = inv.json.invitation;
      assert.equal(i.email, bob.email);
      assert.equal(i.role, 'editor');
      assert.match(i.token, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(i.accept_url.endsWith(`/invite?token=${i.token}`), i.accept_url);
      const days = (Date.parse(i.expires_at) - Date.parse(i.created_at)) / 86400000;
      assert.ok(Math.abs(days - 7) < 0.01, `expires after 7 days: ${days}`);
      assert.ok(server.stderrText().includes(i.accept_url), 'the link is in the server log');
      const list = await ada.get(`/api/v1/t/${slug}/invitations`);
      assertStatus(list, 200);
      assert.deepEqual(list.json.invitations.map((x) => x.id), [i.id]);
      assert.equal(list.json.invitations[0].token, undefined, 'the token is shown once only');

      const acc = await bob.post('/api/v1/invitations/accept', { token: i.token });
      assertStatus(acc, 200);
      assert.equal(acc.json.role, 'editor');
      assert.equal(acc.json.workspace.slug, slug);
      assert.equal(roleOf(await members(ada, slug), bob.user.id), 'editor');
      const again = assertError(await bob.post('/api/v1/invitations/accept', { token: i.token }), 404, 'not_found');
      assert.match(again.message, /invitation not found or expired/);
      assert.deepEqual((await ada.get(`/api/v1/t/${slug}/invitations`)).json.invitations, [], 'no longer pending');
      const m = (await members(bob, slug)).find((x) => x.user_id === bob.user.id);
      assert.equal(m.email, bob.email);
      assert.equal(m.name, bob.user.name);
      assert.ok(!Number.isNaN(Date.parse(m.joined_at)));
    });

    it('another e-mail address is 403; unknown and expired tokens are 404; nothing joins', async () => {
      const carol = await newUser(server.url);
      const eve = await newUser(server.url);
      const inv = (await ada.post(`/api/v1/t/${slug}/invitations`, { email: carol.email, role: 'viewer' })).json.invitation;
      const wrong = assertError(await eve.post('/api/v1/invitations/accept', { token: inv.token }), 403, 'permission_denied');
      assert.match(wrong.message, /this invitation was sent to another e-mail address/);
      assertError(await eve.post('/api/v1/invitations/accept', { token: 'x'.repeat(43) }), 404, 'not_found');
      assertError(await eve.post('/api/v1/invitations/accept', {}), 400, 'invalid_argument');
      assertError(await eve.post('/api/v1/invitations/accept', { token: 5 }), 400, 'invalid_argument');
      assertError(await eve.get(`/api/v1/t/${slug}`), 404, 'not_found');
      const wsId = (await ada.get(`/api/v1/t/${slug}`)).json.workspace.id;
      sqlInTenant(server, wsId, `UPDATE invitations SET expires_at = 1 WHERE id = ${Number(inv.id)}`);
      const expired = assertError(await carol.post('/api/v1/invitations/accept', { token: inv.token }), 404, 'not_found');
      assert.match(expired.message, /invitation not found or expired/);
      assert.ok(!(await ada.get(`/api/v1/t/${slug}/invitations`)).json.invitations.some((x) => x.id === inv.id),
        'an expired invitation is not pending');
      assertError(await carol.get(`/api/v1/t/${slug}`), 404, 'not_found');
    });

    it('re-inviting an address replaces its pending invitation; cancel makes the token useless', async () => {
      const dan = await newUser(server.url);
      const first = (await ada.post(`/api/v1/t/${slug}/invitations`, { email: dan.email, role: 'viewer' })).json.invitation;
      const second = (await ada.post(`/api/v1/t/${slug}/invitations`, { email: dan.email, role: 'editor' })).json.invitation;
      const pending = (await ada.get(`/api/v1/t/${slug}/invitations`)).json.invitations.filter((x) => x.email === dan.email);
      assert.deepEqual(pending.map((x) => [x.id, x.role]), [[second.id, 'editor']]);
      assertError(await dan.post('/api/v1/invitations/accept', { token: first.token }), 404, 'not_found');
      assertStatus(await ada.del(`/api/v1/t/${slug}/invitations/${second.id}`), 204);
      assertError(await ada.del(`/api/v1/t/${slug}/invitations/${second.id}`), 404, 'not_found');
      assertError(await ada.del(`/api/v1/t/${slug}/invitations/abc`), 404, 'not_found');
      assertError(await dan.post('/api/v1/invitations/accept', { token: second.token }), 404, 'not_found');
    });

    it('bad invitations: role, e-mail, an existing member, unknown fields', async () => {
      const p = `/api/v1/t/${slug}/invitations`;
      for (const body of [{ email: 'a@example.com', role: 'owner' }, { email: 'a@example.com', role: 'boss' },
        { email: 'a@example.com' }, { email: 'not-an-email', role: 'viewer' }, { role: 'viewer' },
        { email: 'a@example.com', role: 'viewer', x: 1 }]) {
        assertError(await ada.post(p, body), 400, 'invalid_argument', JSON.stringify(body));
      }
      const existing = assertError(await ada.post(p, { email: ada.email, role: 'viewer' }), 409, 'already_exists');
      assert.match(existing.message, /already a member/);
    });

    it('an admin invites editors and viewers but not admins; accepting as a member already is 409', async () => {
      const adm = await newUser(server.url);
      await addMember(ada, slug, adm, 'admin');
      const x = uniqueEmail('x');
      assertStatus(await adm.post(`/api/v1/t/${slug}/invitations`, { email: x, role: 'viewer' }), 201);
      assertError(await adm.post(`/api/v1/t/${slug}/invitations`, { email: x, role: 'admin' }), 403, 'permission_denied');
      assertStatus(await ada.post(`/api/v1/t/${slug}/invitations`, { email: x, role: 'admin' }), 201);
      // A pending invitation for someone who is a member already (made behind the API's back,
      // since the API refuses to invite a member): accepting it is 409 and it stays pending.
      const y = await newUser(server.url);
      await addMember(ada, slug, y, 'viewer');
      const token = 'T'.repeat(43);
      const wsId = (await ada.get(`/api/v1/t/${slug}`)).json.workspace.id;
      sqlInTenant(server, wsId, 'INSERT INTO invitations (tenant_id, email, role, token_hash, created_at, expires_at) ' +
        `VALUES (${Number(wsId)}, '${y.email}', 'editor', '${sha256Hex(Buffer.from(token))}', 0, 99999999999999)`);
      assertError(await y.post('/api/v1/invitations/accept', { token }), 409, 'already_exists');
      assert.ok((await ada.get(`/api/v1/t/${slug}/invitations`)).json.invitations.some((x) => x.email === y.email));
    });

    it('sign-up with an invitation joins the workspace; another e-mail is 403 and creates no account', async () => {
      const email = uniqueEmail('new');
      const inv = (await ada.post(`/api/v1/t/${slug}/invitations`, { email, role: 'viewer' })).json.invitation;
      const wrong = new Client(server.url);
      assertError(await wrong.signup({ email: uniqueEmail('other'), password: PASSWORD, invitation: inv.token }), 403, 'permission_denied');
      assertError(await wrong.signup({ email, password: PASSWORD, invitation: 'nope' }), 404, 'not_found');
      const c = new Client(server.url);
      const res = await c.signup({ email, password: PASSWORD, invitation: inv.token });
      assertStatus(res, 201);
      const joined = res.json.workspaces.find((w) => w.slug === slug);
      assert.equal(joined.role, 'viewer');
      assert.equal(res.json.workspaces.filter((w) => w.personal).length, 1, 'and a personal workspace');
      assertError(await c.post('/api/v1/invitations/accept', { token: inv.token }), 404, 'not_found', 'used');
    });
  });

  describe('members, roles, leaving and transfer', () => {
    let slug;
    let adm;
    let ed;
    let vw;
    let outsider;
    const path = (p = '') => `/api/v1/t/${slug}${p}`;
    before(async () => {
      slug = (await ada.post('/api/v1/workspaces', { name: 'Roles' })).json.workspace.slug;
      adm = await newUser(server.url);
      ed = await newUser(server.url);
      vw = await newUser(server.url);
      outsider = await newUser(server.url);
      await addMember(ada, slug, adm, 'admin');
      await addMember(ada, slug, ed, 'editor');
      await addMember(ada, slug, vw, 'viewer');
    });

    it('every member sees every member', async () => {
      for (const c of [ada, adm, ed, vw]) {
        const list = await members(c, slug);
        assert.deepEqual(list.map((m) => [m.user_id, m.role]),
          [[ada.user.id, 'owner'], [adm.user.id, 'admin'], [ed.user.id, 'editor'], [vw.user.id, 'viewer']]);
      }
      assertError(await outsider.get(path('/members')), 404, 'not_found');
    });

    it('an admin changes editors and viewers, but not the owner, not to owner, not to admin', async () => {
      const r = await adm.patch(path(`/members/${vw.user.id}`), { role: 'editor' });
      assertStatus(r, 200);
      assert.equal(r.json.member.role, 'editor');
      assertStatus(await adm.patch(path(`/members/${vw.user.id}`), { role: 'viewer' }), 200);
      assertError(await adm.patch(path(`/members/${ada.user.id}`), { role: 'viewer' }), 403, 'permission_denied', 'owner');
      assertError(await adm.patch(path(`/members/${ed.user.id}`), { role: 'owner' }), 403, 'permission_denied', 'grant owner');
      assertError(await adm.patch(path(`/members/${ed.user.id}`), { role: 'admin' }), 403, 'permission_denied', 'make admin');
      assertError(await ed.patch(path(`/members/${vw.user.id}`), { role: 'editor' }), 403, 'permission_denied', 'editor');
      assert.equal(roleOf(await members(ada, slug), ed.user.id), 'editor');
      assert.equal(roleOf(await members(ada, slug), ada.user.id), 'owner');
    });

    it('the owner makes admins; owner is only by transfer; bad roles and unknown members', async () => {
      assertStatus(await ada.patch(path(`/members/${ed.user.id}`), { role: 'admin' }), 200);
      assertStatus(await ada.patch(path(`/members/${ed.user.id}`), { role: 'editor' }), 200);
      assertError(await ada.patch(path(`/members/${ed.user.id}`), { role: 'owner' }), 400, 'invalid_argument');
      assertError(await ada.patch(path(`/members/${ada.user.id}`), { role: 'admin' }), 409, 'conflict');
      for (const body of [{ role: 'boss' }, {}, { role: 3 }, { role: 'viewer', x: 1 }]) {
        assertError(await ada.patch(path(`/members/${ed.user.id}`), body), 400, 'invalid_argument', JSON.stringify(body));
      }
      assertError(await ada.patch(path(`/members/${outsider.user.id}`), { role: 'viewer' }), 404, 'not_found');
      assertError(await ada.patch(path('/members/nope'), { role: 'viewer' }), 404, 'not_found');
    });

    it('nobody removes the owner; the owner cannot leave (409); transfer to a non-member is 404', async () => {
      assertError(await adm.del(path(`/members/${ada.user.id}`)), 403, 'permission_denied');
      assertError(await ada.del(path(`/members/${ada.user.id}`)), 403, 'permission_denied');
      const leave = assertError(await ada.post(path('/leave')), 409, 'conflict');
      assert.match(leave.message, /transfer ownership/);
      assertError(await ada.post(path('/transfer'), { user_id: outsider.user.id }), 404, 'not_found');
      assertError(await ada.post(path('/transfer'), { user_id: ada.user.id }), 400, 'invalid_argument');
      for (const body of [{}, { user_id: 'x' }, { user_id: -1 }, { user_id: 1, x: 1 }]) {
        assertError(await ada.post(path('/transfer'), body), 400, 'invalid_argument', JSON.stringify(body));
      }
      assertError(await adm.post(path('/transfer'), { user_id: adm.user.id }), 403, 'permission_denied');
      assert.equal((await members(ada, slug)).filter((m) => m.role === 'owner').length, 1);
    });

    it('removing and leaving end access', async () => {
      const tmp = await newUser(server.url);
      await addMember(ada, slug, tmp, 'viewer');
      assertStatus(await adm.del(path(`/members/${tmp.user.id}`)), 204);
      assertError(await tmp.get(path()), 404, 'not_found');
      assertError(await adm.del(path(`/members/${tmp.user.id}`)), 404, 'not_found');
      const tmp2 = await newUser(server.url);
      await addMember(ada, slug, tmp2, 'editor');
      assertError(await tmp2.post(path('/leave'), { x: 1 }), 400, 'invalid_argument');
      assertStatus(await tmp2.post(path('/leave')), 204);
      assertError(await tmp2.get(path()), 404, 'not_found');
      assert.ok(!(await tmp2.get('/api/v1/me')).json.workspaces.some((w) => w.slug === slug));
    });

    it('transfer: the target becomes owner, the old owner admin, exactly one owner', async () => {
      const res = await ada.post(path('/transfer'), { user_id: ed.user.id });
      assertStatus(res, 200);
      const list = res.json.members;
      assert.equal(roleOf(list, ed.user.id), 'owner');
      assert.equal(roleOf(list, ada.user.id), 'admin');
      assert.equal(list.filter((m) => m.role === 'owner').length, 1);
      assertError(await ada.post(path('/transfer'), { user_id: ada.user.id }), 403, 'permission_denied', 'no longer owner');
      assertStatus(await ada.post(path('/leave')), 204, 'the old owner may now leave');
      assert.equal((await ed.get(path())).json.role, 'owner');
    });

    it('a personal workspace can have members too (documented choice)', async () => {
      const friend = await newUser(server.url);
      await addMember(ada, ada.ws, friend, 'viewer');
      assert.equal(roleOf(await members(ada, ada.ws), friend.user.id), 'viewer');
    });
  });

  it('the server is still alive', () => {
    server.assertAlive();
  });
});
