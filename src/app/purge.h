// Removing a workspace for good: its objects, then every row (store::Store::PurgeTenant). Used by
// the janitor (soft-deleted workspaces past their grace period) and by account erasure (the
// user's personal workspace). Idempotent: a purge that failed half-way is simply run again.
#pragma once

#include "app/services.h"
#include "common/result.h"

namespace pm::app {

struct PurgeReport {
  int objects_deleted = 0;
};

// Deletes every object under tenants/{tenant}/ and then the rows. An object that cannot be deleted
// stops the purge before any row is removed (kUnavailable), so nothing is left unreferenced that a
// later run could not find again. kNotFound when the workspace no longer exists (its objects are
// still deleted).
Result<PurgeReport> PurgeWorkspace(const Services& services, TenantId tenant);

}  // namespace pm::app
