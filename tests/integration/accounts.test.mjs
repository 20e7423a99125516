// Accounts: sign-up, log-in, log-out, /me, cookies, CSRF and input validation (docs/API.md).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  Client,
  ISO_TS,
  PASSWORD,
  assertError,
  assertStatus,
  newUser,
  parseSetCookie,
  rawFetch,
  startServer,
  uniqueEmail,
} from './harness.mjs';

describe('accounts', () => {
  let server;
  let url;

  before(async () => {
    server = await startServer();
    url = server.url;
  });
  after(async () => {
    if (server) await server.stop();
  });

  const post = (path, body, headers = { 'Content-Type': 'application/json' }) =>
    rawFetch(url + path, {
      method: 'POST',
      headers,
      body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });

  function cookieMap(res) {
    const m = new Map();
    for (const line of res.setCookies()) {
      const c = parseSetCookie(line);
      m.set(c.name, c);
    }
    return m;
  }

  function assertUserBody(body, email, name) {
    assert.ok(body.user, 'user');
    assert.ok(body.user.id !== undefined && body.user.id !== null && body.user.id !== '', 'user.id');
    assert.equal(body.user.email, email);
    assert.equal(body.user.name, name);
    assert.match(body.user.created_at, ISO_TS);
    assert.ok(Array.isArray(body.workspaces), 'workspaces array');
    assert.equal(body.workspaces.length, 1, 'exactly the personal workspace');
    const ws = body.workspaces[0];
    assert.equal(ws.role, 'owner');
    assert.equal(typeof ws.slug, 'string');
    assert.match(ws.slug, /^[a-z0-9][a-z0-9-]*$/, `slug is URL-safe: ${ws.slug}`);
    assert.equal(typeof ws.name, 'string');
    assert.ok(ws.id !== undefined && ws.id !== null, 'workspace id');
  }

  describe('sign-up', () => {
    it('201 with user, owner workspace, pm_session (HttpOnly, SameSite=Lax) and pm_csrf cookies', async () => {
      const email = uniqueEmail('signup');
      const res = await post('/api/v1/auth/signup', { email, password: PASSWORD, name: 'Ada Lovelace' });
      assertStatus(res, 201);
      assert.match(res.headers.get('content-type') || '', /^application\/json/);
      assertUserBody(res.json, email, 'Ada Lovelace');

      const cookies = cookieMap(res);
      const session = cookies.get('pm_session');
      const csrf = cookies.get('pm_csrf');
      assert.ok(session, `pm_session set: ${res.setCookies()}`);
      assert.ok(csrf, `pm_csrf set: ${res.setCookies()}`);
      assert.ok(session.value.length >= 16, 'session token looks random');
      assert.ok(csrf.value.length >= 16, 'csrf token looks random');
      assert.equal(session.attrs.httponly, true, 'pm_session HttpOnly');
      assert.equal(String(session.attrs.samesite).toLowerCase(), 'lax', 'pm_session SameSite=Lax');
      assert.equal(session.attrs.path, '/', 'pm_session Path=/');
      assert.equal(csrf.attrs.httponly, undefined, 'pm_csrf must be readable by the page');
      assert.equal(String(csrf.attrs.samesite).toLowerCase(), 'lax', 'pm_csrf SameSite=Lax');
      assert.equal(csrf.attrs.path, '/', 'pm_csrf Path=/');
      // Plain http on loopback with cookie_secure=auto: no Secure flag, or the browser drops it.
      assert.equal(session.attrs.secure, undefined, 'no Secure flag over plain http (auto)');
    });

    it('/me returns the same user and one workspace with role owner', async () => {
      const email = uniqueEmail('me');
      const c = new Client(url);
      const res = await c.signup({ email, password: PASSWORD, name: 'Me Myself' });
      assertStatus(res, 201);
      const me = await c.get('/api/v1/me');
      assertStatus(me, 200);
      assertUserBody(me.json, email, 'Me Myself');
      assert.deepEqual(me.json.user, res.json.user);
      assert.deepEqual(me.json.workspaces, res.json.workspaces);
    });

    it('e-mail is trimmed; name defaults to the local part', async () => {
      const email = uniqueEmail('trim');
      const c = new Client(url);
      const res = await c.signup({ email: `  ${email}  `, password: PASSWORD });
      assertStatus(res, 201);
      assert.equal(res.json.user.email, email);
      assert.equal(res.json.user.name, email.split('@')[0]);
    });

    it('two users get distinct workspaces', async () => {
      const a = await newUser(url);
      const b = await newUser(url);
      assert.notEqual(a.ws, b.ws);
      assert.notEqual(a.user.id, b.user.id);
    });

    it('duplicate e-mail, also differently cased or padded, is 409 already_exists', async () => {
      const email = uniqueEmail('dup');
      assertStatus(await post('/api/v1/auth/signup', { email, password: PASSWORD }), 201);
      assertError(await post('/api/v1/auth/signup', { email, password: PASSWORD }), 409, 'already_exists');
      assertError(await post('/api/v1/auth/signup', { email: email.toUpperCase(), password: PASSWORD }),
        409, 'already_exists', 'upper-cased');
      const mixed = email.charAt(0).toUpperCase() + email.slice(1, 5) + email.slice(5).replace('example', 'ExAmPle');
      assertError(await post('/api/v1/auth/signup', { email: mixed, password: PASSWORD }),
        409, 'already_exists', 'mixed case');
      assertError(await post('/api/v1/auth/signup', { email: ` ${email.toUpperCase()} `, password: PASSWORD }),
        409, 'already_exists', 'padded');
    });

    it('a differently-cased duplicate sign-up did not create a second account', async () => {
      const email = uniqueEmail('dupcase');
      assertStatus(await post('/api/v1/auth/signup', { email: email.toUpperCase(), password: PASSWORD }), 201);
      // Log-in is case-insensitive too.
      const c = new Client(url);
      assertStatus(await c.login({ email, password: PASSWORD }), 200);
    });

    it('bad e-mail addresses are 400 invalid_argument', async () => {
      const bad = ['', 'plainaddress', 'a@', '@example.com', 'two@@example.com', 'sp ace@example.com',
        `${'a'.repeat(250)}@example.com`];
      for (const email of bad) {
        assertError(await post('/api/v1/auth/signup', { email, password: PASSWORD }), 400,
          'invalid_argument', `email ${JSON.stringify(email.slice(0, 40))}`);
      }
    });

    it('password length: 7 bytes is 400, 8 bytes ok, 1024 ok, 1025 is 400', async () => {
      assertError(await post('/api/v1/auth/signup', { email: uniqueEmail(), password: '1234567' }), 400,
        'invalid_argument', '7-byte password');
      assertError(await post('/api/v1/auth/signup', { email: uniqueEmail(), password: '' }), 400,
        'invalid_argument', 'empty password');
      assertStatus(await post('/api/v1/auth/signup', { email: uniqueEmail(), password: '12345678' }), 201,
        '8-byte password');
      assertStatus(await post('/api/v1/auth/signup', { email: uniqueEmail(), password: 'p'.repeat(1024) }), 201,
        '1024-byte password');
      assertError(await post('/api/v1/auth/signup', { email: uniqueEmail(), password: 'p'.repeat(1025) }), 400,
        'invalid_argument', '1025-byte password');
    });

    it('name: 100 characters ok, 101 is 400', async () => {
      const ok = await post('/api/v1/auth/signup', { email: uniqueEmail(), password: PASSWORD, name: 'n'.repeat(100) });
      assertStatus(ok, 201);
      assert.equal(ok.json.user.name, 'n'.repeat(100));
      assertError(await post('/api/v1/auth/signup', { email: uniqueEmail(), password: PASSWORD, name: 'n'.repeat(101) }),
        400, 'invalid_argument', '101-char name');
    });

    it('malformed JSON is 400 invalid_argument', async () => {
      for (const body of ['{', '{"email": "a@b.c", "password": }', 'not json', '', '{"email":"x@y.z","password":"12345678"} trailing']) {
        assertError(await post('/api/v1/auth/signup', body), 400, 'invalid_argument', `body ${JSON.stringify(body)}`);
      }
    });

    it('wrong JSON types and shapes are 400 invalid_argument', async () => {
      const bodies = [
        { email: 5, password: PASSWORD },
        { email: uniqueEmail(), password: 12345678 },
        { email: uniqueEmail(), password: PASSWORD, name: 7 },
        { email: null, password: PASSWORD },
        { email: [uniqueEmail()], password: PASSWORD },
        { password: PASSWORD },
        { email: uniqueEmail() },
        [],
        'a string',
        null,
      ];
      for (const b of bodies) {
        assertError(await post('/api/v1/auth/signup', b), 400, 'invalid_argument', JSON.stringify(b));
      }
    });

    it('a non-JSON content type is 415 unsupported_media_type', async () => {
      const body = JSON.stringify({ email: uniqueEmail(), password: PASSWORD });
      assertError(await post('/api/v1/auth/signup', body, { 'Content-Type': 'text/plain' }), 415,
        'unsupported_media_type', 'text/plain');
      assertError(await post('/api/v1/auth/signup', `email=${uniqueEmail()}&password=${PASSWORD}`,
        { 'Content-Type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type', 'form');
    });

    it('application/json with a charset parameter is accepted', async () => {
      const res = await post('/api/v1/auth/signup', { email: uniqueEmail(), password: PASSWORD },
        { 'Content-Type': 'application/json; charset=utf-8' });
      assertStatus(res, 201);
    });

    it('a JSON body over server.max_json_bytes is 413 payload_too_large', async () => {
      const body = JSON.stringify({ email: uniqueEmail(), password: PASSWORD, name: 'x'.repeat(2 * 1024 * 1024) });
      assertError(await post('/api/v1/auth/signup', body), 413, 'payload_too_large');
    });
  });

  describe('log-in', () => {
    let email;
    before(async () => {
      email = uniqueEmail('login');
      const c = new Client(url);
      assertStatus(await c.signup({ email, password: PASSWORD, name: 'Login User' }), 201);
    });

    it('200 with user, workspaces and both cookies; /me works', async () => {
      const c = new Client(url);
      const res = await c.login({ email, password: PASSWORD });
      assertStatus(res, 200);
      assertUserBody(res.json, email, 'Login User');
      const cookies = cookieMap(res);
      assert.equal(cookies.get('pm_session')?.attrs.httponly, true);
      assert.ok(cookies.get('pm_csrf'), 'pm_csrf set on login');
      assert.equal(cookies.get('pm_csrf').attrs.httponly, undefined);
      const me = await c.get('/api/v1/me');
      assertStatus(me, 200);
      assert.equal(me.json.user.email, email);
    });

    it('log-in is case-insensitive and trims the e-mail', async () => {
      const c = new Client(url);
      assertStatus(await c.login({ email: `  ${email.toUpperCase()} `, password: PASSWORD }), 200);
    });

    it('wrong password is 401 unauthenticated and sets no session', async () => {
      const res = await post('/api/v1/auth/login', { email, password: `${PASSWORD}x` });
      assertError(res, 401, 'unauthenticated');
      assert.equal(cookieMap(res).get('pm_session')?.value || '', '', 'no session cookie on failure');
    });

    it('unknown e-mail is 401 unauthenticated', async () => {
      assertError(await post('/api/v1/auth/login', { email: uniqueEmail('nobody'), password: PASSWORD }),
        401, 'unauthenticated');
    });

    it('malformed / wrong-typed log-in bodies are 400 invalid_argument', async () => {
      assertError(await post('/api/v1/auth/login', '{"email":'), 400, 'invalid_argument');
      assertError(await post('/api/v1/auth/login', { email: 5, password: PASSWORD }), 400, 'invalid_argument');
      assertError(await post('/api/v1/auth/login', { email, password: false }), 400, 'invalid_argument');
    });

    it('non-JSON content type on log-in is 415', async () => {
      assertError(await post('/api/v1/auth/login', JSON.stringify({ email, password: PASSWORD }),
        { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type');
    });
  });

  describe('sessions and log-out', () => {
    it('/me without a cookie is 401 unauthenticated', async () => {
      assertError(await rawFetch(`${url}/api/v1/me`), 401, 'unauthenticated');
    });

    it('a tampered or garbage session cookie is 401', async () => {
      const c = await newUser(url);
      const token = c.cookies.get('pm_session');
      const flipped = token.slice(0, -1) + (token.slice(-1) === 'A' ? 'B' : 'A');
      for (const v of [flipped, `${token}x`, token.slice(0, -4), 'garbage', '']) {
        const res = await rawFetch(`${url}/api/v1/me`, { headers: { Cookie: `pm_session=${v}` } });
        assertError(res, 401, 'unauthenticated', `pm_session=${v.slice(0, 12)}...`);
      }
      // The genuine cookie still works.
      assertStatus(await c.get('/api/v1/me'), 200);
    });

    it('log-out without X-CSRF-Token is 403 csrf_failed and keeps the session', async () => {
      const c = await newUser(url);
      assertError(await c.post('/api/v1/auth/logout', undefined, { csrf: false }), 403, 'csrf_failed');
      assertError(await c.post('/api/v1/auth/logout', undefined, { csrf: 'not-the-token' }), 403, 'csrf_failed');
      assertStatus(await c.get('/api/v1/me'), 200);
    });

    it('log-out with the token is 204, clears cookies, and the old session is dead', async () => {
      const c = await newUser(url);
      const oldSession = c.cookies.get('pm_session');
      const res = await c.post('/api/v1/auth/logout');
      assertStatus(res, 204);
      assert.equal(res.bytes.length, 0, '204 has no body');
      const cookies = cookieMap(res);
      for (const name of ['pm_session', 'pm_csrf']) {
        const ck = cookies.get(name);
        assert.ok(ck, `${name} cleared by Set-Cookie`);
        const expired = (ck.attrs['max-age'] !== undefined && Number(ck.attrs['max-age']) <= 0) ||
          (ck.attrs.expires && Date.parse(ck.attrs.expires) <= Date.now());
        assert.ok(expired, `${name} cookie expired: ${JSON.stringify(ck)}`);
      }
      assertError(await c.get('/api/v1/me'), 401, 'unauthenticated', 'after log-out');
      // Replaying the old cookie must not work: the session is deleted server-side.
      assertError(await rawFetch(`${url}/api/v1/me`, { headers: { Cookie: `pm_session=${oldSession}` } }),
        401, 'unauthenticated', 'replayed old session');
    });

    it('logging out one session leaves the user\'s other sessions alone', async () => {
      const a = await newUser(url);
      const b = new Client(url);
      assertStatus(await b.login({ email: a.email, password: a.password }), 200);
      assert.notEqual(a.cookies.get('pm_session'), b.cookies.get('pm_session'), 'distinct sessions');
      assertStatus(await b.post('/api/v1/auth/logout'), 204);
      assertStatus(await a.get('/api/v1/me'), 200);
      assertError(await b.get('/api/v1/me'), 401, 'unauthenticated');
    });

    it('the CSRF token of one session does not satisfy another', async () => {
      const a = await newUser(url);
      const b = await newUser(url);
      assertError(await a.post('/api/v1/auth/logout', undefined, { csrf: b.cookies.get('pm_csrf') }),
        403, 'csrf_failed');
    });
  });

  it('concurrent sign-ups all succeed; concurrent duplicates give exactly one 201', async () => {
    const emails = Array.from({ length: 12 }, () => uniqueEmail('par'));
    const results = await Promise.all(emails.map((email) => post('/api/v1/auth/signup', { email, password: PASSWORD })));
    for (const r of results) assertStatus(r, 201, 'parallel sign-up');
    const slugs = results.map((r) => r.json.workspaces[0].slug);
    assert.equal(new Set(slugs).size, slugs.length, 'distinct workspace slugs');

    const same = uniqueEmail('race');
    const racers = await Promise.all(Array.from({ length: 6 }, () => post('/api/v1/auth/signup', { email: same, password: PASSWORD })));
    const statuses = racers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409], `racing duplicate sign-ups: ${statuses}`);
    for (const r of racers.filter((x) => x.status === 409)) assertError(r, 409, 'already_exists');
  });

  it('the server is still alive after all of the above', () => {
    server.assertAlive();
  });
});

describe('sign-up closed by config', () => {
  let server;
  before(async () => {
    server = await startServer({ env: { PALETTEMAKER_AUTH_SIGNUP: 'closed' } });
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('GET /api/v1/auth/options says closed', async () => {
    const res = await rawFetch(`${server.url}/api/v1/auth/options`);
    assertStatus(res, 200);
    assert.deepEqual(res.json, { signup: 'closed' });
  });

  it('sign-up is 403 permission_denied and sets no cookie', async () => {
    const res = await rawFetch(`${server.url}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail('closed'), password: PASSWORD }),
    });
    assertError(res, 403, 'permission_denied');
    assert.match(res.json.error.message, /created by an operator/);
    assert.ok(!res.setCookies().some((c) => c.startsWith('pm_session=') && !c.startsWith('pm_session=;')),
      'no session cookie');
  });

  it('log-in of an unknown user is still 401', async () => {
    const res = await rawFetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail('closed'), password: PASSWORD }),
    });
    assertError(res, 401, 'unauthenticated');
  });
});

describe('log-in throttling', () => {
  let server;
  before(async () => {
    server = await startServer({
      env: { PALETTEMAKER_AUTH_LOGIN_MAX_FAILURES: '3', PALETTEMAKER_AUTH_LOGIN_WINDOW_S: '600' },
    });
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('after 3 failures for an e-mail even the right password is 429 with Retry-After; others are unaffected', async () => {
    const victim = await newUser(server.url);
    const other = await newUser(server.url);
    for (let i = 0; i < 3; i++) {
      const res = await new Client(server.url).login({ email: victim.email, password: 'wrong password!' });
      assertError(res, 401, 'unauthenticated', `failure ${i + 1}`);
    }
    const blocked = await new Client(server.url).login({ email: victim.email, password: victim.password });
    assertError(blocked, 429, 'rate_limited');
    const retry = Number(blocked.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 600, `Retry-After ${blocked.headers.get('retry-after')}`);
    assert.equal(blocked.setCookies().length, 0, 'no session cookie');
    // The same address in another spelling is the same account and the same counter.
    const upper = await new Client(server.url).login({ email: victim.email.toUpperCase(), password: victim.password });
    assertError(upper, 429, 'rate_limited');
    // Another account logs in fine, and the victim's existing session still works.
    const ok = await new Client(server.url).login({ email: other.email, password: other.password });
    assertStatus(ok, 200);
    assertStatus(await victim.get('/api/v1/me'), 200);
  });

  it('unknown e-mail addresses are throttled the same way (no account oracle)', async () => {
    const email = uniqueEmail('ghost');
    for (let i = 0; i < 3; i++) {
      assertError(await new Client(server.url).login({ email, password: 'whatever-123' }), 401, 'unauthenticated');
    }
    assertError(await new Client(server.url).login({ email, password: 'whatever-123' }), 429, 'rate_limited');
  });
});
