// Database metrics for /metrics, taken at the backends' narrow waists rather than in every
// method: SQLite's Stmt and WriteTransaction (sqlite/connection.cc) and error edge
// (sqlite/errors.cc), PostgreSQL's Connection::Finish (postgres/pg_connection.cc).
//   palettemaker_db_operations_total{backend,operation}
//   palettemaker_db_operation_duration_seconds{backend,operation}
//   palettemaker_db_errors_total{backend,code}
// `operation` is the statement's first SQL keyword folded into a small fixed set, so labels stay
// bounded whatever the SQL. Thread safety: all functions may be called from many threads; the
// series are resolved once, so recording is a few relaxed atomic adds.
#pragma once

#include <string_view>

#include "common/result.h"

namespace pm::store {

enum class DbBackend { kSqlite, kPostgres };
enum class DbOperation { kSelect, kInsert, kUpdate, kDelete, kTransaction, kOther };

// select / insert / update / delete by the first keyword (after comments and spaces; WITH counts
// as select), begin / commit / rollback / savepoint / release as transaction, anything else other.
DbOperation ClassifySql(std::string_view sql);

void RecordDbOperation(DbBackend backend, DbOperation op, double seconds);
// An error the backend reports to its caller: code "unavailable" (kUnavailable) or "internal".
void RecordDbError(DbBackend backend, ErrorCode code);

}  // namespace pm::store
