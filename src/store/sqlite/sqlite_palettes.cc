// SqliteStore: palettes. Tenant scoping: every statement has `tenant_id = ?` in its WHERE (or
// inserts the caller's tenant), so a row of another tenant is indistinguishable from a missing
// one (kNotFound).
#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/palette_order.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"

namespace pm::store {

using sqlite::Connection;
using sqlite::Guarded;
using sqlite::Stmt;
using sqlite::WriteTransaction;

namespace {

#define PM_PALETTE_COLUMNS                                                                   \
  "id, tenant_id, name, object_key, image_format, image_mime, image_width, image_height, " \
  "image_bytes, image_sha256, colors_json, labels_json, coverage_json, regions_json, "     \
  "region_colors_json, params_json, position, created_by, created_at, updated_at, "         \
  "region_labels_json, background_index"

Palette ReadPalette(sqlite::Stmt& s) {
  Palette p;
  p.id = PaletteId(s.Int64(0));
  p.tenant_id = TenantId(s.Int64(1));
  p.name = s.Text(2);
  p.image.object_key = s.Text(3);
  p.image.format = s.Text(4);
  p.image.mime = s.Text(5);
  p.image.width = s.Int(6);
  p.image.height = s.Int(7);
  p.image.bytes = s.Int64(8);
  p.image.sha256 = s.Text(9);
  p.colors_json = s.Text(10);
  p.labels_json = s.Text(11);
  p.coverage_json = s.Text(12);
  p.regions_json = s.Text(13);
  p.region_colors_json = s.Text(14);
  p.params_json = s.Text(15);
  p.position = s.Int64(16);
  p.created_by = UserId(s.Int64(17));  // NULL (creator erased) reads as 0
  p.created_at = s.Int64(18);
  p.updated_at = s.Int64(19);
  p.region_labels_json = s.Text(20);
  if (!s.IsNull(21)) p.background_index = s.Int(21);
  return p;
}

// Binds a std::optional<std::string> as TEXT or NULL (NULL = "leave the column as it is").
void BindOptional(sqlite::Stmt& s, int index, const std::optional<std::string>& v) {
  if (v) {
    s.Bind(index, *v);
  } else {
    s.BindNull(index);
  }
}

// For a single-row UPDATE/DELETE ... RETURNING in autocommit mode: reads the row, then steps to
// SQLITE_DONE, which commits, so a failed commit throws here instead of being lost in a reset.
Palette ReadAndFinish(sqlite::Stmt& s) {
  Palette p = ReadPalette(s);
  while (s.Step()) {
  }
  return p;
}

Error PaletteNotFound() { return MakeError(ErrorCode::kNotFound, "palette not found"); }

}  // namespace

Result<Palette> SqliteStore::CreatePalette(TenantId tenant, const NewPalette& palette,
                                           int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  try {
    Connection& conn = *writer_;
    WriteTransaction tx(conn);
    // position = highest + 1 within the tenant, computed inside the write transaction so two
    // creates cannot take the same position (palettes_tenant_position_idx makes MAX a seek).
    Stmt s(conn,
           "INSERT INTO palettes (tenant_id, name, object_key, image_format, image_mime, "
           "image_width, image_height, image_bytes, image_sha256, colors_json, labels_json, "
           "coverage_json, params_json, position, created_by, created_at, updated_at) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
           "(SELECT COALESCE(MAX(position), 0) + 1 FROM palettes WHERE tenant_id = ?1), "
           "?14, ?15, ?15) RETURNING " PM_PALETTE_COLUMNS);
    s.Bind(1, tenant.value);
    s.Bind(2, palette.name);
    s.Bind(3, palette.image.object_key);
    s.Bind(4, palette.image.format);
    s.Bind(5, palette.image.mime);
    s.Bind(6, palette.image.width);
    s.Bind(7, palette.image.height);
    s.Bind(8, palette.image.bytes);
    s.Bind(9, palette.image.sha256);
    s.Bind(10, palette.colors_json);
    s.Bind(11, palette.labels_json);
    s.Bind(12, palette.coverage_json);
    s.Bind(13, palette.params_json);
    if (palette.created_by.value > 0) {
      s.Bind(14, palette.created_by.value);
    } else {
      s.BindNull(14);
    }
    s.Bind(15, now);
    s.Step();
    Palette out = ReadAndFinish(s);  // the statement must be done before COMMIT
    tx.Commit();
    return out;
  } catch (const SQLite::Exception& e) {
    if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_FOREIGNKEY) {
      // The workspace (or the creating user) does not exist, e.g. deleted meanwhile.
      return MakeError(ErrorCode::kNotFound, "workspace or user not found");
    }
    return sqlite::ErrorFromCurrentException("CreatePalette");
  } catch (...) {
    return sqlite::ErrorFromCurrentException("CreatePalette");
  }
}

