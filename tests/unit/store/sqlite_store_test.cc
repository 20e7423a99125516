// SQLite-specific and backend-independent tests that are not part of the contract: the embedded
// migration list, OpenStore's URL handling, and what SqliteStore does to the filesystem.
#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "store/migrations.h"
#include "store/store.h"

namespace pm::store {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pm-sqlite-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Result<std::unique_ptr<Store>> Open(const std::string& url, int pool_size = 2) {
  StoreOptions options;
  options.url = url;
  options.pool_size = pool_size;
  return OpenStore(options);
}

TEST_CASE("migrations: embedded list is strictly increasing and contiguous from 1",
          "[store][migrations]") {
  auto migrations = SqliteMigrations();
  REQUIRE_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    INFO("migration #" << i);
    CHECK(migrations[i].version == static_cast<int>(i) + 1);
    REQUIRE(migrations[i].name != nullptr);
    CHECK(std::string(migrations[i].name).size() > 0);
    REQUIRE(migrations[i].sql != nullptr);
    const std::string sql = migrations[i].sql;
    CHECK((sql.find("CREATE") != std::string::npos || sql.find("ALTER") != std::string::npos));
  }
  CHECK(std::string(migrations[0].name) == "init");
  // The PostgreSQL list mirrors it: same versions, same names.
  auto pg = PostgresMigrations();
  REQUIRE(pg.size() == migrations.size());
  for (size_t i = 0; i < pg.size(); ++i) {
    CHECK(pg[i].version == migrations[i].version);
    CHECK(std::string(pg[i].name) == migrations[i].name);
  }
}

TEST_CASE("OpenStore: URL schemes", "[store][url]") {
  SECTION("postgres:// and postgresql:// select PostgreSQL; unreachable is kUnavailable") {
    // Port 1 on loopback refuses at once; the PostgreSQL tests proper are pm_store_pg_tests.
    for (const char* url : {"postgres://u:secret@127.0.0.1:1/pm", "postgresql://127.0.0.1:1/pm"}) {
      INFO(url);
      auto r = Open(url);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == ErrorCode::kUnavailable);
      CHECK(r.error().message.rfind("database.url: cannot connect: ", 0) == 0);
      CHECK(r.error().message.find("secret") == std::string::npos);
    }
  }
  SECTION("unknown schemes name database.url and do not echo secrets") {
    for (const char* url : {"mysql://root:hunter2@db/pm", "", "/var/lib/pm.db", "sqlite:/x.db",
                            "SQLITE:///x.db"}) {
      INFO(url);
      auto r = Open(url);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == ErrorCode::kInvalidArgument);
      CHECK(r.error().message.find("database.url") != std::string::npos);
      CHECK(r.error().message.find("hunter2") == std::string::npos);
    }
  }
  SECTION("sqlite:// needs a path") {
    for (const char* url : {"sqlite://", "sqlite://:memory:"}) {
      auto r = Open(url);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == ErrorCode::kInvalidArgument);
      CHECK(r.error().message.find("database.url") != std::string::npos);
    }
  }
  SECTION("pool size and busy timeout are bounded") {
    TempDir dir;
    for (int size : {0, -1, 65}) {
      auto r = Open("sqlite://" + dir.path() + "/x.db", size);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == ErrorCode::kInvalidArgument);
      CHECK(r.error().message.find("database.pool_size") != std::string::npos);
    }
    StoreOptions options;
    options.url = "sqlite://" + dir.path() + "/x.db";
    options.busy_timeout_ms = -5;
    auto r = OpenStore(options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("database.busy_timeout_ms") != std::string::npos);
  }
}

TEST_CASE("SqliteStore: sqlite:///abs path, parent directories 0750, WAL", "[store][sqlite]") {
  TempDir dir;
  std::string db = dir.path() + "/a/b/palettemaker.db";
  ::mode_t old_umask = ::umask(022);
  auto store = Open("sqlite://" + db);
  ::umask(old_umask);
  INFO((store.ok() ? "" : store.error().message));
  REQUIRE(store.ok());
  REQUIRE((*store)->Migrate().ok());
  CHECK(std::filesystem::exists(db));
  for (const char* sub : {"/a", "/a/b"}) {
    struct stat st {};
    REQUIRE(::stat((dir.path() + sub).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0750);
  }

  // The file is in WAL mode and carries the schema.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal");
  sqlite3_finalize(stmt);
  REQUIRE(sqlite3_prepare_v2(raw,
                             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                             "('users','tenants','memberships','sessions','palettes',"
                             "'schema_migrations','counters','leases')",
                             -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int(stmt, 0) == 8);
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
}

TEST_CASE("SqliteStore: sqlite://relative path is relative to the working directory",
          "[store][sqlite]") {
  TempDir dir;
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  auto store = Open("sqlite://./data/rel.db");
  std::filesystem::current_path(cwd);
  REQUIRE(store.ok());
  CHECK(std::filesystem::exists(dir.path() + "/data/rel.db"));
}

TEST_CASE("SqliteStore: an unopenable file is kUnavailable", "[store][sqlite]") {
  TempDir dir;
  // A directory where the database file should be.
  std::filesystem::create_directories(dir.path() + "/is-a-dir.db");
  auto r = Open("sqlite://" + dir.path() + "/is-a-dir.db");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);

  // A file that is not a database.
  std::string junk = dir.path() + "/junk.db";
  FILE* f = std::fopen(junk.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fputs("this is not an SQLite database, just some text that is long enough......", f);
  std::fclose(f);
  auto bad = Open("sqlite://" + junk);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kUnavailable);
}

TEST_CASE("SqliteStore: the list query seeks the tenant index", "[store][sqlite]") {
  // Guards the hot path against a full scan or a temp B-tree sort (cost flat as data grows).
  TempDir dir;
  std::string db = dir.path() + "/plan.db";
  {
    auto store = Open("sqlite://" + db);
    REQUIRE(store.ok());
    REQUIRE((*store)->Migrate().ok());
  }
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw,
                             "EXPLAIN QUERY PLAN SELECT * FROM palettes WHERE tenant_id = ?1 AND "
                             "position <= ?2 AND (position < ?2 OR (position = ?2 AND id < ?3)) "
                             "ORDER BY position DESC, id DESC LIMIT ?4",
                             -1, &stmt, nullptr) == SQLITE_OK);
  std::string plan;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    plan += "\n";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  INFO(plan);
  CHECK(plan.find("palettes_tenant_position_idx (tenant_id=? AND position<?)") != std::string::npos);
  CHECK(plan.find("TEMP B-TREE") == std::string::npos);
}

}  // namespace
}  // namespace pm::store
