-- 0004_workspaces_tokens: team workspaces, invitations and API tokens.
--
-- The SQLite twin (schema/sqlite/0004_workspaces_tokens.sql) has the same version number, table,
-- column, index and constraint names, and the same semantics (see its header).
--
-- Row-Level Security, as in 0001: both new tables are tenant-scoped, ENABLEd and FORCEd, and
-- admit only the rows of app.tenant_id. One more setting: a token is presented before its
-- workspace is known, so the look-up by token runs with app.token_hash set to the SHA-256 hex of
-- the presented token, and a read-only policy admits exactly the row with that hash. Knowing a
-- hash means holding the token (the hash is never shown), so this opens nothing a caller could
-- not already reach with the token itself.

ALTER TABLE tenants ADD COLUMN personal BOOLEAN NOT NULL DEFAULT false;
-- Every existing workspace was made at sign-up. Runs as the migration role with no app.tenant_id
-- set: tenants' FORCEd policy would hide every row, so lift it for this one statement.
ALTER TABLE tenants NO FORCE ROW LEVEL SECURITY;
UPDATE tenants SET personal = true;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;

CREATE TABLE invitations (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id  BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email      TEXT   NOT NULL,                 -- normalised (trimmed, lower-case) by the caller
  role       TEXT   NOT NULL CONSTRAINT invitations_role_check
                    CHECK (role IN ('admin', 'editor', 'viewer')),
  token_hash TEXT   NOT NULL,
  invited_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  CONSTRAINT invitations_token_hash_key UNIQUE (token_hash),
  CONSTRAINT invitations_tenant_email_key UNIQUE (tenant_id, email)
);

CREATE TABLE api_tokens (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         TEXT   NOT NULL,
  scope        TEXT   NOT NULL CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read', 'write')),
  token_hash   TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT,                        -- NULL: never
  last_used_at BIGINT,
  CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_tenant_user_idx ON api_tokens (tenant_id, user_id);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_tenant ON invitations
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
CREATE POLICY invitations_by_token ON invitations FOR SELECT
  USING (token_hash = NULLIF(current_setting('app.token_hash', true), ''));

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY api_tokens_tenant ON api_tokens
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
CREATE POLICY api_tokens_by_token ON api_tokens FOR SELECT
  USING (token_hash = NULLIF(current_setting('app.token_hash', true), ''));
