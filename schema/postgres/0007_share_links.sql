-- 0007_share_links: read-only share links to one palette.
--
-- The SQLite twin (schema/sqlite/0007_share_links.sql) has the same version number, table,
-- column, index and constraint names, and the same semantics (see its header).
--
-- Row-Level Security, as for invitations and API tokens in 0004: the table is tenant-scoped,
-- ENABLEd and FORCEd, and admits only the rows of app.tenant_id. A link is opened before its
-- workspace is known, so the public look-up runs with app.token_hash set to the SHA-256 hex of
-- the presented token, and a read-only policy admits exactly the row with that hash; the store
-- then sets app.tenant_id to that row's tenant to read the palette (as AcceptInvitation does).
-- Knowing a hash means holding the token (the hash is never shown).

CREATE TABLE share_links (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id  BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  palette_id BIGINT NOT NULL REFERENCES palettes (id) ON DELETE CASCADE,
  token_hash TEXT   NOT NULL,
  created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,                           -- NULL: active
  CONSTRAINT share_links_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX share_links_tenant_palette_idx ON share_links (tenant_id, palette_id);
CREATE INDEX share_links_palette_idx ON share_links (palette_id);

ALTER TABLE share_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE share_links FORCE ROW LEVEL SECURITY;
CREATE POLICY share_links_tenant ON share_links
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
CREATE POLICY share_links_by_token ON share_links FOR SELECT
  USING (token_hash = NULLIF(current_setting('app.token_hash', true), ''));
