// packaging/monitoring: the Prometheus alert rules and the Grafana dashboard. Starts the real
// binary, makes some traffic (sign-up, uploads up to a quota refusal, region detection, a 404),
// scrapes /metrics and checks that every metric name the rules and the dashboard query is one
// /metrics really exports (histogram names with _bucket/_sum/_count), with the labels they
// filter or group by; that alerts.yml has the rule-file structure Prometheus loads; and that the
// dashboard JSON is an importable dashboard (panels, datasource variable, targets).
//   PM_TEST_BIN=build/ci/palettemaker node --test tests/packaging/monitoring.test.mjs
// promtool (Debian package prometheus, 96 MB installed with a daemon) is not used: the checks
// below are what this project needs from it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { Client, imagePath, newUser, rawFetch, startServer } from '../integration/harness.mjs';
import { checkHistograms, familyOf, parseExposition } from '../integration/prometheus_text.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MONITORING = path.resolve(HERE, '../../packaging/monitoring');

function loadYaml() {
  try {
    return createRequire(path.join(HERE, 'package.json'))('yaml');
  } catch (e) {
    throw new Error(`the yaml package is not installed: run npm ci in ${HERE} (${e.message})`);
  }
}

// Series Prometheus writes itself for every target; they never appear in a scrape.
const SYNTHETIC = new Set(['up']);
const PROMQL_WORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset',
  'inf', 'nan',
]);

// Metric names and, per name, the label names its selectors use, in one PromQL expression.
export function promqlSelectors(expr) {
  let e = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');  // string literals
  const out = [];
  // name{matchers}
  const withLabels = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g;
  e = e.replace(withLabels, (_, name, matchers) => {
    const labels = [...matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map((m) => m[1]);
    out.push({ name, labels });
    return ' ';
  });
  e = e.replace(/\[[^\]]*\]/g, ' ');  // ranges, [5m], [$__rate_interval]
  // Grouping label lists: by (a, b), without (...), on (...), ignoring (...), group_left (...).
  const grouping = [];
  e = e.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, _kw, list) => {
    grouping.push(...list.split(',').map((s) => s.trim()).filter(Boolean));
    return ' ';
  });
  e = e.replace(/\$[a-zA-Z_]+/g, ' ');  // Grafana variables
  for (const m of e.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2]) continue;  // a function call
    if (PROMQL_WORDS.has(m[1].toLowerCase())) continue;
    if (/^[0-9]/.test(m[1])) continue;
    const before = e.slice(0, m.index);
    if (/[0-9.]$/.test(before)) continue;  // the unit of a number like 1e3 or 5m
    out.push({ name: m[1], labels: [] });
  }
  return { selectors: out, grouping };
}

function dashboardExprs(dash) {
  const exprs = [];
  const walk = (panels) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) exprs.push({ where: `panel "${p.title}"`, expr: t.expr });
      walk(p.panels);
    }
  };
  walk(dash.panels);
  for (const v of dash.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (v.type === 'query' && q) {
      const m = /^label_values\(\s*([^,]+),\s*([a-zA-Z_]+)\s*\)$/.exec(q);
      assert.ok(m, `variable ${v.name}: label_values(metric, label) expected, got ${q}`);
      exprs.push({ where: `variable ${v.name}`, expr: m[1] });
    }
  }
  return exprs;
}

