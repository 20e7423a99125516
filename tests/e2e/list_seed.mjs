// Fills a fresh workspace with many palettes quickly, for list_scale.test.mjs and
// bench/web_list.mjs: signs up through the browser context (so the page is signed in too),
// uploads one image, then duplicates it from Node with fetch and the session cookie, a few
// requests at a time. Duplicates share the stored image, so 1,000 palettes cost one upload.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { csrfFrom } from './harness.mjs';

/**
 * Returns {slug, cookie, csrf}. `count` palettes in all: the upload is named `name`, its copies
 * `name (2)` ... `name (count)` (docs/API.md "Duplicate").
 */
export async function seedPalettes(context, url, { image, name = 'fruits', count = 1000, concurrency = 8 }) {
  const page = context.pages()[0] ?? (await context.newPage());
  const signup = await page.request.post(`${url}/api/v1/auth/signup`, {
    data: { email: `list-scale-${Date.now()}-${process.pid}@example.com`, password: 'correct horse battery staple' },
  });
  assert.equal(signup.status(), 201, await signup.text());
  const slug = (await signup.json()).workspaces[0].slug;
  const csrf = await csrfFrom(context, url);
  const cookie = (await context.cookies(url)).map((c) => `${c.name}=${c.value}`).join('; ');
  const base = `${url}/api/v1/t/${encodeURIComponent(slug)}`;

  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(image)], { type: 'image/jpeg' }), `${name}.jpg`);
  const up = await fetch(`${base}/palettes`, { method: 'POST', headers: { cookie, 'X-CSRF-Token': csrf }, body: form });
  const upText = await up.text();
  assert.equal(up.status, 201, upText);
  const source = JSON.parse(upText).palette.id;

  let next = 1;
  const worker = async () => {
    while (next < count) {
      next++;
      const res = await fetch(`${base}/palettes/${source}/duplicate`, {
        method: 'POST',
        headers: { cookie, 'X-CSRF-Token': csrf },
      });
      const text = await res.text();
      assert.equal(res.status, 201, `duplicate: ${res.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { slug, cookie, csrf, base };
}
