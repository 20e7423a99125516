// Renders packaging/kubernetes (base and the postgres-s3 overlay) with `kubectl kustomize` and
// checks what a reviewer would: required fields, hardening, probes on the right paths and port,
// env names the binary really reads (and values it accepts: `palettemaker config dump` with the
// rendered environment), secrets only as files, the ingress body limit = the upload limit, and
// one drain timeout in both the ConfigMap and terminationGracePeriodSeconds.
//   PM_TEST_BIN=build/ci/palettemaker node --test tests/packaging/kubernetes.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const K8S = path.resolve(HERE, '../../packaging/kubernetes');
const BIN = process.env.PM_TEST_BIN;
const KUBECTL = process.env.PM_KUBECTL || 'kubectl';

function loadYaml() {
  try {
    return createRequire(path.join(HERE, 'package.json'))('yaml');
  } catch (e) {
    throw new Error(`the yaml package is not installed: run npm ci in ${HERE} (${e.message})`);
  }
}

function render(dir) {
  const r = spawnSync(KUBECTL, ['kustomize', path.join(K8S, dir)], { encoding: 'utf8' });
  if (r.error) throw new Error(`${KUBECTL} not found (apt-get install kubernetes-client): ${r.error.message}`);
  assert.equal(r.status, 0, `kubectl kustomize ${dir} failed:\n${r.stderr}`);
  return loadYaml()
    .parseAllDocuments(r.stdout)
    .map((d) => d.toJSON())
    .filter(Boolean);
}

