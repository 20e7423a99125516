// Backups of the embedded setup (SQLite + objects on local disk): `palettemaker backup` and
// `palettemaker restore`. The archive format is in docs/FORMATS.md, "Archives".
//
// Backup runs while a server keeps serving writes:
//  1. the database is snapshotted first (store::SnapshotDatabase: VACUUM INTO a temp file);
//  2. the objects the snapshot's palettes reference are copied from the live object store
//     (objects are immutable once committed, so each copy is the object the row points to);
//  3. an object that vanished in between (its palette was deleted after the snapshot) has its
//     rows removed from the snapshot copy -- the backup never holds a dangling reference -- and
//     the summary names them;
//  4. the archive is written to OUT.partial, fsynced and renamed to OUT.
// On failure nothing is left: no OUT, no OUT.partial, no temp directory.
//
// Restore verifies the whole archive (tar header checksums, every SHA-256 in the manifest)
// before writing anything, refuses a target data directory that exists and is not empty,
// extracts into a temp directory beside it and renames that into place; on failure it removes
// what it wrote. PostgreSQL and S3 are not covered: kInvalidArgument naming pg_dump and bucket
// versioning (docs/OPERATIONS.md).
//
// Thread safety: each call is independent; the live stores may be in use by a server in
// another process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "objects/object_store.h"
#include "store/store.h"

namespace pm::app {

inline constexpr const char* kBackupFormat = "palettemaker-backup";
inline constexpr int kBackupFormatVersion = 1;

// Why a configuration cannot be backed up by `palettemaker backup` (PostgreSQL or S3), or ""
// when it can.
std::string BackupUnsupportedReason(const config::Config& cfg);

struct BackupOptions {
  std::string out;             // the archive to write; must not exist
  std::string binary_version;  // recorded in the manifest
};

struct DroppedPalette {
  TenantId tenant;
  PaletteId palette;
  std::string object_key;
};

struct BackupSummary {
  int64_t workspaces = 0;
  int64_t palettes = 0;
  int64_t objects = 0;
  int64_t object_bytes = 0;
  int64_t database_bytes = 0;
  int64_t archive_bytes = 0;
  int schema_version = 0;
  std::vector<DroppedPalette> dropped;  // left out: their object vanished after the snapshot
  double seconds = 0;
};

// `live_objects` is the object store the server writes to.
Result<BackupSummary> MakeBackup(const config::Config& cfg, const store::StoreOptions& database,
                                 objects::ObjectStore& live_objects, const BackupOptions& options);

struct RestoreSummary {
  int64_t workspaces = 0;
  int64_t palettes = 0;
  int64_t objects = 0;
  int64_t object_bytes = 0;
  int64_t database_bytes = 0;
  std::string created_at;  // when the backup was made (from its manifest)
  double seconds = 0;
};

// Restores `archive` into cfg.data.dir (the database at DIR/palettemaker.db, objects under
// DIR/objects). kInvalidArgument for a bad or tampered archive, or a configuration that names
// another database or storage URL; kConflict when the data directory is not empty.
Result<RestoreSummary> RestoreBackup(const config::Config& cfg, const std::string& archive);

}  // namespace pm::app
