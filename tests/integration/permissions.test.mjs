// The permission matrix, table-driven from docs/permissions.json (the same table docs/PERMISSIONS.md
// is checked against): every tenant route, as owner, admin, editor, viewer, a non-member, the
// owner's read token and the owner's write token, against the real server.
//
// Each route gets a probe that cannot change anything when let through: GETs read real ids and
// expect 200; writes send a body with an unknown field, so a request that passes the central
// check is refused by the handler (400 invalid_argument); DELETEs name an id that does not exist
// (404 for the resource, never "workspace not found"; DELETE of the workspace itself sends an
// unknown field: 400). Refused: 403 permission_denied.
// Non-members (and tokens elsewhere): 404 "workspace not found".
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { assertError, assertStatus, imagePath, newUser, rawFetch, startServer } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MATRIX = JSON.parse(fs.readFileSync(path.join(HERE, '../../docs/permissions.json'), 'utf8'));
const MISSING_ID = 999999999;

async function addMember(inviter, slug, user, role) {
  const inv = await inviter.post(`/api/v1/t/${slug}/invitations`, { email: user.email, role });
  assertStatus(inv, 201, `invite ${role}`);
  assertStatus(await user.post('/api/v1/invitations/accept', { token: inv.json.invitation.token }), 200);
}

describe('permission matrix (docs/permissions.json)', () => {
  let server;
  let slug;
  let paletteId;
  let editorId;
  const actors = {}; // name -> (method, path, json) => Response

  before(async () => {
    server = await startServer();
    const owner = await newUser(server.url);
    slug = (await owner.post('/api/v1/workspaces', { name: 'Matrix' })).json.workspace.slug;
    const members = {};
    for (const role of ['admin', 'editor', 'viewer']) {
      members[role] = await newUser(server.url);
      await addMember(owner, slug, members[role], role);
    }
    editorId = members.editor.user.id;
    const outsider = await newUser(server.url);
    const up = await owner.upload(imagePath('coins.png'), 'coins.png', { ws: slug });
    assertStatus(up, 201);
    paletteId = up.json.palette.id;
    const token = async (scope) => {
      const res = await owner.post(`/api/v1/t/${slug}/tokens`, { name: scope, scope });
      assertStatus(res, 201);
      return res.json.token.token;
    };
    const session = (client) => (method, p, json) => client.request(method, p, json === undefined ? {} : { json });
    const bearer = (t) => (method, p, json) => rawFetch(server.url + p, {
      method,
      headers: { Authorization: `Bearer ${t}`, ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: json !== undefined ? JSON.stringify(json) : undefined,
    });
    actors.owner = session(owner);
    actors.admin = session(members.admin);
    actors.editor = session(members.editor);
    actors.viewer = session(members.viewer);
    actors.read_token = bearer(await token('read'));
    actors.write_token = bearer(await token('write'));
    actors['non-member'] = session(outsider);
  });
  after(async () => {
    if (server) await server.stop();
  });

  function probe(route) {
    const p = route.path.replace('{ws}', slug)
      .replace('{user_id}', route.method === 'DELETE' ? String(MISSING_ID) : String(editorId))
      .replace('{share_id}', String(MISSING_ID))
      .replace('{id}', route.method === 'DELETE' || !route.path.includes('/palettes/') ? String(MISSING_ID) : String(paletteId))
      // The export route needs a format (without one it is 400).
      + (route.path.endsWith('/export') ? '?format=json' : '');
    if (route.method === 'GET') return { p, expectAllowed: (res) => assertStatus(res, 200, `${route.method} ${p}`) };
    // Deleting the workspace itself has no id to miss: its probe body has an unknown field.
    if (route.method === 'DELETE' && route.path === '/api/v1/t/{ws}') {
      return { p, json: { __probe: 1 }, expectAllowed: (res) => assertError(res, 400, 'invalid_argument', `${route.method} ${p}`) };
    }
    if (route.method === 'DELETE') {
      return {
        p,
        expectAllowed: (res) => {
          const e = assertError(res, 404, 'not_found', `${route.method} ${p}`);
          assert.doesNotMatch(e.message, /workspace not found/, `${route.method} ${p} got past the gate`);
        },
      };
    }
    return { p, json: { __probe: 1 }, expectAllowed: (res) => assertError(res, 400, 'invalid_argument', `${route.method} ${p}`) };
  }

  it('covers every actor of the matrix', () => {
    assert.deepEqual(MATRIX.actors, ['owner', 'admin', 'editor', 'viewer', 'read_token', 'write_token']);
    assert.ok(MATRIX.routes.length >= 20);
  });

  for (const route of MATRIX.routes) {
    it(`${route.method} ${route.path} (${route.capability})`, async () => {
      const row = MATRIX.capabilities[route.capability];
      assert.ok(row, `capability ${route.capability} is in the matrix`);
      const { p, json, expectAllowed } = probe(route);
      for (const actor of [...MATRIX.actors, 'non-member']) {
        const res = await actors[actor](route.method, p, json);
        if (actor === 'non-member') {
          const e = assertError(res, 404, 'not_found', `non-member ${route.method} ${p}`);
          assert.match(e.message, /workspace not found/);
        } else if (row[actor]) {
          expectAllowed(res);
        } else {
          assertError(res, 403, 'permission_denied', `${actor} ${route.method} ${p}`);
        }
      }
    });
  }

  it('nothing changed: the palette and every member are as they were', async () => {
    const res = await actors.owner('GET', `/api/v1/t/${slug}/members`);
    assert.deepEqual(res.json.members.map((m) => m.role), ['owner', 'admin', 'editor', 'viewer']);
    assertStatus(await actors.owner('GET', `/api/v1/t/${slug}/palettes/${paletteId}`), 200);
    server.assertAlive();
  });
});