function one(docs, kind) {
  const found = docs.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind}`);
  return found[0];
}

/** Every PALETTEMAKER_* name the binary reads, from its own annotated example config. */
function knownEnvNames() {
  const text = execFileSync(BIN, ['config', 'example'], { encoding: 'utf8' });
  const names = new Set();
  for (const m of text.matchAll(/\b(PALETTEMAKER_[A-Z0-9_]+)\b/g)) names.add(m[1]);
  assert.ok(names.has('PALETTEMAKER_SERVER_LISTEN') && names.has('PALETTEMAKER_DATABASE_URL_FILE'));
  return names;
}

const matches = (selector, labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);

function checkCommon(docs) {
  const dep = one(docs, 'Deployment');
  const cm = one(docs, 'ConfigMap');
  const pod = dep.spec.template.spec;
  const podLabels = dep.spec.template.metadata.labels;
  const [c] = pod.containers;
  const env = cm.data;

  // Replicas, non-root, read-only root, no capabilities, seccomp.
  assert.ok(dep.spec.replicas >= 2, 'at least 2 replicas');
  assert.ok(matches(dep.spec.selector.matchLabels, podLabels), 'the Deployment selects its pods');
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.ok(Number.isInteger(pod.securityContext.runAsUser) && pod.securityContext.runAsUser > 0, 'numeric non-root uid');
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
  for (const kind of ['requests', 'limits']) {
    assert.ok(c.resources[kind].cpu && c.resources[kind].memory, `resources.${kind} cpu and memory`);
  }
  assert.deepEqual(c.args, ['serve']);

  // Probes: /healthz for liveness, /readyz for readiness, on the port the server listens on.
  const listenPort = Number(env.PALETTEMAKER_SERVER_LISTEN.split(':').pop());
  assert.match(env.PALETTEMAKER_SERVER_LISTEN, /^0\.0\.0\.0:\d+$/, 'listens on every interface inside the pod');
  const portByName = Object.fromEntries(c.ports.map((p) => [p.name, p.containerPort]));
  const probePort = (probe) => (typeof probe.httpGet.port === 'string' ? portByName[probe.httpGet.port] : probe.httpGet.port);
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.equal(probePort(c.livenessProbe), listenPort);
  assert.equal(probePort(c.readinessProbe), listenPort);

  // One drain budget: preStop + drain grace + drain timeout + 5 s = terminationGracePeriodSeconds.
  const preStop = c.lifecycle.preStop.sleep.seconds;
  const grace = Number(env.PALETTEMAKER_SERVER_DRAIN_GRACE_S);
  const timeout = Number(env.PALETTEMAKER_SERVER_DRAIN_TIMEOUT_S);
  assert.ok(grace > 0 && timeout > 0 && preStop > 0);
  assert.equal(pod.terminationGracePeriodSeconds, preStop + grace + timeout + 5);

  // Env names the binary reads; ConfigMap referenced by name.
  const known = knownEnvNames();
  for (const name of [...Object.keys(env), ...(c.env ?? []).map((e) => e.name)]) {
    assert.ok(known.has(name), `${name} is not a variable palettemaker reads`);
  }
  assert.equal(c.envFrom[0].configMapRef.name, cm.metadata.name);

  // Service -> the container port; Ingress -> the Service, TLS, body size = upload limit.
  const svc = one(docs, 'Service');
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.ok(matches(svc.spec.selector, podLabels));
  assert.equal(portByName[svc.spec.ports[0].targetPort] ?? svc.spec.ports[0].targetPort, listenPort);
  const ing = one(docs, 'Ingress');
  assert.ok(ing.spec.tls?.length && ing.spec.tls[0].secretName, 'TLS');
  const backend = ing.spec.rules[0].http.paths[0].backend.service;
  assert.equal(backend.name, svc.metadata.name);
  assert.ok(svc.spec.ports.some((p) => p.name === backend.port.name || p.port === backend.port.number));
  const body = ing.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size'];
  const m = /^(\d+)([kmg]?)$/i.exec(body);
  assert.ok(m, `proxy-body-size ${body}`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()];
  assert.equal(Number(m[1]) * mult, Number(env.PALETTEMAKER_LIMITS_UPLOAD_MAX_BYTES), 'ingress body limit = upload limit');

  // HPA, PDB, NetworkPolicy, quota.
  const hpa = one(docs, 'HorizontalPodAutoscaler');
  assert.equal(hpa.spec.scaleTargetRef.name, dep.metadata.name);
  assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas >= hpa.spec.minReplicas);
  const pdb = one(docs, 'PodDisruptionBudget');
  assert.ok(matches(pdb.spec.selector.matchLabels, podLabels));
  assert.ok(pdb.spec.minAvailable < hpa.spec.minReplicas, 'a node drain can still evict one pod');
  const np = one(docs, 'NetworkPolicy');
  assert.ok(matches(np.spec.podSelector.matchLabels, podLabels));
  assert.deepEqual([...np.spec.policyTypes].sort(), ['Egress', 'Ingress']);
  assert.equal(np.spec.ingress.length, 2, 'the ingress controller and Prometheus');
  const fromNamespaces = np.spec.ingress.map((r) => r.from.map((f) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']));
  assert.deepEqual(fromNamespaces, [['ingress-nginx'], ['monitoring']], 'ingress only from the controller and monitoring namespaces');
  for (const rule of np.spec.ingress) assert.deepEqual(rule.ports.map((p) => p.port), [listenPort]);

  // Scraping: the pod annotations point at /metrics on the app port, and the server admits
  // /metrics only from a private network (never 0.0.0.0/0 or ::/0), with the ingress counted as a
  // trusted proxy so requests through it are judged by their internet client.
  const ann = dep.spec.template.metadata.annotations ?? {};
  assert.equal(ann['prometheus.io/scrape'], 'true');
  assert.equal(Number(ann['prometheus.io/port']), listenPort);
  assert.equal(ann['prometheus.io/path'], '/metrics');
  const allow = env.PALETTEMAKER_METRICS_ALLOW_NETWORKS;
  assert.ok(allow !== undefined, 'metrics.allow_networks is set for the pod network');
  for (const net of allow.split(',').map((s) => s.trim()).filter(Boolean)) {
    assert.match(net, /^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|fd)/, `${net} is a private range`);
    assert.ok(!/\/0$/.test(net), `${net} would open /metrics to everyone`);
  }
  assert.ok(Number(env.PALETTEMAKER_SERVER_TRUSTED_PROXY_HOPS) >= 1, 'the ingress is a trusted proxy hop');
  const egressPorts = np.spec.egress.flatMap((r) => r.ports.map((p) => `${p.port}/${p.protocol}`)).sort();
  assert.deepEqual(egressPorts, ['443/TCP', '53/TCP', '53/UDP', '5432/TCP'], 'egress: DNS, PostgreSQL, S3 only');
  one(docs, 'ResourceQuota');
  one(docs, 'LimitRange');
  return { dep, cm, c };
}

/** `palettemaker config dump` with the rendered environment (secret files faked) must succeed. */
function binaryAccepts(env, fileEnv) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-k8s-'));
  try {
    const childEnv = { PATH: process.env.PATH };
    for (const [k, v] of Object.entries(env)) childEnv[k] = v;
    for (const [k, secret] of Object.entries(fileEnv)) {
      const f = path.join(dir, k);
      fs.writeFileSync(f, secret);
      childEnv[k] = f;
    }
    childEnv.PALETTEMAKER_DATA_DIR = dir;
    const r = spawnSync(BIN, ['config', 'dump'], { env: childEnv, encoding: 'utf8' });
    assert.equal(r.status, 0, `palettemaker rejects the manifest's configuration:\n${r.stderr}`);
    return r.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('base: hardened Deployment, probes, drain budget, Service, Ingress, HPA, PDB, NetworkPolicy', () => {
  assert.ok(BIN, 'set PM_TEST_BIN to the palettemaker binary');
  const docs = render('base');
  const { cm } = checkCommon(docs);
  binaryAccepts(cm.data, {});
});

