#include "object_store_contract.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

namespace pm::objects::testing {

namespace {

std::vector<std::string> Keys(const std::vector<ObjectInfo>& infos) {
  std::vector<std::string> keys;
  for (const auto& info : infos) keys.push_back(info.key);
  return keys;
}

// Deterministic bytes that differ from chunk to chunk (so a misplaced chunk is caught).
std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

// Reads a whole object through Open() in `chunk`-byte reads.
std::string ReadAll(ObjectReader& reader, size_t chunk) {
  std::string out;
  std::vector<char> buf(chunk);
  while (true) {
    auto n = reader.Read(buf.data(), buf.size());
    REQUIRE(n.ok());
    if (*n == 0) break;
    REQUIRE(*n <= chunk);
    out.append(buf.data(), *n);
  }
  return out;
}

void RequirePut(ObjectStore& store, const std::string& key, const std::string& data) {
  auto info = store.PutBytes(key, data);
  INFO(key << ": " << (info.ok() ? std::string() : info.error().message));
  REQUIRE(info.ok());
}

ErrorCode CodeOf(const Status& s) {
  return s.error().code;
}
template <typename T>
ErrorCode CodeOf(const Result<T>& r) {
  return r.error().code;
}

}  // namespace

void RunObjectStoreContract(const ObjectStoreFactory& factory) {
  std::unique_ptr<ObjectStore> store_ptr = factory();
  REQUIRE(store_ptr != nullptr);
  ObjectStore& store = *store_ptr;

  SECTION("a new store is empty and healthy") {
    REQUIRE(store.Check().ok());
    auto all = store.List("");
    REQUIRE(all.ok());
    CHECK(all->empty());
  }

  SECTION("put then get round-trips the bytes; stat and list agree") {
    std::string data = Pattern(1000, 1);
    auto info = store.PutBytes("tenants/1/images/a.png", data);
    REQUIRE(info.ok());
    CHECK(info->key == "tenants/1/images/a.png");
    CHECK(info->size == 1000);
    CHECK(info->modified_ms > 0);

    auto got = store.GetBytes("tenants/1/images/a.png", 1 << 20);
    REQUIRE(got.ok());
    CHECK(*got == data);

    auto stat = store.Stat("tenants/1/images/a.png");
    REQUIRE(stat.ok());
    CHECK(stat->key == "tenants/1/images/a.png");
    CHECK(stat->size == 1000);
    CHECK(stat->modified_ms > 0);

    auto reader = store.Open("tenants/1/images/a.png");
    REQUIRE(reader.ok());
    CHECK((*reader)->size() == 1000);
    CHECK(ReadAll(**reader, 7) == data);

    auto list = store.List("tenants/1/");
    REQUIRE(list.ok());
    REQUIRE(list->size() == 1);
    CHECK((*list)[0].key == "tenants/1/images/a.png");
    CHECK((*list)[0].size == 1000);
  }

  SECTION("an empty object is an object") {
    REQUIRE(store.PutBytes("tenants/1/empty", "").ok());
    auto stat = store.Stat("tenants/1/empty");
    REQUIRE(stat.ok());
    CHECK(stat->size == 0);
    auto got = store.GetBytes("tenants/1/empty", 0);
    REQUIRE(got.ok());
    CHECK(got->empty());
  }

  SECTION("a 5 MiB object written and read in chunks") {
    constexpr size_t kSize = 5 * 1024 * 1024;
    std::string data = Pattern(kSize, 5);
    auto writer = store.Create("tenants/3/big.bin");
    REQUIRE(writer.ok());
    // Odd chunk sizes so chunk boundaries never line up with buffer sizes.
    size_t pos = 0;
    size_t chunk = 1;
    while (pos < kSize) {
      size_t n = std::min(chunk, kSize - pos);
      REQUIRE((*writer)->Write(std::string_view(data).substr(pos, n)).ok());
      pos += n;
      chunk = chunk * 3 + 4099;
      if (chunk > 300'000) chunk = 65'537;
    }
    auto info = (*writer)->Commit();
    REQUIRE(info.ok());
    CHECK(info->size == static_cast<int64_t>(kSize));

    auto stat = store.Stat("tenants/3/big.bin");
    REQUIRE(stat.ok());
    CHECK(stat->size == static_cast<int64_t>(kSize));
    auto reader = store.Open("tenants/3/big.bin");
    REQUIRE(reader.ok());
    CHECK((*reader)->size() == static_cast<int64_t>(kSize));
    std::string back = ReadAll(**reader, 70'001);
    CHECK(back.size() == kSize);
    CHECK(back == data);
  }

  SECTION("GetBytes refuses an object larger than max_bytes") {
    RequirePut(store, "tenants/1/x", std::string(100, 'x'));
    CHECK(store.GetBytes("tenants/1/x", 100).ok());
    auto got = store.GetBytes("tenants/1/x", 99);
    REQUIRE_FALSE(got.ok());
    CHECK(CodeOf(got) == ErrorCode::kPayloadTooLarge);
  }

  SECTION("a missing key is kNotFound for open, stat and get") {
    RequirePut(store, "tenants/1/present", "p");
    for (const char* key :
         {"tenants/1/missing", "tenants/2/present", "tenants/1/present/x", "tenants/1", "tenants"}) {
      INFO(key);
      auto open = store.Open(key);
      REQUIRE_FALSE(open.ok());
      CHECK(CodeOf(open) == ErrorCode::kNotFound);
      auto stat = store.Stat(key);
      REQUIRE_FALSE(stat.ok());
      CHECK(CodeOf(stat) == ErrorCode::kNotFound);
      auto get = store.GetBytes(key, 100);
      REQUIRE_FALSE(get.ok());
      CHECK(CodeOf(get) == ErrorCode::kNotFound);
    }
  }

  SECTION("delete removes the object and is idempotent") {
    RequirePut(store, "tenants/1/a/b", "bytes");
    RequirePut(store, "tenants/1/a/c", "other");
    REQUIRE(store.Delete("tenants/1/a/b").ok());
    CHECK(CodeOf(store.Stat("tenants/1/a/b")) == ErrorCode::kNotFound);
    CHECK(CodeOf(store.Open("tenants/1/a/b")) == ErrorCode::kNotFound);
    REQUIRE(store.Delete("tenants/1/a/b").ok());        // again
    REQUIRE(store.Delete("tenants/9/never/was").ok());  // never existed
    REQUIRE(store.Delete("tenants/1/a").ok());          // only a prefix: nothing to delete
    auto list = store.List("");
    REQUIRE(list.ok());
    CHECK(Keys(*list) == std::vector<std::string>{"tenants/1/a/c"});
    CHECK(*store.GetBytes("tenants/1/a/c", 100) == "other");
    // The same key can be written again after a delete.
    RequirePut(store, "tenants/1/a/b", "again");
    CHECK(*store.GetBytes("tenants/1/a/b", 100) == "again");
  }

  SECTION("list returns keys under the prefix, sorted, and nothing else") {
    // Written out of order; "tenants/10/" must not leak into "tenants/1/".
    for (const char* key : {"tenants/10/z", "tenants/1/b/2", "tenants/2/a", "tenants/1/a", "tenants/1/b/1",
                            "tenants/1/B", "other/tenants/1/a", "tenants/1-x/a", "tenants/1/b/10"}) {
      RequirePut(store, key, key);
    }
    auto one = store.List("tenants/1/");
    REQUIRE(one.ok());
    CHECK(Keys(*one) == std::vector<std::string>{"tenants/1/B", "tenants/1/a", "tenants/1/b/1",
                                                 "tenants/1/b/10", "tenants/1/b/2"});
    for (const auto& info : *one) CHECK(info.size == static_cast<int64_t>(info.key.size()));

    auto ten = store.List("tenants/10/");
    REQUIRE(ten.ok());
    CHECK(Keys(*ten) == std::vector<std::string>{"tenants/10/z"});

    // A prefix is a plain string prefix (as on S3), not a directory.
    auto loose = store.List("tenants/1");
    REQUIRE(loose.ok());
    CHECK(Keys(*loose) == std::vector<std::string>{"tenants/1-x/a", "tenants/1/B", "tenants/1/a",
                                                   "tenants/1/b/1", "tenants/1/b/10", "tenants/1/b/2",
                                                   "tenants/10/z"});
    auto partial = store.List("tenants/1/b/1");
    REQUIRE(partial.ok());
    CHECK(Keys(*partial) == std::vector<std::string>{"tenants/1/b/1", "tenants/1/b/10"});

    auto all = store.List("");
    REQUIRE(all.ok());
    CHECK(all->size() == 9);
    CHECK(std::is_sorted(all->begin(), all->end(),
                         [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; }));

    auto none = store.List("tenants/3/");
    REQUIRE(none.ok());
    CHECK(none->empty());
  }

  SECTION("an overwrite is atomic: the old bytes until Commit, then the new ones") {
    RequirePut(store, "tenants/1/k", "old contents");
    auto old_reader = store.Open("tenants/1/k");
    REQUIRE(old_reader.ok());

    auto writer = store.Create("tenants/1/k");
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Write("new ").ok());
    CHECK(*store.GetBytes("tenants/1/k", 100) == "old contents");
    REQUIRE((*writer)->Write("contents, longer").ok());
    CHECK(store.Stat("tenants/1/k")->size == 12);
    REQUIRE((*writer)->Commit().ok());

    CHECK(*store.GetBytes("tenants/1/k", 100) == "new contents, longer");
    CHECK(store.Stat("tenants/1/k")->size == 20);
    auto list = store.List("tenants/1/");
    REQUIRE(list.ok());
    CHECK(Keys(*list) == std::vector<std::string>{"tenants/1/k"});
    // A reader opened before the overwrite still reads the whole old object.
    CHECK(ReadAll(**old_reader, 5) == "old contents");
  }

  SECTION("readers racing overwrites see one whole version, never a mix") {
    const std::string a(256 * 1024, 'a');
    const std::string b(300 * 1024, 'b');
    RequirePut(store, "tenants/1/race", a);
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::atomic<int> reads{0};
    std::thread reader([&] {
      while (!stop.load()) {
        auto got = store.GetBytes("tenants/1/race", 1 << 20);
        if (!got.ok() || (*got != a && *got != b)) ++bad;
        ++reads;
      }
    });
    // At least 40 overwrites, and on until the reader has read a few times (bounded, no sleep).
    for (int i = 0; i < 40 || (reads.load() < 10 && i < 1'000'000); ++i) {
      if (!store.PutBytes("tenants/1/race", i % 2 ? a : b).ok()) ++bad;
    }
    stop = true;
    reader.join();
    CHECK(bad.load() == 0);
    CHECK(reads.load() > 0);
  }

  SECTION("an uncommitted writer leaves nothing visible") {
    RequirePut(store, "tenants/1/neighbour", "n");
    {
      auto writer = store.Create("tenants/1/pending");
      REQUIRE(writer.ok());
      REQUIRE((*writer)->Write("half an upload").ok());
      CHECK(CodeOf(store.Stat("tenants/1/pending")) == ErrorCode::kNotFound);
      CHECK(CodeOf(store.Open("tenants/1/pending")) == ErrorCode::kNotFound);
      CHECK(Keys(*store.List("")) == std::vector<std::string>{"tenants/1/neighbour"});
      // Destroyed here without Commit.
    }
    CHECK(CodeOf(store.Stat("tenants/1/pending")) == ErrorCode::kNotFound);
    CHECK(Keys(*store.List("")) == std::vector<std::string>{"tenants/1/neighbour"});
  }

  SECTION("abort leaves nothing, and the writer is finished") {
    auto writer = store.Create("tenants/1/aborted");
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Write("data").ok());
    (*writer)->Abort();
    (*writer)->Abort();  // harmless twice
    CHECK(CodeOf((*writer)->Write("more")) == ErrorCode::kInternal);
    CHECK(CodeOf((*writer)->Commit()) == ErrorCode::kInternal);
    CHECK(CodeOf(store.Stat("tenants/1/aborted")) == ErrorCode::kNotFound);
    CHECK(store.List("")->empty());
  }

  SECTION("aborting an overwrite keeps the old object") {
    RequirePut(store, "tenants/1/keep", "original");
    auto writer = store.Create("tenants/1/keep");
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Write("replacement").ok());
    (*writer)->Abort();
    CHECK(*store.GetBytes("tenants/1/keep", 100) == "original");
  }

