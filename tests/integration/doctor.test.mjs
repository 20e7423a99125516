// `palettemaker healthcheck` and `palettemaker doctor` against the real binary, on both backend
// pairs (SQLite + local disk here; PostgreSQL + S3 through with-services.sh): a healthy setup
// passes, and each broken one (unwritable data dir, unreachable database, a schema migrated by a
// newer binary, a port taken by someone else, and on S3 bad credentials) is a FAIL line and exit 1.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  BACKEND, BIN, childEnv, listFilesRecursive, makeTempDir, rawFetch, removeTempDir, runCli, startServer,
} from './harness.mjs';

const LINE = /^(ok {2}|warn|FAIL) {2}(\S+) +(.+)$/;

// A loopback port nothing listens on (bound, then released).
async function closedPort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

// doctor's text output -> {name: {status, detail}}; every line must have the documented shape.
function parseChecks(stdout) {
  const checks = {};
  const lines = stdout.trimEnd().split('\n');
  for (const line of lines) {
    const m = LINE.exec(line);
    assert.ok(m, `doctor line has the wrong shape: ${JSON.stringify(line)}`);
    checks[m[2]] = { status: m[1].trim(), detail: m[3] };
  }
  return checks;
}

const ALL_CHECKS = ['config', 'secrets', 'data_dir', 'database', 'objects', 'listen', 'smtp', 'ca_bundle', 'clock'];

// Runs `doctor` as `uid` (root only) with `env`; returns {code, stdout, stderr}.
function runAs(uid, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd: '/', env: childEnv(env), uid, gid: uid, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('healthcheck', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('exits 0 for a healthy server, found through server.listen or --url', async () => {
    const viaListen = await runCli(['healthcheck'], { env: { PALETTEMAKER_SERVER_LISTEN: `127.0.0.1:${server.port}` } });
    assert.equal(viaListen.code, 0, viaListen.stderr);
    assert.match(viaListen.stdout, new RegExp(`healthy: http://127\\.0\\.0\\.1:${server.port}/healthz`));
    const viaUrl = await runCli(['healthcheck', '--url', server.url, '--timeout', '2']);
    assert.equal(viaUrl.code, 0, viaUrl.stderr);
    // A wildcard listen address is probed on loopback (the container listens on 0.0.0.0).
    const wildcard = await runCli(['healthcheck'], { env: { PALETTEMAKER_SERVER_LISTEN: `0.0.0.0:${server.port}` } });
    assert.equal(wildcard.code, 0, wildcard.stderr);
  });

  it('exits 1 with one line when nothing listens', async () => {
    const port = await closedPort();
    const r = await runCli(['healthcheck', '--timeout', '2'], { env: { PALETTEMAKER_SERVER_LISTEN: `127.0.0.1:${port}` } });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`unhealthy: http://127\\.0\\.0\\.1:${port}/healthz: could not connect`));
  });

  it('exits 1 on an answer other than 200', async () => {
    const target = `${server.url}/api/v1/no-such-route`;
    assert.equal((await rawFetch(target)).status, 404, 'the probe target must really answer non-200');
    const r = await runCli(['healthcheck', '--url', target]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unhealthy: .*HTTP 404/);
  });

  it('exits 2 with the usage on bad arguments', async () => {
    for (const args of [['--bogus'], ['--url', 'ftp://127.0.0.1/'], ['--url', 'localhost:8080'], ['--timeout', '0'], ['extra']]) {
      const r = await runCli(['healthcheck', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      if (!args[0].startsWith('--url')) assert.match(r.stderr, /Usage: healthcheck/, args.join(' '));
    }
    // Port 0 in server.listen names no server to probe.
    const zero = await runCli(['healthcheck'], { env: { PALETTEMAKER_SERVER_LISTEN: '127.0.0.1:0' } });
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /port 0/);
  });

  it('exits 1 when a server answers slower than --timeout', async () => {
    // Accepts the connection and never answers.
    const silent = net.createServer(() => {});
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const r = await runCli(['healthcheck', '--url', `http://127.0.0.1:${silent.address().port}`, '--timeout', '1']);
      assert.equal(r.code, 1);
      assert.ok(Date.now() - started < 10_000, 'the timeout bounds the wait');
    } finally {
      silent.close();
    }
  });
});

