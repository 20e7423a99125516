// PostgresStore: palettes. Tenant scoping, twice: every statement has `tenant_id = $n` in its
// WHERE (or inserts the caller's tenant), and runs in a transaction that set app.tenant_id first,
// so the palettes policy (schema/postgres/0001_init.sql) admits only that tenant's rows. A row of
// another tenant is indistinguishable from a missing one (kNotFound).
#include <algorithm>

#include "store/palette_order.h"
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
  "region_colors_json, params_json, position, created_by, created_at, updated_at, "         \
  "region_labels_json, background_index"

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
  p.region_labels_json = r.Text(i, 20);
  if (!r.IsNull(i, 21)) p.background_index = r.Int(i, 21);
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
    // background_index is nullable, so a flag ($12) says whether to set it. updated_at only
    // moves forward, so it doubles as the row version that $14 (if_updated_at) compares.
    Params params;
    params.Add(update.name)
        .Add(update.colors_json)
        .Add(update.labels_json)
        .Add(update.coverage_json)
        .Add(update.regions_json)
        .Add(update.region_colors_json)
        .Add(update.params_json)
        .Add(now)
        .Add(tenant.value)
        .Add(id.value)
        .Add(update.region_labels_json)
        .Add(update.background_index.has_value() ? "true" : "false");
    if (update.background_index && *update.background_index) {
      params.Add(**update.background_index);
    } else {
      params.AddNull();
    }
    if (update.if_updated_at) {
      params.Add(*update.if_updated_at);
    } else {
      params.AddNull();
    }
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_palette_update",
                               "UPDATE palettes SET name = COALESCE($1, name), "
                               "colors_json = COALESCE($2, colors_json), "
                               "labels_json = COALESCE($3, labels_json), "
                               "coverage_json = COALESCE($4, coverage_json), "
                               "regions_json = COALESCE($5, regions_json), "
                               "region_colors_json = COALESCE($6, region_colors_json), "
                               "params_json = COALESCE($7, params_json), "
                               "region_labels_json = COALESCE($11, region_labels_json), "
                               "background_index = CASE WHEN $12::boolean THEN $13::integer "
                               "ELSE background_index END, "
                               "updated_at = GREATEST($8::bigint, updated_at + 1) "
                               "WHERE tenant_id = $9 AND id = $10 "
                               "AND ($14::bigint IS NULL OR updated_at = $14::bigint) "
                               "RETURNING " PM_PALETTE_COLUMNS,
                               params));
    if (!r.empty()) {
      out = ReadPalette(r, 0);
      return Status::Ok();
    }
    if (!update.if_updated_at) return PaletteNotFound();
    // Missing, or changed since the caller read it? (A concurrent writer that committed first
    // moved updated_at; one still running made our UPDATE wait, then re-check the condition.)
    PM_ASSIGN_OR_RETURN(Rows e, c.ExecPrepared("pm_palette_exists",
                                               "SELECT 1 FROM palettes WHERE tenant_id = $1 "
                                               "AND id = $2",
                                               Params().Add(tenant.value).Add(id.value)));
    if (e.empty()) return PaletteNotFound();
    return MakeError(ErrorCode::kConflict, "the palette changed meanwhile; reload and try again");
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

namespace {

constexpr const char* kListChanged = "the palette list changed; reload and try again";

// Positions and names change under the tenant's row lock: creates, duplicates, moves and
// reorders of one tenant queue here, so MAX(position) + 1, the taken names and the list read
// by a move stay true until COMMIT. FOR NO KEY UPDATE does not block the foreign-key checks
// (FOR KEY SHARE) of inserts.
Status LockTenant(Connection& c, TenantId tenant) {
  PM_ASSIGN_OR_RETURN(Rows lock, c.ExecPrepared("pm_tenant_lock",
                                                "SELECT 1 FROM tenants WHERE id = $1 "
                                                "FOR NO KEY UPDATE",
                                                Params().Add(tenant.value)));
  if (lock.empty()) return MakeError(ErrorCode::kNotFound, "workspace not found");
  return Status::Ok();
}

Result<std::vector<PositionRow>> ReadOrder(Connection& c, TenantId tenant) {
  PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_palette_order",
                                             "SELECT id, position FROM palettes "
                                             "WHERE tenant_id = $1 "
                                             "ORDER BY position DESC, id DESC",
                                             Params().Add(tenant.value)));
  std::vector<PositionRow> rows;
  rows.reserve(static_cast<size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) rows.push_back({r.Int64(i, 0), r.Int64(i, 1)});
  return rows;
}

