// The Dockerfile, checked without a Docker engine: parsed (line continuations, comments, exec and
// shell forms), its stages and runtime facts asserted, and every fact that names something outside
// the file checked against the real thing: COPY sources in the repo, env names through the
// binary's `config dump`, the HEALTHCHECK command against a real server and against nothing, and
// USER / ENTRYPOINT / /data against the root filesystem packaging/rootfs.sh builds.
//   PM_TEST_BIN=build/ci/palettemaker node --test tests/packaging/dockerfile.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const BIN = process.env.PM_TEST_BIN;
const IMAGE_BIN = '/usr/bin/palettemaker';

// --- a Dockerfile parser (enough of the reference's grammar for this file) ------------------------

// Logical lines: comment lines dropped (also inside a continuation, as Docker does), a trailing
// backslash joins the next line.
export function logicalLines(text) {
  const out = [];
  let current = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line)) continue;
    if (current === null && line.trim() === '') continue;
    const continued = /\\\s*$/.test(line);
    const body = continued ? line.replace(/\\\s*$/, '') : line;
    current = current === null ? body.trim() : `${current} ${body.trim()}`;
    if (!continued) {
      out.push(current.trim());
      current = null;
    }
  }
  assert.equal(current, null, 'the Dockerfile ends inside a line continuation');
  return out;
}

// Splits on white space, keeping "quoted strings" (quotes removed) together.
function words(text) {
  const out = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m;
  let buf = '';
  let last = 0;
  while ((m = re.exec(text)) !== null) {
    const gap = text.slice(last, m.index);
    if (/\s/.test(gap) && buf !== '') {
      out.push(buf);
      buf = '';
    }
    buf += m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
    last = re.lastIndex;
  }
  if (buf !== '') out.push(buf);
  return out;
}

