// The workspace lifecycle (issue 5): suspension (read-only: every write 403 workspace_suspended,
// reads still work), soft-delete (gone for its members at once) and restore within the grace
// period, the owner's own delete, and the purge by the background worker once the grace period
// has passed (rows and stored objects gone). On both backend pairs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertError, assertStatus, imagePath, newUser, rawFetch, startServer } from './harness.mjs';
import { eventually, newOperator, sqlValue, tenantObjects } from './operator_helpers.mjs';

const ADMIN = '/api/v1/admin/tenants';

async function addMember(inviter, slug, user, role) {
  const inv = await inviter.post(`/api/v1/t/${slug}/invitations`, { email: user.email, role });
  assertStatus(inv, 201, `invite ${role}`);
  assertStatus(await user.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200);
}

async function teamWithPalette(owner, name) {
  const made = await owner.post('/api/v1/workspaces', { name });
  assertStatus(made, 201);
  const ws = made.json.workspace;
  const up = await owner.upload(imagePath('coins.png'), 'coins.png', { ws: ws.slug });
  assertStatus(up, 201);
  return { ws, palette: up.json.palette };
}

describe('suspension, soft-delete and restore', () => {
  let server;
  let op;
  let owner;
  let editor;
  let ws;
  let palette;
  let writeToken;

  before(async () => {
    server = await startServer();
    op = await newOperator(server);
    owner = await newUser(server.url);
    editor = await newUser(server.url);
    ({ ws, palette } = await teamWithPalette(owner, 'Lifecycle'));
    await addMember(owner, ws.slug, editor, 'editor');
    const t = await owner.post(`/api/v1/t/${ws.slug}/tokens`, { name: 'ci', scope: 'write' });
    assertStatus(t, 201);
    writeToken = t.json.token.token;
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('a suspended workspace is read-only for everyone in it; reactivated, writes work again', async () => {
    const s = await op.post(`${ADMIN}/${ws.id}/suspend`);
    assertStatus(s, 200);
    assert.equal(s.json.tenant.status, 'suspended');
    assert.match(s.json.tenant.suspended_at, /^\d{4}-/);
    // Suspending again keeps it suspended (and the first time).
    const again = await op.post(`${ADMIN}/${ws.id}/suspend`);
    assert.equal(again.json.tenant.suspended_at, s.json.tenant.suspended_at);

    const p = `/api/v1/t/${ws.slug}`;
    const writes = [
      ['upload', () => owner.upload(imagePath('coins.png'), 'more.png', { ws: ws.slug })],
      ['patch', () => editor.patch(`${p}/palettes/${palette.id}`, { name: 'renamed' })],
      ['delete palette', () => owner.del(`${p}/palettes/${palette.id}`)],
      ['duplicate', () => editor.post(`${p}/palettes/${palette.id}/duplicate`)],
      ['invite', () => owner.post(`${p}/invitations`, { email: 'x@example.com', role: 'viewer' })],
      ['token create', () => editor.post(`${p}/tokens`, { name: 'n', scope: 'read' })],
      ['leave', () => editor.post(`${p}/leave`)],
      ['delete workspace', () => owner.del(p)],
      ['write token', () => rawFetch(`${server.url}${p}/palettes/${palette.id}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${writeToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'via token' }),
      })],
    ];
    for (const [what, write] of writes) {
      const e = assertError(await write(), 403, 'workspace_suspended', what);
      assert.equal(e.message, 'this workspace is suspended by the operators: it is read-only until it is reactivated');
    }
    // Reads work.
    const list = await editor.get(`${p}/palettes`);
    assertStatus(list, 200);
    assert.deepEqual(list.json.palettes.map((x) => x.name), ['coins']);
    assertStatus(await editor.get(`${p}/palettes/${palette.id}`), 200);
    const img = await editor.get(`${p}/palettes/${palette.id}/image`);
    assertStatus(img, 200);
    assert.equal(img.headers.get('content-type'), 'image/png');
    assertStatus(await owner.get(`${p}/members`), 200);
    assertStatus(await rawFetch(`${server.url}${p}/palettes`, { headers: { Authorization: `Bearer ${writeToken}` } }), 200);
    // Other workspaces of the same users are not affected.
    assertStatus(await owner.upload(imagePath('coins.png'), 'own.png'), 201);

    const r = await op.post(`${ADMIN}/${ws.id}/reactivate`);
    assertStatus(r, 200);
    assert.equal(r.json.tenant.status, 'active');
    assert.equal(r.json.tenant.suspended_at, null);
    assertStatus(await editor.patch(`${p}/palettes/${palette.id}`, { name: 'renamed' }), 200);
    assertStatus(await owner.upload(imagePath('coins.png'), 'more.png', { ws: ws.slug }), 201);
    assertStatus(await op.post(`${ADMIN}/${ws.id}/reactivate`), 200);  // already active: unchanged
  });

  it('a deleted workspace is gone for its members at once, and comes back whole when restored', async () => {
    const before = (await owner.get(`/api/v1/t/${ws.slug}/palettes`)).json.palettes.map((x) => x.id);
    assert.equal(before.length, 2);
    const d = await op.del(`${ADMIN}/${ws.id}`);
    assertStatus(d, 200);
    assert.equal(d.json.tenant.status, 'deleted');
    const purgeAfter = Date.parse(d.json.tenant.purge_after);
    const deletedAt = Date.parse(d.json.tenant.deleted_at);
    assert.equal(purgeAfter - deletedAt, 30 * 24 * 3600 * 1000, 'jobs.delete_grace_days defaults to 30');

    for (const client of [owner, editor]) {
      assertError(await client.get(`/api/v1/t/${ws.slug}/palettes`), 404, 'not_found');
      assertError(await client.get(`/api/v1/t/${ws.slug}`), 404, 'not_found');
      const me = await client.get('/api/v1/me');
      assert.ok(!me.json.workspaces.some((w) => w.id === ws.id), 'left /api/v1/me');
    }
    assertError(await rawFetch(`${server.url}/api/v1/t/${ws.slug}/palettes`, {
      headers: { Authorization: `Bearer ${writeToken}` },
    }), 404, 'not_found');
    assertError(await op.del(`${ADMIN}/${ws.id}`), 409, 'conflict');
    assertError(await op.post(`${ADMIN}/${ws.id}/suspend`), 409, 'conflict');
    const listed = await op.get(`${ADMIN}?status=deleted&q=${ws.slug}`);
    assert.deepEqual(listed.json.tenants.map((t) => t.id), [ws.id]);

    const r = await op.post(`${ADMIN}/${ws.id}/restore`);
    assertStatus(r, 200);
    assert.equal(r.json.tenant.status, 'active');
    assert.equal(r.json.tenant.purge_after, null);
    const back = await editor.get(`/api/v1/t/${ws.slug}/palettes`);
    assertStatus(back, 200);
    assert.deepEqual(back.json.palettes.map((x) => x.id), before);
    assert.ok((await owner.get('/api/v1/me')).json.workspaces.some((w) => w.id === ws.id));
    assertError(await op.post(`${ADMIN}/${ws.id}/restore`), 409, 'conflict');
    assertError(await op.post(`${ADMIN}/999999999/restore`), 404, 'not_found');
  });

  it('owners delete their team workspace (not a personal one); operators can restore it', async () => {
    const admin = await newUser(server.url);
    await addMember(owner, ws.slug, admin, 'admin');
    assertError(await admin.del(`/api/v1/t/${ws.slug}`), 403, 'permission_denied');
    assertError(await owner.del(`/api/v1/t/${owner.ws}`), 409, 'conflict');
    assertError(await owner.del(`/api/v1/t/${ws.slug}`, { json: { now: true } }), 400, 'invalid_argument');
    assertError(await owner.del(`/api/v1/t/${ws.slug}`, { csrf: false }), 403, 'csrf_failed');
    assertError(await rawFetch(`${server.url}/api/v1/t/${ws.slug}`, {
      method: 'DELETE', headers: { Authorization: `Bearer ${writeToken}` },
    }), 403, 'permission_denied');
    const d = await owner.del(`/api/v1/t/${ws.slug}`);
    assertStatus(d, 200);
    assert.equal(d.json.workspace.id, ws.id);
    assert.match(d.json.workspace.purge_after, /^\d{4}-/);
    assertError(await admin.get(`/api/v1/t/${ws.slug}`), 404, 'not_found');
    assertError(await owner.del(`/api/v1/t/${ws.slug}`), 404, 'not_found');
    assertStatus(await op.post(`${ADMIN}/${ws.id}/restore`), 200);
    assertStatus(await admin.get(`/api/v1/t/${ws.slug}`), 200);
  });
});

describe('purge by the background worker', () => {
  let server;
  const replica = `purge-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  before(async () => {
    server = await startServer({
      env: {
        PALETTEMAKER_JOBS_DELETE_GRACE_DAYS: '0',
        PALETTEMAKER_JOBS_INTERVAL_S: '1',
        PALETTEMAKER_SERVER_REPLICA_NAME: replica,
      },
    });
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('purges a deleted workspace after its grace period: rows and stored objects gone, others untouched', { timeout: 240_000 }, async () => {
    const op = await newOperator(server);
    const owner = await newUser(server.url);
    const { ws, palette } = await teamWithPalette(owner, 'Doomed');
    assertStatus(await owner.upload(imagePath('coins.png'), 'second.png', { ws: ws.slug }), 201);
    const keep = await teamWithPalette(owner, 'Kept');
    // A thumbnail is made on first request and stored next to the image: the purge takes it too.
    assertStatus(await owner.get(palette.thumbnail_url), 200);
    assert.ok(tenantObjects(server, ws.id).some((k) => k.includes('/thumbs/')), 'the doomed workspace has a thumbnail');
    assert.ok(tenantObjects(server, ws.id).length > 0, 'the doomed workspace has stored objects');
    const keptObjects = tenantObjects(server, keep.ws.id);
    assert.ok(keptObjects.length > 0);
    // On the PostgreSQL database shared by the test run the janitor lease may be another
    // server's: wait until this one holds it, so this server (with its storage) does the purge.
    // (A server holds it while it runs; test servers live well under a minute and release it.)
    await eventually(() => sqlValue(server, "SELECT holder FROM leases WHERE name = 'janitor'").startsWith(`${replica}:`),
      'this server to hold the janitor lease', 150_000);

    const d = await op.del(`${ADMIN}/${ws.id}`);
    assertStatus(d, 200);
    assert.equal(d.json.tenant.deleted_at, d.json.tenant.purge_after, 'grace period 0');
    await eventually(async () => (await op.get(`${ADMIN}/${ws.id}`)).status === 404, 'the purge');

    assert.deepEqual(tenantObjects(server, ws.id), [], 'objects gone from the object store');
    const scoped = (sql) => sqlValue(server, `SELECT set_config('app.tenant_id', '${ws.id}', true); ${sql}`);
    const rows = process.env.PM_TEST_BACKEND === 'postgres' ? scoped : (sql) => sqlValue(server, sql);
    assert.equal(rows(`SELECT count(*) FROM palettes WHERE tenant_id = ${ws.id}`), '0');
    assert.equal(rows(`SELECT count(*) FROM memberships WHERE tenant_id = ${ws.id}`), '0');
    assert.equal(rows(`SELECT count(*) FROM tenants WHERE id = ${ws.id}`), '0');
    const purged = rows(`SELECT actor_kind FROM audit_log WHERE tenant_id = ${ws.id} AND action = 'workspace.purged'`);
    assert.equal(purged, 'system');
    assertError(await op.post(`${ADMIN}/${ws.id}/restore`), 404, 'not_found');
    assertError(await owner.get(`/api/v1/t/${ws.slug}`), 404, 'not_found');

    // The owner's other workspace and its objects are untouched.
    assert.deepEqual(tenantObjects(server, keep.ws.id), keptObjects);
    assertStatus(await owner.get(`/api/v1/t/${keep.ws.slug}/palettes/${keep.palette.id}/image`), 200);
  });
});
