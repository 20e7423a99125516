-- 0007_share_links: read-only share links to one palette.
--
-- The PostgreSQL twin (schema/postgres/0007_share_links.sql) has the same version number, table,
-- column, index and constraint names, and the same semantics.
--
-- share_links: anyone holding the link's token reads the palette (name, colours, image), never
-- anything else of the workspace. Only the SHA-256 hex of the token is stored. Revoking sets
-- revoked_at (the row stays, so a revoked token keeps failing); deleting the palette deletes its
-- links (ON DELETE CASCADE). created_by NULL: that user was erased.

CREATE TABLE share_links (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  palette_id INTEGER NOT NULL REFERENCES palettes (id) ON DELETE CASCADE,
  token_hash TEXT    NOT NULL,
  created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,                          -- NULL: active
  CONSTRAINT share_links_token_hash_key UNIQUE (token_hash)
);
-- ListShareLinks(tenant, palette) and the ON DELETE CASCADE from palettes.
CREATE INDEX share_links_tenant_palette_idx ON share_links (tenant_id, palette_id);
CREATE INDEX share_links_palette_idx ON share_links (palette_id);
