// PostgresStore: palettes. Tenant scoping, twice: every statement has `tenant_id = $n` in its
// WHERE (or inserts the caller's tenant), and runs in a transaction that set app.tenant_id first,
// so the palettes policy (schema/postgres/0001_init.sql) admits only that tenant's rows. A row of
// another tenant is indistinguishable from a missing one (kNotFound).
#include <algorithm>

#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;
using postgres::Rows;

namespace {

#define PM_PALETTE_COLUMNS                                                                   \
  "id, tenant_id, name, object_key, image_format, image_mime, image_width, image_height, " \
  "image_bytes, image_sha256, colors_json, labels_json, coverage_json, regions_json, "     \
  "region_colors_json, params_json, position, created_by, created_at, updated_at"

Palette ReadPalette(const Rows& r, int i) {
  Palette p;
  p.id = PaletteId(r.Int64(i, 0));
  p.tenant_id = TenantId(r.Int64(i, 1));
  p.name = r.Text(i, 2);
  p.image.object_key = r.Text(i, 3);
  p.image.format = r.Text(i, 4);
  p.image.mime = r.Text(i, 5);
  p.image.width = r.Int(i, 6);
  p.image.height = r.Int(i, 7);
  p.image.bytes = r.Int64(i, 8);
  p.image.sha256 = r.Text(i, 9);
  p.colors_json = r.Text(i, 10);
  p.labels_json = r.Text(i, 11);
  p.coverage_json = r.Text(i, 12);
  p.regions_json = r.Text(i, 13);
  p.region_colors_json = r.Text(i, 14);
  p.params_json = r.Text(i, 15);
  p.position = r.Int64(i, 16);
  p.created_by = UserId(r.Int64(i, 17));  // NULL (creator erased) reads as 0
  p.created_at = r.Int64(i, 18);
  p.updated_at = r.Int64(i, 19);
  return p;
}

Error PaletteNotFound() { return MakeError(ErrorCode::kNotFound, "palette not found"); }

constexpr const char* kForeignKeyViolation = "23503";

}  // namespace

Result<Palette> PostgresStore::CreatePalette(TenantId tenant, const NewPalette& palette,
                                             int64_t now) {
  Palette out;
  PM_RETURN_IF_ERROR(Run("CreatePalette", TenantWrite(tenant), [&](Connection& c) -> Status {
    // Creates in one tenant queue on its row, so two cannot take the same position (MAX + 1).
    // FOR NO KEY UPDATE does not block the foreign-key checks (FOR KEY SHARE) of other inserts.
    PM_ASSIGN_OR_RETURN(Rows lock, c.ExecPrepared("pm_tenant_lock",
                                                  "SELECT 1 FROM tenants WHERE id = $1 "
                                                  "FOR NO KEY UPDATE",
                                                  Params().Add(tenant.value)));
    if (lock.empty()) return MakeError(ErrorCode::kNotFound, "workspace or user not found");
    Params params;
    params.Add(tenant.value)
        .Add(palette.name)
        .Add(palette.image.object_key)
        .Add(palette.image.format)
        .Add(palette.image.mime)
        .Add(palette.image.width)
        .Add(palette.image.height)
        .Add(palette.image.bytes)
        .Add(palette.image.sha256)
        .Add(palette.colors_json)
        .Add(palette.labels_json)
        .Add(palette.coverage_json)
        .Add(palette.params_json);
    if (palette.created_by.value > 0) {
      params.Add(palette.created_by.value);
    } else {
      params.AddNull();
    }
    params.Add(now);
    auto ins = c.ExecPrepared(
        "pm_palette_insert",
        "INSERT INTO palettes (tenant_id, name, object_key, image_format, image_mime, "
        "image_width, image_height, image_bytes, image_sha256, colors_json, labels_json, "
        "coverage_json, params_json, position, created_by, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM palettes WHERE tenant_id = $1), "
        "$14, $15, $15) RETURNING " PM_PALETTE_COLUMNS,
        params);
    if (!ins.ok()) {
      if (c.last_sqlstate() == kForeignKeyViolation) {
        // The creating user does not exist (the tenant was locked above).
        return MakeError(ErrorCode::kNotFound, "workspace or user not found");
      }
      return ins.error();
    }
    out = ReadPalette(*ins, 0);
    return Status::Ok();
  }));
  return out;
}