  SECTION("a writer is finished after Commit") {
    auto writer = store.Create("tenants/1/once");
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Write("x").ok());
    REQUIRE((*writer)->Commit().ok());
    CHECK(CodeOf((*writer)->Commit()) == ErrorCode::kInternal);
    CHECK(CodeOf((*writer)->Write("y")) == ErrorCode::kInternal);
    (*writer)->Abort();  // no effect after Commit
    CHECK(*store.GetBytes("tenants/1/once", 100) == "x");
  }

  SECTION("two writers to one key: the last Commit wins, whole") {
    auto w1 = store.Create("tenants/1/dup");
    auto w2 = store.Create("tenants/1/dup");
    REQUIRE(w1.ok());
    REQUIRE(w2.ok());
    REQUIRE((*w1)->Write("first").ok());
    REQUIRE((*w2)->Write("second").ok());
    REQUIRE((*w2)->Commit().ok());
    REQUIRE((*w1)->Commit().ok());
    CHECK(*store.GetBytes("tenants/1/dup", 100) == "first");
  }

  SECTION("every call rejects an invalid key with kInvalidArgument, touching nothing") {
    for (const char* key : {"", "../escape", "a/../b", "/etc/passwd", "a//b", "a\\b", ".tmp/x"}) {
      INFO(key);
      CHECK(CodeOf(store.Create(key)) == ErrorCode::kInvalidArgument);
      CHECK(CodeOf(store.Open(key)) == ErrorCode::kInvalidArgument);
      CHECK(CodeOf(store.Stat(key)) == ErrorCode::kInvalidArgument);
      CHECK(CodeOf(store.Delete(key)) == ErrorCode::kInvalidArgument);
      CHECK(CodeOf(store.PutBytes(key, "x")) == ErrorCode::kInvalidArgument);
      CHECK(CodeOf(store.GetBytes(key, 10)) == ErrorCode::kInvalidArgument);
    }
    for (const char* prefix : {"/", "../", "a//", "/etc"}) {
      INFO(prefix);
      CHECK(CodeOf(store.List(prefix)) == ErrorCode::kInvalidArgument);
    }
    CHECK(store.List("")->empty());
  }

  SECTION("a writer may outlive its store") {
    auto writer = store.Create("tenants/1/late");
    REQUIRE(writer.ok());
    std::unique_ptr<ObjectWriter> w = std::move(writer).value();
    store_ptr.reset();
    REQUIRE(w->Write("late bytes").ok());
    CHECK(w->Commit().ok());
  }

  SECTION("concurrent puts of distinct keys all land") {
    constexpr int kThreads = 4;
    constexpr int kPerThread = 25;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string key = "tenants/" + std::to_string(t + 1) + "/obj-" + std::to_string(i);
          if (!store.PutBytes(key, key).ok()) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(failures.load() == 0);
    auto all = store.List("tenants/");
    REQUIRE(all.ok());
    CHECK(all->size() == kThreads * kPerThread);
    for (const auto& info : *all) CHECK(*store.GetBytes(info.key, 100) == info.key);
  }
}

}  // namespace pm::objects::testing
