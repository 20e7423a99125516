// Run after `vite build`: writes a Brotli (.br, quality 11) and a gzip (.gz, level 9) sibling of
// every text asset in dist/ (js, css, html, svg, json), so the server sends them as they are with
// Content-Encoding instead of compressing on every request (src/http/server.cc, ServeAsset). A
// sibling that would not be smaller than its original is not written. Node's zlib only: no npm
// dependency.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const TEXT = new Set(['.js', '.css', '.html', '.svg', '.json']);
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', process.argv[2] ?? 'dist');

function* files(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (TEXT.has(path.extname(e.name))) yield p;
  }
}

let before = 0;
let afterBr = 0;
for (const file of files(dist)) {
  const data = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const gz = zlib.gzipSync(data, { level: zlib.constants.Z_BEST_COMPRESSION });
  // Stale siblings from an earlier build must not outlive a file that no longer compresses.
  for (const [ext, body] of [['.br', br], ['.gz', gz]]) {
    if (body.length < data.length) fs.writeFileSync(file + ext, body);
    else fs.rmSync(file + ext, { force: true });
  }
  before += data.length;
  afterBr += Math.min(br.length, data.length);
}
console.log(`compress.mjs: ${(before / 1024).toFixed(1)} KiB of text assets, ${(afterBr / 1024).toFixed(1)} KiB as Brotli`);
