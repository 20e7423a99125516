// A SigV4-verifying reverse proxy in front of s3rver, for the S3 ObjectStore tests.
//
// s3rver accepts any signature (even none), so tests against it alone would pass with broken
// signing. This proxy recomputes every request's signature with AWS's own signer
// (@smithy/signature-v4) from the request's method, raw path, query, the headers named in its
// SignedHeaders, its x-amz-date and its x-amz-content-sha256, using the configured key pair, and
// forwards only requests whose signature matches; others get 403 SignatureDoesNotMatch (as S3
// answers), before any body byte is accepted (Expect: 100-continue is answered only after the
// check). A body that claims a SHA-256 is checked against it before it is forwarded
// (400 XAmzContentSHA256Mismatch otherwise); such bodies are buffered for that (at most one part,
// 8 MiB, from our client), so s3rver never sees a refused body. UNSIGNED-PAYLOAD bodies stream
// through unhashed.
//
// Where s3rver differs from S3 in ways our client relies on, the proxy makes it behave like S3,
// and says so here:
//  - s3rver writes an object in place (truncate, then write), so a concurrent GET can see a torn
//    object; S3 replaces objects atomically. The proxy serializes requests per object key.
//  - s3rver answers a ranged GET of an empty object with 206 and a Content-Length it never sends;
//    S3 answers 416 InvalidRange. The proxy answers 416.
//  - s3rver has no AbortMultipartUpload (405); the proxy answers 204 after verifying it.
//
// Control endpoints for tests (unsigned, loopback only):
//   POST /__fail?count=N[&status=503][&match=TEXT]  answer the next N S3 requests (only those
//                                      whose URL contains TEXT, if given) with that status
//   GET  /__stats                      JSON counters of what was forwarded, refused and injected
//                                      (lists also as "GET bucket list in <first prefix segment>")
//
// Usage: node proxy.mjs --upstream-port P --access-key-id K --secret-access-key S --region R
//                       --port-file FILE     (listens on 127.0.0.1, port 0; writes the port)
import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

const { values: opt } = parseArgs({
  options: {
    'upstream-port': { type: 'string' },
    'access-key-id': { type: 'string' },
    'secret-access-key': { type: 'string' },
    region: { type: 'string' },
    'port-file': { type: 'string' },
  },
});
for (const k of ['upstream-port', 'access-key-id', 'secret-access-key', 'region', 'port-file']) {
  if (!opt[k]) {
    console.error(`proxy.mjs: --${k} is required`);
    process.exit(2);
  }
}

const signer = new SignatureV4({
  credentials: { accessKeyId: opt['access-key-id'], secretAccessKey: opt['secret-access-key'] },
  region: opt.region,
  service: 's3',
  sha256: Hash.bind(null, 'sha256'),
  uriEscapePath: false, // S3 signs the path exactly as sent (no double encoding)
  applyChecksum: false,
});

const stats = { forwarded: {}, rejected: 0, hashMismatch: 0, injected: 0 };
let failNext = 0;
let failStatus = 503;
let failMatch = '';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MAX_BUFFERED_BODY = 64 * 1024 * 1024;

function xmlError(res, status, code, message, extraHeaders = {}) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), ...extraHeaders });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function parseQuery(raw) {
  const query = Object.create(null);
  if (!raw) return query;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (k in query) query[k] = [].concat(query[k], v);
    else query[k] = v;
  }
  return query;
}

// What kind of S3 operation a request is, for the counters.
function kindOf(method, path, query) {
  const isObject = path.split('/').filter(Boolean).length >= 2;
  if (!isObject) return `${method} bucket${'list-type' in query ? ' list' : ''}`;
  if ('uploads' in query) return 'CreateMultipartUpload';
  if ('partNumber' in query) return 'UploadPart';
  if ('uploadId' in query) return method === 'POST' ? 'CompleteMultipartUpload' : 'AbortMultipartUpload';
  return `${method} object`;
}

// Returns null if the signature is right, else the reason.
async function verify(req, rawPath, query) {
  const auth = req.headers.authorization || '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'missing or malformed Authorization header';
  const [, keyId, day, region, signedList, signature] = m;
  if (keyId !== opt['access-key-id']) return 'unknown access key id';
  if (region !== opt.region) return `wrong region ${region}`;
  const amzDate = req.headers['x-amz-date'] || '';
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!d || amzDate.slice(0, 8) !== day) return 'missing or inconsistent x-amz-date';
  const contentSha = req.headers['x-amz-content-sha256'];
  if (!contentSha || !(/^[0-9a-f]{64}$/.test(contentSha) || contentSha === 'UNSIGNED-PAYLOAD')) {
    return 'missing or malformed x-amz-content-sha256';
  }
  const signed = signedList.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!signed.includes(required)) return `${required} is not signed`;
  }
  const headers = {};
  for (const name of signed) {
    const value = req.headers[name];
    if (value === undefined) return `signed header ${name} is missing`;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const request = new HttpRequest({ method: req.method, protocol: 'http:', hostname: headers.host, path: rawPath, query, headers });
  const signingDate = new Date(Date.UTC(+d[1], +d[2] - 1, +d[3], +d[4], +d[5], +d[6]));
  const out = await signer.sign(request, { signingDate, signableHeaders: new Set(signed) });
  const expected = /Signature=([0-9a-f]{64})/.exec(out.headers.authorization)[1];
  const expectedList = /SignedHeaders=([^,]+)/.exec(out.headers.authorization)[1];
  if (expectedList !== signedList) return `signed header list mismatch (${expectedList})`;
  if (expected !== signature) return 'signature mismatch';
  return null;
}

