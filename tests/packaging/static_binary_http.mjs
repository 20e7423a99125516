// The HTTP half of static_binary.sh: talks to a palettemaker running inside the minimal root
// filesystem (packaging/rootfs.sh) and checks that it is alive, serves the embedded web app, and
// analyses a real image (OpenCV and the codecs work without any shared library but glibc).
// The workspace export checks that temporary files work without /tmp.
//   node static_binary_http.mjs BASE_URL WEB_DIST_DIR
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { assertColorSet, assertStatus, imagePath, newUser, rawFetch } from '../integration/harness.mjs';

const [base, webDist] = process.argv.slice(2);
assert.ok(base && webDist, 'usage: node static_binary_http.mjs BASE_URL WEB_DIST_DIR');

assertStatus(await rawFetch(`${base}/healthz`), 200, '/healthz');
assertStatus(await rawFetch(`${base}/readyz`), 200, '/readyz');

// The SPA: index.html as built into web/dist, and one of its hashed scripts.
const index = await rawFetch(`${base}/`);
assertStatus(index, 200, '/');
assert.match(index.headers.get('content-type') || '', /^text\/html/);
assert.equal(index.text, fs.readFileSync(path.join(webDist, 'index.html'), 'utf8'), 'GET / is web/dist/index.html');
const script = index.text.match(/src="(\/assets\/[^"]+\.js)"/);
assert.ok(script, `index.html names a hashed /assets/*.js: ${index.text}`);
const js = await rawFetch(`${base}${script[1]}`);
assertStatus(js, 200, script[1]);
assert.match(js.headers.get('content-type') || '', /javascript/);
assert.ok(js.bytes.equals(fs.readFileSync(path.join(webDist, script[1]))), `${script[1]} is the built file`);

// Sign up, upload a real photo (JPEG) and a PNG: the palettes come back with colours.
const user = await newUser(base);
for (const name of ['fruits.jpg', 'coins.png']) {
  const up = await user.upload(imagePath(name), name);
  assertStatus(up, 201, `upload ${name}`);
  assertColorSet(up.json.palette);
  console.log(`${name}: ${up.json.palette.colors.join(' ')}`);
}
// The workspace export is written to a temporary file first: without /tmp in the root filesystem
// it must land in /data/tmp (serve sets TMPDIR), and the archive must come back whole.
const exported = await user.get(`/api/v1/t/${user.ws}/export`);
assertStatus(exported, 200, 'workspace export (temporary file under /data/tmp)');
assert.equal(exported.headers.get('content-type'), 'application/x-tar');
assert.ok(exported.bytes.length > 1024 && exported.bytes.length % 512 === 0, `tar of ${exported.bytes.length} bytes`);
assert.ok(exported.bytes.includes(Buffer.from('manifest.json')), 'the archive ends with its manifest');
console.log(`export: ${exported.bytes.length} bytes`);
console.log('static binary: HTTP checks passed');