describe('packaging/monitoring against a real scrape', () => {
  let server;
  let parsed;
  const labelsOf = new Map();  // family -> Set(label names)

  before(async () => {
    server = await startServer({
      env: { PALETTEMAKER_PLANS_DEFAULT: 'free', PALETTEMAKER_PLANS_FREE_PALETTES: '1' },
    });
    const user = await newUser(server.url);
    const image = fs.readFileSync(imagePath('coins.png'));
    const up = await user.upload(image, 'coins.png');
    assert.equal(up.status, 201, up.describe());
    assert.equal((await user.upload(image, 'coins.png')).status, 402, 'the second palette is over the plan');
    const id = up.json.palette.id;
    assert.equal((await user.post(`/api/v1/t/${user.ws}/palettes/${id}/regions`, { strategy: 'otsu' })).status, 200);
    assert.equal((await user.get(`/api/v1/t/${user.ws}/palettes/${id}/thumbnail`)).status, 200);
    assert.equal((await new Client(server.url).get('/api/v1/nope')).status, 404);
    const res = await rawFetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    parsed = parseExposition(res.text);
    checkHistograms(parsed);
    for (const s of parsed.samples) {
      const f = familyOf(s.name, parsed.families);
      if (!labelsOf.has(f)) labelsOf.set(f, new Set());
      for (const l of Object.keys(s.labels)) labelsOf.get(f).add(l);
    }
  });

  after(async () => {
    if (server) await server.stop();
  });

  // Every selector's metric exists in the scrape with a sample, and has the labels used on it.
  function checkExpr(where, expr) {
    const { selectors, grouping } = promqlSelectors(expr);
    assert.ok(selectors.length > 0, `${where}: no metric in ${expr}`);
    const families = [];
    for (const { name, labels } of selectors) {
      if (SYNTHETIC.has(name)) continue;
      assert.match(name, /^palettemaker_/, `${where}: ${name} is not one of ours`);
      const family = familyOf(name, parsed.families);
      assert.ok(family, `${where}: ${name} is not exported by /metrics`);
      if (name !== family) {
        assert.equal(parsed.families.get(family).type, 'histogram', `${where}: ${name}`);
      }
      assert.ok(labelsOf.has(family), `${where}: ${family} has no samples after traffic`);
      for (const l of labels) {
        if (l === 'job' || l === 'instance') continue;  // added by Prometheus at scrape time
        if (l === 'le') assert.ok(name.endsWith('_bucket'), `${where}: le on ${name}`);
        else assert.ok(labelsOf.get(family).has(l), `${where}: ${family} has no label ${l}`);
      }
      families.push(family);
    }
    for (const l of grouping) {
      if (['job', 'instance', 'le'].includes(l)) continue;
      assert.ok(families.some((f) => labelsOf.get(f).has(l)), `${where}: grouping by ${l}, which no metric here has`);
    }
  }

  it('alerts.yml: rule-file structure, and every expression uses exported metrics and labels', () => {
    const doc = loadYaml().parse(fs.readFileSync(path.join(MONITORING, 'alerts.yml'), 'utf8'));
    assert.ok(Array.isArray(doc.groups) && doc.groups.length > 0, 'groups');
    assert.deepEqual(Object.keys(doc), ['groups']);
    const names = new Set();
    const groupNames = new Set();
    for (const g of doc.groups) {
      assert.equal(typeof g.name, 'string');
      assert.ok(!groupNames.has(g.name), `duplicate group ${g.name}`);
      groupNames.add(g.name);
      assert.ok(Array.isArray(g.rules) && g.rules.length > 0, `group ${g.name} has rules`);
      for (const r of g.rules) {
        const allowed = ['alert', 'expr', 'for', 'labels', 'annotations', 'keep_firing_for'];
        for (const k of Object.keys(r)) assert.ok(allowed.includes(k), `${r.alert}: unknown field ${k}`);
        assert.match(r.alert, /^[A-Z][A-Za-z0-9]+$/);
        assert.ok(!names.has(r.alert), `duplicate alert ${r.alert}`);
        names.add(r.alert);
        assert.equal(typeof r.expr, 'string');
        assert.match(r.for, /^\d+[smh]$/, `${r.alert}: for`);
        assert.ok(['critical', 'warning', 'info'].includes(r.labels?.severity), `${r.alert}: severity`);
        assert.ok(r.annotations?.summary && r.annotations?.description, `${r.alert}: summary and description`);
        // Balanced parentheses and braces: a cheap syntax check without promtool.
        for (const [open, close] of [['(', ')'], ['{', '}'], ['[', ']']]) {
          const stripped = r.expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
          assert.equal(stripped.split(open).length, stripped.split(close).length, `${r.alert}: unbalanced ${open}${close}`);
        }
        checkExpr(`alert ${r.alert}`, r.expr);
      }
    }
    // What the issue asks the rules to cover.
    for (const a of ['PalettemakerHighErrorRatio', 'PalettemakerHighLatency', 'PalettemakerReplicaNotReady',
      'PalettemakerDatabaseErrors', 'PalettemakerObjectStoreErrors', 'PalettemakerQuotaPressure']) {
      assert.ok(names.has(a), `missing alert ${a}`);
    }
  });

  it('grafana-dashboard.json: importable dashboard whose queries use exported metrics and labels', () => {
    const dash = JSON.parse(fs.readFileSync(path.join(MONITORING, 'grafana-dashboard.json'), 'utf8'));
    assert.equal(typeof dash.title, 'string');
    assert.equal(typeof dash.uid, 'string');
    assert.ok(Number.isInteger(dash.schemaVersion) && dash.schemaVersion >= 30);
    const dsVar = dash.templating.list.find((v) => v.type === 'datasource');
    assert.equal(dsVar?.query, 'prometheus', 'a Prometheus datasource variable');
    const ids = new Set();
    const titles = [];
    for (const p of dash.panels) {
      assert.ok(Number.isInteger(p.id) && !ids.has(p.id), `panel id ${p.id}`);
      ids.add(p.id);
      for (const k of ['h', 'w', 'x', 'y']) assert.ok(Number.isInteger(p.gridPos?.[k]), `${p.title}: gridPos.${k}`);
      assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title}: fits the 24-column grid`);
      if (p.type === 'row') continue;
      titles.push(p.title);
      assert.equal(p.datasource?.uid, `\${${dsVar.name}}`, `${p.title}: uses the datasource variable`);
      assert.ok(p.targets?.length > 0, `${p.title}: targets`);
      const refIds = new Set(p.targets.map((t) => t.refId));
      assert.equal(refIds.size, p.targets.length, `${p.title}: unique refIds`);
    }
    assert.ok(titles.length >= 10);
    for (const { where, expr } of dashboardExprs(dash)) checkExpr(where, expr);
    // What the issue asks the dashboard to show.
    const all = dashboardExprs(dash).map((e) => e.expr).join('\n');
    for (const q of ['0.5', '0.95', '0.99']) {
      assert.ok(all.includes(`histogram_quantile(${q}, sum by (le, route) (rate(palettemaker_http_request_duration_seconds_bucket`),
        `latency p${q} by route`);
    }
    for (const m of ['palettemaker_engine_operation_duration_seconds_bucket', 'palettemaker_db_errors_total',
      'palettemaker_object_store_errors_total', 'palettemaker_uploads_total', 'palettemaker_tenant_requests_total',
      'palettemaker_ready']) {
      assert.ok(all.includes(m), `dashboard shows ${m}`);
    }
  });

  it('the PromQL reader finds names, labels and grouping (so the checks above can fail)', () => {
    const { selectors, grouping } = promqlSelectors(
      'sum by (job, le) (rate(foo_bucket{route!~"a{b}",method="GET"}[5m])) / bar > 1e3 and baz offset 5m');
    assert.deepEqual(selectors.map((s) => s.name).sort(), ['bar', 'baz', 'foo_bucket']);
    assert.deepEqual(selectors.find((s) => s.name === 'foo_bucket').labels, ['route', 'method']);
    assert.deepEqual(grouping, ['job', 'le']);
    assert.throws(() => checkExpr('self-test', 'rate(palettemaker_not_a_metric_total[5m])'), /not exported/);
    assert.throws(() => checkExpr('self-test', 'palettemaker_http_requests_total{nolabel="x"}'), /has no label nolabel/);
    assert.throws(() => checkExpr('self-test', 'sum by (tenant) (palettemaker_http_requests_total)'), /grouping by tenant/);
  });
});
