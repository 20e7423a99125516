-- 0005_invitation_sweep: the janitor deletes expired invitations (Store::DeleteExpiredInvitations).
--
-- The SQLite twin (schema/sqlite/0005_invitation_sweep.sql) has the same version number and index
-- name.
--
-- Row-Level Security: the sweep runs across tenants, so it cannot set app.tenant_id. It sets
-- app.sweep_before (Unix ms) instead, and these policies admit exactly the invitations that had
-- expired by then: a DELETE reads the rows it matches, so it needs a SELECT policy as well as a
-- DELETE one. Expired invitations can no longer be accepted, so nothing usable is opened; with
-- the setting unset (every other transaction) both admit no row.

CREATE INDEX invitations_expires_at_idx ON invitations (expires_at);

CREATE POLICY invitations_sweep_select ON invitations FOR SELECT
  USING (expires_at <= NULLIF(current_setting('app.sweep_before', true), '')::bigint);
CREATE POLICY invitations_sweep_delete ON invitations FOR DELETE
  USING (expires_at <= NULLIF(current_setting('app.sweep_before', true), '')::bigint);
