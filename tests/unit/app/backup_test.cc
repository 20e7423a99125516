// Backups (a row whose object vanished after the snapshot is left out, restore gives the rest)
// and tenant import's all-or-nothing rule (a failure after the workspace was created removes it,
// its rows and its objects; malformed contents are refused before anything is made), on SQLite
// with in-memory and failing object stores.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app/archive.h"
#include "app/backup.h"
#include "app/tenant_archive.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "objects/failing_object_store.h"
#include "objects/memory_object_store.h"
#include "store/store.h"

using namespace pm;
namespace fs = std::filesystem;

namespace {

fs::path TempDir(const char* tag) {
  fs::path dir = fs::temp_directory_path() / (std::string("pm-") + tag + "-" + std::to_string(::getpid()) + "-" +
                                              RandomToken(6));
  fs::create_directories(dir);
  return dir;
}

std::unique_ptr<store::Store> OpenSqlite(const fs::path& file) {
  store::StoreOptions o;
  o.url = "sqlite://" + file.string();
  auto s = store::OpenStore(o);
  REQUIRE(s.ok());
  REQUIRE((*s)->Migrate().ok());
  return std::move(s).value();
}

// A palette whose image `bytes` is stored (or not) under images/<name>.
store::Palette AddPalette(store::Store& st, objects::ObjectStore& objs, TenantId tenant, UserId user,
                          const std::string& name, const std::string& bytes, bool store_object, int64_t now) {
  store::NewPalette p;
  p.name = name;
  p.image.object_key = objects::TenantKey(tenant, "images/" + name + ".png").value();
  p.image.format = "png";
  p.image.mime = "image/png";
  p.image.width = 4;
  p.image.height = 3;
  p.image.bytes = static_cast<int64_t>(bytes.size());
  p.image.sha256 = Sha256Hex(bytes);
  p.colors_json = R"(["#112233","#445566"])";
  p.labels_json = R"(["A","B"])";
  p.coverage_json = "[0.5,0.5]";
  p.created_by = user;
  if (store_object) REQUIRE(objs.PutBytes(p.image.object_key, bytes).ok());
  auto row = st.CreatePalette(tenant, p, now);
  REQUIRE(row.ok());
  return row.value();
}

}  // namespace

TEST_CASE("backup: a row whose object vanished is left out and reported; restore brings back the rest", "[app][backup]") {
  InitCrypto();
  fs::path dir = TempDir("backup");
  FakeClock clock;
  objects::MemoryObjectStore objs{&clock};
  config::Config cfg;
  cfg.data.dir = (dir / "data").string();
  fs::create_directories(cfg.data.dir);
  auto st = OpenSqlite(dir / "data" / "palettemaker.db");
  auto created = st->CreateUserWithWorkspace({"a@example.com", "A", "hash"}, {"a", "A"}, clock.NowMillis());
  REQUIRE(created.ok());
  TenantId tenant = created->second.id;
  store::Palette kept = AddPalette(*st, objs, tenant, created->first.id, "kept", "kept bytes", true, 1000);
  // Its object is gone: as if the palette were deleted between the snapshot and the copy.
  store::Palette gone = AddPalette(*st, objs, tenant, created->first.id, "gone", "gone bytes", false, 2000);

  store::StoreOptions db;
  db.url = cfg.EffectiveDatabaseUrl();
  app::BackupOptions o;
  o.out = (dir / "b.tar").string();
  o.binary_version = "test";
  auto summary = app::MakeBackup(cfg, db, objs, o);
  REQUIRE(summary.ok());
  CHECK(summary->palettes == 1);
  CHECK(summary->objects == 1);
  REQUIRE(summary->dropped.size() == 1);
  CHECK(summary->dropped[0].palette.value == gone.id.value);
  CHECK(summary->dropped[0].object_key == gone.image.object_key);
  // The live database is untouched: the row is left out of the copy only.
  CHECK(st->GetPalette(tenant, gone.id).ok());
  // A second backup to the same file is refused.
  CHECK(app::MakeBackup(cfg, db, objs, o).error().code == ErrorCode::kAlreadyExists);

  config::Config restored_cfg;
  restored_cfg.data.dir = (dir / "restored").string();
  auto restored = app::RestoreBackup(restored_cfg, o.out);
  REQUIRE(restored.ok());
  CHECK(restored->palettes == 1);
  CHECK(restored->objects == 1);
  auto back = OpenSqlite(dir / "restored" / "palettemaker.db");
  auto page = back->ListPalettes(tenant, std::nullopt, 100);
  REQUIRE(page.ok());
  REQUIRE(page->items.size() == 1);
  CHECK(page->items[0].id.value == kept.id.value);
  CHECK(page->items[0].name == "kept");
  std::ifstream in(dir / "restored" / "objects" / kept.image.object_key, std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "kept bytes");
  // Restoring again into the now non-empty directory is refused.
  CHECK(app::RestoreBackup(restored_cfg, o.out).error().code == ErrorCode::kConflict);
  back.reset();
  st.reset();
  fs::remove_all(dir);
}

