// PostgresStore: read-only share links (0007_share_links). Tenant-scoped statements have
// `tenant_id = $n` in their WHERE and run with app.tenant_id set, so the share_links_tenant policy
// admits only that tenant's rows. FindShareLink first sets app.token_hash, which the
// share_links_by_token policy keys on (exactly the presented token's row, read-only), then
// app.tenant_id to that row's tenant to check the workspace, as AcceptInvitation does.
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;
using postgres::Rows;

namespace {

#define PM_PG_SHARE_SELECT                                                                       \
  "SELECT s.id, s.tenant_id, s.palette_id, s.created_by, COALESCE(u.name, ''), s.created_at, " \
  "s.revoked_at FROM share_links s LEFT JOIN users u ON u.id = s.created_by "

ShareLink ReadShare(const Rows& r, int i) {
  ShareLink l;
  l.id = ShareLinkId(r.Int64(i, 0));
  l.tenant_id = TenantId(r.Int64(i, 1));
  l.palette_id = PaletteId(r.Int64(i, 2));
  l.created_by = UserId(r.Int64(i, 3));  // NULL reads as 0
  l.created_by_name = r.Text(i, 4);
  l.created_at = r.Int64(i, 5);
  if (!r.IsNull(i, 6)) l.revoked_at = r.Int64(i, 6);
  return l;
}

Error ShareNotFound() { return MakeError(ErrorCode::kNotFound, "share link not found"); }

}  // namespace

Result<ShareLink> PostgresStore::CreateShareLink(TenantId tenant, const NewShareLink& link, int64_t now) {
  ShareLink out;
  PM_RETURN_IF_ERROR(Run("CreateShareLink", TenantWrite(tenant), [&](Connection& c) -> Status {
    // The palette must be the tenant's: a palette id of another tenant inserts nothing.
    PM_ASSIGN_OR_RETURN(Rows ins, c.ExecPrepared("pm_share_insert",
                                                 "INSERT INTO share_links (tenant_id, palette_id, token_hash, "
                                                 "created_by, created_at) SELECT tenant_id, id, $3, $4, $5 "
                                                 "FROM palettes WHERE tenant_id = $1 AND id = $2 RETURNING id",
                                                 Params()
                                                     .Add(tenant.value)
                                                     .Add(link.palette_id.value)
                                                     .Add(link.token_hash)
                                                     .Add(link.created_by.value)
                                                     .Add(now)));
    if (ins.empty()) return MakeError(ErrorCode::kNotFound, "palette not found");
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_share_get",
                                               PM_PG_SHARE_SELECT "WHERE s.tenant_id = $1 AND s.id = $2",
                                               Params().Add(tenant.value).Add(ins.Int64(0, 0))));
    if (r.empty()) return MakeError(ErrorCode::kInternal, "share link vanished after insert");
    out = ReadShare(r, 0);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<ShareLink>> PostgresStore::ListShareLinks(TenantId tenant, PaletteId palette) {
  std::vector<ShareLink> out;
  PM_RETURN_IF_ERROR(Run("ListShareLinks", TenantRead(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_share_list",
                                               PM_PG_SHARE_SELECT
                                               "WHERE s.tenant_id = $1 AND s.palette_id = $2 AND "
                                               "s.revoked_at IS NULL ORDER BY s.id DESC",
                                               Params().Add(tenant.value).Add(palette.value)));
    out.clear();
    for (int i = 0; i < r.size(); ++i) out.push_back(ReadShare(r, i));
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::RevokeShareLink(TenantId tenant, PaletteId palette, ShareLinkId id, int64_t now) {
  return Run("RevokeShareLink", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_share_revoke",
                                               "UPDATE share_links SET revoked_at = $4 WHERE tenant_id = $1 "
                                               "AND palette_id = $2 AND id = $3 AND revoked_at IS NULL",
                                               Params().Add(tenant.value).Add(palette.value).Add(id.value).Add(now)));
    if (r.Affected() == 0) return ShareNotFound();
    return Status::Ok();
  });
}

Result<ShareLink> PostgresStore::FindShareLink(std::string_view token_hash) {
  ShareLink out;
  PM_RETURN_IF_ERROR(Run("FindShareLink", Scope{Access::kRead, true, {}, {}}, [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_set_token_hash", "SELECT set_config('app.token_hash', $1, true)",
                                      Params().Add(token_hash)));
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_share_find",
                                               PM_PG_SHARE_SELECT "WHERE s.token_hash = $1 AND s.revoked_at IS NULL",
                                               Params().Add(token_hash)));
    if (r.empty()) return ShareNotFound();
    out = ReadShare(r, 0);
    // The workspace is known now: from here on inside it (tenants admits its own row only).
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_set_tenant", "SELECT set_config('app.tenant_id', $1, true)",
                                      Params().Add(out.tenant_id.value)));
    PM_ASSIGN_OR_RETURN(Rows t, c.ExecPrepared("pm_share_tenant_live",
                                               "SELECT 1 FROM tenants WHERE id = $1 AND deleted_at IS NULL",
                                               Params().Add(out.tenant_id.value)));
    if (t.empty()) return ShareNotFound();
    return Status::Ok();
  }));
  return out;
}

}  // namespace pm::store
