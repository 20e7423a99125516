// The S3 ObjectStore against s3rver behind the SigV4-verifying proxy (tests/services/s3): the
// whole contract plus S3-specific behaviour. Needs the ctest fixture "s3" (services_s3_start),
// which writes PM_TEST_SERVICES_DIR/s3/env; without it every test here FAILS (never skips).
#include "objects/s3/s3_object_store.h"

#include <curl/curl.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "object_store_contract.h"

namespace pm::objects {
namespace {

const std::map<std::string, std::string>& Env() {
  static const std::map<std::string, std::string> env = [] {
    std::map<std::string, std::string> m;
    std::ifstream in(std::string(PM_TEST_SERVICES_DIR) + "/s3/env");
    std::string line;
    while (std::getline(in, line)) {
      size_t eq = line.find('=');
      if (eq != std::string::npos) m[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return m;
  }();
  return env;
}

std::string EnvValue(const std::string& name) {
  auto it = Env().find(name);
  if (it == Env().end()) {
    FAIL("no " << name << " in " << PM_TEST_SERVICES_DIR
               << "/s3/env: the test S3 service is not running. "
                  "Run these tests through ctest (the fixture services_s3_start starts it), or start it by "
                  "hand with tests/services/s3/s3.sh start "
               << PM_TEST_SERVICES_DIR << "/s3");
  }
  return it->second;
}

// A prefix no other test (or earlier run) uses.
std::string UniquePrefix(const std::string& what) {
  static std::atomic<int> n{0};
  static const uint32_t run = std::random_device{}();
  return "t-" + what + "-" + std::to_string(getpid()) + "-" + std::to_string(run) + "-" + std::to_string(n++);
}

S3StoreOptions TestOptions(const std::string& prefix) {
  S3StoreOptions o;
  o.client.endpoint = EnvValue("PM_TEST_S3_ENDPOINT");
  o.client.bucket = EnvValue("PM_TEST_S3_BUCKET");
  o.client.region = EnvValue("PM_TEST_S3_REGION");
  o.client.access_key_id = EnvValue("PM_TEST_S3_ACCESS_KEY_ID");
  o.client.secret_access_key = EnvValue("PM_TEST_S3_SECRET_ACCESS_KEY");
  o.client.path_style = true;    // s3rver runs with --no-vhost-buckets
  o.client.backoff_base_ms = 5;  // keep the retry tests fast
  o.prefix = prefix.empty() ? "" : prefix + "/";
  return o;
}

// A plain request to the proxy's unsigned control endpoints.
std::string Control(const std::string& method, const std::string& path) {
  CURL* curl = curl_easy_init();
  REQUIRE(curl != nullptr);
  std::string body;
  std::string url = EnvValue("PM_TEST_S3_ENDPOINT") + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* d, size_t s, size_t n, void* u) {
        static_cast<std::string*>(u)->append(d, s * n);
        return s * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  INFO(url);
  REQUIRE(code == CURLE_OK);
  REQUIRE(status / 100 == 2);
  return body;
}

// One counter from the proxy's /__stats JSON (flat enough to find by name).
int64_t Stat(const std::string& name) {
  std::string json = Control("GET", "/__stats");
  size_t at = json.find("\"" + name + "\":");
  if (at == std::string::npos) return 0;
  return std::stoll(json.substr(at + name.size() + 3));
}

void FailNext(int count, const std::string& match) {
  Control("POST", "/__fail?count=" + std::to_string(count) + "&match=" + match);
}

std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

TEST_CASE("ObjectStore contract: s3 (s3rver behind the SigV4-verifying proxy)", "[objects][contract][s3]") {
  const int64_t rejected = Stat("rejected");
  testing::RunObjectStoreContract(
      [] { return std::make_unique<S3ObjectStore>(TestOptions(UniquePrefix("contract"))); });
  // Every request was signed right (a wrong signature would have failed the contract anyway).
  CHECK(Stat("rejected") == rejected);
}

TEST_CASE("ObjectStore contract: s3 via OpenObjectStore(s3://)", "[objects][contract][s3]") {
  testing::RunObjectStoreContract([]() -> std::unique_ptr<ObjectStore> {
    ObjectStoreOptions o;
    o.url = "s3://" + EnvValue("PM_TEST_S3_BUCKET") + "/" + UniquePrefix("open");
    o.s3_endpoint = EnvValue("PM_TEST_S3_ENDPOINT");
    o.s3_region = EnvValue("PM_TEST_S3_REGION");
    o.s3_path_style = true;
    o.s3_access_key_id = EnvValue("PM_TEST_S3_ACCESS_KEY_ID");
    o.s3_secret_access_key = EnvValue("PM_TEST_S3_SECRET_ACCESS_KEY");
    auto store = OpenObjectStore(o);
    REQUIRE(store.ok());
    return std::move(store).value();
  });
}

TEST_CASE("S3: a multipart upload streamed in 64 KiB writes round-trips byte-exactly, memory bounded",
          "[objects][s3]") {
  S3ObjectStore store(TestOptions(UniquePrefix("multipart")));
  constexpr size_t kSize = 20 * 1024 * 1024 + 12345;  // 3 parts of 8 MiB (the last one short)
  const std::string data = Pattern(kSize, 42);
  const int64_t creates = Stat("CreateMultipartUpload");
  const int64_t parts = Stat("UploadPart");
  const int64_t completes = Stat("CompleteMultipartUpload");

  auto writer = store.Create("tenants/1/big.bin");
  REQUIRE(writer.ok());
  for (size_t pos = 0; pos < kSize; pos += 64 * 1024) {
    REQUIRE((*writer)->Write(std::string_view(data).substr(pos, 64 * 1024)).ok());
  }
  // Not visible before Commit, although two parts are already uploaded.
  CHECK(store.Stat("tenants/1/big.bin").error().code == ErrorCode::kNotFound);
  auto info = (*writer)->Commit();
  REQUIRE(info.ok());
  CHECK(info->size == static_cast<int64_t>(kSize));
  CHECK(Stat("CreateMultipartUpload") == creates + 1);
  CHECK(Stat("UploadPart") == parts + 3);
  CHECK(Stat("CompleteMultipartUpload") == completes + 1);
  CHECK(store.PeakWriteBufferBytesForTest() <= 8 * 1024 * 1024);

  const int64_t gets = Stat("GET object");
  auto reader = store.Open("tenants/1/big.bin");
  REQUIRE(reader.ok());
  CHECK((*reader)->size() == static_cast<int64_t>(kSize));
  std::string back;
  std::vector<char> buf(64 * 1024);
  while (true) {
    auto n = (*reader)->Read(buf.data(), buf.size());
    REQUIRE(n.ok());
    if (*n == 0) break;
    back.append(buf.data(), *n);
  }
  CHECK(back.size() == kSize);
  CHECK(back == data);
  // Ranged reads of 1 MiB: 21 GETs, and no buffer ever larger than one range.
  CHECK(Stat("GET object") - gets == 21);
  CHECK(store.PeakReadBufferBytesForTest() <= 1024 * 1024);
  CHECK(store.PeakReadBufferBytesForTest() > 0);
}

TEST_CASE("S3: an object of exactly one part is a single PUT", "[objects][s3]") {
  S3StoreOptions options = TestOptions(UniquePrefix("onepart"));
  options.part_size = 5 * 1024 * 1024;
  S3ObjectStore store(options);
  const int64_t creates = Stat("CreateMultipartUpload");
  const std::string data = Pattern(options.part_size, 7);
  REQUIRE(store.PutBytes("tenants/1/exact", data).ok());
  CHECK(Stat("CreateMultipartUpload") == creates);
  CHECK(*store.GetBytes("tenants/1/exact", 1 << 30) == data);
}

TEST_CASE("S3: aborting a multipart upload leaves nothing and tells S3", "[objects][s3]") {
  S3StoreOptions options = TestOptions(UniquePrefix("abort"));
  options.part_size = 5 * 1024 * 1024;
  S3ObjectStore store(options);
  const int64_t aborts = Stat("AbortMultipartUpload");
  {
    auto writer = store.Create("tenants/1/never");
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Write(Pattern(options.part_size + 1, 1)).ok());  // one part uploaded
    (*writer)->Abort();
  }
  {
    auto writer = store.Create("tenants/1/never");
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Write(Pattern(options.part_size + 1, 2)).ok());
    // destroyed without Commit
  }
  CHECK(Stat("AbortMultipartUpload") == aborts + 2);
  CHECK(store.Stat("tenants/1/never").error().code == ErrorCode::kNotFound);
  CHECK(store.List("")->empty());
}

TEST_CASE("S3: list follows continuation tokens", "[objects][s3]") {
  SECTION("small pages (max-keys 7)") {
    const std::string root = UniquePrefix("pages");
    S3StoreOptions options = TestOptions(root);
    options.list_max_keys = 7;
    S3ObjectStore store(options);
    std::vector<std::string> expected;
    for (int i = 0; i < 40; ++i) {
      std::string key = "tenants/" + std::to_string(1 + i % 2) + "/k-" + std::to_string(1000 + i);
      REQUIRE(store.PutBytes(key, key).ok());
      expected.push_back(key);
    }
    std::sort(expected.begin(), expected.end());
    // This test's own lists (servers of other tests list the shared bucket too).
    const std::string own = "GET bucket list in " + root;
    const int64_t lists = Stat(own);
    auto all = store.List("");
    REQUIRE(all.ok());
    REQUIRE(all->size() == 40);
    for (size_t i = 0; i < expected.size(); ++i) CHECK((*all)[i].key == expected[i]);
    CHECK(Stat(own) - lists == 6);  // ceil(40 / 7)
    auto one = store.List("tenants/1/");
    REQUIRE(one.ok());
    CHECK(one->size() == 20);
  }
  SECTION("more than 1000 keys with S3's default page size") {
    const std::string root = UniquePrefix("thousand");
    S3ObjectStore store(TestOptions(root));
    constexpr int kKeys = 1010;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < kKeys; i += 4) {
          if (!store.PutBytes("tenants/1/o-" + std::to_string(10000 + i), "x").ok()) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    REQUIRE(failures.load() == 0);
    const std::string own = "GET bucket list in " + root;
    const int64_t lists = Stat(own);
    auto all = store.List("tenants/");
    REQUIRE(all.ok());
    CHECK(all->size() == kKeys);
    CHECK(Stat(own) - lists == 2);
    CHECK(all->front().key == "tenants/1/o-10000");
    CHECK(all->back().key == "tenants/1/o-" + std::to_string(10000 + kKeys - 1));
  }
}

TEST_CASE("S3: a wrong secret makes every operation fail with a clear error", "[objects][s3]") {
  const std::string prefix = UniquePrefix("secret");
  S3ObjectStore good(TestOptions(prefix));
  REQUIRE(good.PutBytes("tenants/1/a", "kept").ok());

  S3StoreOptions options = TestOptions(prefix);
  options.client.secret_access_key = "not-the-secret";
  S3ObjectStore bad(options);
  const int64_t rejected = Stat("rejected");
  auto denied = [](const Error& e) {
    INFO(e.message);
    CHECK(e.code == ErrorCode::kUnavailable);
    CHECK_THAT(e.message, Catch::StartsWith("storage: access denied by S3 (check credentials)"));
    CHECK_THAT(e.message, !Catch::Contains("not-the-secret"));
  };
  denied(bad.Check().error());
  denied(bad.PutBytes("tenants/1/b", "x").error());
  denied(bad.GetBytes("tenants/1/a", 100).error());
  denied(bad.Open("tenants/1/a").error());
  denied(bad.Stat("tenants/1/a").error());
  denied(bad.Delete("tenants/1/a").error());
  denied(bad.List("tenants/").error());
  {
    auto writer = bad.Create("tenants/1/c");
    REQUIRE(writer.ok());  // Create makes no request
    REQUIRE((*writer)->Write("bytes").ok());
    denied((*writer)->Commit().error());
  }
  // 4xx are not retried: one refused request per operation (Stat's HEAD is followed by none:
  // its 403 is final).
  CHECK(Stat("rejected") - rejected == 8);
  // Nothing changed.
  CHECK(*good.GetBytes("tenants/1/a", 100) == "kept");
  CHECK(good.Stat("tenants/1/b").error().code == ErrorCode::kNotFound);
}

TEST_CASE("S3: keys and prefixes that need care in URLs and signatures", "[objects][s3]") {
  const std::string prefix = UniquePrefix("chars") + "/a-b_c.d/E.F-g_h";
  S3ObjectStore store(TestOptions(prefix));
  const std::vector<std::string> keys = {"a-b_c.d", "A.B/C-D_e.f/x", "tenants/1/x.y-z_W", "9/8.7/6-5_4"};
  for (const auto& key : keys) REQUIRE(store.PutBytes(key, "v:" + key).ok());
  for (const auto& key : keys) {
    INFO(key);
    CHECK(*store.GetBytes(key, 100) == "v:" + key);
    CHECK(store.Stat(key)->size == static_cast<int64_t>(key.size() + 2));
  }
  auto all = store.List("");
  REQUIRE(all.ok());
  CHECK(all->size() == keys.size());
  auto some = store.List("A.B/C-D_e.f/");
  REQUIRE(some.ok());
  REQUIRE(some->size() == 1);
  CHECK((*some)[0].key == "A.B/C-D_e.f/x");
  // A store on the parent prefix sees them under the full path; a sibling sees nothing.
  S3ObjectStore parent(TestOptions(prefix.substr(0, prefix.rfind('/'))));
  auto under = parent.List("E.F-g_h/");
  REQUIRE(under.ok());
  CHECK(under->size() == keys.size());
  S3ObjectStore sibling(TestOptions(prefix + "-sibling"));
  CHECK(sibling.List("")->empty());
  for (const auto& key : keys) REQUIRE(store.Delete(key).ok());
  CHECK(store.List("")->empty());
}

TEST_CASE("S3: 5xx answers are retried with backoff, and fail clearly when they persist", "[objects][s3]") {
  const std::string prefix = UniquePrefix("retry");
  S3ObjectStore store(TestOptions(prefix));
  REQUIRE(store.PutBytes("tenants/1/a", "before").ok());

  FailNext(2, prefix);
  const int64_t injected = Stat("injected");
  CHECK(store.PutBytes("tenants/1/a", "after").ok());
  CHECK(Stat("injected") - injected == 2);
  FailNext(3, prefix);
  auto got = store.GetBytes("tenants/1/a", 100);
  REQUIRE(got.ok());
  CHECK(*got == "after");
  FailNext(3, prefix);
  CHECK(store.List("")->size() == 1);

  FailNext(10, prefix);
  auto put = store.PutBytes("tenants/1/a", "lost");
  REQUIRE_FALSE(put.ok());
  CHECK(put.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(put.error().message, Catch::StartsWith("storage: S3 unavailable"));
  CHECK_THAT(put.error().message, Catch::Contains("503"));
  auto stat = store.Stat("tenants/1/a");
  REQUIRE_FALSE(stat.ok());
  CHECK(stat.error().code == ErrorCode::kUnavailable);
  FailNext(0, "");
  CHECK(*store.GetBytes("tenants/1/a", 100) == "after");
}

TEST_CASE("S3: a missing bucket is named", "[objects][s3]") {
  S3StoreOptions options = TestOptions(UniquePrefix("nobucket"));
  options.client.bucket = "no-such-bucket-pm";
  S3ObjectStore store(options);
  auto missing = [](const Error& e) {
    INFO(e.message);
    CHECK(e.code == ErrorCode::kUnavailable);
    CHECK(e.message == "storage: bucket no-such-bucket-pm does not exist");
  };
  missing(store.Check().error());
  missing(store.PutBytes("tenants/1/a", "x").error());
  missing(store.Open("tenants/1/a").error());
  missing(store.Stat("tenants/1/a").error());
  missing(store.List("").error());
}

TEST_CASE("S3: an unreachable endpoint is kUnavailable after the retries", "[objects][s3]") {
  S3StoreOptions options = TestOptions(UniquePrefix("down"));
  options.client.endpoint = "http://127.0.0.1:1";
  S3ObjectStore store(options);
  Status s = store.Check();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(s.error().message, Catch::Contains("after 4 attempts"));
}

}  // namespace
}  // namespace pm::objects