TEST_CASE("backup: PostgreSQL or S3 configurations are refused with a pointer to their tools", "[app][backup]") {
  config::Config cfg;
  cfg.database.url = "postgres://pm@127.0.0.1/pm";
  std::string why = app::BackupUnsupportedReason(cfg);
  CHECK(why.find("pg_dump") != std::string::npos);
  CHECK(why.find("bucket versioning") != std::string::npos);
  config::Config s3;
  s3.storage.url = "s3://bucket/prefix";
  CHECK(app::BackupUnsupportedReason(s3).find("S3") != std::string::npos);
  CHECK(app::BackupUnsupportedReason(config::Config{}).empty());
}

TEST_CASE("import-tenant: a failure after the workspace was created leaves nothing behind", "[app][backup]") {
  InitCrypto();
  fs::path dir = TempDir("import");
  FakeClock clock;
  config::Config cfg;
  // The source: a workspace with three palettes, two images (one shared by a duplicate-like row).
  objects::MemoryObjectStore src_objs{&clock};
  auto src = OpenSqlite(dir / "src.db");
  auto owner = src->CreateUserWithWorkspace({"o@example.com", "O", "hash"}, {"team", "Team"}, clock.NowMillis());
  REQUIRE(owner.ok());
  TenantId t = owner->second.id;
  AddPalette(*src, src_objs, t, owner->first.id, "one", "first image", true, 1000);
  AddPalette(*src, src_objs, t, owner->first.id, "two", "second image", true, 2000);
  const std::string archive = (dir / "team.tar").string();
  {
    std::FILE* out = std::fopen(archive.c_str(), "wb");
    REQUIRE(out != nullptr);
    auto exported = app::ExportTenant({src.get(), &src_objs, &cfg, &clock}, owner->second, out, "test");
    std::fclose(out);
    REQUIRE(exported.ok());
    CHECK(exported->palettes == 2);
    CHECK(exported->objects == 2);
  }

  // The target: the owner has an account; the second image's commit fails.
  objects::MemoryObjectStore base{&clock};
  objects::FailingObjectStore failing(&base);
  auto dst = OpenSqlite(dir / "dst.db");
  REQUIRE(dst->CreateUserWithWorkspace({"o@example.com", "O", "hash"}, {"o-personal", "O"}, clock.NowMillis()).ok());
  app::Services services{dst.get(), &failing, &cfg, &clock};
  failing.FailNth(objects::FailingObjectStore::Op::kCommit, 2);
  app::TenantImportOptions o;
  o.archive = archive;
  auto failed = app::ImportTenant(services, o);
  REQUIRE_FALSE(failed.ok());
  CHECK(app::FindWorkspaceBySlug(*dst, "team").error().code == ErrorCode::kNotFound);
  CHECK(base.List("tenants/").value().empty());

  // Without the failure it goes through, palettes in order with their times.
  failing.ClearFailures();
  auto ok = app::ImportTenant(services, o);
  REQUIRE(ok.ok());
  CHECK(ok->palettes == 2);
  auto page = dst->ListPalettes(ok->tenant, std::nullopt, 100);
  REQUIRE(page.ok());
  REQUIRE(page->items.size() == 2);
  CHECK(page->items[0].name == "two");
  CHECK(page->items[0].created_at == 2000);
  CHECK(page->items[1].name == "one");
  CHECK(base.GetBytes(page->items[1].image.object_key, 1000).value() == "first image");
  // The slug is taken now.
  CHECK(app::ImportTenant(services, o).error().code == ErrorCode::kConflict);
  src.reset();
  dst.reset();
  fs::remove_all(dir);
}

