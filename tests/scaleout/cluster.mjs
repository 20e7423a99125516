// A small cluster for the scale-out test: N palettemaker replicas on fixed loopback ports behind
// nginx (round-robin), sharing one database and one object store. Everything runs from temp
// dirs and is torn down by stop(), also when a test fails.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { BIN, childEnv, makeTempDir, removeTempDir, requireBin } from '../integration/harness.mjs';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function readEnvFile(file) {
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: the ctest fixture that starts this service did not run`);
  }
  const out = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

// The backend every replica shares. PM_SCALEOUT_BACKEND=postgres (PostgreSQL + S3, from the
// services started by ctest fixtures under PM_TEST_SERVICES_DIR) or sqlite (one SQLite file and
// one local object dir on this machine).
export function backendEnv(sharedDir, runId) {
  const mode = process.env.PM_SCALEOUT_BACKEND || 'postgres';
  if (mode === 'sqlite') {
    return {
      PALETTEMAKER_DATABASE_URL: `sqlite://${sharedDir}/palettemaker.db`,
      PALETTEMAKER_STORAGE_URL: `file://${sharedDir}/objects`,
    };
  }
  if (mode !== 'postgres') throw new Error(`PM_SCALEOUT_BACKEND=${mode}: want postgres or sqlite`);
  const dir = process.env.PM_TEST_SERVICES_DIR;
  if (!dir) throw new Error('PM_TEST_SERVICES_DIR is not set');
  const pg = readEnvFile(path.join(dir, 'postgres', 'env'));
  const s3 = readEnvFile(path.join(dir, 's3', 'env'));
  return {
    PALETTEMAKER_DATABASE_URL: pg.PM_TEST_POSTGRES_URL,
    PALETTEMAKER_DATABASE_MIGRATION_URL: pg.PM_TEST_POSTGRES_MIGRATION_URL,
    PALETTEMAKER_STORAGE_URL: `s3://${s3.PM_TEST_S3_BUCKET}/scaleout-${runId}`,
    PALETTEMAKER_STORAGE_S3_ENDPOINT: s3.PM_TEST_S3_ENDPOINT,
    PALETTEMAKER_STORAGE_S3_REGION: s3.PM_TEST_S3_REGION,
    PALETTEMAKER_STORAGE_S3_PATH_STYLE: 'true',
    PALETTEMAKER_STORAGE_S3_ACCESS_KEY_ID: s3.PM_TEST_S3_ACCESS_KEY_ID,
    PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY: s3.PM_TEST_S3_SECRET_ACCESS_KEY,
  };
}

function waitForLine(child, re, what, ms) {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => finish(new Error(`${what} did not start within ${ms} ms: ${err.slice(-2000)}`)), ms);
    const onOut = (d) => {
      out += d;
      const m = re.exec(out);
      if (m) finish(null, m);
    };
    const onErr = (d) => {
      err += d;
      if (err.length > 100_000) err = err.slice(-50_000);
    };
    const onExit = (code) => finish(new Error(`${what} exited (${code}) before it was ready: ${err.slice(-2000)}`));
    function finish(e, m) {
      clearTimeout(timer);
      child.stdout.off('data', onOut);
      child.off('exit', onExit);
      if (e) reject(e);
      else resolve(m);
    }
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', onOut);
    child.stderr.on('data', onErr);
    child.once('exit', onExit);
  });
}

function exited(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode, killed: false });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, signal: 'SIGKILL', killed: true });
    }, ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, killed: false });
    });
  });
}

export class Replica {
  constructor(name, port, env) {
    this.name = name;
    this.port = port;
    this.env = env;
    this.child = null;
  }

  async start() {
    requireBin();
    this.child = spawn(BIN, ['serve'], {
      env: childEnv({
        ...this.env,
        PALETTEMAKER_SERVER_LISTEN: `127.0.0.1:${this.port}`,
        PALETTEMAKER_SERVER_REPLICA_NAME: this.name,
        PALETTEMAKER_SERVER_DRAIN_GRACE_S: '1',
        PALETTEMAKER_SERVER_DRAIN_TIMEOUT_S: '20',
        PALETTEMAKER_LOG_LEVEL: 'warn',
        PALETTEMAKER_AUTH_LOGIN_MAX_FAILURES: '4',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(this.child, /listening on (http:\/\/\S+)/, `replica ${this.name}`, 30_000);
  }

  // SIGTERM and wait for a clean exit; resolves {code, signal, killed}.
  async stop() {
    if (!this.child) return { code: 0, signal: null, killed: false };
    const child = this.child;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited(child, 30_000);
  }
}

export class Nginx {
  constructor(dir, port, upstreamPorts) {
    this.dir = dir;
    this.port = port;
    this.upstreamPorts = upstreamPorts;
    this.child = null;
  }

  config() {
    const d = this.dir;
    const servers = this.upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=1s;`).join('\n');
    const user = process.getuid && process.getuid() === 0 ? 'user root;\n' : '';
    return `${user}worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log ${d}/logs/access.log;
  client_body_temp_path ${d}/tmp/body;
  proxy_temp_path ${d}/tmp/proxy;
  fastcgi_temp_path ${d}/tmp/fastcgi;
  uwsgi_temp_path ${d}/tmp/uwsgi;
  scgi_temp_path ${d}/tmp/scgi;
  client_max_body_size 30m;
  upstream palettemaker {
${servers}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${this.port};
    location / {
      proxy_pass http://palettemaker;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_read_timeout 60s;
    }
  }
}
`;
  }

  async start() {
    for (const sub of ['logs', 'tmp', 'conf']) fs.mkdirSync(path.join(this.dir, sub), { recursive: true });
    fs.writeFileSync(path.join(this.dir, 'conf', 'nginx.conf'), this.config());
    this.child = spawn('nginx', ['-p', this.dir, '-e', `${this.dir}/logs/error.log`, '-c',
      `${this.dir}/conf/nginx.conf`, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    let err = '';
    this.child.stderr.on('data', (d) => { err += d; });
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`nginx exited: ${err}`);
      const ok = await new Promise((resolve) => {
        const s = net.connect(this.port, '127.0.0.1', () => { s.end(); resolve(true); });
        s.once('error', () => resolve(false));
      });
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`nginx did not listen on ${this.port}: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop() {
    if (!this.child) return;
    const child = this.child;
    this.child = null;
    child.kill('SIGQUIT');
    await exited(child, 10_000);
  }
}

export async function startCluster(n = 3) {
  const root = await makeTempDir('pm-scaleout-');
  fs.chmodSync(root, 0o755);
  const runId = `${process.pid}-${Date.now()}`;
  const env = backendEnv(path.join(root, 'shared'), runId);
  fs.mkdirSync(path.join(root, 'shared'), { recursive: true });
  const replicas = [];
  for (let i = 1; i <= n; i++) {
    replicas.push(new Replica(`replica-${i}`, await freePort(), { ...env, PALETTEMAKER_DATA_DIR: path.join(root, `r${i}`) }));
  }
  const nginx = new Nginx(path.join(root, 'nginx'), await freePort(), replicas.map((r) => r.port));
  const cluster = {
    root,
    replicas,
    nginx,
    url: `http://127.0.0.1:${nginx.port}`,
    async stop() {
      await nginx.stop();
      await Promise.all(replicas.map((r) => r.stop()));
      await removeTempDir(root);
    },
  };
  try {
    // Start together: the migrations must be applied exactly once while the others wait.
    await Promise.all(replicas.map((r) => r.start()));
    await nginx.start();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

export const tmpdir = os.tmpdir();
