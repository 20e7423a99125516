// The metrics decorator of every ObjectStore (objects/instrumented_object_store.h): each call
// counts once under its operation, failures (not not-found) count as errors, and the calls still
// behave as the wrapped store's.
#include "objects/instrumented_object_store.h"

#include <catch2/catch.hpp>

#include <string>

#include "common/metrics.h"
#include "objects/failing_object_store.h"
#include "objects/memory_object_store.h"

namespace pm::objects {
namespace {

// The value of one sample line of the default registry's exposition, or -1 when absent.
double Sample(const std::string& name, const std::string& backend, const std::string& op) {
  const std::string prefix = name + "{backend=\"" + backend + "\",operation=\"" + op + "\"} ";
  const std::string text = metrics::Default().Render();
  size_t at = text.find(prefix);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + prefix.size()));
}

TEST_CASE("every call is counted once under its operation; failures count as errors") {
  const std::string backend = "unit_counting";
  auto failing_owned = std::make_unique<FailingObjectStore>(std::make_unique<MemoryObjectStore>());
  FailingObjectStore* failing = failing_owned.get();
  auto store = WithMetrics(std::move(failing_owned), backend);

  // Zero series exist from the start, for every operation.
  for (const char* op : {"put", "get", "head", "delete", "list", "check"}) {
    CHECK(Sample("palettemaker_object_store_operations_total", backend, op) == 0);
    CHECK(Sample("palettemaker_object_store_errors_total", backend, op) == 0);
  }

  REQUIRE(store->PutBytes("tenants/1/a", "hello").ok());
  CHECK(Sample("palettemaker_object_store_operations_total", backend, "put") == 1);
  CHECK(Sample("palettemaker_object_store_operation_duration_seconds_count", backend, "put") == 1);

  auto got = store->GetBytes("tenants/1/a", 100);
  REQUIRE(got.ok());
  CHECK(*got == "hello");
  CHECK(Sample("palettemaker_object_store_operations_total", backend, "get") == 1);

  // Not found is an answer, not an error.
  CHECK(store->Stat("tenants/1/missing").error().code == ErrorCode::kNotFound);
  CHECK(Sample("palettemaker_object_store_operations_total", backend, "head") == 1);
  CHECK(Sample("palettemaker_object_store_errors_total", backend, "head") == 0);

  // A failed commit: one put, one error, nothing stored.
  failing->FailNth(FailingObjectStore::Op::kCommit, 1);
  CHECK_FALSE(store->PutBytes("tenants/1/b", "bytes").ok());
  CHECK(Sample("palettemaker_object_store_operations_total", backend, "put") == 2);
  CHECK(Sample("palettemaker_object_store_errors_total", backend, "put") == 1);
  CHECK(store->Stat("tenants/1/b").error().code == ErrorCode::kNotFound);

  // A failed write counts once even if the caller then commits (the failing store lets the
  // writer go on, so "c" is stored, empty).
  failing->FailNth(FailingObjectStore::Op::kWrite, 1);
  auto writer = store->Create("tenants/1/c");
  REQUIRE(writer.ok());
  CHECK_FALSE((*writer)->Write("x").ok());
  (void)(*writer)->Commit();
  CHECK(Sample("palettemaker_object_store_operations_total", backend, "put") == 3);
  CHECK(Sample("palettemaker_object_store_errors_total", backend, "put") == 2);

  // A failed read is a get error.
  failing->FailNth(FailingObjectStore::Op::kRead, 1);
  CHECK_FALSE(store->GetBytes("tenants/1/a", 100).ok());
  CHECK(Sample("palettemaker_object_store_errors_total", backend, "get") == 1);

  failing->FailNth(FailingObjectStore::Op::kDelete, 1);
  CHECK_FALSE(store->Delete("tenants/1/a").ok());
  CHECK(store->Delete("tenants/1/a").ok());
  CHECK(Sample("palettemaker_object_store_operations_total", backend, "delete") == 2);
  CHECK(Sample("palettemaker_object_store_errors_total", backend, "delete") == 1);

  auto listed = store->List("tenants/1/");
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].key == "tenants/1/c");
  failing->FailNth(FailingObjectStore::Op::kCheck, 1);
  CHECK_FALSE(store->Check().ok());
  CHECK(store->Check().ok());
  CHECK(Sample("palettemaker_object_store_operations_total", backend, "list") == 1);
  CHECK(Sample("palettemaker_object_store_operations_total", backend, "check") == 2);
  CHECK(Sample("palettemaker_object_store_errors_total", backend, "check") == 1);
}

TEST_CASE("an invalid key is the caller's mistake, not a store error") {
  const std::string backend = "unit_invalid";
  auto store = WithMetrics(std::make_unique<MemoryObjectStore>(), backend);
  CHECK(store->Stat("../etc/passwd").error().code == ErrorCode::kInvalidArgument);
  CHECK(Sample("palettemaker_object_store_operations_total", backend, "head") == 1);
  CHECK(Sample("palettemaker_object_store_errors_total", backend, "head") == 0);
}

}  // namespace
}  // namespace pm::objects
