-- 0001_init: accounts, workspaces (tenants), memberships, sessions, palettes.
--
-- A released migration is never edited: change the schema by adding the next numbered file.
-- The PostgreSQL twin (schema/postgres/) uses the same version numbers, table, column, index
-- and constraint names, and the same semantics. Only spellings differ: ids here are
-- INTEGER PRIMARY KEY AUTOINCREMENT (never reused, like an identity column there), times are
-- Unix milliseconds in INTEGER (BIGINT there), JSON documents are TEXT owned by the app layer.
-- Every tenant-scoped table carries tenant_id so Row-Level Security can key on it there.
-- The runner creates schema_migrations itself and runs this file inside one transaction.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  email         TEXT    NOT NULL,               -- normalised (trimmed, lower-case) by the caller
  name          TEXT    NOT NULL DEFAULT '',
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE tenants (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  slug       TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  CONSTRAINT tenants_slug_key UNIQUE (slug)
);

CREATE TABLE memberships (
  tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role       TEXT    NOT NULL CONSTRAINT memberships_role_check
                     CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
-- ListMemberships(user) and the ON DELETE CASCADE from users.
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE sessions (
  token_hash TEXT    PRIMARY KEY,                -- SHA-256 hex of the cookie token
  csrf_hash  TEXT    NOT NULL,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
-- "Log out everywhere" and the ON DELETE CASCADE from users.
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Deleting a tenant does not cascade to palettes: each palette owns an object in the object
-- store, so a purge deletes palettes (and their objects) explicitly before the tenant.
CREATE TABLE palettes (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id          INTEGER NOT NULL REFERENCES tenants (id),
  name               TEXT    NOT NULL,
  object_key         TEXT    NOT NULL DEFAULT '',
  image_format       TEXT    NOT NULL DEFAULT '',
  image_mime         TEXT    NOT NULL DEFAULT '',
  image_width        INTEGER NOT NULL DEFAULT 0,
  image_height       INTEGER NOT NULL DEFAULT 0,
  image_bytes        INTEGER NOT NULL DEFAULT 0,
  image_sha256       TEXT    NOT NULL DEFAULT '',
  colors_json        TEXT    NOT NULL DEFAULT '[]',
  labels_json        TEXT    NOT NULL DEFAULT '[]',
  coverage_json      TEXT    NOT NULL DEFAULT '[]',
  regions_json       TEXT    NOT NULL DEFAULT '[]',
  region_colors_json TEXT    NOT NULL DEFAULT '[]',
  params_json        TEXT    NOT NULL DEFAULT '{}',
  position           INTEGER NOT NULL,           -- list order within the tenant, highest first
  created_by         INTEGER REFERENCES users (id) ON DELETE SET NULL,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
-- The list page (keyset on position, id) and MAX(position) for a new palette.
CREATE INDEX palettes_tenant_position_idx ON palettes (tenant_id, position DESC, id DESC);
