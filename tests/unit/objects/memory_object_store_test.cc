// MemoryObjectStore's test-facing extras (its contract is checked in contract_test.cc).
#include "objects/memory_object_store.h"

#include <catch2/catch.hpp>

#include "common/clock.h"

namespace pm::objects {
namespace {

using Ops = std::vector<std::string>;

TEST_CASE("memory: records the calls a caller made", "[objects][memory]") {
  MemoryObjectStore store;
  REQUIRE(store.PutBytes("tenants/1/a", "a").ok());
  { auto abandoned = store.Create("tenants/1/b"); }
  CHECK(store.GetBytes("tenants/1/a", 10).ok());
  CHECK(store.Stat("tenants/1/zz").error().code == ErrorCode::kNotFound);
  CHECK(store.List("tenants/1/").ok());
  CHECK(store.Delete("tenants/1/a").ok());
  CHECK(store.Check().ok());
  CHECK(store.Create("../x").error().code == ErrorCode::kInvalidArgument);
  CHECK(store.operations() == Ops{"create tenants/1/a", "commit tenants/1/a", "create tenants/1/b",
                                  "abort tenants/1/b", "open tenants/1/a", "stat tenants/1/zz",
                                  "list tenants/1/", "delete tenants/1/a", "check", "create ../x"});
  store.ClearOperations();
  CHECK(store.operations().empty());
}

TEST_CASE("memory: exposes its contents", "[objects][memory]") {
  MemoryObjectStore store;
  CHECK(store.object_count() == 0);
  REQUIRE(store.PutBytes("b", "2").ok());
  REQUIRE(store.PutBytes("a", "1").ok());
  CHECK(store.object_count() == 2);
  CHECK(store.Contains("a"));
  CHECK_FALSE(store.Contains("c"));
  CHECK(store.Contents() == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
}

TEST_CASE("memory: stamps objects with the injected clock", "[objects][memory]") {
  FakeClock clock(1'000);
  MemoryObjectStore store(&clock);
  CHECK(store.PutBytes("a", "x")->modified_ms == 1'000);
  clock.AdvanceMillis(500);
  REQUIRE(store.PutBytes("a", "y").ok());
  CHECK(store.Stat("a")->modified_ms == 1'500);
  CHECK((*store.List(""))[0].modified_ms == 1'500);
}

TEST_CASE("memory: Check can be made to fail", "[objects][memory]") {
  MemoryObjectStore store;
  store.SetCheckError(MakeError(ErrorCode::kUnavailable, "down"));
  Status s = store.Check();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kUnavailable);
  store.SetCheckError(std::nullopt);
  CHECK(store.Check().ok());
}

TEST_CASE("memory: keys are S3-like, an object may also be a prefix", "[objects][memory]") {
  MemoryObjectStore store;
  REQUIRE(store.PutBytes("a/b", "1").ok());
  REQUIRE(store.PutBytes("a/b/c", "2").ok());
  CHECK(store.List("a/")->size() == 2);
}

}  // namespace
}  // namespace pm::objects