TEST_CASE("import-tenant: a well-formed archive with malformed contents is refused before anything is made", "[app][backup]") {
  InitCrypto();
  fs::path dir = TempDir("malformed");
  FakeClock clock;
  config::Config cfg;
  objects::MemoryObjectStore objs{&clock};
  auto dst = OpenSqlite(dir / "dst.db");
  REQUIRE(dst->CreateUserWithWorkspace({"o@example.com", "O", "hash"}, {"o-personal", "O"}, clock.NowMillis()).ok());
  app::Services services{dst.get(), &objs, &cfg, &clock};
  const std::string ws = R"({"slug": "team", "name": "Team", "plan": "", "created_at": "2026-01-01T00:00:00.000Z"})";
  const std::string members = R"([{"email": "o@example.com", "name": "O", "role": "owner", "joined_at": "2026-01-01T00:00:00.000Z"}])";
  const std::string image = "image bytes";
  auto palette = [&](const std::string& colors, const std::string& sha) {
    return R"([{"id": 1, "name": "P", "image": {"entry": "objects/images/a.png", "format": "png", "mime": "image/png",
      "width": 1, "height": 1, "bytes": 11, "sha256": ")" + sha + R"("}, "colors": )" + colors +
           R"(, "labels": ["A"], "coverage": [1], "regions": [], "region_colors": [], "region_labels": [],
      "params": {}, "background": null, "created_at": "2026-01-01T00:00:00.000Z",
      "updated_at": "2026-01-01T00:00:00.000Z", "created_by": null}])";
  };
  auto write = [&](const std::string& palettes, const std::string& members_json, const std::string& format,
                   const std::string& ws_json) {
    std::string path = (dir / "a.tar").string();
    std::FILE* out = std::fopen(path.c_str(), "wb");
    REQUIRE(out != nullptr);
    app::ArchiveWriter w(out, 0);
    REQUIRE(w.Add("workspace.json", ws_json).ok());
    REQUIRE(w.Add("members.json", members_json).ok());
    REQUIRE(w.Add("palettes.json", palettes).ok());
    REQUIRE(w.Add("objects/images/a.png", image).ok());
    REQUIRE(w.Finish({{"format", format}, {"format_version", 1}}).ok());
    std::fclose(out);
    return path;
  };
  const std::string good_sha = Sha256Hex(image);
  struct Case {
    const char* what;
    std::string palettes, members, format, message;
    std::string workspace{};
  };
  std::vector<Case> cases = {
      {"colour not #rrggbb", palette(R"(["red"])", good_sha), members, app::kTenantExportFormat, "colors must be #rrggbb"},
      {"image digest differs", palette(R"(["#112233"])", std::string(64, 'a')), members, app::kTenantExportFormat,
       "does not match the SHA-256"},
      {"palettes not an array", "{}", members, app::kTenantExportFormat, "palettes.json is not a JSON array"},
      {"no owner", palette(R"(["#112233"])", good_sha), "[]", app::kTenantExportFormat, "exactly one owner"},
      {"a backup, not an export", palette(R"(["#112233"])", good_sha), members, app::kBackupFormat,
       "not a palettemaker-tenant-export archive"},
      {"workspace without a slug", palette(R"(["#112233"])", good_sha), members, app::kTenantExportFormat,
       "slug must be a string", R"({"name": "Team", "created_at": "2026-01-01T00:00:00.000Z"})"},
      {"background out of int range", [&] {
         std::string p = palette(R"(["#112233"])", good_sha);
         return p.replace(p.find(R"("background": null)"), 18, R"("background": 99999999999999)");
       }(), members, app::kTenantExportFormat, "background"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    app::TenantImportOptions o;
    o.archive = write(c.palettes, c.members, c.format, c.workspace.empty() ? ws : c.workspace);
    auto r = app::ImportTenant(services, o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(r.error().message, Catch::Contains(c.message));
    CHECK(app::FindWorkspaceBySlug(*dst, "team").error().code == ErrorCode::kNotFound);
    CHECK(objs.List("tenants/").value().empty());
  }
  // The same archive with good contents imports.
  app::TenantImportOptions o;
  o.archive = write(palette(R"(["#112233"])", good_sha), members, app::kTenantExportFormat, ws);
  auto r = app::ImportTenant(services, o);
  REQUIRE(r.ok());
  CHECK(r->palettes == 1);
  dst.reset();
  fs::remove_all(dir);
}
