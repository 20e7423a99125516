#include "store/sqlite/errors.h"

#include <sqlite3.h>

#include <SQLiteCpp/Exception.h>

#include <exception>
#include <string>

#include "store/db_metrics.h"

namespace pm::store::sqlite {

namespace {
Error Classify(std::string_view op) {
  std::string prefix = "sqlite: " + std::string(op) + ": ";
  try {
    throw;
  } catch (const SQLite::Exception& e) {
    switch (e.getErrorCode() & 0xff) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
      case SQLITE_FULL:
      case SQLITE_IOERR:
      case SQLITE_CANTOPEN:
      case SQLITE_READONLY:
      case SQLITE_NOMEM:
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
        return MakeError(ErrorCode::kUnavailable, prefix + e.what());
      default:
        return MakeError(ErrorCode::kInternal, prefix + e.what());
    }
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kUnavailable, prefix + "out of memory");
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, prefix + e.what());
  } catch (...) {
    return MakeError(ErrorCode::kInternal, prefix + "unknown exception");
  }
}
}  // namespace

Error ErrorFromCurrentException(std::string_view op) {
  Error e = Classify(op);
  RecordDbError(DbBackend::kSqlite, e.code);
  return e;
}

}  // namespace pm::store::sqlite
