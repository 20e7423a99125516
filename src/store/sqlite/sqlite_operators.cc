// SqliteStore: operators and the workspace lifecycle (setup links, operator views of workspaces,
// plan, suspension, soft-delete, restore, purge). Operator views read tenants, memberships and
// users only; the usage totals are aggregates of one tenant's palettes.
#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/user_row.h"

namespace pm::store {

using sqlite::Connection;
using sqlite::Guarded;
using sqlite::Stmt;
using sqlite::WriteTransaction;

namespace {


#define PM_OP_TENANT_COLUMNS \
  "t.id, t.slug, t.name, t.created_at, t.personal, t.plan, t.suspended_at, t.deleted_at, t.purge_after"

// Reads PM_OP_TENANT_COLUMNS starting at column `at`.
Workspace ReadTenant(Stmt& s, int at = 0) {
  Workspace w;
  w.id = TenantId(s.Int64(at + 0));
  w.slug = s.Text(at + 1);
  w.name = s.Text(at + 2);
  w.created_at = s.Int64(at + 3);
  w.personal = s.Int64(at + 4) != 0;
  w.plan = s.Text(at + 5);
  if (!s.IsNull(at + 6)) w.suspended_at = s.Int64(at + 6);
  if (!s.IsNull(at + 7)) w.deleted_at = s.Int64(at + 7);
  if (!s.IsNull(at + 8)) w.purge_after = s.Int64(at + 8);
  return w;
}

// The owner (LEFT JOIN: a summary never disappears for want of one) and the member count.
#define PM_OP_SUMMARY_SELECT                                                              \
  "SELECT " PM_OP_TENANT_COLUMNS ", o.user_id, u.email, "                                \
  "(SELECT COUNT(*) FROM memberships c WHERE c.tenant_id = t.id) FROM tenants t "        \
  "LEFT JOIN memberships o ON o.tenant_id = t.id AND o.role = 'owner' "                 \
  "LEFT JOIN users u ON u.id = o.user_id "

TenantSummary ReadSummary(Stmt& s) {
  TenantSummary out;
  out.workspace = ReadTenant(s);
  out.owner_id = UserId(s.IsNull(9) ? 0 : s.Int64(9));
  out.owner_email = s.Text(10);
  out.members = s.Int64(11);
  return out;
}

int StatusCode(const std::optional<TenantStatus>& status) {
  if (!status) return 0;
  switch (*status) {
    case TenantStatus::kActive: return 1;
    case TenantStatus::kSuspended: return 2;
    case TenantStatus::kDeleted: return 3;
  }
  return 0;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

Error WorkspaceNotFound() { return MakeError(ErrorCode::kNotFound, "workspace not found"); }

}  // namespace

Result<int64_t> SqliteStore::CountOperators() {
  auto reader = AcquireReader();
  return Guarded("CountOperators", [&]() -> Result<int64_t> {
    Stmt s(*reader, "SELECT COUNT(*) FROM users WHERE is_operator = 1");
    s.Step();
    return s.Int64(0);
  });
}

Status SqliteStore::CreateOperatorSetup(std::string_view token_hash, std::string_view email, int64_t now,
                                        int64_t expires_at) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("CreateOperatorSetup", [&]() -> Status {
    WriteTransaction tx(*writer_);
    {
      Stmt del(*writer_, "DELETE FROM operator_setup WHERE email = ? OR expires_at <= ?");
      del.Bind(1, email);
      del.Bind(2, now);
      del.Exec();
    }
    Stmt ins(*writer_,
             "INSERT INTO operator_setup (token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?)");
    ins.Bind(1, token_hash);
    ins.Bind(2, email);
    ins.Bind(3, now);
    ins.Bind(4, expires_at);
    ins.Exec();
    tx.Commit();
    return Status::Ok();
  });
}

Result<OperatorSetup> SqliteStore::FindOperatorSetup(std::string_view token_hash, int64_t now) {
  auto reader = AcquireReader();
  return Guarded("FindOperatorSetup", [&]() -> Result<OperatorSetup> {
    Stmt s(*reader,
           "SELECT token_hash, email, created_at, expires_at FROM operator_setup "
           "WHERE token_hash = ? AND expires_at > ?");
    s.Bind(1, token_hash);
    s.Bind(2, now);
    if (!s.Step()) return MakeError(ErrorCode::kNotFound, "setup link not found or expired");
    return OperatorSetup{s.Text(0), s.Text(1), s.Int64(2), s.Int64(3)};
  });
}

Result<User> SqliteStore::ConsumeOperatorSetup(std::string_view token_hash, int64_t now,
                                               const OperatorClaim& claim) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  try {
    Connection& conn = *writer_;
    WriteTransaction tx(conn);
    {
      Stmt take(conn, "DELETE FROM operator_setup WHERE token_hash = ? AND expires_at > ? RETURNING email");
      take.Bind(1, token_hash);
      take.Bind(2, now);
      if (!take.Step()) return MakeError(ErrorCode::kNotFound, "setup link not found or expired");
      std::string bound = take.Text(0);
      if (!bound.empty() && bound != claim.email) {
        return MakeError(ErrorCode::kPermissionDenied, "this setup link is for another e-mail address");
      }
    }
    UserId id;
    if (claim.existing) {
      id = *claim.existing;
    } else {
      {
        Stmt ins(conn, "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id");
        ins.Bind(1, claim.user.email);
        ins.Bind(2, claim.user.name);
        ins.Bind(3, claim.user.password_hash);
        ins.Bind(4, now);
        ins.Step();
        id = UserId(ins.Int64(0));
      }
      int64_t tenant = 0;
      {
        Stmt ins(conn, "INSERT INTO tenants (slug, name, created_at, personal) VALUES (?, ?, ?, 1) RETURNING id");
        ins.Bind(1, claim.personal.slug);
        ins.Bind(2, claim.personal.name);
        ins.Bind(3, now);
        ins.Step();
        tenant = ins.Int64(0);
      }
      Stmt ins(conn, "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)");
      ins.Bind(1, tenant);
      ins.Bind(2, id.value);
      ins.Bind(3, now);
      ins.Exec();
    }
    User out;
    {
      Stmt up(conn, "UPDATE users SET is_operator = 1 WHERE id = ? AND email = ? RETURNING " PM_USER_COLUMNS);
      up.Bind(1, id.value);
      up.Bind(2, claim.email);
      if (!up.Step()) return MakeError(ErrorCode::kNotFound, "user not found");
      out = sqlite::ReadUser(up);
    }
    tx.Commit();
    return out;
  } catch (const SQLite::Exception& e) {
    if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) {
      if (Contains(e.what(), "users.email")) {
        return MakeError(ErrorCode::kAlreadyExists, "e-mail address is already registered");
      }
      if (Contains(e.what(), "tenants.slug")) {
        return MakeError(ErrorCode::kConflict, "workspace slug '" + claim.personal.slug + "' is taken");
      }
    }
    return sqlite::ErrorFromCurrentException("ConsumeOperatorSetup");
  } catch (...) {
    return sqlite::ErrorFromCurrentException("ConsumeOperatorSetup");
  }
}

