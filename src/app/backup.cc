#include "app/backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "app/archive.h"
#include "store/snapshot.h"

namespace pm::app {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kDatabaseEntry = "database/palettemaker.db";
constexpr const char* kObjectsPrefix = "objects/";
// Entries are bounded so a hostile archive cannot announce an absurd size; a database or an
// image of 1 TiB is far beyond anything this product stores.
constexpr uint64_t kMaxEntryBytes = uint64_t{1} << 40;

Error Bad(const std::string& message) { return MakeError(ErrorCode::kInvalidArgument, message); }
Error Io(const std::string& what) { return MakeError(ErrorCode::kUnavailable, what + ": " + std::strerror(errno)); }

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Removes a path (file or tree) when it goes out of scope, unless released.
class Cleanup {
 public:
  explicit Cleanup(fs::path path) : path_(std::move(path)) {}
  ~Cleanup() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  void Release() { path_.clear(); }

 private:
  fs::path path_;
};

Status SyncFd(int fd, const std::string& what) {
  if (::fsync(fd) != 0) return Io("fsync " + what);
  return Status::Ok();
}

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Io("open " + dir.string());
  Status st = SyncFd(fd, dir.string());
  ::close(fd);
  return st;
}

// A directory made by mkdtemp next to `near` ("<near>.tmp-XXXXXX"), mode 0700.
Result<fs::path> MakeTempDirNear(const fs::path& near) {
  std::string pattern = near.string() + ".tmp-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return Io("cannot create a temporary directory beside " + near.string());
  return fs::path(pattern);
}


int MaxAppliedVersion(const std::vector<store::MigrationInfo>& list) {
  int v = 0;
  for (const auto& m : list) {
    if (m.applied && m.version > v) v = m.version;
  }
  return v;
}

}  // namespace

std::string BackupUnsupportedReason(const config::Config& cfg) {
  const std::string db = cfg.EffectiveDatabaseUrl();
  const std::string storage = cfg.EffectiveStorageUrl();
  if (!StartsWith(db, "sqlite://") || !StartsWith(storage, "file://")) {
    return "backup and restore cover the embedded setup (SQLite + objects on local disk) only; this "
           "server uses " +
           std::string(StartsWith(db, "sqlite://") ? "SQLite" : "PostgreSQL") + " and " +
           (StartsWith(storage, "file://") ? "local disk" : "S3") +
           ". Back up PostgreSQL with pg_dump (or your provider's snapshots / point-in-time recovery) "
           "and S3 with bucket versioning (or replication): see docs/OPERATIONS.md, \"Backups on "
           "PostgreSQL and S3\". To move one workspace between deployments use export-tenant / "
           "import-tenant.";
  }
  return "";
}

