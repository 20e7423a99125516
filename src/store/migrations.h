// Schema migrations compiled into the binary (see schema/<backend>/NNNN_name.sql and
// src/store/embed_migrations.cmake). A released migration is never edited; the list for each
// backend is strictly increasing and contiguous from 1, and backends share version numbers.
#pragma once

#include <span>

namespace pm::store {

struct EmbeddedMigration {
  int version;       // NNNN from the file name
  const char* name;  // the rest of the file name, without ".sql"
  const char* sql;   // the whole file; may hold several statements
};

// schema/sqlite/*.sql, in version order. Static storage; thread-safe.
std::span<const EmbeddedMigration> SqliteMigrations();
// schema/postgres/*.sql, in version order. Static storage; thread-safe.
std::span<const EmbeddedMigration> PostgresMigrations();

}  // namespace pm::store
