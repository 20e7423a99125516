-- 0006_saas_controls: account security, operators, plans and workspace lifecycle, metering, audit.
--
-- The SQLite twin (schema/sqlite/0006_saas_controls.sql) has the same version number, table,
-- column, index and constraint names, and the same semantics; see its header for the columns.
--
-- Row-Level Security added here:
--   app.operator = 'on' is set by PostgresStore only in the operator methods (the admin API, after
--     the app layer checked users.is_operator). It admits SELECT and UPDATE on tenants, SELECT on
--     memberships and usage_daily, SELECT on audit_log -- and nothing on palettes, invitations or
--     api_tokens: operators do not read a workspace's content. Counting a workspace's palettes
--     and bytes for the operator list runs per workspace with app.tenant_id set, as aggregates.
--   app.sweep_before admits the soft-deleted tenants whose purge_after has passed (the janitor
--     then purges each with app.tenant_id set to it).
--   audit_log: INSERT always, SELECT for the tenant (app.tenant_id) or an operator; there is no
--     UPDATE or DELETE policy, so no row can change, and the triggers refuse it outright (also
--     TRUNCATE, which row policies do not cover).
-- users, sessions, recovery_codes, password_resets, outbox and operator_setup are global tables
-- like users and sessions (no tenant data).

ALTER TABLE users ADD COLUMN is_operator BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

CREATE TABLE recovery_codes (
  user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT   NOT NULL,
  used_at   BIGINT,                          -- NULL: still usable
  PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE password_resets (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at    BIGINT,                         -- NULL: not used yet
  CONSTRAINT password_resets_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
CREATE INDEX password_resets_expires_at_idx ON password_resets (expires_at);

CREATE TABLE outbox (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recipient  TEXT   NOT NULL,
  subject    TEXT   NOT NULL,
  body       TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  sent_at    BIGINT,                         -- NULL: not delivered by SMTP
  error      TEXT   NOT NULL DEFAULT ''
);

CREATE TABLE operator_setup (
  token_hash TEXT   PRIMARY KEY,
  email      TEXT   NOT NULL DEFAULT '',     -- '' = whoever opens the link chooses
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

ALTER TABLE tenants NO FORCE ROW LEVEL SECURITY;
ALTER TABLE tenants ADD COLUMN plan TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN suspended_at BIGINT;
ALTER TABLE tenants ADD COLUMN deleted_at BIGINT;
ALTER TABLE tenants ADD COLUMN purge_after BIGINT;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE INDEX tenants_purge_after_idx ON tenants (purge_after);

CREATE POLICY tenants_operator_select ON tenants FOR SELECT
  USING (current_setting('app.operator', true) = 'on');
CREATE POLICY tenants_operator_update ON tenants FOR UPDATE
  USING (current_setting('app.operator', true) = 'on');
CREATE POLICY tenants_purge_select ON tenants FOR SELECT
  USING (purge_after <= NULLIF(current_setting('app.sweep_before', true), '')::bigint);
CREATE POLICY memberships_operator_select ON memberships FOR SELECT
  USING (current_setting('app.operator', true) = 'on');

CREATE TABLE usage_daily (
  tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  day       BIGINT NOT NULL,
  metric    TEXT   NOT NULL,
  count     BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, day, metric)
);
ALTER TABLE usage_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY usage_daily_tenant ON usage_daily
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
CREATE POLICY usage_daily_operator_select ON usage_daily FOR SELECT
  USING (current_setting('app.operator', true) = 'on');

CREATE TABLE audit_log (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at  BIGINT NOT NULL,
  tenant_id   BIGINT,                        -- NULL: not about one workspace (log-in, ...)
  actor_id    BIGINT,                        -- NULL: anonymous or the system
  actor_kind  TEXT   NOT NULL CONSTRAINT audit_log_actor_kind_check
                     CHECK (actor_kind IN ('user', 'token', 'operator', 'system', 'anonymous')),
  action      TEXT   NOT NULL,
  target      TEXT   NOT NULL DEFAULT '',
  ip          TEXT   NOT NULL DEFAULT '',
  user_agent  TEXT   NOT NULL DEFAULT '',
  request_id  TEXT   NOT NULL DEFAULT '',
  details     TEXT   NOT NULL DEFAULT '{}'   -- JSON object
);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_insert ON audit_log FOR INSERT WITH CHECK (true);
CREATE POLICY audit_log_tenant_select ON audit_log FOR SELECT
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
CREATE POLICY audit_log_operator_select ON audit_log FOR SELECT
  USING (current_setting('app.operator', true) = 'on');

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
