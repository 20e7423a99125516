// LocalObjectStore specifics: the on-disk layout, temp files, symlinks, the root directory.
#include "objects/local/local_object_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "objects/failing_object_store.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace pm::objects {
namespace {

using pm::testing::TempDir;

std::unique_ptr<LocalObjectStore> OpenOrDie(const fs::path& root) {
  auto store = LocalObjectStore::OpenAt(root.string());
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return std::move(store).value();
}

size_t CountEntries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary);
  out << data;
}

TEST_CASE("local: the root is created (with parents) with mode 0750", "[objects][local]") {
  TempDir tmp;
  fs::path root = tmp.path() / "deep" / "er" / "objects";
  auto store = OpenOrDie(root);
  CHECK(store->root() == root.string());
  REQUIRE(fs::is_directory(root));
  REQUIRE(fs::is_directory(root / ".tmp"));
  mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st;
  REQUIRE(::stat(root.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == (0750 & ~mask));
  CHECK(store->Check().ok());

  // Opening an existing root again is fine and sees the same objects.
  REQUIRE(store->PutBytes("tenants/1/a", "a").ok());
  auto again = OpenOrDie(root.string() + "/");
  CHECK(*again->GetBytes("tenants/1/a", 10) == "a");
}

TEST_CASE("local: a root that cannot be a directory is kUnavailable", "[objects][local]") {
  TempDir tmp;
  WriteFile(tmp.path() / "file", "x");
  auto store = LocalObjectStore::OpenAt((tmp.path() / "file").string());
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().code == ErrorCode::kUnavailable);
  auto under = LocalObjectStore::OpenAt((tmp.path() / "file" / "sub").string());
  REQUIRE_FALSE(under.ok());
  CHECK(under.error().code == ErrorCode::kUnavailable);

  auto via_url = OpenObjectStore({"file://" + (tmp.path() / "file").string()});
  REQUIRE_FALSE(via_url.ok());
  CHECK(via_url.error().code == ErrorCode::kUnavailable);
  CHECK(via_url.error().message.starts_with("storage.url: "));
}

TEST_CASE("local: file:// URLs take the rest as the path, absolute or relative", "[objects][local]") {
  TempDir tmp;
  auto abs = OpenObjectStore({"file://" + tmp.str() + "/abs"});
  REQUIRE(abs.ok());
  REQUIRE((*abs)->PutBytes("k", "v").ok());
  CHECK(Slurp(tmp.path() / "abs" / "k") == "v");

  // Relative paths resolve against the current directory at open time.
  fs::path cwd = fs::current_path();
  fs::current_path(tmp.path());
  auto rel = OpenObjectStore({"file://./rel/objects"});
  fs::current_path(cwd);
  REQUIRE(rel.ok());
  REQUIRE((*rel)->PutBytes("k", "relative").ok());
  CHECK(Slurp(tmp.path() / "rel" / "objects" / "k") == "relative");
}

TEST_CASE("local: a key is a file at the same relative path", "[objects][local]") {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path() / "o");
  REQUIRE(store->PutBytes("tenants/7/images/abc.png", "png bytes").ok());
  CHECK(Slurp(tmp.path() / "o" / "tenants" / "7" / "images" / "abc.png") == "png bytes");
  struct stat st;
  REQUIRE(::stat((tmp.path() / "o" / "tenants" / "7").c_str(), &st) == 0);
  CHECK((st.st_mode & 0027) == 0);  // directories 0750: nothing for "other"
}

