// Converting what SQLiteCpp (and the standard library) throw into pm::Error, at the edge of every
// SqliteStore method. Private to src/store/sqlite/.
#pragma once

#include <string_view>

#include "common/result.h"

namespace pm::store::sqlite {

// Call only inside a catch block. SQLITE_BUSY/LOCKED/FULL/IOERR/CANTOPEN/READONLY/NOMEM/
// CORRUPT/NOTADB (the environment: lock held past busy_timeout, disk full or broken, file gone)
// -> kUnavailable; anything else, including constraint violations the method did not expect,
// -> kInternal. The message names the operation and carries SQLite's text.
Error ErrorFromCurrentException(std::string_view op);

// Runs f() and turns any exception into an Error. f returns a Result<T> or a Status.
template <typename F>
auto Guarded(std::string_view op, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    return ErrorFromCurrentException(op);
  }
}

}  // namespace pm::store::sqlite
