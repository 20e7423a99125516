// Account security (issue 5): audit of account events, sign-up modes, log out everywhere,
// password change, log-in throttling per account and IP with backoff, password reset (outbox and
// real SMTP), TOTP with recovery codes, and deleting one's account. Runs on both backend pairs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  Client,
  PASSWORD,
  assertError,
  assertStatus,
  makeTempDir,
  newUser,
  rawFetch,
  removeTempDir,
  startServer,
  uniqueEmail,
} from './harness.mjs';

// Runs one SELECT on the server's database behind its back and returns the rows as objects
// (sqlite3 -json, or psql as the serving role with app.operator on, so the audit log is readable).
function sqlRows(server, sql) {
  const pgUrl = process.env.PM_TEST_SERVER_ENV_PALETTEMAKER_DATABASE_URL;
  if (pgUrl && pgUrl.startsWith('postgres')) {
    const out = execFileSync('psql', [pgUrl, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c',
      `SELECT set_config('app.operator', 'on', true); ` +
      `SELECT coalesce(json_agg(x), '[]'::json) FROM (${sql}) x;`], { encoding: 'utf8' });
    // The first line is set_config's "on"; the JSON may span several lines.
    return JSON.parse(out.slice(out.indexOf('\n') + 1));
  }
  const out = execFileSync('sqlite3', ['-json', path.join(server.dataDir, 'palettemaker.db'), '.timeout 5000', sql],
    { encoding: 'utf8' });
  return out.trim() === '' ? [] : JSON.parse(out);
}

// Runs one statement (UPDATE, DELETE) on a global table behind the server's back.
function sqlExec(server, sql) {
  const pgUrl = process.env.PM_TEST_SERVER_ENV_PALETTEMAKER_DATABASE_URL;
  if (pgUrl && pgUrl.startsWith('postgres')) {
    execFileSync('psql', [pgUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: 'pipe' });
  } else {
    execFileSync('sqlite3', [path.join(server.dataDir, 'palettemaker.db'), '.timeout 5000', sql], { stdio: 'pipe' });
  }
}

function auditRows(server, where) {
  return sqlRows(server, `SELECT id, tenant_id, actor_id, actor_kind, action, target, ip, details ` +
    `FROM audit_log WHERE ${where} ORDER BY id`);
}

const jsonPost = (url, body, headers = {}) => rawFetch(url, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('audit of account events', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('sign-up, log-in, failed log-ins and log-out are recorded without e-mail addresses', async () => {
    const user = await newUser(server.url);
    const id = user.user.id;
    const again = new Client(server.url);
    assertStatus(await again.login({ email: user.email, password: PASSWORD }), 200);
    assertError(await new Client(server.url).login({ email: user.email, password: 'wrong password' }), 401,
      'unauthenticated');
    const ghost = uniqueEmail('ghost');
    const requestId = `ghost-${Date.now()}-${process.pid}`;
    assertError(await jsonPost(`${server.url}/api/v1/auth/login`, { email: ghost, password: 'wrong password' },
      { 'X-Request-Id': requestId }), 401, 'unauthenticated');
    assertStatus(await again.post('/api/v1/auth/logout'), 204);

    const mine = auditRows(server, `actor_id = ${Number(id)}`);
    const actions = mine.map((r) => r.action);
    assert.deepEqual(actions, ['auth.signup', 'auth.login', 'auth.login_failed', 'auth.logout']);
    for (const r of mine) {
      assert.equal(r.actor_kind, 'user');
      assert.equal(r.target, `user:${id}`);
      assert.equal(r.ip, '127.0.0.1');
    }
    assert.deepEqual(JSON.parse(mine[2].details), { reason: 'password' });
    const anon = auditRows(server, `request_id = '${requestId}'`);
    assert.equal(anon[0].action, 'auth.login_failed');
    assert.equal(anon[0].actor_id, null);
    assert.equal(anon.length, 1);
    assert.equal(anon[0].actor_kind, 'anonymous');
    assert.deepEqual(JSON.parse(anon[0].details), { reason: 'unknown_account' });
    const all = JSON.stringify(sqlRows(server, 'SELECT * FROM audit_log'));
    assert.ok(!all.includes('@example.com'), 'no e-mail address in the audit log');
  });
});

