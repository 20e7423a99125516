// Three replicas behind nginx sharing one database and one object store: sessions, uploads and
// limits hold whichever replica answers, and a rolling restart under load loses no request and
// no data. Backend: PM_SCALEOUT_BACKEND (postgres = PostgreSQL + S3, the default; or sqlite).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { Client, imagePath, newUser, rawFetch } from '../integration/harness.mjs';
import { startCluster } from './cluster.mjs';

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

// Retries a request on 502/503 and connection errors (what a client does during a rolling
// restart). Any other status ends it. Returns {res, attempts}.
async function withRetry(fn, { attempts = 40, what = 'request' } = {}) {
  let last = null;
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await fn();
      if (res.status !== 502 && res.status !== 503) return { res, attempts: i };
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 50 * Math.min(i, 10)));
  }
  throw new Error(`${what} still failing after ${attempts} attempts: ${last}`);
}

describe('scale-out: 3 replicas behind nginx', () => {
  let cluster;
  let alice;

  before(async () => {
    cluster = await startCluster(3);
    alice = await newUser(cluster.url);
  });

  after(async () => {
    if (cluster) await cluster.stop();
  });

  it('one session works on every replica', async () => {
    const seen = new Set();
    for (let i = 0; i < 30 && seen.size < 3; i++) {
      const res = await alice.get('/api/v1/me');
      assert.equal(res.status, 200, res.describe());
      assert.equal(res.json.user.id, alice.user.id);
      seen.add(res.headers.get('x-palettemaker-replica'));
    }
    assert.deepEqual([...seen].sort(), ['replica-1', 'replica-2', 'replica-3']);

    // Log-in through nginx, then the new session is good everywhere as well.
    const again = new Client(cluster.url);
    const login = await again.login({ email: alice.email, password: alice.password });
    assert.equal(login.status, 200, login.describe());
    const replicas = new Set();
    for (let i = 0; i < 30 && replicas.size < 3; i++) {
      const res = await again.get('/api/v1/me');
      assert.equal(res.status, 200, res.describe());
      replicas.add(res.headers.get('x-palettemaker-replica'));
    }
    assert.equal(replicas.size, 3);
  });

  it('an upload answered by one replica is read back through the others', async () => {
    const file = imagePath('fruits.jpg');
    const bytes = fs.readFileSync(file);
    const up = await alice.upload(file);
    assert.equal(up.status, 201, up.describe());
    const writer = up.headers.get('x-palettemaker-replica');
    const id = up.json.palette.id;
    const readers = new Set();
    for (let i = 0; i < 30 && readers.size < 3; i++) {
      const res = await alice.get(`${alice.palettesPath()}/${id}/image`);
      assert.equal(res.status, 200, res.describe());
      assert.equal(sha256(res.bytes), sha256(bytes));
      readers.add(res.headers.get('x-palettemaker-replica'));
    }
    assert.equal(readers.size, 3, 'every replica served the image');
    assert.ok([...readers].some((r) => r !== writer));
  });

  it('log-in throttling counts failures across replicas (limit 4 in total)', async () => {
    const victim = await newUser(cluster.url);
    const replicas = new Set();
    for (let i = 0; i < 4; i++) {
      const res = await new Client(cluster.url).login({ email: victim.email, password: 'not the password' });
      assert.equal(res.status, 401, res.describe());
      replicas.add(res.headers.get('x-palettemaker-replica'));
    }
    assert.ok(replicas.size >= 2, `failures landed on ${replicas.size} replica(s)`);
    for (let i = 0; i < 3; i++) {
      const res = await new Client(cluster.url).login({ email: victim.email, password: victim.password });
      assert.equal(res.status, 429, `attempt ${i + 1} via ${res.headers.get('x-palettemaker-replica')}: ${res.describe()}`);
    }
  });

  it('a rolling restart under load loses no request and no data', async (t) => {
    const images = ['coins.png', 'fruits.jpg', 'logo.png'].map((n) => fs.readFileSync(imagePath(n)));
    const acknowledged = [];  // {id, sha}
    const failures = [];
    let requests = 0;
    let retried = 0;
    let stop = false;

    async function worker(w) {
      let n = 0;
      while (!stop) {
        const bytes = images[(w + n) % images.length];
        n++;
        try {
          const up = await withRetry(() => alice.upload(bytes, `load-${w}-${n}.png`), { what: 'upload' });
          requests++;
          if (up.attempts > 1) retried++;
          if (up.res.status !== 201) {
            failures.push(`upload: ${up.res.describe()}`);
            continue;
          }
          acknowledged.push({ id: up.res.json.palette.id, sha: sha256(bytes) });
          const pick = acknowledged[Math.floor(Math.random() * acknowledged.length)];
          const get = await withRetry(() => alice.get(`${alice.palettesPath()}/${pick.id}/image`), { what: 'image' });
          requests++;
          if (get.attempts > 1) retried++;
          if (get.res.status !== 200 || sha256(get.res.bytes) !== pick.sha) {
            failures.push(`image ${pick.id}: ${get.res.status}`);
          }
          const list = await withRetry(() => alice.get(`${alice.palettesPath()}?limit=10`), { what: 'list' });
          requests++;
          if (list.attempts > 1) retried++;
          if (list.res.status !== 200) failures.push(`list: ${list.res.describe()}`);
        } catch (e) {
          failures.push(e.message);
        }
      }
    }

    const workers = [0, 1].map((w) => worker(w));
    try {
      for (const replica of cluster.replicas) {
        const result = await replica.stop();
        assert.equal(result.killed, false, `${replica.name} drained and exited by itself`);
        assert.equal(result.code, 0, `${replica.name} exit code`);
        await replica.start();
      }
      // Let the load run on the restarted set for a moment.
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      stop = true;
      await Promise.all(workers);
    }

    t.diagnostic(`${requests} requests, ${retried} needed a retry, ${acknowledged.length} uploads acknowledged`);
    assert.deepEqual(failures, [], 'every request ended 2xx (after retries of 502/503)');
    assert.ok(acknowledged.length >= 6, `the load made progress (${acknowledged.length} uploads, ${requests} requests, ${retried} retried)`);
    for (const { id, sha } of acknowledged) {
      const res = await rawFetch(`${cluster.url}${alice.palettesPath()}/${id}/image`, {
        headers: { Cookie: alice.cookieHeader() },
      });
      assert.equal(res.status, 200, `acknowledged upload ${id} is readable`);
      assert.equal(sha256(res.bytes), sha, `upload ${id} has its bytes`);
    }
  });
});
