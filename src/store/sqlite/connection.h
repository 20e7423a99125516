// One SQLite connection with its prepared-statement cache, plus RAII helpers for statements and
// write transactions. Private to src/store/sqlite/. SQLiteCpp types are only forward-declared
// here; the .cc files that use them include SQLiteCpp.
//
// Thread safety: none. A Connection is used by one thread at a time (SqliteStore hands out the
// writer under a mutex and readers through a checkout pool), which is why it is opened with
// SQLITE_OPEN_NOMUTEX. Methods throw SQLite::Exception; SqliteStore converts at its edge.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/db_metrics.h"

struct sqlite3_stmt;

namespace SQLite {
class Database;
}  // namespace SQLite

namespace pm::store::sqlite {

class Connection {
 public:
  enum class Mode { kWriter, kReader };

  // Opens (creating when kWriter) PATH with journal_mode=WAL, synchronous=NORMAL,
  // foreign_keys=ON and busy_timeout. Readers are query_only. Throws SQLite::Exception, also
  // (as SQLITE_CANTOPEN) when WAL cannot be enabled (e.g. a filesystem without shared memory).
  Connection(const std::string& path, Mode mode, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  SQLite::Database& db() { return *db_; }

  // The cached prepared statement for `sql`, compiled on first use. The caller must reset it
  // before the next use of the same SQL on this connection (Stmt does).
  sqlite3_stmt* Prepare(std::string_view sql);

 private:
  struct Cached {
    std::unique_ptr<std::string> sql;  // the key views this text
    sqlite3_stmt* stmt = nullptr;      // finalized in ~Connection
  };
  std::unique_ptr<SQLite::Database> db_;
  std::unordered_map<std::string_view, Cached> cache_;
};

// A cached statement for the duration of a scope; on exit it is reset and its bindings cleared,
// so it holds no read snapshot (a statement left mid-step would pin the WAL and go stale).
// A thin layer over the sqlite3 C API rather than SQLite::Statement: list and get are the hot
// paths, and SQLite::Column copies a shared_ptr (two atomic operations) for every column read.
// Errors throw SQLite::Exception like the rest of SQLiteCpp. Indexes: bind 1-based, columns
// 0-based (as in SQLite). Each Stmt counts as one operation in palettemaker_db_operations_total,
// timed from construction to destruction (store/db_metrics.h).
class Stmt {
 public:
  Stmt(Connection& conn, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  void Bind(int index, int64_t value);
  void Bind(int index, int value) { Bind(index, static_cast<int64_t>(value)); }
  void Bind(int index, std::string_view value);  // copied (SQLITE_TRANSIENT)
  void BindNull(int index);

  bool Step();  // true: a row is ready; false: done
  int Exec();   // steps to the end; returns the number of rows changed

  int64_t Int64(int column) const;
  int Int(int column) const;
  std::string Text(int column) const;  // NULL reads as ""
  bool IsNull(int column) const;

 private:
  [[noreturn]] void Throw(int rc) const;
  sqlite3_stmt* stmt_;
  DbOperation op_;
  std::chrono::steady_clock::time_point start_;
};

// BEGIN IMMEDIATE on construction (takes the write lock up front, so a transaction never fails
// half-way when upgrading from read to write); ROLLBACK on destruction unless Commit() ran.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& conn);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void Commit();

 private:
  Connection& conn_;
  bool done_ = false;
};

}  // namespace pm::store::sqlite
