-- 0006_saas_controls: account security, operators, plans and workspace lifecycle, metering, audit.
--
-- The PostgreSQL twin (schema/postgres/0006_saas_controls.sql) has the same version number,
-- table, column, index and constraint names, and the same semantics.
--
-- users.is_operator: platform operators (super-admins). They administer workspaces through
--   /api/v1/admin/... and never read a workspace's palettes unless they are members.
-- users.totp_*: the optional TOTP second factor (RFC 6238). totp_secret is set when enrolment
--   starts; totp_enabled_at when the user confirmed it with a code (NULL: not enabled);
--   totp_last_step is the last accepted 30-second step, so a code is never accepted twice.
-- recovery_codes: single-use codes that stand in for a TOTP code; only SHA-256 hex is stored.
-- password_resets: single-use reset tokens that expire; only SHA-256 hex is stored.
-- outbox: every e-mail the server sends (or would send when SMTP is not configured), for the
--   operator; sent_at NULL means not delivered by SMTP.
-- operator_setup: one-time links that create an operator account (first start, `admin create`).
-- tenants.plan: the plan's name in config ('' = the configured default plan).
-- tenants.suspended_at: set while suspended (read-only for members).
-- tenants.deleted_at / purge_after: soft-deleted (hidden from members at once); the janitor
--   purges rows and objects after purge_after; restore clears both.
-- usage_daily: metering per workspace and UTC day (day = days since 1970-01-01).
-- audit_log: append-only (the triggers refuse UPDATE and DELETE). tenant_id and actor_id carry
--   no foreign keys so a record outlives its workspace and, pseudonymously, its actor: rows hold
--   ids, never e-mail addresses; names are joined in when read.

ALTER TABLE users ADD COLUMN is_operator INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at INTEGER;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;

CREATE TABLE recovery_codes (
  user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT    NOT NULL,
  used_at   INTEGER,                          -- NULL: still usable
  PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE password_resets (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER,                         -- NULL: not used yet
  CONSTRAINT password_resets_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
CREATE INDEX password_resets_expires_at_idx ON password_resets (expires_at);

CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient  TEXT    NOT NULL,
  subject    TEXT    NOT NULL,
  body       TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at    INTEGER,                         -- NULL: not delivered by SMTP
  error      TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE operator_setup (
  token_hash TEXT    PRIMARY KEY,
  email      TEXT    NOT NULL DEFAULT '',     -- '' = whoever opens the link chooses
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

ALTER TABLE tenants ADD COLUMN plan TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN suspended_at INTEGER;
ALTER TABLE tenants ADD COLUMN deleted_at INTEGER;
ALTER TABLE tenants ADD COLUMN purge_after INTEGER;
CREATE INDEX tenants_purge_after_idx ON tenants (purge_after);

CREATE TABLE usage_daily (
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  day       INTEGER NOT NULL,
  metric    TEXT    NOT NULL,
  count     INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, day, metric)
);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at  INTEGER NOT NULL,
  tenant_id   INTEGER,                        -- NULL: not about one workspace (log-in, ...)
  actor_id    INTEGER,                        -- NULL: anonymous or the system
  actor_kind  TEXT    NOT NULL CONSTRAINT audit_log_actor_kind_check
                      CHECK (actor_kind IN ('user', 'token', 'operator', 'system', 'anonymous')),
  action      TEXT    NOT NULL,
  target      TEXT    NOT NULL DEFAULT '',
  ip          TEXT    NOT NULL DEFAULT '',
  user_agent  TEXT    NOT NULL DEFAULT '',
  request_id  TEXT    NOT NULL DEFAULT '',
  details     TEXT    NOT NULL DEFAULT '{}'   -- JSON object
);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
