// The audit log (PRODUCT.md §3 "Audit log"): workspace and palette actions done through the API
// are recorded with who did them (user or API token), the workspace, the client's IP, user agent
// and request id; owners and admins read their workspace's log (filters, pages), nobody else; a
// workspace's log never shows another workspace's records; the operators' log is a 404 for
// everyone but an operator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';

import {
  assertError,
  assertStatus,
  Client,
  newUser,
  rawFetch,
  sqlInTenant,
  startServer,
} from './harness.mjs';

const UA = 'audit-it/1.0 (node)';

// A real 64x64 RGB PNG of four coloured quadrants (made here, so this file needs no test images).
function quadrantsPng() {
  const size = 64;
  const colours = [[200, 60, 60], [60, 160, 60], [60, 60, 200], [150, 150, 60]];
  const raw = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y += 1) {
    const row = y * (1 + size * 3);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x += 1) {
      const c = colours[(y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1)];
      raw.set(c, row + 1 + x * 3);
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, i) => {
    let c = i;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, size, 0, 0, 0, size, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('audit log', () => {
  let server;
  let ada; // owner of `slug`
  let bob; // editor
  let vic; // viewer
  let adm; // admin
  let slug;
  let wsId;
  let n = 0;
  // Headers that each request is recognised by in the log.
  const tagged = (tag) => ({ headers: { 'User-Agent': UA, 'X-Request-Id': `${tag}-${++n}` } });
  const audit = (client, query = '', ws = slug) => client.get(`/api/v1/t/${ws}/audit${query}`);
  const entries = async (client, query = '', ws = slug) => {
    const res = await audit(client, query, ws);
    assertStatus(res, 200, `audit${query}`);
    return res.json.entries;
  };
  // Every entry of a workspace (or of the admin log), following next_cursor.
  const allPages = async (client, base, limit) => {
    const out = [];
    let cursor = null;
    for (let i = 0; i < 1000; i += 1) {
      const sep = base.includes('?') ? '&' : '?';
      const res = await client.get(`${base}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      assertStatus(res, 200, base);
      assert.ok(res.json.entries.length <= limit);
      out.push(...res.json.entries);
      cursor = res.json.next_cursor;
      if (cursor === null) return out;
      assert.equal(typeof cursor, 'string');
      assert.equal(res.json.entries.length, limit, 'only the last page is short');
    }
    throw new Error('too many pages');
  };
  const addMember = async (inviter, ws, user, role) => {
    const inv = await inviter.post(`/api/v1/t/${ws}/invitations`, { email: user.email, role });
    assertStatus(inv, 201, `invite ${role}`);
    assertStatus(await user.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200);
    return inv.json.invitation;
  };
  const makeOperator = (client) => sqlInTenant(server, 0, `UPDATE users SET is_operator = true WHERE id = ${Number(client.user.id)}`);

  before(async () => {
    server = await startServer();
    ada = await newUser(server.url);
    bob = await newUser(server.url);
    vic = await newUser(server.url);
    adm = await newUser(server.url);
    const ws = await ada.post('/api/v1/workspaces', { name: 'Audited' }, tagged('ws-create'));
    assertStatus(ws, 201);
    slug = ws.json.workspace.slug;
    wsId = ws.json.workspace.id;
    await addMember(ada, slug, bob, 'editor');
    await addMember(ada, slug, vic, 'viewer');
    await addMember(ada, slug, adm, 'admin');
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('records workspace creation with the actor, the workspace, IP, user agent and request id', async () => {
    const list = await entries(ada, '?action=workspace.created');
    assert.equal(list.length, 1);
    const e = list[0];
    assert.equal(typeof e.id, 'number');
    assert.ok(!Number.isNaN(Date.parse(e.at)) && e.at.endsWith('Z'), e.at);
    assert.deepEqual(e.workspace, { id: wsId, slug });
    assert.deepEqual(e.actor, { id: ada.user.id, kind: 'user', email: ada.email, name: ada.user.name });
    assert.equal(e.action, 'workspace.created');
    assert.equal(e.target, `workspace:${wsId}`);
    assert.equal(e.ip, '127.0.0.1');
    assert.equal(e.user_agent, UA);
    assert.equal(e.request_id, 'ws-create-1');
    assert.deepEqual(e.details, { slug });
  });

  it('records invitations (created, accepted, revoked) without e-mail addresses', async () => {
    const carol = await newUser(server.url);
    const inv = await ada.post(`/api/v1/t/${slug}/invitations`, { email: carol.email, role: 'viewer' }, tagged('inv'));
    assertStatus(inv, 201);
    const invId = inv.json.invitation.id;
    const accept = await carol.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }, tagged('acc'));
    assertStatus(accept, 200);
    const dave = await newUser(server.url);
    const inv2 = await ada.post(`/api/v1/t/${slug}/invitations`, { email: dave.email, role: 'editor' });
    assertStatus(inv2, 201);
    assertStatus(await ada.del(`/api/v1/t/${slug}/invitations/${inv2.json.invitation.id}`, tagged('cancel')), 204);

    const list = await entries(ada, '?action=invitation.');
    const created = list.find((e) => e.action === 'invitation.created' && e.target === `invitation:${invId}`);
    assert.ok(created, JSON.stringify(list));
    assert.equal(created.actor.id, ada.user.id);
    assert.equal(created.details.role, 'viewer');
    assert.equal(created.request_id, `inv-${n - 2}`);
    const accepted = list.find((e) => e.action === 'invitation.accepted' && e.target === `invitation:${invId}`);
    assert.ok(accepted);
    assert.deepEqual(accepted.actor, { id: carol.user.id, kind: 'user', email: carol.email, name: carol.user.name });
    assert.deepEqual(accepted.workspace, { id: wsId, slug });
    assert.equal(accepted.details.role, 'viewer');
    assert.equal(accepted.user_agent, UA);
    const revoked = list.find((e) => e.action === 'invitation.revoked');
    assert.ok(revoked);
    assert.equal(revoked.target, `invitation:${inv2.json.invitation.id}`);
    assert.equal(revoked.request_id, `cancel-${n}`);
    // The invited addresses are in no record (only the actors' own, joined in when read).
    const raw = JSON.stringify(list.map((e) => ({ ...e, actor: null })));
    assert.ok(!raw.includes(carol.email) && !raw.includes(dave.email), raw);
  });

  it('records role changes, removals, leaving and ownership transfers', async () => {
    const team = await ada.post('/api/v1/workspaces', { name: 'Members' });
    assertStatus(team, 201);
    const t = team.json.workspace.slug;
    const u1 = await newUser(server.url);
    const u2 = await newUser(server.url);
    const u3 = await newUser(server.url);
    await addMember(ada, t, u1, 'viewer');
    await addMember(ada, t, u2, 'viewer');
    await addMember(ada, t, u3, 'viewer');
    assertStatus(await ada.patch(`/api/v1/t/${t}/members/${u1.user.id}`, { role: 'editor' }, tagged('role')), 200);
    assertStatus(await ada.del(`/api/v1/t/${t}/members/${u2.user.id}`, tagged('rm')), 204);
    assertStatus(await u3.post(`/api/v1/t/${t}/leave`, undefined, tagged('leave')), 204);
    assertStatus(await ada.post(`/api/v1/t/${t}/transfer`, { user_id: u1.user.id }, tagged('transfer')), 200);

    // ada is an admin there now: admins read the log too.
    const list = await entries(ada, '', t);
    const byAction = (a) => list.filter((e) => e.action === a);
    const role = byAction('member.role_changed');
    assert.equal(role.length, 1);
    assert.equal(role[0].target, `user:${u1.user.id}`);
    assert.deepEqual(role[0].details, { from: 'viewer', to: 'editor' });
    assert.equal(role[0].actor.id, ada.user.id);
    const removed = byAction('member.removed');
    assert.equal(removed.length, 1);
    assert.equal(removed[0].target, `user:${u2.user.id}`);
    assert.equal(removed[0].details.role, 'viewer');
    const left = byAction('member.left');
    assert.equal(left.length, 1);
    assert.equal(left[0].actor.id, u3.user.id);
    assert.equal(left[0].target, `user:${u3.user.id}`);
    const transferred = byAction('workspace.ownership_transferred');
    assert.equal(transferred.length, 1);
    assert.equal(transferred[0].target, `user:${u1.user.id}`);
    assert.deepEqual(transferred[0].details, { from: ada.user.id, to: u1.user.id });
    assert.match(transferred[0].request_id, /^transfer-\d+$/);
    // Newest first.
    const ids = list.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    assert.equal(list[0].action, 'workspace.ownership_transferred');
  });

  it('records tokens (never the token) and palette deletion by a token as actor kind "token"', async () => {
    const mint = await ada.post(`/api/v1/t/${slug}/tokens`, { name: 'ci', scope: 'write', expires_in_days: 30 }, tagged('mint'));
    assertStatus(mint, 201);
    const token = mint.json.token;
    const up = await ada.upload(quadrantsPng(), 'quadrants.png', { ws: slug });
    assertStatus(up, 201);
    const paletteId = up.json.palette.id;
    const del = await rawFetch(`${server.url}/api/v1/t/${slug}/palettes/${paletteId}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token.token}`, 'User-Agent': 'ci-bot/2', 'X-Request-Id': 'bot-delete-1' },
    });
    assertStatus(del, 204);
    assertStatus(await ada.del(`/api/v1/t/${slug}/tokens/${token.id}`, tagged('revoke')), 204);

    const created = await entries(ada, '?action=token.created');
    assert.equal(created.length, 1);
    assert.equal(created[0].target, `token:${token.id}`);
    assert.equal(created[0].details.scope, 'write');
    assert.equal(created[0].details.expires_at, Date.parse(token.expires_at));
    const revoked = await entries(ada, '?action=token.revoked');
    assert.equal(revoked.length, 1);
    assert.equal(revoked[0].target, `token:${token.id}`);
    const deleted = await entries(ada, '?action=palette.deleted');
    assert.equal(deleted.length, 1);
    const d = deleted[0];
    assert.equal(d.target, `palette:${paletteId}`);
    assert.equal(d.actor.kind, 'token');
    assert.equal(d.actor.id, ada.user.id);
    assert.equal(d.user_agent, 'ci-bot/2');
    assert.equal(d.request_id, 'bot-delete-1');
    assert.equal(d.ip, '127.0.0.1');
    assert.equal(d.details.name, up.json.palette.name);
    const everything = JSON.stringify(await entries(ada, '?limit=200'));
    assert.ok(!everything.includes(token.token), 'the token never appears in the log');
  });

  it('filters by actor, action (exact or prefix) and time; pages cover everything once', async () => {
    const mine = await entries(ada, `?actor=${ada.user.id}&limit=200`);
    assert.ok(mine.length >= 5);
    assert.ok(mine.every((e) => e.actor && e.actor.id === ada.user.id));
    const bobs = await entries(ada, `?actor=${bob.user.id}`);
    assert.deepEqual(bobs.map((e) => e.action), ['invitation.accepted']);
    const prefixed = await entries(ada, '?action=invitation.&limit=200');
    assert.ok(prefixed.length >= 6);
    assert.ok(prefixed.every((e) => e.action.startsWith('invitation.')));
    assert.deepEqual(await entries(ada, '?action=invitation'), [], 'no dot: an exact name');

    const all = await allPages(ada, `/api/v1/t/${slug}/audit`, 200);
    const paged = await allPages(ada, `/api/v1/t/${slug}/audit`, 3);
    assert.deepEqual(paged.map((e) => e.id), all.map((e) => e.id));
    assert.equal(new Set(paged.map((e) => e.id)).size, paged.length);
    const filtered = await allPages(ada, `/api/v1/t/${slug}/audit?action=invitation.`, 2);
    assert.deepEqual(filtered.map((e) => e.id), prefixed.map((e) => e.id));

    // Time: since is inclusive, until exclusive; Unix ms or RFC 3339.
    const oldest = all[all.length - 1];
    const at = Date.parse(oldest.at);
    const since = await entries(ada, `?since=${at}&limit=200`);
    assert.equal(since.length, all.length);
    const untilOldest = await entries(ada, `?until=${encodeURIComponent(oldest.at)}`);
    assert.ok(untilOldest.every((e) => Date.parse(e.at) < at));
    const future = new Date(Date.now() + 3_600_000).toISOString();
    assert.deepEqual(await entries(ada, `?since=${encodeURIComponent(future)}`), []);
    const window = await entries(ada, `?since=${at}&until=${at + 1}&limit=200`);
    assert.ok(window.some((e) => e.id === oldest.id));
    assert.ok(window.every((e) => Date.parse(e.at) === at));
  });

  it('refuses bad parameters with 400 naming the parameter', async () => {
    const cases = [
      ['actor=abc', /^actor/],
      ['actor=0', /^actor/],
      ['action=Member.Removed', /^action/],
      ['action=member..x', /^action/],
      ['since=yesterday', /^since/],
      ['until=2026-02-30T00:00:00Z', /^until/],
      ['since=2000&until=1000', /^since/],
      ['cursor=xyz', /^cursor/],
      ['limit=0', /^limit/],
      ['limit=201', /^limit/],
      ['limit=1.5', /^limit/],
      ['workspace=other', /^workspace/],
    ];
    for (const [q, re] of cases) {
      const e = assertError(await audit(ada, `?${q}`), 400, 'invalid_argument', q);
      assert.match(e.message, re, q);
    }
  });

  it('owners and admins read it; editors and viewers 403; tokens 403; non-members and signed-out callers 404/401', async () => {
    assertStatus(await audit(ada), 200);
    assertStatus(await audit(adm), 200);
    assertError(await audit(bob), 403, 'permission_denied', 'editor');
    assertError(await audit(vic), 403, 'permission_denied', 'viewer');
    const stranger = await newUser(server.url);
    assertError(await audit(stranger), 404, 'not_found', 'non-member');
    assertError(await audit(ada, '', 'no-such-workspace'), 404, 'not_found', 'missing workspace');
    assertError(await audit(new Client(server.url)), 401, 'unauthenticated', 'signed out');
    for (const scope of ['read', 'write']) {
      const mint = await ada.post(`/api/v1/t/${slug}/tokens`, { name: `t-${scope}`, scope });
      assertStatus(mint, 201);
      const res = await rawFetch(`${server.url}/api/v1/t/${slug}/audit`, {
        headers: { Authorization: `Bearer ${mint.json.token.token}` },
      });
      assertError(res, 403, 'permission_denied', `${scope} token`);
    }
    // Not a write: the route takes no body and no other method.
    assertError(await ada.post(`/api/v1/t/${slug}/audit`, {}), 400, 'invalid_argument');
  });

  it("a workspace admin never sees another workspace's records", async () => {
    const other = await newUser(server.url);
    const ws = await other.post('/api/v1/workspaces', { name: 'Elsewhere' });
    assertStatus(ws, 201);
    const otherSlug = ws.json.workspace.slug;
    assertStatus(await other.post(`/api/v1/t/${otherSlug}/tokens`, { name: 'x', scope: 'read' }), 201);
    // ada's own records elsewhere (her personal workspace, the Members workspace) stay there too.
    const mine = await allPages(ada, `/api/v1/t/${slug}/audit`, 50);
    assert.ok(mine.length > 0);
    assert.ok(mine.every((e) => e.workspace && e.workspace.id === wsId && e.workspace.slug === slug));
    const theirs = await allPages(other, `/api/v1/t/${otherSlug}/audit`, 50);
    assert.ok(theirs.length >= 2);
    assert.ok(theirs.every((e) => e.workspace.id === ws.json.workspace.id));
    const ids = new Set(mine.map((e) => e.id));
    assert.ok(theirs.every((e) => !ids.has(e.id)));
    // Filtering by an actor of the other workspace finds nothing here.
    assert.deepEqual(await entries(ada, `?actor=${other.user.id}`), []);
  });

  it('the operators\' log: 404 for everyone else; all workspaces for an operator', async () => {
    const p = '/api/v1/admin/audit';
    for (const [who, client] of [['signed out', new Client(server.url)], ['member', bob], ['owner', ada]]) {
      const e = assertError(await client.get(p), 404, 'not_found', who);
      assert.equal(e.message, `no such endpoint: GET ${p}`);
    }
    // Nor does another method on its path say that the path exists.
    const post = assertError(await ada.post(p, {}), 404, 'not_found', 'POST');
    assert.equal(post.message, `no such endpoint: POST ${p}`);
    const mint = await ada.post(`/api/v1/t/${slug}/tokens`, { name: 'probe', scope: 'read' });
    assertStatus(mint, 201);
    assertError(await rawFetch(server.url + p, { headers: { Authorization: `Bearer ${mint.json.token.token}` } }),
      404, 'not_found', 'token');

    const op = await newUser(server.url);
    makeOperator(op);
    const all = await allPages(op, p, 50);
    const slugs = new Set(all.filter((e) => e.workspace).map((e) => e.workspace.slug));
    assert.ok(slugs.has(slug) && slugs.size >= 3, [...slugs].join(','));
    const one = await allPages(op, `${p}?workspace=${slug}`, 7);
    assert.deepEqual(one.map((e) => e.id), (await allPages(ada, `/api/v1/t/${slug}/audit`, 200)).map((e) => e.id));
    const byId = await allPages(op, `${p}?workspace=${wsId}&action=member.`, 200);
    assert.ok(byId.every((e) => e.workspace.id === wsId && e.action.startsWith('member.')));
    const byActor = await allPages(op, `${p}?actor=${ada.user.id}&action=workspace.created`, 200);
    assert.ok(byActor.length >= 2);
    assert.ok(byActor.every((e) => e.actor.id === ada.user.id && e.action === 'workspace.created'));
    const res = await op.get(`${p}?workspace=no-such-workspace`);
    assertStatus(res, 200);
    assert.deepEqual(res.json, { entries: [], next_cursor: null });
    for (const q of ['workspace=-x', 'limit=0', 'since=soon', 'actor=me']) {
      assertError(await op.get(`${p}?${q}`), 400, 'invalid_argument', q);
    }
    // Being an operator opens no workspace: the tenant log is still members-only.
    assertError(await audit(op), 404, 'not_found', 'operator, not a member');
  });
});
