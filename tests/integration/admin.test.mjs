// Operators (PRODUCT.md §3, issue 5): the one-time setup link (first start and
// `palettemaker admin create`), and the admin API's workspace administration -- operators only
// (everyone else gets 404), sessions only, CSRF, bad input refused, every action audited, and
// never a workspace's content.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  assertError,
  assertStatus,
  BACKEND,
  Client,
  imagePath,
  newUser,
  PASSWORD,
  rawFetch,
  runCli,
  startServer,
  uniqueEmail,
} from './harness.mjs';
import { cliEnvFor, newOperator, setupToken } from './operator_helpers.mjs';

const ADMIN = '/api/v1/admin/tenants';

describe('operator setup links', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('the first start without an operator prints a setup link on stderr (fresh SQLite database)', async () => {
    // On the shared PostgreSQL database of the test run another file may have made an operator
    // already, so only a fresh SQLite database says for sure that none exists.
    const m = server.stderrText().match(/(http\S+)\/setup\?token=([A-Za-z0-9_-]+)/);
    if (BACKEND === 'sqlite') {
      assert.ok(m, `setup link on stderr: ${server.stderrText().slice(0, 2000)}`);
      assert.equal(m[1], server.url, 'the link names the bound address when server.public_url is unset');
      const info = await new Client(server.url).get(`/api/v1/admin/setup?token=${m[2]}`);
      assertStatus(info, 200);
      assert.deepEqual(info.json, { valid: true, email: null });
    }
  });

  it('admin create: a link bound to one address, single use, signs the operator in', async () => {
    const email = uniqueEmail('op');
    const token = await setupToken(server, email.toUpperCase());
    const anon = new Client(server.url);
    const info = await anon.get(`/api/v1/admin/setup?token=${token}`);
    assertStatus(info, 200);
    assert.deepEqual(info.json, { valid: true, email });
    assert.deepEqual((await anon.get('/api/v1/admin/setup?token=nope')).json, { valid: false, email: null });
    assert.deepEqual((await anon.get('/api/v1/admin/setup')).json, { valid: false, email: null });

    // Bad input: malformed JSON, unknown fields, wrong types, missing fields, another address.
    assertError(await anon.request('POST', '/api/v1/admin/setup', {
      body: '{"token":', headers: { 'Content-Type': 'application/json' },
    }), 400, 'invalid_argument');
    assertError(await anon.post('/api/v1/admin/setup', { token, email, password: PASSWORD, admin: true }),
      400, 'invalid_argument');
    assertError(await anon.post('/api/v1/admin/setup', { token, email, password: 12345678 }), 400, 'invalid_argument');
    assertError(await anon.post('/api/v1/admin/setup', { token, email }), 400, 'invalid_argument');
    assertError(await anon.post('/api/v1/admin/setup', { token, email: uniqueEmail(), password: PASSWORD }),
      403, 'permission_denied');
    assertError(await anon.post('/api/v1/admin/setup', { token, email, password: 'short' }), 400, 'invalid_argument');
    assertError(await anon.post('/api/v1/admin/setup', { token: 'nope', email, password: PASSWORD }),
      400, 'invalid_argument');

    const op = new Client(server.url);
    const res = await op.post('/api/v1/admin/setup', { token, email, password: PASSWORD, name: 'Opal' });
    assertStatus(res, 201);
    assert.equal(res.json.user.email, email);
    assert.equal(res.json.user.is_operator, true);
    assert.ok(op.cookies.has('pm_session') && op.cookies.has('pm_csrf'), 'signed in');
    assertStatus(await op.get(ADMIN), 200);
    // Used: the same link again is refused with a clear message.
    const again = assertError(await anon.post('/api/v1/admin/setup', { token, email, password: PASSWORD }),
      400, 'invalid_argument');
    assert.match(again.message, /invalid, expired or already used/);
    assert.deepEqual((await anon.get(`/api/v1/admin/setup?token=${token}`)).json.valid, false);
  });

  it('promoting an existing account needs its password', async () => {
    const user = await newUser(server.url);
    const token = await setupToken(server, user.email);
    const anon = new Client(server.url);
    assertError(await anon.post('/api/v1/admin/setup', { token, email: user.email, password: 'wrong password' }),
      401, 'unauthenticated');
    assertError(await user.get(ADMIN), 404, 'not_found');
    const res = await anon.post('/api/v1/admin/setup', { token, email: user.email, password: PASSWORD });
    assertStatus(res, 201);
    assert.equal(res.json.user.id, user.user.id);
    assert.equal(res.json.workspaces.length, 1, 'no second personal workspace');
    assertStatus(await user.get(ADMIN), 200);  // the old session of the promoted user works too
  });

  it('admin create: bad arguments exit 2 with one line', async () => {
    for (const args of [['admin', 'create'], ['admin', 'create', '--email', 'not-an-address'],
      ['admin', 'create', '--email', 'a@example.com', '--bogus']]) {
      const r = await runCli(args, { env: cliEnvFor(server) });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
  });
});