TEST_CASE("local: temp files live in .tmp and never outlast their writer", "[objects][local]") {
  TempDir tmp;
  fs::path root = tmp.path() / "o";
  auto store = OpenOrDie(root);
  fs::path tmpdir = root / ".tmp";

  SECTION("commit") {
    auto w = store->Create("tenants/1/a");
    REQUIRE(w.ok());
    REQUIRE((*w)->Write("abc").ok());
    CHECK(CountEntries(tmpdir) == 1);
    REQUIRE((*w)->Commit().ok());
    CHECK(CountEntries(tmpdir) == 0);
  }
  SECTION("abort") {
    auto w = store->Create("tenants/1/a");
    REQUIRE(w.ok());
    REQUIRE((*w)->Write("abc").ok());
    (*w)->Abort();
    CHECK(CountEntries(tmpdir) == 0);
    CHECK_FALSE(fs::exists(root / "tenants"));
  }
  SECTION("destroyed uncommitted") {
    {
      auto w = store->Create("tenants/1/a");
      REQUIRE(w.ok());
      REQUIRE((*w)->Write("abc").ok());
    }
    CHECK(CountEntries(tmpdir) == 0);
  }
  SECTION("many writers at once get distinct temp files") {
    std::vector<std::unique_ptr<ObjectWriter>> writers;
    for (int i = 0; i < 20; ++i) {
      auto w = store->Create("tenants/1/same");
      REQUIRE(w.ok());
      REQUIRE((*w)->Write(std::to_string(i)).ok());
      writers.push_back(std::move(w).value());
    }
    CHECK(CountEntries(tmpdir) == 20);
    for (auto& w : writers) REQUIRE(w->Commit().ok());
    CHECK(CountEntries(tmpdir) == 0);
    CHECK(*store->GetBytes("tenants/1/same", 10) == "19");
  }
  SECTION("a failed commit (injected) leaves neither temp file nor object") {
    FailingObjectStore failing(store.get());
    failing.FailNth(FailingObjectStore::Op::kCommit, 1);
    auto put = failing.PutBytes("tenants/1/a", "abc");
    REQUIRE_FALSE(put.ok());
    CHECK(put.error().code == ErrorCode::kUnavailable);
    CHECK(CountEntries(tmpdir) == 0);
    CHECK(store->List("")->empty());
  }
  CHECK(store->Check().ok());
  CHECK(CountEntries(tmpdir) == 0);  // Check's probe file is gone too
}

TEST_CASE("local: stray files in the root are not objects", "[objects][local]") {
  TempDir tmp;
  fs::path root = tmp.path() / "o";
  auto store = OpenOrDie(root);
  REQUIRE(store->PutBytes("tenants/1/a", "a").ok());
  fs::create_directories(root / "lost+found");
  WriteFile(root / "lost+found" / "x", "x");
  WriteFile(root / ".tmp" / "leftover-from-a-crash", "x");
  WriteFile(root / "tenants" / "1" / ".DS_Store", "x");
  WriteFile(root / "tenants" / "1" / "has space", "x");
  ::mkfifo((root / "tenants" / "1" / "fifo").c_str(), 0600);
  auto all = store->List("");
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  CHECK((*all)[0].key == "tenants/1/a");
  CHECK(store->Stat("tenants/1/fifo").error().code == ErrorCode::kNotFound);
  CHECK(store->Open("tenants/1/fifo").error().code == ErrorCode::kNotFound);
}

TEST_CASE("local: symlinks planted inside the root are never followed", "[objects][local]") {
  TempDir tmp;
  fs::path root = tmp.path() / "o";
  fs::path outside = tmp.path() / "outside";
  fs::create_directories(outside);
  WriteFile(outside / "secret.txt", "secret");
  auto store = OpenOrDie(root);
  REQUIRE(store->PutBytes("tenants/1/real", "real").ok());

  SECTION("as the final component") {
    fs::create_symlink(outside / "secret.txt", root / "tenants" / "1" / "link");
    CHECK(store->Open("tenants/1/link").error().code == ErrorCode::kNotFound);
    CHECK(store->Stat("tenants/1/link").error().code == ErrorCode::kNotFound);
    CHECK(store->GetBytes("tenants/1/link", 100).error().code == ErrorCode::kNotFound);
    CHECK(store->List("tenants/")->size() == 1);
    // Writing the key replaces the link itself; the target is untouched.
    REQUIRE(store->PutBytes("tenants/1/link", "mine").ok());
    CHECK(Slurp(outside / "secret.txt") == "secret");
    CHECK_FALSE(fs::is_symlink(root / "tenants" / "1" / "link"));
    CHECK(*store->GetBytes("tenants/1/link", 100) == "mine");
    // Delete removes only what is inside the root.
    fs::remove(root / "tenants" / "1" / "link");
    fs::create_symlink(outside / "secret.txt", root / "tenants" / "1" / "link");
    REQUIRE(store->Delete("tenants/1/link").ok());
    CHECK(fs::exists(outside / "secret.txt"));
    CHECK_FALSE(fs::exists(fs::symlink_status(root / "tenants" / "1" / "link")));
  }

  SECTION("as a directory in the middle of the key") {
    fs::create_directory_symlink(outside, root / "tenants" / "2");
    CHECK(store->Open("tenants/2/secret.txt").error().code == ErrorCode::kNotFound);
    CHECK(store->Stat("tenants/2/secret.txt").error().code == ErrorCode::kNotFound);
    auto list = store->List("tenants/");
    REQUIRE(list.ok());
    REQUIRE(list->size() == 1);
    CHECK((*list)[0].key == "tenants/1/real");
    CHECK(store->List("tenants/2/")->empty());
    auto put = store->PutBytes("tenants/2/planted", "x");
    REQUIRE_FALSE(put.ok());
    CHECK(put.error().code == ErrorCode::kUnavailable);
    CHECK_FALSE(fs::exists(outside / "planted"));
    REQUIRE(store->Delete("tenants/2/secret.txt").ok());
    CHECK(Slurp(outside / "secret.txt") == "secret");
    CHECK(CountEntries(root / ".tmp") == 0);
  }

  SECTION("as a directory symlink to elsewhere inside the root") {
    // Even a link that stays inside the root is not followed: keys map to one path only.
    fs::create_directory_symlink(root / "tenants" / "1", root / "tenants" / "3");
    CHECK(store->Stat("tenants/3/real").error().code == ErrorCode::kNotFound);
    CHECK(store->List("")->size() == 1);
  }
}