Result<PalettePage> SqliteStore::ListPalettes(TenantId tenant,
                                              const std::optional<PageCursor>& after,
                                              int limit) {
  if (limit < 1 || limit > 1000) {
    return MakeError(ErrorCode::kInvalidArgument, "limit must be between 1 and 1000 inclusive");
  }
  auto reader = AcquireReader();
  return Guarded("ListPalettes", [&]() -> Result<PalettePage> {
    // One row more than asked tells whether another page follows. The keyset condition
    // continues after the cursor row; the redundant `position <= ?2` lets the index seek
    // straight to the cursor instead of scanning the tenant's earlier rows.
    Stmt s(*reader,
           after ? "SELECT " PM_PALETTE_COLUMNS " FROM palettes "
                   "WHERE tenant_id = ?1 AND position <= ?2 "
                   "AND (position < ?2 OR (position = ?2 AND id < ?3)) "
                   "ORDER BY position DESC, id DESC LIMIT ?4"
                 : "SELECT " PM_PALETTE_COLUMNS " FROM palettes WHERE tenant_id = ?1 "
                   "ORDER BY position DESC, id DESC LIMIT ?4");
    s.Bind(1, tenant.value);
    if (after) {
      s.Bind(2, after->position);
      s.Bind(3, after->id);
    }
    s.Bind(4, limit + 1);
    PalettePage page;
    page.items.reserve(static_cast<size_t>(limit));
    while (s.Step()) {
      if (static_cast<int>(page.items.size()) == limit) {
        const Palette& last = page.items.back();
        page.next = PageCursor{last.position, last.id.value};
        break;
      }
      page.items.push_back(ReadPalette(s));
    }
    return page;
  });
}

Result<Palette> SqliteStore::GetPalette(TenantId tenant, PaletteId id) {
  auto reader = AcquireReader();
  return Guarded("GetPalette", [&]() -> Result<Palette> {
    Stmt s(*reader,
           "SELECT " PM_PALETTE_COLUMNS " FROM palettes WHERE tenant_id = ? AND id = ?");
    s.Bind(1, tenant.value);
    s.Bind(2, id.value);
    if (!s.Step()) return PaletteNotFound();
    return ReadPalette(s);
  });
}