// One statement for any number of rows (a reorder of thousands is one round trip).
Status WritePositions(Connection& c, TenantId tenant, const std::vector<PositionRow>& changes) {
  if (changes.empty()) return Status::Ok();
  std::string ids = "{", positions = "{";
  for (size_t i = 0; i < changes.size(); ++i) {
    if (i) {
      ids += ',';
      positions += ',';
    }
    ids += std::to_string(changes[i].id);
    positions += std::to_string(changes[i].position);
  }
  ids += '}';
  positions += '}';
  PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_palette_positions",
                                             "UPDATE palettes AS p SET position = v.position "
                                             "FROM unnest($2::bigint[], $3::bigint[]) "
                                             "AS v(id, position) "
                                             "WHERE p.tenant_id = $1 AND p.id = v.id",
                                             Params().Add(tenant.value).Add(ids).Add(positions)));
  (void)r;
  return Status::Ok();
}

}  // namespace

Result<Palette> PostgresStore::DuplicatePalette(TenantId tenant, PaletteId source,
                                                std::string_view name_prefix,
                                                const NameChooser& choose_name, UserId by,
                                                int64_t now) {
  Palette out;
  PM_RETURN_IF_ERROR(Run("DuplicatePalette", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(LockTenant(c, tenant));
    // The source row, locked FOR KEY SHARE until COMMIT: a concurrent DELETE of it waits for
    // the copy to commit, and so sees the copy when it checks whether the shared object is
    // still in use; a DELETE that committed first leaves no row here (kNotFound), and no copy
    // is made of a palette whose object is about to go.
    PM_ASSIGN_OR_RETURN(Rows src, c.ExecPrepared("pm_palette_lock_source",
                                                 "SELECT 1 FROM palettes WHERE tenant_id = $1 "
                                                 "AND id = $2 FOR KEY SHARE",
                                                 Params().Add(tenant.value).Add(source.value)));
    if (src.empty()) return PaletteNotFound();
    PM_ASSIGN_OR_RETURN(Rows names, c.ExecPrepared("pm_palette_names_with_prefix",
                                                   "SELECT name FROM palettes "
                                                   "WHERE tenant_id = $1 "
                                                   "AND left(name, char_length($2)) = $2",
                                                   Params().Add(tenant.value).Add(name_prefix)));
    std::vector<std::string> taken;
    taken.reserve(static_cast<size_t>(names.size()));
    for (int i = 0; i < names.size(); ++i) taken.push_back(names.Text(i, 0));
    const std::string name = choose_name(taken);
    Params params;
    params.Add(tenant.value).Add(source.value).Add(name);
    if (by.value > 0) {
      params.Add(by.value);
    } else {
      params.AddNull();
    }
    params.Add(now);
    auto ins = c.ExecPrepared(
        "pm_palette_duplicate",
        "INSERT INTO palettes (tenant_id, name, object_key, image_format, image_mime, "
        "image_width, image_height, image_bytes, image_sha256, colors_json, labels_json, "
        "coverage_json, regions_json, region_colors_json, params_json, region_labels_json, "
        "background_index, position, created_by, created_at, updated_at) "
        "SELECT tenant_id, $3, object_key, image_format, image_mime, image_width, "
        "image_height, image_bytes, image_sha256, colors_json, labels_json, coverage_json, "
        "regions_json, region_colors_json, params_json, region_labels_json, background_index, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM palettes WHERE tenant_id = $1), "
        "$4, $5, $5 FROM palettes WHERE tenant_id = $1 AND id = $2 "
        "RETURNING " PM_PALETTE_COLUMNS,
        params);
    if (!ins.ok()) {
      if (c.last_sqlstate() == kForeignKeyViolation) {
        return MakeError(ErrorCode::kNotFound, "workspace or user not found");
      }
      return ins.error();
    }
    if (ins->empty()) return PaletteNotFound();
    out = ReadPalette(*ins, 0);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::ReorderPalettes(TenantId tenant, const std::vector<PaletteId>& top_first) {
  return Run("ReorderPalettes", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(LockTenant(c, tenant));
    PM_ASSIGN_OR_RETURN(std::vector<PositionRow> rows, ReadOrder(c, tenant));
    std::vector<int64_t> ids;
    ids.reserve(top_first.size());
    for (PaletteId id : top_first) ids.push_back(id.value);
    if (!SameIds(rows, ids)) return MakeError(ErrorCode::kConflict, kListChanged);
    return WritePositions(c, tenant, PlanOrder(rows, ids));
  });
}

Result<Palette> PostgresStore::MovePalette(TenantId tenant, PaletteId id, PaletteMove move) {
  Palette out;
  PM_RETURN_IF_ERROR(Run("MovePalette", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(LockTenant(c, tenant));
    PM_ASSIGN_OR_RETURN(std::vector<PositionRow> rows, ReadOrder(c, tenant));
    size_t at = 0;
    while (at < rows.size() && rows[at].id != id.value) ++at;
    if (at == rows.size()) return PaletteNotFound();
    PM_RETURN_IF_ERROR(WritePositions(c, tenant, PlanMove(rows, at, move)));
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

}  // namespace pm::store
