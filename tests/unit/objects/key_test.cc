#include <catch2/catch.hpp>
#include <string>

#include "objects/object_store.h"

namespace pm::objects {
namespace {

TEST_CASE("ValidateKey accepts well-formed keys", "[objects][keys]") {
  for (const std::string key : {"a", "tenants/1/images/abc.png", "A-Z_a-z.0-9", "a.b..c/d..", "x/y/z/w", "-",
                                "_", "tenants/1/images/5f2b9c-0001.original.jpg"}) {
    INFO(key);
    CHECK(ValidateKey(key).ok());
  }
  CHECK(ValidateKey(std::string(1024, 'k')).ok());
  std::string deep;
  for (int i = 0; i < 512; ++i) deep += i ? "/a" : "a";  // 1023 bytes, 512 segments
  CHECK(ValidateKey(deep).ok());
}

TEST_CASE("ValidateKey rejects traversal, odd bytes and bad shapes", "[objects][keys]") {
  const std::string bad[] = {
      "",      // empty
      "../x",  // traversal
      "a/../b",
      "a/..",
      "..",
      ".",
      "./a",
      "a/./b",
      "/etc/passwd",  // absolute
      "/",
      "a//b",  // empty segment
      "a/",    // trailing slash (empty last segment)
      "a\\b",  // backslash
      "..\\x",
      "%2e%2e/x",  // '%' is outside the charset: no percent-encoding tricks
      "a%2Fb",
      std::string("a\0b", 3),  // NUL
      std::string("\0", 1),
      "a\nb",  // control characters
      "a\tb",
      "a\x7f",
      "a b",          // space
      "caf\xc3\xa9",  // UTF-8 (non-ASCII)
      "\xe2\x80\xae"
      "gnp.exe",  // RTL override
      "a:b",
      "~root",
      "a*",
      ".tmp/x",  // segments starting with '.' are reserved
      ".hidden",
      "tenants/1/.git/config",
      std::string(1025, 'k'),  // too long
  };
  for (const std::string& key : bad) {
    INFO("key bytes: " << key.size() << " \"" << key << "\"");
    Status s = ValidateKey(key);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
    CHECK(s.error().message.find("invalid object key") != std::string::npos);
  }
}

TEST_CASE("ValidatePrefix allows a key, a key plus '/', or nothing", "[objects][keys]") {
  for (const char* ok : {"", "tenants", "tenants/", "tenants/1/", "tenants/1/pa"}) {
    INFO(ok);
    CHECK(ValidatePrefix(ok).ok());
  }
  for (const char* bad : {"/", "//", "tenants//", "../", "a/../", ".tmp/", "a\\", "%2e"}) {
    INFO(bad);
    Status s = ValidatePrefix(bad);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("TenantKey puts the key under tenants/<id>/", "[objects][keys]") {
  auto key = TenantKey(TenantId(1), "images/a.png");
  REQUIRE(key.ok());
  CHECK(*key == "tenants/1/images/a.png");
  CHECK(*TenantKey(TenantId(10), "x") == "tenants/10/x");
  CHECK(*TenantKey(TenantId(9'007'199'254'740'993), "x") == "tenants/9007199254740993/x");

  for (int64_t id : {0, -1, -10}) {
    INFO(id);
    auto r = TenantKey(TenantId(id), "x");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  for (const char* rest : {"", "../2/x", "/x", "a//b", ".tmp", "a/"}) {
    INFO(rest);
    auto r = TenantKey(TenantId(1), rest);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  // `rest` alone fits in 1024 bytes but the whole key does not.
  auto r = TenantKey(TenantId(1), std::string(1020, 'k'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("OpenObjectStore refuses URLs it cannot serve, naming storage.url", "[objects][open]") {
  // s3:// without credentials names the settings it needs (s3_parts_test.cc has the rest).
  auto s3 = OpenObjectStore({"s3://bucket/prefix"});
  REQUIRE_FALSE(s3.ok());
  CHECK(s3.error().code == ErrorCode::kInvalidArgument);
  CHECK(s3.error().message ==
        "storage.s3_access_key_id and storage.s3_secret_access_key are required for s3:// storage");

  for (const char* url : {"", "file://", "http://example.com/x", "/var/lib/objects",
                          "https://user:secret@host/b", "FILE:///tmp/x"}) {
    INFO(url);
    auto r = OpenObjectStore({url});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.starts_with("storage.url: "));
    CHECK(r.error().message.find("secret") == std::string::npos);  // never echo credentials
  }
}

}  // namespace
}  // namespace pm::objects