// Per-key serialization (see the header comment): each request waits for the previous one on
// the same path to finish.
const keyLocks = new Map();
async function withKeyLock(key, fn) {
  const previous = keyLocks.get(key) || Promise.resolve();
  let release;
  const mine = new Promise((r) => (release = r));
  const tail = previous.then(() => mine);
  keyLocks.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (keyLocks.get(key) === tail) keyLocks.delete(key);
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BUFFERED_BODY) {
        reject(new Error('body too large for the test proxy'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(req, res, body) {
  return new Promise((resolve) => {
    const headers = { ...req.headers };
    for (const h of ['expect', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']) delete headers[h];
    const up = http.request(
      { host: '127.0.0.1', port: Number(opt['upstream-port']), method: req.method, path: req.url, headers },
      (upRes) => {
        const contentRange = upRes.headers['content-range'] || '';
        if (req.method === 'GET' && req.headers.range && upRes.statusCode === 206 && /\/0$/.test(contentRange)) {
          upRes.resume();
          xmlError(res, 416, 'InvalidRange', 'The requested range is not satisfiable', { 'Content-Range': 'bytes */0' });
          resolve();
          return;
        }
        res.writeHead(upRes.statusCode, upRes.headers);
        upRes.pipe(res);
        upRes.on('end', resolve);
        upRes.on('error', resolve);
        res.on('close', resolve);
      },
    );
    up.on('error', (err) => {
      if (!res.headersSent) xmlError(res, 502, 'BadGateway', `s3rver: ${err.message}`);
      else res.destroy();
      resolve();
    });
    if (body) up.end(body);
    else req.pipe(up); // UNSIGNED-PAYLOAD: streamed as it comes
  });
}

async function handle(req, res, expectsContinue) {
  const qAt = req.url.indexOf('?');
  const rawPath = qAt < 0 ? req.url : req.url.slice(0, qAt);
  const rawQuery = qAt < 0 ? '' : req.url.slice(qAt + 1);

  if (rawPath.startsWith('/__')) {
    const q = parseQuery(rawQuery);
    if (req.method === 'POST' && rawPath === '/__fail') {
      failNext = Number(q.count || 0);
      failStatus = Number(q.status || 503);
      failMatch = q.match || '';
      res.writeHead(204).end();
    } else if (req.method === 'GET' && rawPath === '/__stats') {
      const body = JSON.stringify(stats);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
    } else {
      res.writeHead(404).end();
    }
    return;
  }

  let query;
  try {
    query = parseQuery(rawQuery);
  } catch {
    xmlError(res, 400, 'InvalidArgument', 'bad query string', { Connection: 'close' });
    return;
  }

  if (failNext > 0 && decodeURIComponent(req.url).includes(failMatch)) {
    failNext -= 1;
    stats.injected += 1;
    xmlError(res, failStatus, failStatus === 503 ? 'SlowDown' : 'InternalError', 'injected by the test proxy', { Connection: 'close' });
    return;
  }

  const why = await verify(req, rawPath, query);
  if (why) {
    stats.rejected += 1;
    console.error(`proxy: refused ${req.method} ${rawPath}: ${why}`);
    xmlError(res, 403, 'SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided (${why})`, { Connection: 'close' });
    return;
  }
  if (expectsContinue) res.writeContinue();

  const contentSha = req.headers['x-amz-content-sha256'];
  let body = null;
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  if (contentSha !== 'UNSIGNED-PAYLOAD') {
    try {
      body = hasBody ? await readBody(req) : Buffer.alloc(0);
    } catch (err) {
      xmlError(res, 400, 'IncompleteBody', err.message, { Connection: 'close' });
      return;
    }
    const actual = body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(body).digest('hex');
    if (actual !== contentSha) {
      stats.hashMismatch += 1;
      xmlError(res, 400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
      return;
    }
  }

  const kind = kindOf(req.method, rawPath, query);
  stats.forwarded[kind] = (stats.forwarded[kind] || 0) + 1;
  // Lists also per first prefix segment (each test's own root), so a test counting its own list
  // requests is not thrown off by servers of other tests sharing this S3 service (their
  // background jobs list too).
  if (kind === 'GET bucket list' && typeof query.prefix === 'string' && query.prefix !== '') {
    const own = `${kind} in ${query.prefix.split('/')[0]}`;
    stats.forwarded[own] = (stats.forwarded[own] || 0) + 1;
  }
  if (kind === 'AbortMultipartUpload') {
    res.writeHead(204).end();
    return;
  }
  const isObject = rawPath.split('/').filter(Boolean).length >= 2;
  if (isObject) await withKeyLock(rawPath, () => forward(req, res, body));
  else await forward(req, res, body);
}

function onRequest(expectsContinue) {
  return (req, res) => {
    handle(req, res, expectsContinue).catch((err) => {
      console.error('proxy: internal error', err);
      if (!res.headersSent) xmlError(res, 500, 'InternalError', 'test proxy error');
      else res.destroy();
    });
  };
}

const server = http.createServer({ keepAliveTimeout: 30_000 });
server.on('request', onRequest(false));
server.on('checkContinue', onRequest(true));
server.listen(0, '127.0.0.1', () => {
  const tmp = `${opt['port-file']}.tmp`;
  writeFileSync(tmp, `${server.address().port}\n`);
  renameSync(tmp, opt['port-file']);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
