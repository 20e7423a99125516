-- 0004_workspaces_tokens: team workspaces, invitations and API tokens.
--
-- The PostgreSQL twin (schema/postgres/0004_workspaces_tokens.sql) has the same version number,
-- table, column, index and constraint names, and the same semantics.
--
-- tenants.personal: 1 for the workspace made at sign-up, 0 for team workspaces made with
-- POST /api/v1/workspaces. Every workspace that exists before this migration was made at sign-up.
--
-- invitations: pending only. Accepting one deletes it (single use); re-inviting an e-mail address
-- replaces its pending invitation (one per workspace and address). The token itself is never
-- stored, only its SHA-256 hex.
--
-- api_tokens: Bearer tokens of one user in one workspace. Only the SHA-256 hex of the token is
-- stored. expires_at NULL = never; last_used_at is written at most once a minute per token.

ALTER TABLE tenants ADD COLUMN personal INTEGER NOT NULL DEFAULT 0;
UPDATE tenants SET personal = 1;

CREATE TABLE invitations (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email      TEXT    NOT NULL,                 -- normalised (trimmed, lower-case) by the caller
  role       TEXT    NOT NULL CONSTRAINT invitations_role_check
                     CHECK (role IN ('admin', 'editor', 'viewer')),
  token_hash TEXT    NOT NULL,
  invited_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  CONSTRAINT invitations_token_hash_key UNIQUE (token_hash),
  CONSTRAINT invitations_tenant_email_key UNIQUE (tenant_id, email)
);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         TEXT    NOT NULL,
  scope        TEXT    NOT NULL CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read', 'write')),
  token_hash   TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,                        -- NULL: never
  last_used_at INTEGER,
  CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
-- ListApiTokens(tenant[, user]) and the removal of a member's tokens.
CREATE INDEX api_tokens_tenant_user_idx ON api_tokens (tenant_id, user_id);
-- The ON DELETE CASCADE from users.
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
