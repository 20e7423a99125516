-- 0001_init: accounts, workspaces (tenants), memberships, sessions, palettes.
--
-- A released migration is never edited: change the schema by adding the next numbered file.
-- The SQLite twin (schema/sqlite/0001_init.sql) has the same version number, table, column,
-- index and constraint names, and the same semantics. Spellings differ: ids are identity
-- columns (never reused), times are Unix milliseconds in BIGINT, JSON documents are TEXT owned
-- by the app layer. The runner (PostgresStore::Migrate) creates schema_migrations itself and
-- runs this file inside one transaction, as the migration role (database.migration_url), which
-- should own the schema; the serving role needs only SELECT/INSERT/UPDATE/DELETE on the tables
-- and USAGE on the sequences (see tests/services/postgres/pg.sh for grants that do this).
--
-- Row-Level Security: the second wall behind the `tenant_id = $n` in every statement.
-- PostgresStore sets, per transaction (set_config(..., true), i.e. SET LOCAL):
--   app.tenant_id  in every tenant-scoped transaction (palettes; creating a workspace);
--   app.user_id    in the user-scoped lookups (ListMemberships, FindMembership).
-- Policies read them with NULLIF(current_setting(name, true), '')::bigint: missing_ok makes an
-- unset setting NULL, and NULLIF covers the '' that a setting reads as after a transaction that
-- set it locally has ended (a bare ''::bigint would fail). NULL never equals anything, so with
-- nothing set every policy admits no row.
-- FORCE ROW LEVEL SECURITY binds the table owner (the migration role) too; only superusers and
-- BYPASSRLS roles escape, and PostgresStore refuses to serve as one of those.
--
-- Why app.user_id does not open tenant data: it admits, on memberships, only the rows whose
-- user_id is that user (the user's own memberships: tenant id and role), and on tenants only the
-- tenants that user is a member of (id, slug, name, created_at: what the tenant gate returns).
-- It admits nothing on palettes, and it is set only by the two lookups that are asked for that
-- user by id. A caller that forged app.user_id (it cannot: the value is bound from the UserId
-- the app layer authenticated) would see workspace names, never another tenant's palettes.

CREATE TABLE users (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email         TEXT   NOT NULL,               -- normalised (trimmed, lower-case) by the caller
  name          TEXT   NOT NULL DEFAULT '',
  password_hash TEXT   NOT NULL,
  created_at    BIGINT NOT NULL,
  CONSTRAINT users_email_key UNIQUE (email)
);

-- PostgresStore allocates a tenant's id with nextval() before inserting it (OVERRIDING SYSTEM
-- VALUE), so that app.tenant_id can be set first and the row passes the tenant policy.
CREATE TABLE tenants (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug       TEXT   NOT NULL,
  name       TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  CONSTRAINT tenants_slug_key UNIQUE (slug)
);

CREATE TABLE memberships (
  tenant_id  BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role       TEXT   NOT NULL CONSTRAINT memberships_role_check
                    CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
-- ListMemberships(user) and the ON DELETE CASCADE from users.
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE sessions (
  token_hash TEXT   PRIMARY KEY,                -- SHA-256 hex of the cookie token
  csrf_hash  TEXT   NOT NULL,
  user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
-- "Log out everywhere" and the ON DELETE CASCADE from users.
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Deleting a tenant does not cascade to palettes: each palette owns an object in the object
-- store, so a purge deletes palettes (and their objects) explicitly before the tenant.
CREATE TABLE palettes (
  id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id          BIGINT NOT NULL REFERENCES tenants (id),
  name               TEXT   NOT NULL,
  object_key         TEXT   NOT NULL DEFAULT '',
  image_format       TEXT   NOT NULL DEFAULT '',
  image_mime         TEXT   NOT NULL DEFAULT '',
  image_width        INTEGER NOT NULL DEFAULT 0,
  image_height       INTEGER NOT NULL DEFAULT 0,
  image_bytes        BIGINT NOT NULL DEFAULT 0,
  image_sha256       TEXT   NOT NULL DEFAULT '',
  colors_json        TEXT   NOT NULL DEFAULT '[]',
  labels_json        TEXT   NOT NULL DEFAULT '[]',
  coverage_json      TEXT   NOT NULL DEFAULT '[]',
  regions_json       TEXT   NOT NULL DEFAULT '[]',
  region_colors_json TEXT   NOT NULL DEFAULT '[]',
  params_json        TEXT   NOT NULL DEFAULT '{}',
  position           BIGINT NOT NULL,           -- list order within the tenant, highest first
  created_by         BIGINT REFERENCES users (id) ON DELETE SET NULL,
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL
);
-- The list page (keyset on position, id) and MAX(position) for a new palette.
CREATE INDEX palettes_tenant_position_idx ON palettes (tenant_id, position DESC, id DESC);

-- --- Row-Level Security -----------------------------------------------------------------------

ALTER TABLE palettes ENABLE ROW LEVEL SECURITY;
ALTER TABLE palettes FORCE ROW LEVEL SECURITY;
-- USING also serves as WITH CHECK: a row cannot be inserted or moved into another tenant.
CREATE POLICY palettes_tenant ON palettes
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_tenant ON memberships
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
-- Read-only: a user's own memberships, across tenants (see the header).
CREATE POLICY memberships_own ON memberships FOR SELECT
  USING (user_id = NULLIF(current_setting('app.user_id', true), '')::bigint);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_tenant ON tenants
  USING (id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
-- Read-only: the workspaces the user is a member of. The subquery runs under memberships'
-- policies (memberships_own), which do not refer back to tenants, so there is no recursion.
CREATE POLICY tenants_member ON tenants FOR SELECT
  USING (id IN (SELECT m.tenant_id FROM memberships m
                WHERE m.user_id = NULLIF(current_setting('app.user_id', true), '')::bigint));