Result<PalettePage> PostgresStore::ListPalettes(TenantId tenant,
                                                const std::optional<PageCursor>& after,
                                                int limit) {
  if (limit < 1 || limit > 1000) {
    return MakeError(ErrorCode::kInvalidArgument, "limit must be between 1 and 1000 inclusive");
  }
  PalettePage page;
  PM_RETURN_IF_ERROR(Run("ListPalettes", TenantRead(tenant), [&](Connection& c) -> Status {
    // One row more than asked tells whether another page follows. The redundant
    // `position <= $2` lets the index seek straight to the cursor.
    auto rows = after ? c.ExecPrepared("pm_palette_list_after",
                                       "SELECT " PM_PALETTE_COLUMNS " FROM palettes "
                                       "WHERE tenant_id = $1 AND position <= $2 "
                                       "AND (position < $2 OR (position = $2 AND id < $3)) "
                                       "ORDER BY position DESC, id DESC LIMIT $4",
                                       Params()
                                           .Add(tenant.value)
                                           .Add(after->position)
                                           .Add(after->id)
                                           .Add(limit + 1))
                      : c.ExecPrepared("pm_palette_list",
                                       "SELECT " PM_PALETTE_COLUMNS " FROM palettes "
                                       "WHERE tenant_id = $1 "
                                       "ORDER BY position DESC, id DESC LIMIT $2",
                                       Params().Add(tenant.value).Add(limit + 1));
    if (!rows.ok()) return rows.error();
    page = PalettePage{};
    page.items.reserve(static_cast<size_t>(std::min(rows->size(), limit)));
    for (int i = 0; i < rows->size(); ++i) {
      if (i == limit) {
        const Palette& last = page.items.back();
        page.next = PageCursor{last.position, last.id.value};
        break;
      }
      page.items.push_back(ReadPalette(*rows, i));
    }
    return Status::Ok();
  }));
  return page;
}

Result<Palette> PostgresStore::GetPalette(TenantId tenant, PaletteId id) {
  Palette out;
  PM_RETURN_IF_ERROR(Run("GetPalette", TenantRead(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_palette_get",
                                               "SELECT " PM_PALETTE_COLUMNS
                                               " FROM palettes WHERE tenant_id = $1 AND id = $2",
                                               Params().Add(tenant.value).Add(id.value)));
    if (r.empty()) return PaletteNotFound();
    out = ReadPalette(r, 0);
    return Status::Ok();
  }));
  return out;
}

Result<Palette> PostgresStore::UpdatePalette(TenantId tenant, PaletteId id,
                                             const PaletteUpdate& update, int64_t now) {
  Palette out;
  PM_RETURN_IF_ERROR(Run("UpdatePalette", TenantWrite(tenant), [&](Connection& c) -> Status {
    // One prepared statement for every combination of fields: an unset field binds NULL and
    // COALESCE keeps the column (all of them are NOT NULL, so NULL never means a value).
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_palette_update",
                               "UPDATE palettes SET name = COALESCE($1, name), "
                               "colors_json = COALESCE($2, colors_json), "
                               "labels_json = COALESCE($3, labels_json), "
                               "coverage_json = COALESCE($4, coverage_json), "
                               "regions_json = COALESCE($5, regions_json), "
                               "region_colors_json = COALESCE($6, region_colors_json), "
                               "params_json = COALESCE($7, params_json), updated_at = $8 "
                               "WHERE tenant_id = $9 AND id = $10 RETURNING " PM_PALETTE_COLUMNS,
                               Params()
                                   .Add(update.name)
                                   .Add(update.colors_json)
                                   .Add(update.labels_json)
                                   .Add(update.coverage_json)
                                   .Add(update.regions_json)
                                   .Add(update.region_colors_json)
                                   .Add(update.params_json)
                                   .Add(now)
                                   .Add(tenant.value)
                                   .Add(id.value)));
    if (r.empty()) return PaletteNotFound();
    out = ReadPalette(r, 0);
    return Status::Ok();
  }));
  return out;
}

Result<Palette> PostgresStore::DeletePalette(TenantId tenant, PaletteId id) {
  Palette out;
  PM_RETURN_IF_ERROR(Run("DeletePalette", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_palette_delete",
                                               "DELETE FROM palettes WHERE tenant_id = $1 AND "
                                               "id = $2 RETURNING " PM_PALETTE_COLUMNS,
                                               Params().Add(tenant.value).Add(id.value)));
    if (r.empty()) return PaletteNotFound();
    out = ReadPalette(r, 0);
    return Status::Ok();
  }));
  return out;
}

Result<bool> PostgresStore::ObjectKeyInUse(TenantId tenant, std::string_view object_key) {
  bool in_use = false;
  PM_RETURN_IF_ERROR(Run("ObjectKeyInUse", TenantRead(tenant), [&](Connection& c) -> Status {
    // palettes_tenant_object_key_idx (0002) makes this a seek.
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_palette_object_key_in_use",
                                               "SELECT 1 FROM palettes WHERE tenant_id = $1 "
                                               "AND object_key = $2 LIMIT 1",
                                               Params().Add(tenant.value).Add(object_key)));
    in_use = !r.empty();
    return Status::Ok();
  }));
  return in_use;
}

}  // namespace pm::store
