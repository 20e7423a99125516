// SqliteStore: read-only share links (0007_share_links). Tenant scoping: every statement has
// `tenant_id = ?` in its WHERE (the insert takes the palette only from the caller's tenant); only
// FindShareLink is global, since a link is opened before its workspace is known.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"

namespace pm::store {

using sqlite::Guarded;
using sqlite::Stmt;

namespace {

#define PM_SHARE_SELECT                                                                          \
  "SELECT s.id, s.tenant_id, s.palette_id, s.created_by, COALESCE(u.name, ''), s.created_at, " \
  "s.revoked_at FROM share_links s LEFT JOIN users u ON u.id = s.created_by "

ShareLink ReadShare(Stmt& s) {
  ShareLink l;
  l.id = ShareLinkId(s.Int64(0));
  l.tenant_id = TenantId(s.Int64(1));
  l.palette_id = PaletteId(s.Int64(2));
  l.created_by = UserId(s.Int64(3));  // NULL reads as 0
  l.created_by_name = s.Text(4);
  l.created_at = s.Int64(5);
  if (!s.IsNull(6)) l.revoked_at = s.Int64(6);
  return l;
}

}  // namespace

Result<ShareLink> SqliteStore::CreateShareLink(TenantId tenant, const NewShareLink& link, int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("CreateShareLink", [&]() -> Result<ShareLink> {
    int64_t id = 0;
    {
      // The palette must be the tenant's: a palette id of another tenant inserts nothing.
      Stmt s(*writer_,
             "INSERT INTO share_links (tenant_id, palette_id, token_hash, created_by, created_at) "
             "SELECT tenant_id, id, ?, ?, ? FROM palettes WHERE tenant_id = ? AND id = ? RETURNING id");
      s.Bind(1, link.token_hash);
      s.Bind(2, link.created_by.value);
      s.Bind(3, now);
      s.Bind(4, tenant.value);
      s.Bind(5, link.palette_id.value);
      if (!s.Step()) return MakeError(ErrorCode::kNotFound, "palette not found");
      id = s.Int64(0);
    }
    Stmt s(*writer_, PM_SHARE_SELECT "WHERE s.tenant_id = ? AND s.id = ?");
    s.Bind(1, tenant.value);
    s.Bind(2, id);
    if (!s.Step()) return MakeError(ErrorCode::kInternal, "share link vanished after insert");
    return ReadShare(s);
  });
}

Result<std::vector<ShareLink>> SqliteStore::ListShareLinks(TenantId tenant, PaletteId palette) {
  auto reader = AcquireReader();
  return Guarded("ListShareLinks", [&]() -> Result<std::vector<ShareLink>> {
    Stmt s(*reader, PM_SHARE_SELECT
           "WHERE s.tenant_id = ? AND s.palette_id = ? AND s.revoked_at IS NULL ORDER BY s.id DESC");
    s.Bind(1, tenant.value);
    s.Bind(2, palette.value);
    std::vector<ShareLink> out;
    while (s.Step()) out.push_back(ReadShare(s));
    return out;
  });
}

Status SqliteStore::RevokeShareLink(TenantId tenant, PaletteId palette, ShareLinkId id, int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("RevokeShareLink", [&]() -> Status {
    Stmt s(*writer_,
           "UPDATE share_links SET revoked_at = ? WHERE tenant_id = ? AND palette_id = ? AND id = ? "
           "AND revoked_at IS NULL");
    s.Bind(1, now);
    s.Bind(2, tenant.value);
    s.Bind(3, palette.value);
    s.Bind(4, id.value);
    if (s.Exec() == 0) return MakeError(ErrorCode::kNotFound, "share link not found");
    return Status::Ok();
  });
}

Result<ShareLink> SqliteStore::FindShareLink(std::string_view token_hash) {
  auto reader = AcquireReader();
  return Guarded("FindShareLink", [&]() -> Result<ShareLink> {
    Stmt s(*reader, PM_SHARE_SELECT
           "JOIN tenants t ON t.id = s.tenant_id WHERE s.token_hash = ? AND s.revoked_at IS NULL "
           "AND t.deleted_at IS NULL");
    s.Bind(1, token_hash);
    if (!s.Step()) return MakeError(ErrorCode::kNotFound, "share link not found");
    return ReadShare(s);
  });
}

}  // namespace pm::store
