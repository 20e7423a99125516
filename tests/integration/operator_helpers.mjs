// Helpers for the operator tests (admin.test.mjs, lifecycle.test.mjs): making an operator through
// `palettemaker admin create` and the setup link, and looking at what the backends hold.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { assertStatus, BACKEND, Client, listFilesRecursive, PASSWORD, runCli, uniqueEmail } from './harness.mjs';

// The environment `palettemaker admin create` needs to reach `server`'s database.
export function cliEnvFor(server) {
  return { PALETTEMAKER_DATA_DIR: server.dataDir };
}

// A setup link for `email` from the shell; returns its token.
export async function setupToken(server, email) {
  const r = await runCli(['admin', 'create', '--email', email], { env: cliEnvFor(server) });
  assert.equal(r.code, 0, r.stderr);
  const m = r.stdout.trim().match(/^(http\S+)\/setup\?token=([A-Za-z0-9_-]+)$/);
  assert.ok(m, `admin create prints one link: ${r.stdout}`);
  return m[2];
}

// A new signed-in operator (a fresh account made through the setup link).
export async function newOperator(server) {
  const email = uniqueEmail('op');
  const token = await setupToken(server, email);
  const client = new Client(server.url);
  const res = await client.post('/api/v1/admin/setup', { token, email, password: PASSWORD, name: 'Operator' });
  assertStatus(res, 201, 'operator setup');
  assert.equal(res.json.user.is_operator, true);
  client.remember(res.json);
  client.email = email;
  client.password = PASSWORD;
  return client;
}

// The stored objects of `server` under tenants/<tenantId>/: from the local objects directory, or
// from the test S3 server's data directory (s3rver keeps each object as <bucket>/<key>._S3rver_object).
export function tenantObjects(server, tenantId) {
  const prefix = `tenants/${tenantId}/`;
  if (server.objectsDir) {
    return listFilesRecursive(server.objectsDir).filter((f) => f.startsWith(prefix));
  }
  const url = new URL(process.env.PM_TEST_SERVER_ENV_PALETTEMAKER_STORAGE_URL);
  const bucketDir = path.join(process.env.PM_TEST_SERVICES_DIR, 's3', 'data', url.host);
  const root = url.pathname.replace(/^\/+|\/+$/g, '');
  return listFilesRecursive(path.join(bucketDir, root, prefix))
    .filter((f) => f.endsWith('._S3rver_object'))
    .map((f) => prefix + f.slice(0, -'._S3rver_object'.length));
}

// The last line of output of `sql` on the server's database (sqlite3 on its file, or psql as the
// serving role, so Row-Level Security applies: set app.tenant_id first for tenant tables).
export function sqlValue(server, sql) {
  const pgUrl = process.env.PM_TEST_SERVER_ENV_PALETTEMAKER_DATABASE_URL;
  const [tool, args] = BACKEND === 'postgres' && pgUrl
    ? ['psql', [pgUrl, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sql]]
    : ['sqlite3', [path.join(server.dataDir, 'palettemaker.db'), '.timeout 5000', sql]];
  const out = execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return out.split('\n').pop();
}

// Polls `check` (async, returns truthy when done) until it holds or `deadlineMs` passes.
export async function eventually(check, what, deadlineMs = 60_000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
