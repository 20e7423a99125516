// Consistent copies of the embedded (SQLite) database, for `palettemaker backup`.
#pragma once

#include <string>

#include "common/result.h"
#include "store/store.h"

namespace pm::store {

// Writes a consistent copy of the database named by `options.url` to `dest` (which must not
// exist) while other connections -- a running server -- keep reading and writing: SQLite's
// `VACUUM INTO` runs in one read transaction on a separate read-only connection, so in WAL mode
// it sees one committed state and blocks no writer. PostgreSQL: kInvalidArgument (use pg_dump;
// docs/OPERATIONS.md). kUnavailable when the database cannot be read or `dest` written.
Status SnapshotDatabase(const StoreOptions& options, const std::string& dest);

}  // namespace pm::store