describe(`doctor (${BACKEND})`, () => {
  let server;
  let env;
  before(async () => {
    server = await startServer();
    // The same settings as the server (the harness passes the backend URLs to both).
    env = { PALETTEMAKER_DATA_DIR: server.dataDir, PALETTEMAKER_SERVER_LISTEN: `127.0.0.1:${server.port}` };
  });
  after(async () => {
    await server?.stop();
  });

  it('passes on a healthy setup and changes nothing', async () => {
    const before = server.objectsDir ? listFilesRecursive(server.objectsDir) : [];
    const r = await runCli(['doctor'], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const checks = parseChecks(r.stdout);
    assert.deepEqual(Object.keys(checks), ALL_CHECKS);
    for (const name of ['config', 'secrets', 'data_dir', 'database', 'objects', 'listen', 'ca_bundle', 'clock']) {
      assert.equal(checks[name].status, 'ok', `${name}: ${checks[name].detail}`);
    }
    assert.match(checks.database.detail, /reachable, schema version (\d+), this binary's \1$/);
    assert.match(checks.data_dir.detail, /is writable, \d+ MB free/);
    assert.match(checks.objects.detail, /write, read and delete under _doctor\/ work/);
    assert.match(checks.listen.detail, /in use by a running server that answers \/healthz \(ours\)/);
    assert.equal(checks.smtp.status, 'warn');
    assert.match(checks.smtp.detail, /only logged/);
    if (BACKEND === 'postgres') assert.doesNotMatch(r.stdout, /pm_app:[^*@]+@/, 'no database password in the output');
    if (server.objectsDir) assert.deepEqual(listFilesRecursive(server.objectsDir), before, 'the probe leaves nothing');
    // The server is still fine.
    assert.equal((await rawFetch(`${server.url}/readyz`)).status, 200);
  });

  it('--json gives the same checks', async () => {
    const r = await runCli(['doctor', '--json'], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.ok, true);
    assert.deepEqual(doc.checks.map((c) => c.check), ALL_CHECKS);
    for (const c of doc.checks) assert.ok(['ok', 'warn', 'fail'].includes(c.status), JSON.stringify(c));
  });

  it('warns when free space is below --min-free-mb, and an SMTP server makes smtp ok', async () => {
    const r = await runCli(['doctor', '--min-free-mb', String(2 ** 40)],
      { env: { ...env, PALETTEMAKER_MAIL_SMTP_URL: 'smtp://mailer:pw-xyzzy@127.0.0.1:2525' } });
    assert.equal(r.code, 0, r.stdout);
    const checks = parseChecks(r.stdout);
    assert.equal(checks.data_dir.status, 'warn');
    assert.match(checks.data_dir.detail, /below 1099511627776 MB/);
    assert.equal(checks.smtp.status, 'ok');
    assert.doesNotMatch(r.stdout, /xyzzy/);
    // smtp:// with STARTTLS (the default) needs the CA bundle, which this machine has.
    assert.equal(checks.ca_bundle.status, 'ok');
    assert.match(checks.ca_bundle.detail, /ca-certificates\.crt present \(used by SMTP\)/);
  });

  it('FAILs an unwritable data directory', async () => {
    const dir = await makeTempDir('pm-doctor-ro-');
    let r;
    if (process.getuid() === 0) {
      // root writes anywhere: run doctor as nobody against a root-owned 0755 directory.
      fs.chmodSync(dir, 0o755);
      r = await runAs(65534, ['doctor'], { ...env, PALETTEMAKER_DATA_DIR: dir });
    } else {
      fs.chmodSync(dir, 0o555);
      r = await runCli(['doctor'], { env: { ...env, PALETTEMAKER_DATA_DIR: dir } });
    }
    fs.chmodSync(dir, 0o700);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const checks = parseChecks(r.stdout);
    assert.equal(checks.data_dir.status, 'FAIL');
    assert.match(checks.data_dir.detail, /is not writable by uid \d+: Permission denied/);
    await removeTempDir(dir);
  });

  it('FAILs a data directory that is a file', async () => {
    const dir = await makeTempDir('pm-doctor-file-');
    const file = path.join(dir, 'data');
    fs.writeFileSync(file, 'not a directory');
    const r = await runCli(['doctor'], { env: { ...env, PALETTEMAKER_DATA_DIR: file } });
    assert.equal(r.code, 1);
    assert.match(parseChecks(r.stdout).data_dir.detail, /is not a directory/);
    await removeTempDir(dir);
  });

  it('FAILs an unreachable database without printing its password', async () => {
    const port = await closedPort();
    const r = await runCli(['doctor'], {
      env: {
        ...env,
        PALETTEMAKER_DATABASE_URL: `postgres://pm:hunter2@127.0.0.1:${port}/palettemaker`,
        PALETTEMAKER_DATABASE_CONNECT_TIMEOUT_S: '2',
      },
    });
    assert.equal(r.code, 1, r.stdout);
    const checks = parseChecks(r.stdout);
    assert.equal(checks.database.status, 'FAIL');
    assert.match(checks.database.detail, new RegExp(`postgres://\\*\\*\\*@127\\.0\\.0\\.1:${port}/palettemaker: `));
    assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);
    // The other checks still ran.
    assert.deepEqual(Object.keys(checks), ALL_CHECKS);
  });

  it('FAILs a listen port that another program holds', async () => {
    const other = net.createServer((sock) => sock.end('HTTP/1.1 500 Nope\r\ncontent-length: 0\r\n\r\n'));
    await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const r = await runCli(['doctor'], { env: { ...env, PALETTEMAKER_SERVER_LISTEN: `127.0.0.1:${other.address().port}` } });
      assert.equal(r.code, 1, r.stdout);
      const checks = parseChecks(r.stdout);
      assert.equal(checks.listen.status, 'FAIL');
      assert.match(checks.listen.detail, /in use by another program .*HTTP 500/);
    } finally {
      other.close();
    }
    const free = await closedPort();
    const ok = await runCli(['doctor'], { env: { ...env, PALETTEMAKER_SERVER_LISTEN: `127.0.0.1:${free}` } });
    assert.equal(parseChecks(ok.stdout).listen.detail, `127.0.0.1:${free} is free`);
  });

  it('FAILs a configuration that does not load, with the config error', async () => {
    const r = await runCli(['doctor'], { env: { ...env, PALETTEMAKER_SERVER_THREADS: 'many' } });
    assert.equal(r.code, 1);
    const checks = parseChecks(r.stdout);
    assert.deepEqual(Object.keys(checks), ['config']);
    assert.match(checks.config.detail, /server\.threads/);
  });

  it('warns about a world-readable secret file', async () => {
    const dir = await makeTempDir('pm-doctor-secret-');
    const secret = path.join(dir, 'smtp-password');
    fs.writeFileSync(secret, 'pw\n', { mode: 0o644 });
    fs.chmodSync(secret, 0o644);
    let r = await runCli(['doctor'], { env: { ...env, PALETTEMAKER_MAIL_PASSWORD_FILE: secret } });
    let checks = parseChecks(r.stdout);
    assert.equal(checks.secrets.status, 'warn');
    assert.match(checks.secrets.detail, /PALETTEMAKER_MAIL_PASSWORD_FILE: .* is readable by every user/);
    fs.chmodSync(secret, 0o600);
    r = await runCli(['doctor'], { env: { ...env, PALETTEMAKER_MAIL_PASSWORD_FILE: secret } });
    checks = parseChecks(r.stdout);
    assert.equal(checks.secrets.status, 'ok');
    assert.match(checks.secrets.detail, /PALETTEMAKER_MAIL_PASSWORD_FILE/);
    await removeTempDir(dir);
  });
});

