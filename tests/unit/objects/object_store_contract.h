// The ObjectStore contract: one set of checks every backend must pass (memory, local, later S3).
//
// Usage, one TEST_CASE per backend (each SECTION of the contract re-runs the TEST_CASE, so the
// factory is asked for fresh stores every time):
//
//   TEST_CASE("ObjectStore contract: memory", "[objects][contract]") {
//     RunObjectStoreContract([] { return std::make_unique<MemoryObjectStore>(); });
//   }
#pragma once

#include <functional>
#include <memory>

#include "objects/object_store.h"

namespace pm::objects::testing {

// Returns a new, empty store each call. It may keep resources (temp dirs, buckets) alive until
// the factory itself is destroyed.
using ObjectStoreFactory = std::function<std::unique_ptr<ObjectStore>()>;

// Runs the whole contract as Catch2 SECTIONs against stores made by `factory`.
void RunObjectStoreContract(const ObjectStoreFactory& factory);

}  // namespace pm::objects::testing
