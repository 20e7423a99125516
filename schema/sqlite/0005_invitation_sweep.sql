-- 0005_invitation_sweep: the janitor deletes expired invitations (Store::DeleteExpiredInvitations).
--
-- The PostgreSQL twin (schema/postgres/0005_invitation_sweep.sql) has the same version number and
-- index name; it also adds the Row-Level Security policies the sweep needs there.

CREATE INDEX invitations_expires_at_idx ON invitations (expires_at);
