// Runs the ObjectStore contract (object_store_contract.h) against every backend in this build.
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "object_store_contract.h"
#include "objects/failing_object_store.h"
#include "objects/local/local_object_store.h"
#include "objects/memory_object_store.h"
#include "temp_dir.h"

namespace pm::objects {
namespace {

using testing::RunObjectStoreContract;

TEST_CASE("ObjectStore contract: memory", "[objects][contract]") {
  RunObjectStoreContract([] { return std::make_unique<MemoryObjectStore>(); });
}

TEST_CASE("ObjectStore contract: local", "[objects][contract]") {
  std::vector<std::unique_ptr<pm::testing::TempDir>> dirs;
  RunObjectStoreContract([&dirs]() -> std::unique_ptr<ObjectStore> {
    dirs.push_back(std::make_unique<pm::testing::TempDir>());
    auto store = LocalObjectStore::OpenAt(dirs.back()->str() + "/objects");
    REQUIRE(store.ok());
    return std::move(store).value();
  });
}

TEST_CASE("ObjectStore contract: local via OpenObjectStore(file://)", "[objects][contract]") {
  std::vector<std::unique_ptr<pm::testing::TempDir>> dirs;
  RunObjectStoreContract([&dirs]() -> std::unique_ptr<ObjectStore> {
    dirs.push_back(std::make_unique<pm::testing::TempDir>());
    auto store = OpenObjectStore({"file://" + dirs.back()->str() + "/objects"});
    REQUIRE(store.ok());
    return std::move(store).value();
  });
}

// A wrapper with no failures configured must be transparent.
TEST_CASE("ObjectStore contract: failing wrapper with no failures", "[objects][contract]") {
  RunObjectStoreContract(
      [] { return std::make_unique<FailingObjectStore>(std::make_unique<MemoryObjectStore>()); });
}

}  // namespace
}  // namespace pm::objects