Result<Palette> SqliteStore::UpdatePalette(TenantId tenant, PaletteId id,
                                           const PaletteUpdate& update, int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("UpdatePalette", [&]() -> Result<Palette> {
    // One cached statement for every combination of fields: an unset field binds NULL and
    // COALESCE keeps the column (all of them are NOT NULL, so NULL never means a value).
    // background_index is nullable, so a flag (?12) says whether to set it. updated_at only
    // moves forward, so it doubles as the row version that ?14 (if_updated_at) compares.
    Stmt s(*writer_,
           "UPDATE palettes SET name = COALESCE(?1, name), "
           "colors_json = COALESCE(?2, colors_json), labels_json = COALESCE(?3, labels_json), "
           "coverage_json = COALESCE(?4, coverage_json), "
           "regions_json = COALESCE(?5, regions_json), "
           "region_colors_json = COALESCE(?6, region_colors_json), "
           "params_json = COALESCE(?7, params_json), "
           "region_labels_json = COALESCE(?11, region_labels_json), "
           "background_index = CASE WHEN ?12 THEN ?13 ELSE background_index END, "
           "updated_at = MAX(?8, updated_at + 1) "
           "WHERE tenant_id = ?9 AND id = ?10 AND (?14 IS NULL OR updated_at = ?14) "
           "RETURNING " PM_PALETTE_COLUMNS);
    BindOptional(s, 1, update.name);
    BindOptional(s, 2, update.colors_json);
    BindOptional(s, 3, update.labels_json);
    BindOptional(s, 4, update.coverage_json);
    BindOptional(s, 5, update.regions_json);
    BindOptional(s, 6, update.region_colors_json);
    BindOptional(s, 7, update.params_json);
    s.Bind(8, now);
    s.Bind(9, tenant.value);
    s.Bind(10, id.value);
    BindOptional(s, 11, update.region_labels_json);
    s.Bind(12, update.background_index.has_value() ? 1 : 0);
    if (update.background_index && *update.background_index) {
      s.Bind(13, **update.background_index);
    } else {
      s.BindNull(13);
    }
    if (update.if_updated_at) {
      s.Bind(14, *update.if_updated_at);
    } else {
      s.BindNull(14);
    }
    if (s.Step()) return ReadAndFinish(s);
    if (!update.if_updated_at) return PaletteNotFound();
    // Missing, or changed since the caller read it? The writer lock is held: nothing moved.
    Stmt exists(*writer_, "SELECT 1 FROM palettes WHERE tenant_id = ? AND id = ?");
    exists.Bind(1, tenant.value);
    exists.Bind(2, id.value);
    if (!exists.Step()) return PaletteNotFound();
    return MakeError(ErrorCode::kConflict, "the palette changed meanwhile; reload and try again");
  });
}

Result<Palette> SqliteStore::DeletePalette(TenantId tenant, PaletteId id) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DeletePalette", [&]() -> Result<Palette> {
    Stmt s(*writer_,
           "DELETE FROM palettes WHERE tenant_id = ? AND id = ? RETURNING " PM_PALETTE_COLUMNS);
    s.Bind(1, tenant.value);
    s.Bind(2, id.value);
    if (!s.Step()) return PaletteNotFound();
    return ReadAndFinish(s);
  });
}

Result<bool> SqliteStore::ObjectKeyInUse(TenantId tenant, std::string_view object_key) {
  auto reader = AcquireReader();
  return Guarded("ObjectKeyInUse", [&]() -> Result<bool> {
    // palettes_tenant_object_key_idx (0002) makes this a seek.
    Stmt s(*reader, "SELECT 1 FROM palettes WHERE tenant_id = ? AND object_key = ? LIMIT 1");
    s.Bind(1, tenant.value);
    s.Bind(2, object_key);
    return s.Step();
  });
}

namespace {

// The tenant's list, top first, on the writer connection (inside its transaction).
std::vector<PositionRow> ReadOrder(Connection& conn, TenantId tenant) {
  Stmt s(conn, "SELECT id, position FROM palettes WHERE tenant_id = ? ORDER BY position DESC, id DESC");
  s.Bind(1, tenant.value);
  std::vector<PositionRow> rows;
  while (s.Step()) rows.push_back({s.Int64(0), s.Int64(1)});
  return rows;
}

void WritePositions(Connection& conn, TenantId tenant, const std::vector<PositionRow>& changes) {
  for (const PositionRow& c : changes) {
    Stmt s(conn, "UPDATE palettes SET position = ? WHERE tenant_id = ? AND id = ?");
    s.Bind(1, c.position);
    s.Bind(2, tenant.value);
    s.Bind(3, c.id);
    s.Exec();
  }
}

}  // namespace