Result<BackupSummary> MakeBackup(const config::Config& cfg, const store::StoreOptions& database,
                                 objects::ObjectStore& live_objects, const BackupOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (std::string why = BackupUnsupportedReason(cfg); !why.empty()) return Bad(why);
  if (options.out.empty()) return Bad("backup needs --out FILE");
  const fs::path out = fs::absolute(options.out);
  std::error_code ec;
  if (fs::exists(fs::symlink_status(out, ec))) {
    return MakeError(ErrorCode::kAlreadyExists, out.string() + " already exists; remove it or choose another --out");
  }
  if (!fs::is_directory(out.parent_path(), ec)) return Bad("the directory of " + out.string() + " does not exist");

  PM_ASSIGN_OR_RETURN(fs::path temp, MakeTempDirNear(out));
  Cleanup temp_cleanup(temp);
  const fs::path partial = out.string() + ".partial";
  Cleanup partial_cleanup(partial);

  // 1. The database, first: everything after it is read as of this snapshot.
  const fs::path snapshot_path = temp / "palettemaker.db";
  PM_RETURN_IF_ERROR(store::SnapshotDatabase(database, snapshot_path.string()));

  BackupSummary summary;
  {
    store::StoreOptions so;
    so.url = "sqlite://" + snapshot_path.string();
    so.pool_size = 1;
    PM_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> snapshot, store::OpenStore(so));
    PM_ASSIGN_OR_RETURN(std::vector<store::MigrationInfo> migrations, snapshot->Migrations());
    summary.schema_version = MaxAppliedVersion(migrations);

    // 2. Every palette of every workspace (soft-deleted ones too: they can still be restored).
    struct Ref {
      TenantId tenant;
      PaletteId palette;
      std::string sha256;
    };
    std::map<std::string, std::vector<Ref>> by_key;  // sorted: a stable archive order
    store::TenantFilter filter;
    filter.limit = 1000;
    for (;;) {
      PM_ASSIGN_OR_RETURN(std::vector<store::TenantSummary> page, snapshot->ListTenantSummaries(filter));
      for (const store::TenantSummary& t : page) {
        ++summary.workspaces;
        std::optional<store::PageCursor> cursor;
        for (;;) {
          PM_ASSIGN_OR_RETURN(store::PalettePage palettes, snapshot->ListPalettes(t.workspace.id, cursor, 1000));
          for (const store::Palette& p : palettes.items) {
            by_key[p.image.object_key].push_back({t.workspace.id, p.id, p.image.sha256});
            ++summary.palettes;
          }
          if (!palettes.next) break;
          cursor = palettes.next;
        }
      }
      if (page.size() < static_cast<size_t>(filter.limit)) break;
      filter.after_id = page.back().workspace.id.value;
    }

    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(partial.c_str(), "wbx"), &std::fclose);
    if (!file) return Io("cannot create " + partial.string());
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    ArchiveWriter archive(file.get(), now_ms / 1000);

    // 3. The objects those palettes reference, from the live store.
    std::vector<char> buf(1 << 16);
    for (const auto& [key, refs] : by_key) {
      auto reader = live_objects.Open(key);
      if (!reader.ok() && reader.error().code == ErrorCode::kNotFound) {
        // Deleted after the snapshot: so is every row that used it, as far as the backup goes.
        for (const Ref& r : refs) {
          Status st = [&]() -> Status {
            auto deleted = snapshot->DeletePalette(r.tenant, r.palette);
            if (!deleted.ok() && deleted.error().code != ErrorCode::kNotFound) return deleted.error();
            return Status::Ok();
          }();
          PM_RETURN_IF_ERROR(st);
          summary.dropped.push_back({r.tenant, r.palette, key});
          --summary.palettes;
        }
        continue;
      }
      if (!reader.ok()) return reader.error();
      const int64_t size = (*reader)->size();
      PM_RETURN_IF_ERROR(archive.Begin(kObjectsPrefix + key, static_cast<uint64_t>(size)));
      int64_t copied = 0;
      for (;;) {
        PM_ASSIGN_OR_RETURN(size_t n, (*reader)->Read(buf.data(), buf.size()));
        if (n == 0) break;
        if (copied + static_cast<int64_t>(n) > size) return MakeError(ErrorCode::kUnavailable, "object " + key + " grew while it was copied");
        PM_RETURN_IF_ERROR(archive.Write(std::string_view(buf.data(), n)));
        copied += static_cast<int64_t>(n);
      }
      if (copied != size) return MakeError(ErrorCode::kUnavailable, "object " + key + " shrank while it was copied");
      // Objects are immutable: a digest that differs from the row's means damage, not a race.
      for (const Ref& r : refs) {
        if (!r.sha256.empty() && r.sha256 != archive.files().back().sha256) {
          return MakeError(ErrorCode::kInternal, "object " + key + " does not match the SHA-256 its palette records (" +
                                                     r.sha256 + "): the object store is damaged");
        }
      }
      ++summary.objects;
      summary.object_bytes += size;
    }
    snapshot.reset();  // closes it (checkpointing what the deletions wrote) before it is archived

    // 4. The database, as amended.
    for (const char* suffix : {"-wal", "-shm"}) fs::remove(snapshot_path.string() + suffix, ec);
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> db(std::fopen(snapshot_path.c_str(), "rb"), &std::fclose);
    if (!db) return Io("cannot read the snapshot " + snapshot_path.string());
    const auto db_size = fs::file_size(snapshot_path, ec);
    if (ec) return MakeError(ErrorCode::kUnavailable, "cannot read the snapshot: " + ec.message());
    PM_RETURN_IF_ERROR(archive.Begin(kDatabaseEntry, db_size));
    uint64_t copied = 0;
    for (;;) {
      size_t n = std::fread(buf.data(), 1, buf.size(), db.get());
      if (n == 0) break;
      if (copied + n > db_size) return MakeError(ErrorCode::kInternal, "the snapshot grew while it was archived");
      PM_RETURN_IF_ERROR(archive.Write(std::string_view(buf.data(), n)));
      copied += n;
    }
    if (copied != db_size) return Io("reading the snapshot failed");
    summary.database_bytes = static_cast<int64_t>(db_size);

    json dropped = json::array();
    for (const DroppedPalette& d : summary.dropped) {
      dropped.push_back({{"workspace_id", d.tenant.value}, {"palette_id", d.palette.value}, {"object_key", d.object_key}});
    }
    json manifest = {{"format", kBackupFormat},
                     {"format_version", kBackupFormatVersion},
                     {"created_at", FormatUtcMillis(now_ms)},
                     {"binary_version", options.binary_version},
                     {"schema_version", summary.schema_version},
                     {"database", kDatabaseEntry},
                     {"workspaces", summary.workspaces},
                     {"palettes", summary.palettes},
                     {"objects", summary.objects},
                     {"dropped_palettes", std::move(dropped)}};
    PM_RETURN_IF_ERROR(archive.Finish(std::move(manifest)));
    PM_RETURN_IF_ERROR(SyncFd(::fileno(file.get()), partial.string()));
    summary.archive_bytes = static_cast<int64_t>(archive.bytes_written());
    if (std::fclose(file.release()) != 0) return Io("closing " + partial.string());
  }
  if (::rename(partial.c_str(), out.c_str()) != 0) return Io("cannot rename " + partial.string() + " to " + out.string());
  partial_cleanup.Release();
  PM_RETURN_IF_ERROR(SyncDir(out.parent_path()));
  summary.seconds = SecondsSince(start);
  return summary;
}