describe('sign-up modes', () => {
  // Two servers on one database: `open` makes the inviting owner, `invite` is under test.
  let dir;
  let open;
  let invite;
  before(async () => {
    dir = await makeTempDir('pm-it-modes-');
    open = await startServer({ env: { PALETTEMAKER_DATA_DIR: dir } });
    invite = await startServer({ env: { PALETTEMAKER_DATA_DIR: dir, PALETTEMAKER_AUTH_SIGNUP: 'invite' } });
  });
  after(async () => {
    if (invite) await invite.stop();
    if (open) await open.stop();
    if (dir) await removeTempDir(dir);
  });

  it('GET /api/v1/auth/options names the mode, without a session', async () => {
    const a = await rawFetch(`${open.url}/api/v1/auth/options`);
    assertStatus(a, 200);
    assert.deepEqual(a.json, { signup: 'open' });
    const b = await rawFetch(`${invite.url}/api/v1/auth/options`);
    assert.deepEqual(b.json, { signup: 'invite' });
  });

  it('invite: no sign-up without an invitation; with one, only for the invited address', async () => {
    const plain = await jsonPost(`${invite.url}/api/v1/auth/signup`, { email: uniqueEmail('nope'), password: PASSWORD });
    assertError(plain, 403, 'permission_denied');
    assert.match(plain.json.error.message, /invitation/);

    const owner = await newUser(open.url);
    const team = await owner.post('/api/v1/workspaces', { name: 'Invite Team' });
    assertStatus(team, 201);
    const slug = team.json.workspace.slug;
    const email = uniqueEmail('invited');
    const inv = await owner.post(`/api/v1/t/${slug}/invitations`, { email, role: 'editor' });
    assertStatus(inv, 201);
    const token = inv.json.invitation.token;

    const other = await jsonPost(`${invite.url}/api/v1/auth/signup`,
      { email: uniqueEmail('other'), password: PASSWORD, invitation: token });
    assertError(other, 403, 'permission_denied');
    const bogus = await jsonPost(`${invite.url}/api/v1/auth/signup`, { email, password: PASSWORD, invitation: 'x'.repeat(43) });
    assertError(bogus, 404, 'not_found');

    const joined = new Client(invite.url);
    assertStatus(await joined.signup({ email, password: PASSWORD, invitation: token }), 201);
    assert.ok(joined.workspaces.some((w) => w.slug === slug && w.role === 'editor'), JSON.stringify(joined.workspaces));
  });
});

describe('log out everywhere', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('ends every session of the user (this one too) and no one else\'s', async () => {
    const a = await newUser(server.url);
    const a2 = new Client(server.url);
    assertStatus(await a2.login({ email: a.email, password: PASSWORD }), 200);
    const b = await newUser(server.url);
    const res = await a.post('/api/v1/auth/logout-all');
    assertStatus(res, 204);
    assert.ok(res.setCookies().some((c) => c.startsWith('pm_session=')), 'session cookie cleared');
    // Replay the old cookies: both sessions are gone.
    assertError(await a2.get('/api/v1/me'), 401, 'unauthenticated');
    assertStatus(await b.get('/api/v1/me'), 200);
    const rows = auditRows(server, `actor_id = ${Number(a.user.id)} AND action = 'auth.logout_all'`);
    assert.equal(rows.length, 1);
    assert.deepEqual(JSON.parse(rows[0].details), { sessions: 2 });
  });

  it('needs a session and the CSRF header', async () => {
    assertError(await jsonPost(`${server.url}/api/v1/auth/logout-all`, {}), 401, 'unauthenticated');
    const a = await newUser(server.url);
    assertError(await a.post('/api/v1/auth/logout-all', undefined, { csrf: false }), 403, 'csrf_failed');
    assertError(await a.post('/api/v1/auth/logout-all', undefined, { csrf: 'wrong' }), 403, 'csrf_failed');
    assertStatus(await a.get('/api/v1/me'), 200);
    assertError(await a.get('/api/v1/auth/logout-all'), 400, 'invalid_argument');
  });
});