Result<Palette> SqliteStore::DuplicatePalette(TenantId tenant, PaletteId source,
                                              std::string_view name_prefix,
                                              const NameChooser& choose_name, UserId by,
                                              int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DuplicatePalette", [&]() -> Result<Palette> {
    Connection& conn = *writer_;
    // One write transaction (and one writer): the names read here are still the names when the
    // copy is inserted, and the source cannot be deleted in between.
    WriteTransaction tx(conn);
    std::vector<std::string> taken;
    {
      Stmt names(conn,
                 "SELECT name FROM palettes WHERE tenant_id = ?1 "
                 "AND substr(name, 1, length(?2)) = ?2");
      names.Bind(1, tenant.value);
      names.Bind(2, name_prefix);
      while (names.Step()) taken.push_back(names.Text(0));
    }
    const std::string name = choose_name(taken);
    Stmt s(conn,
           "INSERT INTO palettes (tenant_id, name, object_key, image_format, image_mime, "
           "image_width, image_height, image_bytes, image_sha256, colors_json, labels_json, "
           "coverage_json, regions_json, region_colors_json, params_json, region_labels_json, "
           "background_index, position, created_by, created_at, updated_at) "
           "SELECT tenant_id, ?3, object_key, image_format, image_mime, image_width, "
           "image_height, image_bytes, image_sha256, colors_json, labels_json, coverage_json, "
           "regions_json, region_colors_json, params_json, region_labels_json, background_index, "
           "(SELECT COALESCE(MAX(position), 0) + 1 FROM palettes WHERE tenant_id = ?1), "
           "?4, ?5, ?5 FROM palettes WHERE tenant_id = ?1 AND id = ?2 "
           "RETURNING " PM_PALETTE_COLUMNS);
    s.Bind(1, tenant.value);
    s.Bind(2, source.value);
    s.Bind(3, name);
    if (by.value > 0) {
      s.Bind(4, by.value);
    } else {
      s.BindNull(4);
    }
    s.Bind(5, now);
    if (!s.Step()) return PaletteNotFound();  // ~WriteTransaction rolls back
    Palette out = ReadAndFinish(s);
    tx.Commit();
    return out;
  });
}

Status SqliteStore::ReorderPalettes(TenantId tenant, const std::vector<PaletteId>& top_first) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("ReorderPalettes", [&]() -> Status {
    Connection& conn = *writer_;
    WriteTransaction tx(conn);
    std::vector<PositionRow> rows = ReadOrder(conn, tenant);
    std::vector<int64_t> ids;
    ids.reserve(top_first.size());
    for (PaletteId id : top_first) ids.push_back(id.value);
    if (!SameIds(rows, ids)) {
      return MakeError(ErrorCode::kConflict, "the palette list changed; reload and try again");
    }
    WritePositions(conn, tenant, PlanOrder(rows, ids));
    tx.Commit();
    return Status::Ok();
  });
}

Result<Palette> SqliteStore::MovePalette(TenantId tenant, PaletteId id, PaletteMove move) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("MovePalette", [&]() -> Result<Palette> {
    Connection& conn = *writer_;
    WriteTransaction tx(conn);
    std::vector<PositionRow> rows = ReadOrder(conn, tenant);
    size_t at = 0;
    while (at < rows.size() && rows[at].id != id.value) ++at;
    if (at == rows.size()) return PaletteNotFound();
    WritePositions(conn, tenant, PlanMove(rows, at, move));
    Palette out;
    {
      Stmt s(conn, "SELECT " PM_PALETTE_COLUMNS " FROM palettes WHERE tenant_id = ? AND id = ?");
      s.Bind(1, tenant.value);
      s.Bind(2, id.value);
      if (!s.Step()) return PaletteNotFound();
      out = ReadPalette(s);
    }
    tx.Commit();
    return out;
  });
}

}  // namespace pm::store
