// SqliteStore: operators and the workspace lifecycle (suspension, soft-delete, purge).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"

namespace pm::store {

using sqlite::Guarded;
using sqlite::Stmt;
using sqlite::WriteTransaction;

Status SqliteStore::PurgeTenant(TenantId tenant) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("PurgeTenant", [&]() -> Status {
    WriteTransaction tx(*writer_);
    // Children first, each explicitly (palettes have no ON DELETE CASCADE on purpose: a palette
    // is never removed by accident with its workspace row).
    for (const char* sql : {"DELETE FROM palettes WHERE tenant_id = ?",
                            "DELETE FROM invitations WHERE tenant_id = ?",
                            "DELETE FROM api_tokens WHERE tenant_id = ?",
                            "DELETE FROM memberships WHERE tenant_id = ?",
                            "DELETE FROM usage_daily WHERE tenant_id = ?"}) {
      Stmt s(*writer_, sql);
      s.Bind(1, tenant.value);
      s.Exec();
    }
    Stmt del(*writer_, "DELETE FROM tenants WHERE id = ?");
    del.Bind(1, tenant.value);
    if (del.Exec() == 0) return MakeError(ErrorCode::kNotFound, "workspace not found");
    tx.Commit();
    return Status::Ok();
  });
}

}  // namespace pm::store
