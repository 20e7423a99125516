// Account security (issue 5): audit of account events, sign-up modes, log out everywhere,
// password change, log-in throttling per account and IP with backoff, password reset (outbox and
// real SMTP), TOTP with recovery codes, and deleting one's account. Runs on both backend pairs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  Client,
  PASSWORD,
  assertError,
  assertStatus,
  imagePath,
  listFilesRecursive,
  makeTempDir,
  newUser,
  objectFiles,
  rawFetch,
  removeTempDir,
  runCli,
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
    // Joining at sign-up is audited in the workspace like any accepted invitation.
    const log = await owner.get(`/api/v1/t/${slug}/audit?action=invitation.accepted`);
    assertStatus(log, 200);
    assert.equal(log.json.entries.length, 1, JSON.stringify(log.json));
    assert.equal(log.json.entries[0].actor.id, joined.user.id);
    assert.deepEqual(log.json.entries[0].details, { role: 'editor' });
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

// A tiny SMTP server that accepts everything (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and
// records each message as {from, to: [...], data}.
async function startSmtpSink() {
  const messages = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let current = { from: '', to: [], data: '' };
    socket.write('220 sink.test ESMTP ready\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk;
      while (true) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end).replace(/\r\n\.\./g, '\r\n.');
          buffer = buffer.slice(end + 5);
          messages.push(current);
          current = { from: '', to: [], data: '' };
          inData = false;
          socket.write('250 2.0.0 queued\r\n');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-sink.test\r\n250 8BITMIME\r\n');
        else if (verb === 'HELO') socket.write('250 sink.test\r\n');
        else if (verb === 'MAIL') {
          current.from = line.slice(line.indexOf(':') + 1).trim();
          socket.write('250 2.1.0 ok\r\n');
        } else if (verb === 'RCPT') {
          current.to.push(line.slice(line.indexOf(':') + 1).trim());
          socket.write('250 2.1.5 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 end with <CRLF>.<CRLF>\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 2.0.0 bye\r\n');
        } else if (verb === 'RSET' || verb === 'NOOP') socket.write('250 ok\r\n');
        else socket.write('502 5.5.2 not implemented\r\n');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    messages,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(resolve);
    }),
  };
}

