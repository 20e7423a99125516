// An ObjectStore decorator that records every call in /metrics (docs/OPERATIONS.md):
//   palettemaker_object_store_operations_total{backend,operation}
//   palettemaker_object_store_errors_total{backend,operation}
//   palettemaker_object_store_operation_duration_seconds{backend,operation}
// operation: put (Create .. Commit), get (Open; a failed Read counts as a get error), head (Stat),
// delete, list, check (the readiness probe). Not-found and invalid-key answers are not errors (the
// caller asked about something that is not there, or for something it may not have); everything
// else (unavailable disk or bucket, internal) is.
// OpenObjectStore wraps every backend in one, so callers never see the difference.
// Thread safety: as the wrapped store.
#pragma once

#include <memory>
#include <string>

#include "objects/object_store.h"

namespace pm::objects {

// `backend` is the label value ("local", "s3", "memory" in tests).
std::unique_ptr<ObjectStore> WithMetrics(std::unique_ptr<ObjectStore> inner, std::string backend);

}  // namespace pm::objects