TEST_CASE("local: deleting the last object prunes empty directories, never the root", "[objects][local]") {
  TempDir tmp;
  fs::path root = tmp.path() / "o";
  auto store = OpenOrDie(root);
  REQUIRE(store->PutBytes("tenants/1/p/a", "a").ok());
  REQUIRE(store->PutBytes("tenants/1/q", "q").ok());
  REQUIRE(store->Delete("tenants/1/p/a").ok());
  CHECK_FALSE(fs::exists(root / "tenants" / "1" / "p"));
  CHECK(fs::exists(root / "tenants" / "1" / "q"));
  REQUIRE(store->Delete("tenants/1/q").ok());
  CHECK_FALSE(fs::exists(root / "tenants"));
  CHECK(fs::is_directory(root));
  CHECK(fs::is_directory(root / ".tmp"));
  REQUIRE(store->PutBytes("top", "t").ok());
  REQUIRE(store->Delete("top").ok());
  CHECK(fs::is_directory(root));
  CHECK(store->Check().ok());
}

TEST_CASE("local: commits racing deletes that prune their directory still land", "[objects][local]") {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path() / "o");
  std::atomic<bool> stop{false};
  std::atomic<int> delete_failures{0};
  std::mutex mu;
  std::string churn_error;  // GUARDED_BY(mu)
  std::thread churn([&] {
    // Keeps creating and emptying tenants/1/d so it is pruned over and over.
    while (!stop.load()) {
      auto put = store->PutBytes("tenants/1/d/churn", "c");
      if (!put.ok()) {
        ++delete_failures;
        std::lock_guard<std::mutex> lock(mu);
        churn_error = "churn put: " + put.error().message;
      }
      Status del = store->Delete("tenants/1/d/churn");
      if (!del.ok()) {
        ++delete_failures;
        std::lock_guard<std::mutex> lock(mu);
        churn_error = "churn delete: " + del.error().message;
      }
    }
  });
  int put_failures = 0;
  for (int i = 0; i < 200; ++i) {
    std::string key = "tenants/1/d/k" + std::to_string(i);
    auto put = store->PutBytes(key, "v");
    if (!put.ok()) {
      ++put_failures;
      UNSCOPED_INFO(put.error().message);
    }
    REQUIRE(store->Delete(key).ok());
  }
  stop = true;
  churn.join();
  CHECK(put_failures == 0);
  INFO(churn_error);
  CHECK(delete_failures.load() == 0);
}

TEST_CASE("local: a key cannot be both an object and a prefix", "[objects][local]") {
  TempDir tmp;
  fs::path root = tmp.path() / "o";
  auto store = OpenOrDie(root);
  REQUIRE(store->PutBytes("a/b", "file").ok());
  auto deeper = store->PutBytes("a/b/c", "x");
  REQUIRE_FALSE(deeper.ok());
  CHECK(deeper.error().code == ErrorCode::kConflict);
  auto shallower = store->PutBytes("a", "x");
  REQUIRE_FALSE(shallower.ok());
  CHECK(shallower.error().code == ErrorCode::kConflict);
  CHECK(CountEntries(root / ".tmp") == 0);
  CHECK(*store->GetBytes("a/b", 10) == "file");
}

TEST_CASE("local: Check fails when the root is removed or replaced", "[objects][local]") {
  TempDir tmp;
  fs::path root = tmp.path() / "o";
  auto store = OpenOrDie(root);
  REQUIRE(store->Check().ok());
  fs::remove_all(root);
  Status gone = store->Check();
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == ErrorCode::kUnavailable);
  fs::create_directories(root / ".tmp");
  Status replaced = store->Check();
  REQUIRE_FALSE(replaced.ok());
  CHECK(replaced.error().code == ErrorCode::kUnavailable);
  CHECK(replaced.error().message.find("replaced") != std::string::npos);
}

}  // namespace
}  // namespace pm::objects