Status SqliteStore::CreatePasswordResetForUser(UserId user, std::string_view token_hash, int64_t now,
                                               int64_t expires_at) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("CreatePasswordResetForUser", [&]() -> Status {
    Stmt ins(*writer_,
             "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)");
    ins.Bind(1, user.value);
    ins.Bind(2, token_hash);
    ins.Bind(3, now);
    ins.Bind(4, expires_at);
    ins.Exec();
    return Status::Ok();
  });
}

Result<std::vector<TenantSummary>> SqliteStore::ListTenantSummaries(const TenantFilter& filter) {
  auto reader = AcquireReader();
  return Guarded("ListTenantSummaries", [&]() -> Result<std::vector<TenantSummary>> {
    // instr() rather than LIKE: the query is plain text, no wildcards to escape.
    Stmt s(*reader, PM_OP_SUMMARY_SELECT
           "WHERE t.id > ?1 AND (?2 = '' OR instr(t.slug, ?2) > 0 OR instr(lower(t.name), ?2) > 0 "
           "OR instr(u.email, ?2) > 0) AND (?3 = 0 "
           "OR (?3 = 1 AND t.deleted_at IS NULL AND t.suspended_at IS NULL) "
           "OR (?3 = 2 AND t.deleted_at IS NULL AND t.suspended_at IS NOT NULL) "
           "OR (?3 = 3 AND t.deleted_at IS NOT NULL)) ORDER BY t.id LIMIT ?4");
    s.Bind(1, filter.after_id);
    s.Bind(2, filter.query);
    s.Bind(3, StatusCode(filter.status));
    s.Bind(4, filter.limit);
    std::vector<TenantSummary> out;
    while (s.Step()) out.push_back(ReadSummary(s));
    return out;
  });
}

Result<TenantSummary> SqliteStore::GetTenantSummary(TenantId tenant) {
  auto reader = AcquireReader();
  return Guarded("GetTenantSummary", [&]() -> Result<TenantSummary> {
    Stmt s(*reader, PM_OP_SUMMARY_SELECT "WHERE t.id = ?");
    s.Bind(1, tenant.value);
    if (!s.Step()) return WorkspaceNotFound();
    return ReadSummary(s);
  });
}

Result<TenantUsageTotals> SqliteStore::GetTenantUsageTotals(TenantId tenant) {
  auto reader = AcquireReader();
  return Guarded("GetTenantUsageTotals", [&]() -> Result<TenantUsageTotals> {
    // Duplicates share their source's object: each stored image counts once.
    Stmt s(*reader,
           "SELECT (SELECT COUNT(*) FROM palettes WHERE tenant_id = ?1), "
           "(SELECT COALESCE(SUM(b), 0) FROM (SELECT MAX(image_bytes) AS b FROM palettes "
           "WHERE tenant_id = ?1 GROUP BY object_key))");
    s.Bind(1, tenant.value);
    s.Step();
    return TenantUsageTotals{s.Int64(0), s.Int64(1)};
  });
}