describe(`doctor: a database migrated by a newer binary (${BACKEND})`, () => {
  if (BACKEND === 'postgres') {
    // A throwaway database owned by a throwaway ordinary role (the store refuses superusers), so
    // the future schema version never reaches the database the other tests share.
    const admin = process.env.PM_TEST_POSTGRES_ADMIN_URL;
    const db = `pm_doctor_${process.pid}`;
    const role = `pm_doctor_${process.pid}`;
    const withDb = (url, user) => {
      const u = new URL(url);
      u.pathname = `/${db}`;
      if (user) {
        u.username = role;
        u.password = 'doctor-pw';
      }
      return u.toString();
    };
    const psql = (url, sql) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { encoding: 'utf8' });
    before(() => {
      assert.ok(admin, 'PM_TEST_POSTGRES_ADMIN_URL is set by with-services.sh');
      psql(admin, `CREATE ROLE ${role} LOGIN PASSWORD 'doctor-pw'`);
      psql(admin, `CREATE DATABASE ${db} OWNER ${role}`);
    });
    after(() => {
      psql(admin, `DROP DATABASE IF EXISTS ${db}`);
      psql(admin, `DROP ROLE IF EXISTS ${role}`);
    });

    it('reports pending migrations, then a newer schema, as FAIL with what to do', async () => {
      const dataDir = await makeTempDir('pm-doctor-pg-');
      const env = { PALETTEMAKER_DATA_DIR: dataDir, PALETTEMAKER_DATABASE_URL: withDb(admin, true), PALETTEMAKER_DATABASE_MIGRATION_URL: null };
      // An empty database: every migration pending.
      let r = await runCli(['doctor'], { env });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(parseChecks(r.stdout).database.detail, /schema version 0, .*pending; run `palettemaker migrate`/);
      assert.equal(psql(withDb(admin), "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations'").trim(), '0',
        'doctor applied nothing');
      const m = await runCli(['migrate'], { env });
      assert.equal(m.code, 0, m.stderr);
      psql(withDb(admin), "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_the_future', 0)");
      r = await runCli(['doctor'], { env });
      assert.equal(r.code, 1, r.stdout);
      assert.match(parseChecks(r.stdout).database.detail, /schema version 9999, this binary's \d+: the database was migrated by a newer palettemaker/);
      await removeTempDir(dataDir);
    });
  } else {
    it('reports pending migrations, then a newer schema, as FAIL with what to do', async () => {
      const dataDir = await makeTempDir('pm-doctor-sqlite-');
      const env = { PALETTEMAKER_DATA_DIR: dataDir };
      const dbFile = path.join(dataDir, 'palettemaker.db');
      // No database file yet: a warning, and doctor does not create it.
      let r = await runCli(['doctor'], { env });
      assert.equal(parseChecks(r.stdout).database.status, 'warn');
      assert.ok(!fs.existsSync(dbFile), 'doctor created no database');
      const m = await runCli(['migrate'], { env });
      assert.equal(m.code, 0, m.stderr);
      r = await runCli(['doctor'], { env });
      assert.equal(r.code, 0, r.stdout);
      // A migration this binary knows but the file lacks: pending.
      execFileSync('sqlite3', [dbFile, 'DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)']);
      r = await runCli(['doctor'], { env });
      assert.equal(r.code, 1, r.stdout);
      assert.match(parseChecks(r.stdout).database.detail, /1 migration\(s\) pending; run `palettemaker migrate`/);
      execFileSync('sqlite3', [dbFile, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_the_future', 0)"]);
      r = await runCli(['doctor'], { env });
      assert.equal(r.code, 1, r.stdout);
      assert.match(parseChecks(r.stdout).database.detail, /schema version 9999, this binary's \d+: the database was migrated by a newer palettemaker/);
      await removeTempDir(dataDir);
    });
  }
});

if (BACKEND === 'postgres') {
  describe('doctor: S3 with bad credentials', () => {
    it('FAILs the object store check', async () => {
      const dataDir = await makeTempDir('pm-doctor-s3-');
      const r = await runCli(['doctor'], {
        env: { PALETTEMAKER_DATA_DIR: dataDir, PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY: 'not-the-secret' },
      });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const checks = parseChecks(r.stdout);
      assert.equal(checks.objects.status, 'FAIL');
      assert.match(checks.objects.detail, /^s3:\/\//);
      assert.doesNotMatch(r.stdout, /not-the-secret/);
      assert.equal(checks.database.status, 'ok', checks.database.detail);
      await removeTempDir(dataDir);
    });
  });
}