Result<RestoreSummary> RestoreBackup(const config::Config& cfg, const std::string& archive_path) {
  const auto start = std::chrono::steady_clock::now();
  if (std::string why = BackupUnsupportedReason(cfg); !why.empty()) return Bad(why);
  const std::string dir = cfg.data.dir;
  if (cfg.EffectiveDatabaseUrl() != "sqlite://" + dir + "/palettemaker.db" ||
      cfg.EffectiveStorageUrl() != "file://" + dir + "/objects") {
    return Bad("restore writes the embedded layout (DATA_DIR/palettemaker.db and DATA_DIR/objects): unset "
               "database.url and storage.url and set data.dir (PALETTEMAKER_DATA_DIR) to the directory to restore into");
  }
  const fs::path target = fs::absolute(fs::path(dir).lexically_normal());
  fs::path target_clean = target;
  if (!target_clean.has_filename()) target_clean = target_clean.parent_path();
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target_clean, ec))) {
    if (!fs::is_directory(fs::symlink_status(target_clean, ec))) {
      return MakeError(ErrorCode::kConflict, target_clean.string() + " exists and is not a directory");
    }
    if (!fs::is_empty(target_clean, ec)) {
      return MakeError(ErrorCode::kConflict, "the data directory " + target_clean.string() +
                                                 " is not empty: restore only into an empty or new directory");
    }
  }

  // Everything is checked before anything is written.
  PM_ASSIGN_OR_RETURN(VerifiedArchive verified, VerifyArchive(archive_path, kBackupFormat, kBackupFormatVersion, kMaxEntryBytes));
  if (!verified.files.count(kDatabaseEntry)) return Bad("the backup has no " + std::string(kDatabaseEntry));
  RestoreSummary summary;
  for (const auto& [name, file] : verified.files) {
    if (name == kDatabaseEntry) continue;
    if (!StartsWith(name, kObjectsPrefix)) return Bad("the backup holds an unexpected entry " + name);
    PM_RETURN_IF_ERROR(objects::ValidateKey(name.substr(std::string_view(kObjectsPrefix).size())));
  }
  // Informational counts; never trusted to be of the right type.
  const json& m = verified.manifest;
  auto count = [&](const char* key) -> int64_t {
    auto it = m.find(key);
    return it != m.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  summary.workspaces = count("workspaces");
  summary.palettes = count("palettes");
  if (auto it = m.find("created_at"); it != m.end() && it->is_string()) summary.created_at = it->get<std::string>();

  fs::create_directories(target_clean.parent_path(), ec);
  if (ec) return MakeError(ErrorCode::kUnavailable, "cannot create " + target_clean.parent_path().string() + ": " + ec.message());
  PM_ASSIGN_OR_RETURN(fs::path staging, MakeTempDirNear(target_clean.parent_path() / ("." + target_clean.filename().string() + ".restore")));
  Cleanup staging_cleanup(staging);

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(archive_path.c_str(), "rb"), &std::fclose);
  if (!in) return Io("cannot read " + archive_path);
  TarReader reader(in.get(), kMaxEntryBytes);
  std::set<std::string> made_dirs;
  for (;;) {
    PM_ASSIGN_OR_RETURN(std::optional<TarEntry> entry, reader.Next());
    if (!entry) break;
    if (entry->name == kManifestName) continue;
    auto expected = verified.files.find(entry->name);
    if (expected == verified.files.end()) return Bad("the archive changed while it was read (" + entry->name + ")");
    fs::path dest = entry->name == kDatabaseEntry
                        ? staging / "palettemaker.db"
                        : staging / "objects" / entry->name.substr(std::string_view(kObjectsPrefix).size());
    // Parents: created one by one, 0750, inside the staging directory only (names are validated).
    std::vector<fs::path> parents;
    for (fs::path p = dest.parent_path(); p != staging && !made_dirs.count(p.string()); p = p.parent_path()) parents.push_back(p);
    for (auto it = parents.rbegin(); it != parents.rend(); ++it) {
      if (::mkdir(it->c_str(), 0750) != 0 && errno != EEXIST) return Io("cannot create " + it->string());
      made_dirs.insert(it->string());
    }
    int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0) return Io("cannot create " + dest.string());
    Status st = CopyEntryChecked(reader, expected->second, [&](std::string_view chunk) -> Status {
      while (!chunk.empty()) {
        ssize_t n = ::write(fd, chunk.data(), chunk.size());
        if (n < 0) {
          if (errno == EINTR) continue;
          return Io("writing " + dest.string());
        }
        chunk.remove_prefix(static_cast<size_t>(n));
      }
      return Status::Ok();
    });
    if (st.ok()) st = SyncFd(fd, dest.string());
    ::close(fd);
    PM_RETURN_IF_ERROR(st);
    if (entry->name == kDatabaseEntry) {
      summary.database_bytes = static_cast<int64_t>(entry->size);
    } else {
      ++summary.objects;
      summary.object_bytes += static_cast<int64_t>(entry->size);
    }
  }
  for (const std::string& d : made_dirs) PM_RETURN_IF_ERROR(SyncDir(d));
  PM_RETURN_IF_ERROR(SyncDir(staging));
  // rename(2) replaces an empty directory atomically; a new one is simply created.
  if (::rename(staging.c_str(), target_clean.c_str()) != 0) {
    return Io("cannot move the restored data into " + target_clean.string());
  }
  staging_cleanup.Release();
  PM_RETURN_IF_ERROR(SyncDir(target_clean.parent_path()));
  summary.seconds = SecondsSince(start);
  return summary;
}

}  // namespace pm::app
