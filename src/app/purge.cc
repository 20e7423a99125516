#include "app/purge.h"

#include "common/log.h"
#include "objects/object_store.h"

namespace pm::app {

Result<PurgeReport> PurgeWorkspace(const Services& services, TenantId tenant) {
  PurgeReport report;
  // TenantKey validates the rest; "x" gives "tenants/<id>/x", so cut the last segment off.
  PM_ASSIGN_OR_RETURN(std::string probe, objects::TenantKey(tenant, "x"));
  std::string prefix = probe.substr(0, probe.size() - 1);
  PM_ASSIGN_OR_RETURN(std::vector<objects::ObjectInfo> objects, services.objects->List(prefix));
  for (const objects::ObjectInfo& o : objects) {
    Status st = services.objects->Delete(o.key);
    if (!st.ok() && st.error().code != ErrorCode::kNotFound) return st.error();
    ++report.objects_deleted;
  }
  Status rows = services.store->PurgeTenant(tenant);
  if (!rows.ok()) return rows.error();
  log::Info("workspace purged", {{"tenant_id", static_cast<long long>(tenant.value)},
                                 {"objects_deleted", report.objects_deleted}});
  return report;
}

}  // namespace pm::app
