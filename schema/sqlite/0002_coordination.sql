-- 0002_coordination: fixed-window counters and leases shared by every replica, and an index for
-- the orphaned-object cleanup (ObjectKeyInUse).
--
-- The PostgreSQL twin (schema/postgres/0002_coordination.sql) has the same version number,
-- table, column and index names, and the same semantics. counters and leases are global
-- (not tenant-scoped): their keys are chosen by the app layer.

-- Fixed-window counters (log-in throttling, quotas, rate limits): one row per key and window.
CREATE TABLE counters (
  key          TEXT    NOT NULL,
  window_start INTEGER NOT NULL,               -- Unix ms
  count        INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,               -- Unix ms; the row may be deleted after it
  PRIMARY KEY (key, window_start)
);
-- DeleteExpiredCounters(now).
CREATE INDEX counters_expires_at_idx ON counters (expires_at);

-- Leases for background work that must run on one replica at a time.
CREATE TABLE leases (
  name       TEXT    PRIMARY KEY,
  holder     TEXT    NOT NULL,
  expires_at INTEGER NOT NULL                  -- Unix ms
);

-- ObjectKeyInUse(tenant, key).
CREATE INDEX palettes_tenant_object_key_idx ON palettes (tenant_id, object_key);