// Polls `probe` (async, returns a value or undefined) until it returns something; fails after
// the deadline.
async function eventually(probe, what, deadlineMs = 15_000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tokenIn = (text) => {
  const m = /\/reset\?token=([A-Za-z0-9_-]+)/.exec(text);
  return m ? m[1] : undefined;
};

const RESET_INVALID = 'this reset link is invalid or has expired; ask for a new one';

describe('password reset (outbox, no SMTP)', () => {
  let server;
  let operator;
  const PUBLIC = 'https://palettes.example.test';
  before(async () => {
    server = await startServer({ env: { PALETTEMAKER_SERVER_PUBLIC_URL: PUBLIC, PALETTEMAKER_AUTH_LOGIN_MAX_FAILURES: '4' } });
    operator = await newUser(server.url);
    sqlExec(server, `UPDATE users SET is_operator = (1 = 1) WHERE id = ${Number(operator.user.id)}`);
  });
  after(async () => {
    if (server) await server.stop();
  });

  const ask = (email, headers) => jsonPost(`${server.url}/api/v1/auth/password-reset`, { email }, headers);
  const confirm = (token, password) =>
    jsonPost(`${server.url}/api/v1/auth/password-reset/confirm`, { token, new_password: password });
  // The newest outbox message to `email`, through the operators' route.
  async function linkFor(email) {
    return eventually(async () => {
      const res = await operator.get('/api/v1/admin/outbox?limit=1000');
      assertStatus(res, 200);
      const m = res.json.messages.find((x) => x.recipient === email);
      return m ? m : undefined;
    }, `an outbox message to ${email}`);
  }

  it('answers 202 with the same body for known and unknown addresses', async () => {
    const a = await newUser(server.url);
    const known = await ask(a.email);
    const unknown = await ask(uniqueEmail('nobody'));
    assertStatus(known, 202);
    assertStatus(unknown, 202);
    assert.deepEqual(known.json, unknown.json);
    const m = await linkFor(a.email);
    assert.equal(m.subject, 'Reset your Palette Maker password');
    assert.ok(m.body.includes(`${PUBLIC}/reset?token=`), m.body);
    assert.equal(m.sent_at, null);
    assert.equal(m.error, '');
    assert.ok(server.stderrText().includes('/reset?token=') || server.stdoutText().includes('/reset?token='),
      'the link is in the server log');
  });

  it('a token sets the password once, ends every session, and is refused after', async () => {
    const a = await newUser(server.url);
    const other = new Client(server.url);
    assertStatus(await other.login({ email: a.email, password: PASSWORD }), 200);
    assertStatus(await ask(a.email), 202);
    const token = tokenIn((await linkFor(a.email)).body);
    assert.ok(token);
    assertStatus(await confirm(token, 'reset passphrase one'), 204);
    assertError(await a.get('/api/v1/me'), 401, 'unauthenticated');
    assertError(await other.get('/api/v1/me'), 401, 'unauthenticated');
    assertStatus(await new Client(server.url).login({ email: a.email, password: 'reset passphrase one' }), 200);
    const reuse = await confirm(token, 'reset passphrase two');
    assertError(reuse, 400, 'invalid_argument');
    assert.equal(reuse.json.error.message, RESET_INVALID);
    assertError(await new Client(server.url).login({ email: a.email, password: 'reset passphrase two' }), 401, 'unauthenticated');
    const rows = auditRows(server, `actor_id = ${Number(a.user.id)} AND action LIKE 'auth.password_reset%'`);
    assert.deepEqual(rows.map((r) => r.action), ['auth.password_reset_requested', 'auth.password_reset']);
  });

  it('a token only changes the password of the account it was made for', async () => {
    const a = await newUser(server.url);
    const b = await newUser(server.url);
    assertStatus(await ask(a.email), 202);
    assertStatus(await ask(b.email), 202);
    const tokenA = tokenIn((await linkFor(a.email)).body);
    const tokenB = tokenIn((await linkFor(b.email)).body);
    assert.notEqual(tokenA, tokenB);
    assertStatus(await confirm(tokenA, 'only for account a'), 204);
    assertStatus(await new Client(server.url).login({ email: a.email, password: 'only for account a' }), 200);
    assertError(await new Client(server.url).login({ email: b.email, password: 'only for account a' }), 401, 'unauthenticated');
    assertStatus(await b.get('/api/v1/me'), 200, "b's session is untouched");
    assertStatus(await new Client(server.url).login({ email: b.email, password: PASSWORD }), 200);
    // B's token still works, for B.
    assertStatus(await confirm(tokenB, 'only for account b'), 204);
    assertStatus(await new Client(server.url).login({ email: b.email, password: 'only for account b' }), 200);
    assertStatus(await new Client(server.url).login({ email: a.email, password: 'only for account a' }), 200);
  });

  it('an expired or unknown token is refused with the same message', async () => {
    const a = await newUser(server.url);
    assertStatus(await ask(a.email), 202);
    const token = tokenIn((await linkFor(a.email)).body);
    sqlExec(server, `UPDATE password_resets SET expires_at = 1 WHERE user_id = ${Number(a.user.id)}`);
    const expired = await confirm(token, 'too late for this');
    assertError(expired, 400, 'invalid_argument');
    assert.equal(expired.json.error.message, RESET_INVALID);
    const unknown = await confirm('x'.repeat(43), 'too late for this');
    assert.equal(unknown.json.error.message, RESET_INVALID);
    assertStatus(await new Client(server.url).login({ email: a.email, password: PASSWORD }), 200);
  });

  it('refuses bad input', async () => {
    for (const [body, what] of [
      ['{"email":', 'malformed JSON'],
      [JSON.stringify({}), 'missing email'],
      [JSON.stringify({ email: 42 }), 'wrong type'],
      [JSON.stringify({ email: 'a@example.com', x: 1 }), 'unknown field'],
      [JSON.stringify({ email: 'not an address' }), 'not an e-mail address'],
    ]) {
      assertError(await jsonPost(`${server.url}/api/v1/auth/password-reset`, body), 400, 'invalid_argument', what);
    }
    for (const [body, what] of [
      ['{"token":', 'malformed JSON'],
      [JSON.stringify({ token: 'abc' }), 'missing new_password'],
      [JSON.stringify({ new_password: 'long enough 123' }), 'missing token'],
      [JSON.stringify({ token: 'abc', new_password: 'short' }), 'short password'],
      [JSON.stringify({ token: ['abc'], new_password: 'long enough 123' }), 'wrong type'],
      [JSON.stringify({ token: 'abc', new_password: 'long enough 123', email: 'a@example.com' }), 'unknown field'],
    ]) {
      assertError(await jsonPost(`${server.url}/api/v1/auth/password-reset/confirm`, body), 400, 'invalid_argument', what);
    }
  });

  it('is throttled per e-mail address, the same for unknown ones', async () => {
    const a = await newUser(server.url);
    const ghost = uniqueEmail('ghost');
    for (let i = 0; i < 4; i++) {
      assertStatus(await ask(a.email), 202);
      assertStatus(await ask(ghost), 202);
    }
    const x = await ask(a.email);
    const y = await ask(ghost);
    assertError(x, 429, 'rate_limited');
    assertError(y, 429, 'rate_limited');
    assert.equal(x.json.error.message, y.json.error.message);
    assert.ok(Number(x.headers.get('retry-after')) > 0);
  });

  it('the outbox: operators only (404 for others), on the CLI too', async () => {
    const a = await newUser(server.url);
    assertError(await a.get('/api/v1/admin/outbox'), 404, 'not_found');
    assertError(await rawFetch(`${server.url}/api/v1/admin/outbox`), 404, 'not_found');
    assertError(await operator.get('/api/v1/admin/outbox?limit=0'), 400, 'invalid_argument');
    assertError(await operator.get('/api/v1/admin/outbox?limit=abc'), 400, 'invalid_argument');
    assertStatus(await ask(a.email), 202);
    await linkFor(a.email);
    const cli = await runCli(['outbox', '--limit', '1000'], { env: { PALETTEMAKER_DATA_DIR: server.dataDir } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok(cli.stdout.includes(`to ${a.email} [not sent (no SMTP)]`), cli.stdout.slice(0, 2000));
    assert.ok(cli.stdout.includes('/reset?token='));
    const bad = await runCli(['outbox', '--limit', '0'], { env: { PALETTEMAKER_DATA_DIR: server.dataDir } });
    assert.notEqual(bad.code, 0);
  });
});

describe('password reset by SMTP', () => {
  let server;
  let sink;
  before(async () => {
    sink = await startSmtpSink();
    server = await startServer({
      env: {
        PALETTEMAKER_MAIL_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        PALETTEMAKER_MAIL_STARTTLS: 'false',
        PALETTEMAKER_MAIL_FROM: 'palettes@example.test',
        PALETTEMAKER_SERVER_PUBLIC_URL: 'http://palettes.example.test:8080',
      },
    });
  });
  after(async () => {
    if (server) await server.stop();
    if (sink) await sink.close();
  });

  it('the link arrives by e-mail and works; the outbox records the delivery', async () => {
    const a = await newUser(server.url);
    assertStatus(await jsonPost(`${server.url}/api/v1/auth/password-reset`, { email: a.email }), 202);
    const mail = await eventually(() => sink.messages.find((m) => m.to.includes(`<${a.email}>`)), 'the e-mail');
    assert.equal(mail.from, '<palettes@example.test>');
    assert.match(mail.data, /^Subject: Reset your Palette Maker password\r$/m);
    assert.match(mail.data, new RegExp(`^To: <${a.email.replace(/[.+]/g, '\\$&')}>\r$`, 'm'));
    assert.ok(mail.data.includes('http://palettes.example.test:8080/reset?token='), mail.data);
    const token = tokenIn(mail.data);
    assertStatus(await jsonPost(`${server.url}/api/v1/auth/password-reset/confirm`, { token, new_password: 'mailed passphrase' }), 204);
    assertStatus(await new Client(server.url).login({ email: a.email, password: 'mailed passphrase' }), 200);
    const rows = await eventually(() => {
      const r = sqlRows(server, `SELECT sent_at, error FROM outbox WHERE recipient = '${a.email}'`);
      return r.length && r[0].sent_at !== null ? r : undefined;
    }, 'sent_at');
    assert.equal(rows[0].error, '');
  });

  it('an SMTP failure is recorded in the outbox; the request is still 202', async () => {
    // A port that was just free: nothing listens there.
    const probe = net.createServer();
    await new Promise((r) => probe.listen(0, '127.0.0.1', r));
    const deadPort = probe.address().port;
    await new Promise((r) => probe.close(r));
    const s2 = await startServer({ env: { PALETTEMAKER_MAIL_SMTP_URL: `smtp://127.0.0.1:${deadPort}`, PALETTEMAKER_MAIL_STARTTLS: 'false' } });
    try {
      const a = await newUser(s2.url);
      assertStatus(await jsonPost(`${s2.url}/api/v1/auth/password-reset`, { email: a.email }), 202);
      const rows = await eventually(() => {
        const r = sqlRows(s2, `SELECT sent_at, error FROM outbox WHERE recipient = '${a.email}'`);
        return r.length && r[0].error !== '' ? r : undefined;
      }, 'the delivery error');
      assert.equal(rows[0].sent_at, null);
      assert.match(rows[0].error, /^smtp: /);
    } finally {
      await s2.stop();
    }
  });
});

// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) for step `step` of a base32 secret.
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
function totpAt(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

// A 6-digit code that is not the code of any step near `step`.
function wrongCode(secret, step) {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => totpAt(secret, step + d)));
  return ['000000', '111111', '222222', '333333', '444444', '555555'].find((c) => !near.has(c));
}

describe('TOTP second factor', () => {
  let server;
  before(async () => {
    server = await startServer({ env: { PALETTEMAKER_AUTH_LOGIN_MAX_FAILURES: '50' } });
  });
  after(async () => {
    if (server) await server.stop();
  });

  // Signs up, enrols and enables TOTP. Returns {user, secret, codes, step}: `step` is the step
  // whose code enabled it (so step + 1 is the next unused one).
  async function enrolled() {
    const user = await newUser(server.url);
    const setup = await user.post('/api/v1/me/mfa/totp/setup');
    assertStatus(setup, 200);
    const { secret, otpauth_uri: uri } = setup.json;
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.ok(uri.startsWith('otpauth://totp/Palette%20Maker:') && uri.includes(`secret=${secret}`), uri);
    const step = Math.floor(Date.now() / 30000);
    const enable = await user.post('/api/v1/me/mfa/totp/enable', { code: totpAt(secret, step) });
    assertStatus(enable, 200);
    const codes = enable.json.recovery_codes;
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    return { user, secret, codes, step };
  }

  it('enrolment: setup, enable, /me shows mfa_enabled; audit mfa.enabled', async () => {
    const fresh = await newUser(server.url);
    const me0 = await fresh.get('/api/v1/me');
    assert.equal(me0.json.user.mfa_enabled, false);
    assert.equal(me0.json.user.is_operator, false);
    const { user, secret, step } = await enrolled();
    const me = await user.get('/api/v1/me');
    assert.equal(me.json.user.mfa_enabled, true);
    assertError(await user.post('/api/v1/me/mfa/totp/setup'), 409, 'conflict');
    assertError(await user.post('/api/v1/me/mfa/totp/enable', { code: totpAt(secret, step + 1) }), 409, 'conflict');
    assert.equal(auditRows(server, `actor_id = ${Number(user.user.id)} AND action = 'mfa.enabled'`).length, 1);
  });

  it('a wrong code does not enable; enable before setup is 409', async () => {
    const user = await newUser(server.url);
    assertError(await user.post('/api/v1/me/mfa/totp/enable', { code: '123456' }), 409, 'conflict');
    const setup = await user.post('/api/v1/me/mfa/totp/setup');
    const step = Math.floor(Date.now() / 30000);
    const wrong = wrongCode(setup.json.secret, step);
    assertError(await user.post('/api/v1/me/mfa/totp/enable', { code: wrong }), 403, 'permission_denied');
    assert.equal((await user.get('/api/v1/me')).json.user.mfa_enabled, false);
  });

  it('log-in needs a code: none or wrong is 401 mfa_required; a code works once; recovery codes once', async () => {
    const { user, secret, codes, step } = await enrolled();
    const login = (totp) => new Client(server.url).login({ email: user.email, password: PASSWORD, ...(totp === undefined ? {} : { totp }) });
    const none = await login();
    assertError(none, 401, 'mfa_required');
    assert.equal(none.setCookies().length, 0);
    assertError(await login(wrongCode(secret, step)), 401, 'mfa_required');
    // The wrong password with a right code is still 401 unauthenticated.
    assertError(await new Client(server.url).login({ email: user.email, password: 'wrong password', totp: totpAt(secret, step + 1) }),
      401, 'unauthenticated');
    assertStatus(await login(totpAt(secret, step + 1)), 200);
    assertError(await login(totpAt(secret, step + 1)), 401, 'mfa_required', 'replayed code');
    assertError(await login(totpAt(secret, step)), 401, 'mfa_required', 'older code');
    assertStatus(await login(codes[0]), 200);
    assertError(await login(codes[0]), 401, 'mfa_required', 'used recovery code');
    assertStatus(await login(codes[1].toUpperCase().replace('-', '')), 200, 'recovery codes ignore case and dashes');
    const used = auditRows(server, `actor_id = ${Number(user.user.id)} AND action = 'auth.recovery_code_used'`);
    assert.equal(used.length, 2);
    const failed = auditRows(server, `actor_id = ${Number(user.user.id)} AND action = 'auth.login_failed'`);
    assert.ok(failed.some((r) => JSON.parse(r.details).reason === 'mfa'));
  });

  it('wrong codes count as failed log-ins', async () => {
    const s2 = await startServer({ env: { PALETTEMAKER_AUTH_LOGIN_MAX_FAILURES: '2' } });
    try {
      const user = await newUser(s2.url);
      const setup = await user.post('/api/v1/me/mfa/totp/setup');
      const step = Math.floor(Date.now() / 30000);
      assertStatus(await user.post('/api/v1/me/mfa/totp/enable', { code: totpAt(setup.json.secret, step) }), 200);
      for (let i = 0; i < 2; i++) {
        assertError(await new Client(s2.url).login({ email: user.email, password: PASSWORD, totp: 'nope-nope' }), 401, 'mfa_required');
      }
      assertError(await new Client(s2.url).login({ email: user.email, password: PASSWORD, totp: totpAt(setup.json.secret, step + 1) }),
        429, 'rate_limited');
    } finally {
      await s2.stop();
    }
  });

  it('regenerating recovery codes needs a TOTP code and replaces the old ones', async () => {
    const { user, secret, codes, step } = await enrolled();
    assertError(await user.post('/api/v1/me/mfa/recovery-codes', { code: codes[0] }), 403, 'permission_denied');
    const regen = await user.post('/api/v1/me/mfa/recovery-codes', { code: totpAt(secret, step + 1) });
    assertStatus(regen, 200);
    assert.equal(regen.json.recovery_codes.length, 10);
    const login = (totp) => new Client(server.url).login({ email: user.email, password: PASSWORD, totp });
    assertError(await login(codes[2]), 401, 'mfa_required', 'old codes are gone');
    assertStatus(await login(regen.json.recovery_codes[0]), 200);
    assert.equal(auditRows(server, `actor_id = ${Number(user.user.id)} AND action = 'mfa.recovery_codes_regenerated'`).length, 1);
  });

  it('disable needs the password and a code; then log-in needs no code', async () => {
    const { user, secret, codes, step } = await enrolled();
    assertError(await user.post('/api/v1/me/mfa/totp/disable', { password: 'wrong password', code: totpAt(secret, step + 1) }),
      403, 'permission_denied');
    assertError(await user.post('/api/v1/me/mfa/totp/disable', { password: PASSWORD, code: wrongCode(secret, step) }),
      403, 'permission_denied');
    assertStatus(await user.post('/api/v1/me/mfa/totp/disable', { password: PASSWORD, code: codes[3] }), 204);
    assert.equal((await user.get('/api/v1/me')).json.user.mfa_enabled, false);
    assertStatus(await new Client(server.url).login({ email: user.email, password: PASSWORD }), 200);
    assertError(await user.post('/api/v1/me/mfa/totp/disable', { password: PASSWORD, code: '123456' }), 409, 'conflict');
    assertError(await user.post('/api/v1/me/mfa/recovery-codes', { code: '123456' }), 409, 'conflict');
    assert.equal(auditRows(server, `actor_id = ${Number(user.user.id)} AND action = 'mfa.disabled'`).length, 1);
  });

  it('refuses bad input, no session, no CSRF', async () => {
    const user = await newUser(server.url);
    const routes = ['/api/v1/me/mfa/totp/setup', '/api/v1/me/mfa/totp/enable', '/api/v1/me/mfa/totp/disable', '/api/v1/me/mfa/recovery-codes'];
    for (const r of routes) {
      assertError(await jsonPost(server.url + r, {}), 401, 'unauthenticated', r);
      assertError(await user.post(r, {}, { csrf: false }), 403, 'csrf_failed', r);
      assertError(await user.request('POST', r, { body: '{"code":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_argument', r);
      assertError(await user.post(r, { code: '123456', password: PASSWORD, extra: true }), 400, 'invalid_argument', r);
    }
    assertError(await user.post('/api/v1/me/mfa/totp/enable', { code: 123456 }), 400, 'invalid_argument');
    assertError(await user.post('/api/v1/me/mfa/totp/enable', {}), 400, 'invalid_argument');
    assertError(await user.post('/api/v1/me/mfa/totp/disable', { code: '123456' }), 400, 'invalid_argument');
    assertError(await new Client(server.url).login({ email: user.email, password: PASSWORD, totp: 123456 }), 400, 'invalid_argument');
  });
});

// Every stored object key of a server: its local objects dir, or (PostgreSQL + S3 run) the files
// s3rver keeps for the server's bucket prefix.
function storedObjects(server) {
  const local = objectFiles(server);
  if (local) return local;
  const url = process.env.PM_TEST_SERVER_ENV_PALETTEMAKER_STORAGE_URL;
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url || '');
  assert.ok(m && process.env.PM_TEST_SERVICES_DIR, `cannot find the objects of ${url}`);
  return listFilesRecursive(path.join(process.env.PM_TEST_SERVICES_DIR, 's3', 'data', m[1], m[2]));
}
const objectsOf = (server, tenantId) => storedObjects(server).filter((k) => k.includes(`tenants/${tenantId}/`));

describe('delete my account', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('refused while owning a workspace with other members; then erases the account, its workspaces and objects', async () => {
    const a = await newUser(server.url);
    const b = await newUser(server.url);
    const personal = a.workspaces[0];
    assertStatus(await a.upload(imagePath('fruits.jpg')), 201);
    // A team A owns with B in it, and an empty team of A's with a palette.
    const team = (await a.post('/api/v1/workspaces', { name: 'Shared Team' })).json.workspace;
    const inv = await a.post(`/api/v1/t/${team.slug}/invitations`, { email: b.email, role: 'editor' });
    assertStatus(await b.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200);
    assertStatus(await a.upload(imagePath('fruits.jpg'), undefined, { ws: team.slug }), 201);
    const solo = (await a.post('/api/v1/workspaces', { name: 'Solo Team' })).json.workspace;
    assertStatus(await a.upload(imagePath('logo.png'), undefined, { ws: solo.slug }), 201);
    assert.ok(objectsOf(server, personal.id).length > 0, 'personal objects stored');
    assert.ok(objectsOf(server, solo.id).length > 0, 'solo objects stored');

    const blocked = await a.del('/api/v1/me', { json: { password: PASSWORD } });
    assertError(blocked, 409, 'conflict');
    assert.ok(blocked.json.error.message.includes(team.slug), blocked.json.error.message);
    assert.ok(blocked.json.error.message.includes('transfer ownership'), blocked.json.error.message);
    assertStatus(await a.get('/api/v1/me'), 200, 'nothing happened');

    const members = (await a.get(`/api/v1/t/${team.slug}/members`)).json.members;
    const bId = members.find((m) => m.email === b.email).user_id;
    assertStatus(await a.post(`/api/v1/t/${team.slug}/transfer`, { user_id: bId }), 200);
    assertError(await a.del('/api/v1/me', { json: { password: 'wrong password' } }), 403, 'permission_denied');

    const other = new Client(server.url);
    assertStatus(await other.login({ email: a.email, password: PASSWORD }), 200);
    const gone = await a.del('/api/v1/me', { json: { password: PASSWORD } });
    assertStatus(gone, 204);
    assert.ok(gone.setCookies().some((c) => c.startsWith('pm_session=')), 'cookies cleared');
    assertError(await other.get('/api/v1/me'), 401, 'unauthenticated', 'every session ended');
    assertError(await new Client(server.url).login({ email: a.email, password: PASSWORD }), 401, 'unauthenticated');
    assert.deepEqual(objectsOf(server, personal.id), [], 'personal objects deleted');
    assert.deepEqual(objectsOf(server, solo.id), [], 'solo team objects deleted');
    assert.ok(objectsOf(server, team.id).length > 0, "the shared team's objects stay");

    // B's workspace is untouched: its palette (made by A) and B's membership remain; A is gone.
    const list = await b.get(`/api/v1/t/${team.slug}/palettes`);
    assertStatus(list, 200);
    assert.equal(list.json.palettes.length, 1);
    const after = (await b.get(`/api/v1/t/${team.slug}/members`)).json.members;
    assert.deepEqual(after.map((m) => m.email), [b.email]);

    // Pseudonymous record; the address is free again.
    const rows = auditRows(server, `action = 'account.deleted' AND actor_id = ${Number(a.user.id)}`);
    assert.equal(rows.length, 1);
    assert.deepEqual(JSON.parse(rows[0].details), { workspaces_purged: 2 });
    const all = JSON.stringify(sqlRows(server, `SELECT * FROM audit_log WHERE actor_id = ${Number(a.user.id)}`));
    assert.ok(!all.includes(a.email), 'no e-mail address in the audit log');
    const again = new Client(server.url);
    assertStatus(await again.signup({ email: a.email, password: PASSWORD }), 201);
    assert.notEqual(again.user.id, a.user.id);
  });

  it('with TOTP on, a code is needed too', async () => {
    const a = await newUser(server.url);
    const setup = await a.post('/api/v1/me/mfa/totp/setup');
    const step = Math.floor(Date.now() / 30000);
    assertStatus(await a.post('/api/v1/me/mfa/totp/enable', { code: totpAt(setup.json.secret, step) }), 200);
    assertError(await a.del('/api/v1/me', { json: { password: PASSWORD } }), 401, 'mfa_required');
    assertError(await a.del('/api/v1/me', { json: { password: PASSWORD, totp: wrongCode(setup.json.secret, step) } }), 401, 'mfa_required');
    assertStatus(await a.del('/api/v1/me', { json: { password: PASSWORD, totp: totpAt(setup.json.secret, step + 1) } }), 204);
  });

  it('refuses bad input, no session, no CSRF', async () => {
    const a = await newUser(server.url);
    assertError(await rawFetch(`${server.url}/api/v1/me`, { method: 'DELETE', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD }) }), 401, 'unauthenticated');
    assertError(await a.del('/api/v1/me', { json: { password: PASSWORD }, csrf: false }), 403, 'csrf_failed');
    assertError(await a.del('/api/v1/me', { body: '{"password":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_argument');
    assertError(await a.del('/api/v1/me', { json: {} }), 400, 'invalid_argument');
    assertError(await a.del('/api/v1/me', { json: { password: 12345678 } }), 400, 'invalid_argument');
    assertError(await a.del('/api/v1/me', { json: { password: PASSWORD, really: true } }), 400, 'invalid_argument');
    assertStatus(await a.get('/api/v1/me'), 200);
  });
});