describe('password change', () => {
  let server;
  before(async () => {
    server = await startServer({ env: { PALETTEMAKER_AUTH_LOGIN_MAX_FAILURES: '3' } });
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('needs the current password; keeps this session, ends the others', async () => {
    const a = await newUser(server.url);
    const other = new Client(server.url);
    assertStatus(await other.login({ email: a.email, password: PASSWORD }), 200);
    const next = 'a brand new passphrase';
    const res = await a.post('/api/v1/me/password', { current_password: PASSWORD, new_password: next });
    assertStatus(res, 204);
    assertStatus(await a.get('/api/v1/me'), 200);
    assertError(await other.get('/api/v1/me'), 401, 'unauthenticated');
    assertError(await new Client(server.url).login({ email: a.email, password: PASSWORD }), 401, 'unauthenticated');
    assertStatus(await new Client(server.url).login({ email: a.email, password: next }), 200);
    const rows = auditRows(server, `actor_id = ${Number(a.user.id)} AND action = 'auth.password_changed'`);
    assert.equal(rows.length, 1);
  });

  it('a wrong current password is 403 and counts as a failed log-in', async () => {
    const a = await newUser(server.url);
    for (let i = 0; i < 3; i++) {
      const res = await a.post('/api/v1/me/password', { current_password: 'not my password', new_password: 'whatever 12345' });
      assertError(res, 403, 'permission_denied', `attempt ${i + 1}`);
    }
    const locked = await a.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'whatever 12345' });
    assertError(locked, 429, 'rate_limited');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assertError(await new Client(server.url).login({ email: a.email, password: PASSWORD }), 429, 'rate_limited');
    // The password did not change and the session still works.
    assertStatus(await a.get('/api/v1/me'), 200);
  });

  it('refuses bad input without changing anything', async () => {
    const a = await newUser(server.url);
    const cases = [
      ['{"current_password":', 'malformed JSON'],
      [JSON.stringify({ current_password: PASSWORD }), 'missing new_password'],
      [JSON.stringify({ new_password: 'long enough 123' }), 'missing current_password'],
      [JSON.stringify({ current_password: PASSWORD, new_password: 12345678 }), 'wrong type'],
      [JSON.stringify({ current_password: PASSWORD, new_password: 'long enough 123', extra: 1 }), 'unknown field'],
      [JSON.stringify({ current_password: PASSWORD, new_password: 'short' }), 'too short'],
      [JSON.stringify([PASSWORD]), 'not an object'],
    ];
    for (const [body, what] of cases) {
      const res = await a.request('POST', '/api/v1/me/password', { body, headers: { 'Content-Type': 'application/json' } });
      assertError(res, 400, 'invalid_argument', what);
    }
    assertError(await jsonPost(`${server.url}/api/v1/me/password`, { current_password: PASSWORD, new_password: 'long enough 123' }),
      401, 'unauthenticated');
    assertError(await a.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'long enough 123' }, { csrf: false }),
      403, 'csrf_failed');
    assertStatus(await new Client(server.url).login({ email: a.email, password: PASSWORD }), 200);
  });
});

describe('log-in throttling per IP, behind a trusted proxy', () => {
  let server;
  before(async () => {
    server = await startServer({
      env: {
        PALETTEMAKER_SERVER_TRUSTED_PROXY_HOPS: '1',
        PALETTEMAKER_AUTH_LOGIN_IP_MAX_FAILURES: '3',
        PALETTEMAKER_AUTH_LOGIN_MAX_FAILURES: '100',
        PALETTEMAKER_AUTH_LOGIN_WINDOW_S: '600',
      },
    });
  });
  after(async () => {
    if (server) await server.stop();
  });

  const login = (ip, email, password) =>
    jsonPost(`${server.url}/api/v1/auth/login`, { email, password }, { 'X-Forwarded-For': ip });

  it('locks an IP after its failures, whichever e-mails; other IPs are unaffected', async () => {
    const victim = await newUser(server.url);
    // The client's own X-Forwarded-For entries are ignored: only the proxy's (rightmost) counts.
    for (let i = 0; i < 3; i++) {
      assertError(await login(`10.9.9.${i}, 198.51.100.1`, uniqueEmail('spray'), 'wrong password'), 401, 'unauthenticated');
    }
    const blocked = await login('198.51.100.1', victim.email, PASSWORD);
    assertError(blocked, 429, 'rate_limited');
    const retry = Number(blocked.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 600, `Retry-After ${blocked.headers.get('retry-after')}`);
    assertStatus(await login('198.51.100.2', victim.email, PASSWORD), 200);
    const rows = auditRows(server, `action = 'auth.login' AND actor_id = ${Number(victim.user.id)}`);
    assert.equal(rows[rows.length - 1].ip, '198.51.100.2', 'the audit log records the forwarded client IP');
  });

  it('answers the same for known and unknown e-mails, also once locked', async () => {
    const known = await newUser(server.url);
    const unknown = uniqueEmail('nobody');
    const a = await login('198.51.100.7', known.email, 'wrong password');
    const b = await login('198.51.100.7', unknown, 'wrong password');
    assert.equal(a.status, 401);
    assert.equal(b.status, 401);
    assert.equal(a.json.error.message, b.json.error.message);
    await login('198.51.100.7', unknown, 'wrong password');
    const c = await login('198.51.100.7', known.email, PASSWORD);
    const d = await login('198.51.100.7', unknown, PASSWORD);
    assertError(c, 429, 'rate_limited');
    assertError(d, 429, 'rate_limited');
    assert.equal(c.json.error.message, d.json.error.message);
  });
});
