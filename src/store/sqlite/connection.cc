#include "store/sqlite/connection.h"

#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <stdexcept>

namespace pm::store::sqlite {

Connection::Connection(const std::string& path, Mode mode, int busy_timeout_ms) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == Mode::kWriter) flags |= SQLITE_OPEN_CREATE;
  db_ = std::make_unique<SQLite::Database>(path, flags, busy_timeout_ms);
  // journal_mode is persistent in the file; asking again on every connection is cheap and
  // tells us if it did not stick.
  std::string journal = db_->execAndGet("PRAGMA journal_mode=WAL").getString();
  if (journal != "wal") {
    throw std::runtime_error("could not enable WAL journal mode on " + path + " (got '" +
                             journal + "')");
  }
  db_->exec("PRAGMA synchronous=NORMAL");
  db_->exec("PRAGMA foreign_keys=ON");
  if (mode == Mode::kReader) db_->exec("PRAGMA query_only=ON");
}

Connection::~Connection() {
  // Statements must be finalized before the database handle closes.
  cache_.clear();
}

SQLite::Statement& Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return *it->second;
  auto stmt = std::make_unique<SQLite::Statement>(*db_, std::string(sql));
  std::string_view key = stmt->getQuery();
  SQLite::Statement& ref = *stmt;
  cache_.emplace(key, std::move(stmt));
  return ref;
}

Stmt::~Stmt() {
  stmt_.tryReset();
  try {
    stmt_.clearBindings();  // sqlite3_clear_bindings cannot fail; SQLiteCpp may still throw
  } catch (...) {
  }
}

WriteTransaction::WriteTransaction(Connection& conn) : conn_(conn) {
  Stmt(conn_, "BEGIN IMMEDIATE")->exec();
}

WriteTransaction::~WriteTransaction() {
  if (!done_) conn_.db().tryExec("ROLLBACK");
}

void WriteTransaction::Commit() {
  Stmt(conn_, "COMMIT")->exec();
  done_ = true;
}

}  // namespace pm::store::sqlite