// One lifecycle UPDATE ... RETURNING on the writer; when it matched no row, `why` tells the
// missing workspace (kNotFound) from one in the wrong state (its conflict message).
Result<Workspace> SqliteStore::UpdateTenantRow(const char* op, const char* sql,
                                               const std::function<void(Stmt&)>& bind, TenantId tenant,
                                               const char* conflict) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded(op, [&]() -> Result<Workspace> {
    WriteTransaction tx(*writer_);
    Workspace w;
    {
      Stmt up(*writer_, sql);
      bind(up);
      if (!up.Step()) {
        Stmt exists(*writer_, "SELECT 1 FROM tenants WHERE id = ?");
        exists.Bind(1, tenant.value);
        if (!exists.Step()) return WorkspaceNotFound();
        return MakeError(ErrorCode::kConflict, conflict);
      }
      w = ReadTenant(up);
    }
    tx.Commit();
    return w;
  });
}

#define PM_OP_RETURNING \
  " RETURNING id, slug, name, created_at, personal, plan, suspended_at, deleted_at, purge_after"

Result<Workspace> SqliteStore::SetTenantPlan(TenantId tenant, std::string_view plan) {
  return UpdateTenantRow(
      "SetTenantPlan", "UPDATE tenants SET plan = ? WHERE id = ?" PM_OP_RETURNING,
      [&](Stmt& s) {
        s.Bind(1, plan);
        s.Bind(2, tenant.value);
      },
      tenant, "");
}

Result<Workspace> SqliteStore::SuspendTenant(TenantId tenant, int64_t now) {
  return UpdateTenantRow(
      "SuspendTenant",
      "UPDATE tenants SET suspended_at = COALESCE(suspended_at, ?) WHERE id = ? AND deleted_at IS NULL" PM_OP_RETURNING,
      [&](Stmt& s) {
        s.Bind(1, now);
        s.Bind(2, tenant.value);
      },
      tenant, "the workspace is deleted: restore it first");
}

Result<Workspace> SqliteStore::ReactivateTenant(TenantId tenant) {
  return UpdateTenantRow(
      "ReactivateTenant",
      "UPDATE tenants SET suspended_at = NULL WHERE id = ? AND deleted_at IS NULL" PM_OP_RETURNING,
      [&](Stmt& s) { s.Bind(1, tenant.value); }, tenant, "the workspace is deleted: restore it first");
}

Result<Workspace> SqliteStore::SoftDeleteTenant(TenantId tenant, int64_t now, int64_t purge_after) {
  return UpdateTenantRow(
      "SoftDeleteTenant",
      "UPDATE tenants SET deleted_at = ?, purge_after = ? WHERE id = ? AND deleted_at IS NULL" PM_OP_RETURNING,
      [&](Stmt& s) {
        s.Bind(1, now);
        s.Bind(2, purge_after);
        s.Bind(3, tenant.value);
      },
      tenant, "the workspace is already deleted");
}

Result<Workspace> SqliteStore::RestoreTenant(TenantId tenant, int64_t now) {
  return UpdateTenantRow(
      "RestoreTenant",
      "UPDATE tenants SET deleted_at = NULL, purge_after = NULL "
      "WHERE id = ? AND deleted_at IS NOT NULL AND purge_after > ?" PM_OP_RETURNING,
      [&](Stmt& s) {
        s.Bind(1, tenant.value);
        s.Bind(2, now);
      },
      tenant, "the workspace is not deleted, or its grace period is over");
}

Result<std::vector<TenantId>> SqliteStore::ListTenantsToPurge(int64_t now, int limit) {
  auto reader = AcquireReader();
  return Guarded("ListTenantsToPurge", [&]() -> Result<std::vector<TenantId>> {
    Stmt s(*reader,
           "SELECT id FROM tenants WHERE deleted_at IS NOT NULL AND purge_after <= ? "
           "ORDER BY purge_after, id LIMIT ?");
    s.Bind(1, now);
    s.Bind(2, limit);
    std::vector<TenantId> out;
    while (s.Step()) out.push_back(TenantId(s.Int64(0)));
    return out;
  });
}

Status SqliteStore::PurgeTenant(TenantId tenant) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("PurgeTenant", [&]() -> Status {
    WriteTransaction tx(*writer_);
    // Children first, each explicitly (palettes have no ON DELETE CASCADE on purpose: a palette
    // is never removed by accident with its workspace row).
    for (const char* sql : {"DELETE FROM share_links WHERE tenant_id = ?",
                            "DELETE FROM palettes WHERE tenant_id = ?",
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
