#include "store/sqlite/connection.h"

#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

namespace pm::store::sqlite {

Connection::Connection(const std::string& path, Mode mode, int busy_timeout_ms) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == Mode::kWriter) flags |= SQLITE_OPEN_CREATE;
  db_ = std::make_unique<SQLite::Database>(path, flags, busy_timeout_ms);
  // journal_mode is persistent in the file; asking again on every connection is cheap and
  // tells us if it did not stick.
  std::string journal = db_->execAndGet("PRAGMA journal_mode=WAL").getString();
  if (journal != "wal") {
    // CANTOPEN so it maps to kUnavailable: the filesystem, not our code, is at fault.
    throw SQLite::Exception("could not enable WAL journal mode on " + path + " (got '" +
                                journal + "'; is the filesystem local?)",
                            SQLITE_CANTOPEN);
  }
  db_->exec("PRAGMA synchronous=NORMAL");
  db_->exec("PRAGMA foreign_keys=ON");
  if (mode == Mode::kReader) db_->exec("PRAGMA query_only=ON");
}

Connection::~Connection() {
  // Statements must be finalized before the database handle closes.
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  cache_.clear();
}

sqlite3_stmt* Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second.stmt;
  Cached cached;
  cached.sql = std::make_unique<std::string>(sql);
  sqlite3* db = db_->getHandle();
  int rc = sqlite3_prepare_v3(db, cached.sql->data(), static_cast<int>(cached.sql->size()),
                              SQLITE_PREPARE_PERSISTENT, &cached.stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(cached.stmt);
    throw SQLite::Exception(db, rc);
  }
  sqlite3_stmt* stmt = cached.stmt;
  std::string_view key = *cached.sql;
  cache_.emplace(key, std::move(cached));
  return stmt;
}

Stmt::Stmt(Connection& conn, std::string_view sql)
    : stmt_(conn.Prepare(sql)), op_(ClassifySql(sql)), start_(std::chrono::steady_clock::now()) {}

Stmt::~Stmt() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);  // drops copies of large bound text (JSON) early
  RecordDbOperation(DbBackend::kSqlite, op_,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
}

void Stmt::Throw(int rc) const { throw SQLite::Exception(sqlite3_db_handle(stmt_), rc); }

void Stmt::Bind(int index, int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) Throw(rc);
}

void Stmt::Bind(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  if (rc != SQLITE_OK) Throw(rc);
}

void Stmt::BindNull(int index) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) Throw(rc);
}

bool Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Throw(rc);
}

int Stmt::Exec() {
  while (Step()) {
  }
  return sqlite3_changes(sqlite3_db_handle(stmt_));
}

int64_t Stmt::Int64(int column) const { return sqlite3_column_int64(stmt_, column); }

int Stmt::Int(int column) const { return sqlite3_column_int(stmt_, column); }

bool Stmt::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::string Stmt::Text(int column) const {
  // text before bytes: the documented order that avoids a conversion.
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

WriteTransaction::WriteTransaction(Connection& conn) : conn_(conn) {
  Stmt(conn_, "BEGIN IMMEDIATE").Exec();
}

WriteTransaction::~WriteTransaction() {
  if (!done_) conn_.db().tryExec("ROLLBACK");
}

void WriteTransaction::Commit() {
  Stmt(conn_, "COMMIT").Exec();
  done_ = true;
}

}  // namespace pm::store::sqlite