test('postgres-s3 overlay: S3 + PostgreSQL configured, secrets only as files from a Secret', () => {
  const docs = render('overlays/postgres-s3');
  const { cm, c, dep } = checkCommon(docs);
  assert.match(cm.data.PALETTEMAKER_STORAGE_URL, /^s3:\/\//);
  const secretNames = ['DATABASE_URL', 'DATABASE_MIGRATION_URL', 'STORAGE_S3_ACCESS_KEY_ID', 'STORAGE_S3_SECRET_ACCESS_KEY'];
  for (const n of secretNames) {
    assert.ok(!(`PALETTEMAKER_${n}` in cm.data), `${n} must not be in the ConfigMap`);
    assert.ok(!c.env.some((e) => e.name === `PALETTEMAKER_${n}`), `${n} must not be a plain env value`);
  }
  const mounts = Object.fromEntries(c.volumeMounts.map((m) => [m.name, m]));
  const secretVolume = dep.spec.template.spec.volumes.find((v) => v.secret);
  assert.ok(secretVolume && mounts[secretVolume.name]?.readOnly, 'the Secret is mounted read-only');
  const fileEnv = {};
  for (const n of secretNames) {
    const e = c.env.find((x) => x.name === `PALETTEMAKER_${n}_FILE`);
    assert.ok(e, `PALETTEMAKER_${n}_FILE is set`);
    assert.ok(e.value.startsWith(mounts[secretVolume.name].mountPath + '/'), `${e.value} lies in the mounted Secret`);
    const key = path.basename(e.value);
    assert.ok(!secretVolume.secret.items || secretVolume.secret.items.some((i) => i.path === key));
    fileEnv[e.name] = n.startsWith('DATABASE') ? 'postgres://pm:secret@127.0.0.1:5432/pm' : 'example-secret';
  }
  const dump = binaryAccepts(cm.data, fileEnv);
  assert.match(dump, /s3:\/\/palettemaker\/objects/);
  assert.doesNotMatch(dump, /example-secret|pm:secret@/, 'config dump masks secrets');
});