describe('admin API', () => {
  let server;
  let op;
  let ada; // a workspace owner with a palette
  let team;

  before(async () => {
    server = await startServer();
    op = await newOperator(server);
    ada = await newUser(server.url);
    const made = await ada.post('/api/v1/workspaces', { name: 'Secret Recipes' });
    assertStatus(made, 201);
    team = made.json.workspace;
    assertStatus(await ada.upload(imagePath('coins.png'), 'confidential-name.png', { ws: team.slug }), 201);
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('is invisible to anyone but operators: 404, as a path that does not exist', async () => {
    const anon = new Client(server.url);
    const missing = assertError(await anon.get('/api/v1/admin/nothing-here'), 404, 'not_found');
    for (const [method, p] of [['GET', ADMIN], ['POST', ADMIN], ['GET', `${ADMIN}/${team.id}`],
      ['PATCH', `${ADMIN}/${team.id}`], ['DELETE', `${ADMIN}/${team.id}`], ['POST', `${ADMIN}/${team.id}/suspend`],
      ['POST', `${ADMIN}/${team.id}/reactivate`], ['POST', `${ADMIN}/${team.id}/restore`]]) {
      for (const client of [anon, ada]) {
        const e = assertError(await client.request(method, p, method === 'GET' ? {} : { json: {} }), 404, 'not_found',
          `${method} ${p}`);
        assert.match(e.message, /^no such endpoint/);
      }
    }
    assert.match(missing.message, /^no such endpoint/);
    // Nor does a method the path lacks tell that the path exists.
    assertError(await anon.request('PUT', ADMIN, { json: {} }), 404, 'not_found');
    // API tokens never reach it, not even an operator's own.
    const own = await op.post(`/api/v1/t/${op.ws}/tokens`, { name: 'ops', scope: 'write' });
    assertStatus(own, 201);
    const viaToken = await rawFetch(server.url + ADMIN, { headers: { Authorization: `Bearer ${own.json.token.token}` } });
    assertError(viaToken, 404, 'not_found');
    // An operator's session with a Bearer header is refused too (tokens are never accepted here).
    assertError(await op.get(ADMIN, { headers: { Authorization: `Bearer ${own.json.token.token}` } }), 404, 'not_found');
  });

  it('writes need the CSRF token', async () => {
    assertError(await op.post(`${ADMIN}/${team.id}/suspend`, undefined, { csrf: false }), 403, 'csrf_failed');
    assertError(await op.request('PATCH', `${ADMIN}/${team.id}`, { json: { plan: 'pro' }, csrf: 'wrong' }),
      403, 'csrf_failed');
    const t = await op.get(`${ADMIN}/${team.id}`);
    assert.equal(t.json.tenant.status, 'active');
    assert.equal(t.json.tenant.plan, '');
  });

  it('lists and searches workspaces with their usage, never their content', async () => {
    const res = await op.get(`${ADMIN}?q=${encodeURIComponent('secret recipes')}`);
    assertStatus(res, 200);
    const item = res.json.tenants.find((t) => t.id === team.id);
    assert.ok(item, JSON.stringify(res.json));
    assert.deepEqual(Object.keys(item).sort(), ['created_at', 'deleted_at', 'id', 'members', 'name', 'owner',
      'palettes', 'personal', 'plan', 'purge_after', 'slug', 'status', 'storage_bytes', 'suspended_at'].sort());
    assert.equal(item.slug, team.slug);
    assert.equal(item.status, 'active');
    assert.deepEqual(item.owner, { id: ada.user.id, email: ada.email });
    assert.equal(item.members, 1);
    assert.equal(item.palettes, 1);
    assert.ok(item.storage_bytes > 0);
    assert.doesNotMatch(res.text, /confidential-name|#[0-9a-f]{6}|image_url|colors/);
    // By owner e-mail; by slug.
    const byOwner = await op.get(`${ADMIN}?q=${encodeURIComponent(ada.email)}`);
    assert.deepEqual(byOwner.json.tenants.map((t) => t.id).sort(), [ada.workspaces[0].id, team.id].sort());
    const bySlug = await op.get(`${ADMIN}?q=${team.slug}&status=active`);
    assert.deepEqual(bySlug.json.tenants.map((t) => t.id), [team.id]);
    assert.deepEqual((await op.get(`${ADMIN}?q=${team.slug}&status=suspended`)).json.tenants, []);
    // Paging.
    const page1 = await op.get(`${ADMIN}?q=${encodeURIComponent(ada.email)}&limit=1`);
    assert.equal(page1.json.tenants.length, 1);
    assert.equal(typeof page1.json.next_cursor, 'string');
    const page2 = await op.get(`${ADMIN}?q=${encodeURIComponent(ada.email)}&limit=1&cursor=${page1.json.next_cursor}`);
    assert.equal(page2.json.tenants.length, 1);
    assert.notEqual(page2.json.tenants[0].id, page1.json.tenants[0].id);
    assert.equal(page2.json.next_cursor, null);
    // Bad input.
    for (const q of ['limit=0', 'limit=101', 'limit=x', 'status=gone', 'cursor=abc', `q=${'x'.repeat(300)}`]) {
      assertError(await op.get(`${ADMIN}?${q}`), 400, 'invalid_argument', q);
    }
  });

  it('an operator is not a member: the workspace itself stays closed to them', async () => {
    const e = assertError(await op.get(`/api/v1/t/${team.slug}/palettes`), 404, 'not_found');
    assert.match(e.message, /workspace not found/);
    assertError(await op.get(`/api/v1/t/${team.slug}`), 404, 'not_found');
    const one = await op.get(`${ADMIN}/${team.id}`);
    assertStatus(one, 200);
    assert.doesNotMatch(one.text, /confidential-name|#[0-9a-f]{6}|colors/);
    // With the plan, its limits and the metered usage, as the workspace's admins see it.
    assert.equal(one.json.usage.usage.palettes, 1);
    assert.equal(one.json.usage.usage.members, 1);
    assert.ok(one.json.usage.usage.uploads_today >= 1, JSON.stringify(one.json.usage.usage));
    assert.ok(one.json.usage.usage.requests_today >= 1, JSON.stringify(one.json.usage.usage));
    assert.equal(one.json.usage.days.length, 30);
    assert.ok('limits' in one.json.usage.plan);
    assertError(await op.get(`${ADMIN}/999999999`), 404, 'not_found');
    assertError(await op.get(`${ADMIN}/abc`), 404, 'not_found');
  });

  it('provisions a workspace for a new owner with a set-password link, or for an existing user', async () => {
    const email = uniqueEmail('owner');
    const slug = `acme-${Date.now().toString(36)}`;
    const res = await op.post(ADMIN, { name: 'Acme', slug, owner_email: email, owner_name: 'Ann', plan: 'pro' });
    assertStatus(res, 201);
    assert.equal(res.json.tenant.slug, slug);
    assert.equal(res.json.tenant.plan, 'pro');
    assert.equal(res.json.tenant.personal, false);
    assert.deepEqual(res.json.tenant.owner.email, email);
    assert.equal(res.json.owner_created, true);
    assert.match(res.json.owner_setup_link, /^http\S+\/reset\?token=[A-Za-z0-9_-]+$/);
    // The link also goes to the owner by e-mail (here: the outbox, no SMTP configured).
    const outbox = await op.get('/api/v1/admin/outbox?limit=1000');
    assertStatus(outbox, 200);
    const mail = outbox.json.messages.find((m) => m.recipient === email);
    assert.ok(mail, 'an e-mail to the new owner is in the outbox');
    assert.ok(mail.body.includes(res.json.owner_setup_link), mail.body);
    // The new owner has no usable password yet.
    assertError(await new Client(server.url).post('/api/v1/auth/login', { email, password: '!provisioned' }),
      401, 'unauthenticated');

    const existing = await op.post(ADMIN, { name: 'Ada Two', owner_email: ada.email });
    assertStatus(existing, 201);
    assert.equal(existing.json.owner_created, false);
    assert.equal(existing.json.owner_setup_link, null);
    const mine = await ada.get('/api/v1/me');
    assert.ok(mine.json.workspaces.some((w) => w.id === existing.json.tenant.id && w.role === 'owner'));

    // Bad input.
    assertError(await op.request('POST', ADMIN, { body: '{', headers: { 'Content-Type': 'application/json' } }),
      400, 'invalid_argument');
    for (const body of [{ owner_email: email }, { name: 'X' }, { name: 'X', owner_email: 'nope' },
      { name: 'X', owner_email: email, plan: 'Pro Plan' }, { name: 'X', owner_email: email, slug: 'Bad Slug' },
      { name: 'X', owner_email: email, extra: 1 }, { name: 7, owner_email: email }, { name: 'X', owner_email: email, plan: 3 }]) {
      assertError(await op.post(ADMIN, body), 400, 'invalid_argument', JSON.stringify(body));
    }
    assertError(await op.post(ADMIN, { name: 'Taken', slug, owner_email: email }), 409, 'conflict');
  });

  it('changes the plan; refuses bad plans and bodies', async () => {
    const res = await op.patch(`${ADMIN}/${team.id}`, { plan: 'free' });
    assertStatus(res, 200);
    assert.equal(res.json.tenant.plan, 'free');
    const unknown = assertError(await op.patch(`${ADMIN}/${team.id}`, { plan: 'team_plus' }), 400, 'invalid_argument');
    assert.match(unknown.message, /unknown plan 'team_plus': the configured plans are free, pro, unlimited/);
    for (const body of [{}, { plan: '' }, { plan: 'UPPER' }, { plan: 5 }, { plan: 'pro', name: 'x' }]) {
      assertError(await op.patch(`${ADMIN}/${team.id}`, body), 400, 'invalid_argument', JSON.stringify(body));
    }
    assertError(await op.patch(`${ADMIN}/999999999`, { plan: 'pro' }), 404, 'not_found');
    assertError(await op.post(`${ADMIN}/${team.id}/suspend`, { why: 'x' }), 400, 'invalid_argument');
  });

  it('audits every operator action with the operator as actor, without e-mail addresses', async () => {
    const rows = sqlAudit(server, team.id);
    const actions = rows.map((r) => r.action);
    assert.ok(actions.includes('tenant.plan_changed'), actions.join(','));
    const plan = rows.find((r) => r.action === 'tenant.plan_changed');
    assert.equal(plan.actor_kind, 'operator');
    assert.equal(Number(plan.actor_id), op.user.id);
    assert.equal(plan.target, `tenant:${team.id}`);
    assert.deepEqual(JSON.parse(plan.details), { plan: 'free' });
    assert.doesNotMatch(JSON.stringify(rows), /@example\.com/);
  });

  it('operator_mfa_required: an operator without TOTP gets 403 mfa_setup_required', async () => {
    const strict = await startServer({ env: { PALETTEMAKER_AUTH_OPERATOR_MFA_REQUIRED: 'true' } });
    try {
      const strictOp = await newOperator(strict);
      assertError(await strictOp.get(ADMIN), 403, 'mfa_setup_required');
      assertError(await strictOp.post(`${ADMIN}/1/suspend`), 403, 'mfa_setup_required');
      // Non-operators still see nothing.
      const user = await newUser(strict.url);
      assertError(await user.get(ADMIN), 404, 'not_found');
    } finally {
      await strict.stop();
    }
  });
});

// Audit rows of one workspace (the audit API belongs to another change; read the table directly).
import { sqlValue } from './operator_helpers.mjs';

function sqlAudit(server, tenantId) {
  const sql = BACKEND === 'postgres'
    ? `SELECT set_config('app.tenant_id', '${Number(tenantId)}', true); SELECT coalesce(json_agg(json_build_object('action', action, 'actor_kind', actor_kind, 'actor_id', actor_id, 'target', target, 'details', details) ORDER BY id), '[]') FROM audit_log WHERE tenant_id = ${Number(tenantId)}`
    : `SELECT coalesce(json_group_array(json_object('action', action, 'actor_kind', actor_kind, 'actor_id', actor_id, 'target', target, 'details', details)), '[]') FROM (SELECT * FROM audit_log WHERE tenant_id = ${Number(tenantId)} ORDER BY id)`;
  return JSON.parse(sqlValue(server, sql));
}
