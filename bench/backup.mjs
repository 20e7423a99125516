// Online backup and restore of the embedded setup (SQLite + local objects), timed.
//
//   node bench/backup.mjs BIN [PALETTES] [--load]
//
// Starts BIN's server on a loopback port with a fresh data dir, signs one account up and uploads
// PALETTES images (default 300, cycling through ../shared/testdata/images, two at a time). Then
// runs `BIN backup --out` against the live data dir — with --load, while two clients keep
// uploading — and `BIN restore` into an empty dir, and reports palettes, objects and bytes in the
// archive and the wall time of each command. The restored database is checked to hold as many
// palettes as the backup reported.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [bin, countArg, ...flags] = process.argv.slice(2);
if (!bin) {
  console.error('usage: node bench/backup.mjs BIN [PALETTES] [--load]');
  process.exit(2);
}
process.env.PM_TEST_BIN = path.resolve(bin);
const { startServer, newUser, imagePath } = await import('../tests/integration/harness.mjs');
const count = Number(countArg || 300);
const withLoad = flags.includes('--load');
const images = ['baboon.jpg', 'fruits.jpg', 'coins.png', 'fruits.webp', 'rocket.jpg', 'smarties.png']
  .map((n) => fs.readFileSync(imagePath(n)));
const names = ['baboon.jpg', 'fruits.jpg', 'coins.png', 'fruits.webp', 'rocket.jpg', 'smarties.png'];

const unlimited = {
  PALETTEMAKER_PLANS_FREE_PALETTES: '0',
  PALETTEMAKER_PLANS_FREE_STORAGE_BYTES: '0',
  PALETTEMAKER_PLANS_FREE_REQUESTS_PER_MINUTE: '0',
};
const server = await startServer({ env: unlimited });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-bench-backup-'));
try {
  const user = await newUser(server.url);
  let next = 0;
  const uploadOne = async () => {
    const i = next++;
    const res = await user.upload(images[i % images.length], names[i % names.length]);
    if (res.status !== 201) throw new Error(`upload ${i}: ${res.status}`);
  };
  const t0 = Date.now();
  await Promise.all([0, 1].map(async () => {
    while (next < count) await uploadOne();
  }));
  console.log(`seeded ${count} palettes in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  let loading = withLoad;
  let duringBackup = 0;
  const load = withLoad
    ? Promise.all([0, 1].map(async () => {
      while (loading) {
        await uploadOne();
        duringBackup++;
      }
    }))
    : Promise.resolve();

  const env = { ...process.env, PALETTEMAKER_DATA_DIR: server.dataDir };
  const archive = path.join(tmp, 'backup.tar');
  const b0 = process.hrtime.bigint();
  const backup = await new Promise((resolve) => {
    const child = spawn(process.env.PM_TEST_BIN, ['backup', '--out', archive], { env });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => resolve({ code, out }));
  });
  const backupS = Number(process.hrtime.bigint() - b0) / 1e9;
  loading = false;
  await load;
  if (backup.code !== 0) throw new Error(`backup failed (${backup.code}): ${backup.out}`);

  const restored = path.join(tmp, 'restored');
  const r0 = process.hrtime.bigint();
  const restore = spawnSync(process.env.PM_TEST_BIN, ['restore', archive],
    { env: { ...process.env, PALETTEMAKER_DATA_DIR: restored }, encoding: 'utf8' });
  const restoreS = Number(process.hrtime.bigint() - r0) / 1e9;
  if (restore.status !== 0) throw new Error(`restore failed (${restore.status}): ${restore.stderr}`);

  const inArchive = Number((/(\d+) palettes/.exec(backup.out) || [])[1]);
  const restoredPalettes = Number(spawnSync('sqlite3',
    [path.join(restored, 'palettemaker.db'), 'SELECT COUNT(*) FROM palettes'], { encoding: 'utf8' }).stdout);
  const bytes = fs.statSync(archive).size;
  console.log(backup.out.trim());
  console.log(`backup${withLoad ? ` (while ${duringBackup} more uploads landed)` : ''}: ` +
    `${backupS.toFixed(2)} s wall, ${inArchive} palettes, ${bytes} bytes (${(bytes / 1e6).toFixed(1)} MB)`);
  console.log(`restore: ${restoreS.toFixed(2)} s wall; the restored database holds ${restoredPalettes} palettes` +
    (restoredPalettes === inArchive ? ' (= the archive)' : ' (DIFFERENT from the archive)'));
  if (restoredPalettes !== inArchive) process.exitCode = 1;
} finally {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