// KEY=VALUE pairs (ENV, LABEL, ARG); a value may be "quoted" and hold spaces.
function pairs(text) {
  const out = {};
  const re = /([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  let m;
  while ((m = re.exec(text)) !== null) {
    out[m[1]] = m[2].startsWith('"') ? m[2].slice(1, -1).replace(/\\(.)/g, '$1') : m[2];
  }
  return out;
}

// Exec form ["a", "b"] -> array, else null (shell form).
function execForm(args) {
  const t = args.trim();
  if (!t.startsWith('[')) return null;
  const parsed = JSON.parse(t);
  assert.ok(Array.isArray(parsed) && parsed.every((x) => typeof x === 'string'), `bad exec form: ${t}`);
  return parsed;
}

export function parseDockerfile(text) {
  const stages = [];
  for (const line of logicalLines(text)) {
    const m = /^(\w+)\s*(.*)$/.exec(line);
    assert.ok(m, `cannot parse: ${line}`);
    const instruction = { op: m[1].toUpperCase(), args: m[2] };
    if (instruction.op === 'FROM') {
      const w = words(instruction.args);
      stages.push({ image: w[0], name: w[1]?.toUpperCase() === 'AS' ? w[2] : undefined, instructions: [] });
      continue;
    }
    if (stages.length === 0) {
      assert.ok(['ARG'].includes(instruction.op), `${instruction.op} before the first FROM`);
      continue;
    }
    stages.at(-1).instructions.push(instruction);
  }
  return stages;
}

const all = (stage, op) => stage.instructions.filter((i) => i.op === op);
function only(stage, op) {
  const found = all(stage, op);
  assert.equal(found.length, 1, `expected one ${op} in the ${stage.name ?? stage.image} stage, got ${found.length}`);
  return found[0];
}

const dockerfile = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const build = stages[0];
const runtime = stages.at(-1);
const runtimeEnv = Object.assign({}, ...all(runtime, 'ENV').map((i) => pairs(i.args)));

function requireBin() {
  assert.ok(BIN && fs.existsSync(BIN), 'PM_TEST_BIN must point to the palettemaker binary');
  return BIN;
}

// --- the file itself ------------------------------------------------------------------------------

test('parser: continuations and comments inside them', () => {
  const lines = logicalLines('FROM a AS b\nRUN one \\\n# a comment\n  && two\n\nENV A=1 \\\n    B="x y"\n');
  assert.deepEqual(lines, ['FROM a AS b', 'RUN one && two', 'ENV A=1 B="x y"']);
  assert.deepEqual(pairs('A=1 B="x y"'), { A: '1', B: 'x y' });
  assert.throws(() => logicalLines('RUN a \\'), /continuation/);
});

test('two stages: debian:12 build, scratch runtime', () => {
  assert.equal(stages.length, 2);
  assert.equal(build.image, 'debian:12');
  assert.equal(build.name, 'build');
  assert.equal(runtime.image, 'scratch');
});

test('the build stage runs what a user runs, then rootfs.sh, and no tests', () => {
  const run = all(build, 'RUN').map((i) => i.args).join(' && ');
  const steps = run.split(/&&|;/).map((s) => s.trim());
  const at = (cmd) => steps.indexOf(cmd);
  assert.ok(at('scripts/install-deps.sh run') >= 0, run);
  assert.ok(at('make build') > at('scripts/install-deps.sh run'), 'make build after install-deps');
  assert.ok(at('packaging/rootfs.sh build/release/palettemaker /rootfs') > at('make build'), run);
  assert.doesNotMatch(run, /make\s+(test|debug)\b|ctest/);
  for (const script of ['scripts/install-deps.sh', 'packaging/rootfs.sh']) {
    // Present in the repository (rootfs.sh comes with the static build) and executable.
    const p = path.join(REPO, script);
    assert.ok(fs.existsSync(p), `${script} is missing`);
    assert.ok(fs.statSync(p).mode & 0o111, `${script} is not executable`);
  }
  assert.match(fs.readFileSync(path.join(REPO, 'Makefile'), 'utf8'), /^build:/m);
});

test('every COPY source exists in the repository and is not .dockerignored', () => {
  const ignore = fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8')
    .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const stage of stages) {
    for (const copy of all(stage, 'COPY')) {
      const w = words(copy.args);
      if (w.some((f) => f.startsWith('--from='))) continue;  // from another stage
      const sources = w.filter((x) => !x.startsWith('--')).slice(0, -1);  // the last is the destination
      assert.ok(sources.length > 0, `COPY without a source: ${copy.args}`);
      for (const src of sources) {
        assert.ok(fs.existsSync(path.join(REPO, src)), `COPY source ${src} does not exist`);
        assert.ok(!ignore.includes(src.replace(/^\.\//, '')), `COPY source ${src} is .dockerignored`);
      }
    }
  }
  assert.deepEqual(all(runtime, 'COPY').map((i) => i.args), ['--from=build /rootfs /']);
});

test('.dockerignore keeps build outputs, node_modules and data out of the context', () => {
  const ignore = fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const must of ['build', '**/node_modules', 'data', '.git']) assert.ok(ignore.includes(must), `${must} not ignored`);
});

test('runtime: user, env, volume, port, stop signal, entrypoint, cmd, labels', () => {
  assert.equal(only(runtime, 'USER').args, '10001:10001');
  assert.deepEqual(runtimeEnv, { PALETTEMAKER_SERVER_LISTEN: '0.0.0.0:8080', PALETTEMAKER_DATA_DIR: '/data' });
  assert.deepEqual(execForm(only(runtime, 'VOLUME').args) ?? words(only(runtime, 'VOLUME').args), ['/data']);
  assert.equal(only(runtime, 'EXPOSE').args, '8080');
  assert.equal(only(runtime, 'STOPSIGNAL').args, 'SIGTERM');
  assert.deepEqual(execForm(only(runtime, 'ENTRYPOINT').args), [IMAGE_BIN]);
  assert.deepEqual(execForm(only(runtime, 'CMD').args), ['serve']);
  const labels = Object.assign({}, ...all(runtime, 'LABEL').map((i) => pairs(i.args)));
  assert.equal(labels['org.opencontainers.image.version'], '${VERSION}');
  assert.equal(labels['org.opencontainers.image.revision'], '${REVISION}');
  for (const key of ['title', 'description', 'source']) assert.ok(labels[`org.opencontainers.image.${key}`], key);
  // The build args the labels use are declared in the stage that uses them.
  const args = all(runtime, 'ARG').map((i) => i.args.split('=')[0]);
  assert.ok(args.includes('VERSION') && args.includes('REVISION'), `ARGs: ${args}`);
});

// HEALTHCHECK [options] CMD ["/usr/bin/palettemaker", "healthcheck", ...] -> {options, argv}.
function healthcheck() {
  const hc = only(runtime, 'HEALTHCHECK').args;
  const at = hc.indexOf('CMD ');
  assert.ok(at >= 0, `HEALTHCHECK without CMD: ${hc}`);
  const argv = execForm(hc.slice(at + 4));
  assert.ok(argv, 'HEALTHCHECK CMD must be the exec form: the image has no shell');
  return { options: hc.slice(0, at).trim(), argv };
}

test('HEALTHCHECK runs the binary, with a timeout shorter than Docker\'s', () => {
  const { options, argv } = healthcheck();
  assert.deepEqual(argv.slice(0, 2), [IMAGE_BIN, 'healthcheck']);
  const dockerTimeout = Number(/--timeout=(\d+)s/.exec(options)?.[1]);
  const ourTimeout = Number(argv[argv.indexOf('--timeout') + 1]);
  assert.ok(dockerTimeout > 0 && ourTimeout > 0 && ourTimeout < dockerTimeout, options);
});

// --- checked against the binary ---------------------------------------------------------------------

// The environment the image gives the process, plus `extra`, without the host's PALETTEMAKER_*.
function imageEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PALETTEMAKER_')) env[k] = v;
  return { ...env, ...runtimeEnv, ...extra };
}

test('the ENV names are ones the binary reads: config dump shows 0.0.0.0:8080 and /data', () => {
  const r = spawnSync(requireBin(), ['config', 'dump'], { env: imageEnv(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\[server\]\nlisten = "0\.0\.0\.0:8080"$/m);
  assert.match(r.stdout, /^\[data\]\ndir = "\/data"$/m);
});

function run(argv, env) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('close', (code) => resolve({ code, out }));
  });
}

test('the HEALTHCHECK command passes against a running server and fails against nothing', async () => {
  const bin = requireBin();
  const { argv } = healthcheck();
  const cmd = [bin, ...argv.slice(1)];
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-docker-hc-'));
  const server = spawn(bin, ['serve'], {
    env: imageEnv({ PALETTEMAKER_SERVER_LISTEN: '127.0.0.1:0', PALETTEMAKER_DATA_DIR: data, PALETTEMAKER_SERVER_DRAIN_GRACE_S: '0' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
      server.stdout.on('data', (d) => {
        out += d;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      server.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    });
    // As in the image: a wildcard listen address, which healthcheck probes on loopback.
    const up = await run(cmd, imageEnv({ PALETTEMAKER_SERVER_LISTEN: `0.0.0.0:${port}` }));
    assert.equal(up.code, 0, up.out);
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('close', resolve));
    const down = await run(cmd, imageEnv({ PALETTEMAKER_SERVER_LISTEN: `0.0.0.0:${port}` }));
    assert.equal(down.code, 1, down.out);
    assert.match(down.out, /unhealthy/);
  } finally {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    fs.rmSync(data, { recursive: true, force: true });
  }
});

// --- checked against the root filesystem rootfs.sh builds -----------------------------------------

test('USER, ENTRYPOINT and /data match the root filesystem of packaging/rootfs.sh', () => {
  const bin = requireBin();
  const script = path.join(REPO, 'packaging/rootfs.sh');
  assert.ok(fs.existsSync(script), 'packaging/rootfs.sh is missing (it comes with the static build)');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-rootfs-'));
  const rootfs = path.join(tmp, 'rootfs');
  try {
    const r = spawnSync(script, [bin, rootfs], { encoding: 'utf8' });
    assert.equal(r.status, 0, `rootfs.sh failed:\n${r.stdout}\n${r.stderr}`);
    const [uid, gid] = only(runtime, 'USER').args.split(':').map(Number);
    assert.ok(uid > 0 && gid > 0, 'USER must not be root');
    const passwd = fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8').split('\n').map((l) => l.split(':'));
    const user = passwd.find((f) => Number(f[2]) === uid);
    assert.ok(user, `uid ${uid} is not in the rootfs /etc/passwd`);
    assert.equal(Number(user[3]), gid, 'primary group');
    const group = fs.readFileSync(path.join(rootfs, 'etc/group'), 'utf8').split('\n').map((l) => l.split(':'));
    assert.ok(group.find((f) => Number(f[2]) === gid), `gid ${gid} is not in the rootfs /etc/group`);
    const entry = execForm(only(runtime, 'ENTRYPOINT').args)[0];
    const st = fs.statSync(path.join(rootfs, entry));
    assert.ok(st.isFile() && st.mode & 0o001, `${entry} is not an executable file for everyone`);
    const [volume] = execForm(only(runtime, 'VOLUME').args) ?? words(only(runtime, 'VOLUME').args);
    const data = fs.statSync(path.join(rootfs, volume));
    assert.ok(data.isDirectory());
    assert.equal(data.uid, uid, `${volume} owner`);
    assert.equal(data.gid, gid, `${volume} group`);
    assert.ok(fs.statSync(path.join(rootfs, 'etc/ssl/certs/ca-certificates.crt')).size > 0, 'CA bundle');
    // The image's process as Docker would start it: in that root, as USER, in WORKDIR.
    if (process.getuid() === 0) {
      const v = spawnSync('chroot', [`--userspec=${uid}:${gid}`, rootfs, entry, '--version'], { encoding: 'utf8' });
      assert.equal(v.status, 0, `the entrypoint does not run in the rootfs as ${uid}:${gid}: ${v.stderr}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
