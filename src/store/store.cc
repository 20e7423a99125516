// OpenStore: the only place that names a concrete Store backend.
#include "store/store.h"

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace pm::store {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  std::string_view url = options.url;
  constexpr std::string_view kSqlite = "sqlite://";
  if (StartsWith(url, kSqlite)) {
    // Everything after the scheme is the path: sqlite:///abs/x.db -> /abs/x.db,
    // sqlite://./data/x.db -> ./data/x.db.
    auto store = SqliteStore::Open(std::string(url.substr(kSqlite.size())), options);
    if (!store.ok()) return store.error();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  if (StartsWith(url, "postgres://") || StartsWith(url, "postgresql://")) {
    // The URL goes to libpq as it is (also ?host=/socket/dir); PostgresStore never logs it.
    auto store = PostgresStore::Open(options);
    if (!store.ok()) return store.error();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  // Name only the scheme: the rest of a URL may hold a password.
  size_t scheme_end = url.find("://");
  std::string got = scheme_end == std::string_view::npos
                        ? std::string("no scheme")
                        : "scheme '" + std::string(url.substr(0, scheme_end)) + "'";
  return MakeError(ErrorCode::kInvalidArgument,
                   "database.url: expected sqlite://PATH or postgres://... (got " + got + ")");
}

}  // namespace pm::store
