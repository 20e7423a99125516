// Tenant export and import ("ejection"): one workspace as a versioned archive
// (docs/FORMATS.md, "Archives") that `import-tenant` recreates in another deployment, SQLite or PostgreSQL,
// local disk or S3.
//
// Entries: workspace.json (slug, name, plan, created_at), members.json (e-mail, name, role,
// joined_at of each member), palettes.json (every palette, top of the list first, with all its
// fields and the archive entry of its image), objects/<rest of the object key> (each stored
// image once; duplicates share theirs), and manifest.json last (SHA-256 of every entry).
//
// Tenant scoping: the export reads only through tenant-scoped Store methods with the
// workspace's TenantId and opens only the object keys its palettes reference, so the archive
// holds that workspace's rows and images and nothing else.
//
// Import is all or nothing: the archive is verified first (checksums, JSON shapes, every
// image's SHA-256 against its palette); then the workspace is created, its members added, its
// images stored and its palettes created bottom first; any failure purges what was created
// (app::PurgeWorkspace). Members are matched to existing accounts by e-mail; members without an
// account here are reported, not created. The owner must have an account (or --owner names
// another one, who becomes the owner). Plan caps do not apply (an operator's command).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "app/services.h"
#include "common/result.h"

namespace pm::app {

inline constexpr const char* kTenantExportFormat = "palettemaker-tenant-export";
inline constexpr int kTenantExportFormatVersion = 1;

struct TenantExportSummary {
  int64_t members = 0;
  int64_t palettes = 0;
  int64_t objects = 0;
  int64_t object_bytes = 0;
  int64_t archive_bytes = 0;
};

// Writes `workspace`'s archive to `out` (the caller opens, closes and removes it on failure).
// kUnavailable when an object cannot be read (a palette whose image is missing fails the export).
Result<TenantExportSummary> ExportTenant(const Services& services, const store::Workspace& workspace,
                                         std::FILE* out, const std::string& binary_version);

// The workspace with this slug, not soft-deleted (CLI: no session involved). kNotFound.
Result<store::TenantSummary> FindWorkspaceBySlug(store::Store& store, const std::string& slug);

// "palettemaker-<slug>-<yyyymmdd>.tar" for Content-Disposition.
std::string TenantExportFileName(const std::string& slug, int64_t now_ms);

struct TenantImportOptions {
  std::string archive;
  std::string slug;         // "" = the archive's
  std::string owner_email;  // "" = the archive's owner
};

struct TenantImportSummary {
  TenantId tenant{0};
  std::string slug;
  int64_t palettes = 0;
  int64_t objects = 0;
  int64_t object_bytes = 0;
  std::vector<std::string> members_added;    // "email (role)"
  std::vector<std::string> members_missing;  // e-mail addresses without an account here
};

// kInvalidArgument: malformed or tampered archive; kConflict: slug taken; kNotFound: no account
// for the owner. Nothing is left behind on failure.
Result<TenantImportSummary> ImportTenant(const Services& services, const TenantImportOptions& options);

}  // namespace pm::app
