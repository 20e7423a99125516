// A strict reader of the Prometheus text exposition format 0.0.4, for the tests that scrape
// /metrics (integration/metrics.test.mjs, packaging/monitoring.test.mjs). It throws on anything
// malformed, so a broken exposition fails the tests rather than being half-read.

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseLabels(text, line) {
  // text: the part between { and }; values are "..." with \\, \" and \n escapes.
  const labels = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`bad labels in: ${line}`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`bad label name "${name}" in: ${line}`);
    if (text[eq + 1] !== '"') throw new Error(`label value not quoted in: ${line}`);
    let j = eq + 2;
    let value = '';
    for (;;) {
      if (j >= text.length) throw new Error(`unterminated label value in: ${line}`);
      const c = text[j];
      if (c === '\\') {
        const n = text[j + 1];
        if (n === '\\') value += '\\';
        else if (n === '"') value += '"';
        else if (n === 'n') value += '\n';
        else throw new Error(`bad escape \\${n} in: ${line}`);
        j += 2;
      } else if (c === '"') {
        j += 1;
        break;
      } else {
        value += c;
        j += 1;
      }
    }
    if (name in labels) throw new Error(`duplicate label ${name} in: ${line}`);
    labels[name] = value;
    if (j < text.length) {
      if (text[j] !== ',') throw new Error(`expected , after a label value in: ${line}`);
      j += 1;
    }
    i = j;
  }
  return labels;
}

function parseValue(v, line) {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (v === 'NaN') return NaN;
  if (!/^-?[0-9.]+(e[+-]?[0-9]+)?$/i.test(v)) throw new Error(`bad value "${v}" in: ${line}`);
  return Number(v);
}

// Returns {families: Map(name -> {help, type}), samples: [{name, labels, value}]}.
export function parseExposition(text) {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a line feed');
  const families = new Map();
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const rest = line.slice(7);
      const sp = rest.indexOf(' ');
      const name = rest.slice(0, sp);
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      const f = families.get(name) || {};
      if (line.startsWith('# HELP ')) f.help = rest.slice(sp + 1);
      else {
        f.type = rest.slice(sp + 1);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(f.type)) {
          throw new Error(`bad type in: ${line}`);
        }
      }
      families.set(name, f);
      continue;
    }
    if (line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    let name;
    let labels = {};
    let rest;
    if (brace >= 0 && brace < line.indexOf(' ')) {
      name = line.slice(0, brace);
      const close = line.lastIndexOf('}');
      if (close < brace) throw new Error(`unclosed labels in: ${line}`);
      labels = parseLabels(line.slice(brace + 1, close), line);
      rest = line.slice(close + 1);
    } else {
      const sp = line.indexOf(' ');
      name = line.slice(0, sp);
      rest = line.slice(sp);
    }
    if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
    const parts = rest.trim().split(' ');
    if (parts.length < 1 || parts.length > 2) throw new Error(`bad sample line: ${line}`);
    samples.push({ name, labels, value: parseValue(parts[0], line) });
  }
  // Every sample belongs to a declared family (histograms by their suffixes).
  for (const s of samples) {
    const base = familyOf(s.name, families);
    if (!base) throw new Error(`sample ${s.name} has no # TYPE line`);
  }
  return { families, samples };
}

// The family a sample name belongs to: itself, or for histograms the name without
// _bucket/_sum/_count.
export function familyOf(sampleName, families) {
  if (families.has(sampleName)) return sampleName;
  const m = /^(.*)_(bucket|sum|count)$/.exec(sampleName);
  if (m && families.get(m[1])?.type === 'histogram') return m[1];
  return null;
}

// The value of the one sample with this name whose labels include `match` (0 when none; throws
// when several match, which would make the assertion ambiguous).
export function value(parsed, name, match = {}) {
  const found = select(parsed, name, match);
  if (found.length > 1) {
    throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(match)}`);
  }
  return found.length ? found[0].value : 0;
}

export function select(parsed, name, match = {}) {
  return parsed.samples.filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

// Sum over every sample with this name whose labels include `match`.
export function sum(parsed, name, match = {}) {
  return select(parsed, name, match).reduce((a, s) => a + s.value, 0);
}

// Checks every histogram series: buckets ascending by le, counts non-decreasing, +Inf == _count.
export function checkHistograms(parsed) {
  for (const [name, f] of parsed.families) {
    if (f.type !== 'histogram') continue;
    const series = new Map();
    for (const s of parsed.samples) {
      if (s.name !== `${name}_bucket`) continue;
      const { le, ...rest } = s.labels;
      if (le === undefined) throw new Error(`${name}_bucket without le`);
      const key = JSON.stringify(rest);
      if (!series.has(key)) series.set(key, []);
      series.get(key).push({ le: le === '+Inf' ? Infinity : Number(le), v: s.value });
    }
    for (const [key, buckets] of series) {
      for (let i = 1; i < buckets.length; i++) {
        if (!(buckets[i].le > buckets[i - 1].le)) throw new Error(`${name}${key}: le not ascending`);
        if (buckets[i].v < buckets[i - 1].v) throw new Error(`${name}${key}: bucket counts decrease`);
      }
      const last = buckets[buckets.length - 1];
      if (last.le !== Infinity) throw new Error(`${name}${key}: no +Inf bucket`);
      const count = parsed.samples.find(
        (s) => s.name === `${name}_count` && JSON.stringify(s.labels) === key);
      if (!count || count.value !== last.v) throw new Error(`${name}${key}: _count differs from +Inf bucket`);
    }
  }
}
