// PostgreSQL-only store tests: Row-Level Security as a second wall, refusing superuser and
// BYPASSRLS roles, concurrent Migrate(), reconnect after a server restart, statement timeout,
// pool exhaustion, URL forms and password hygiene. The cluster is the ctest fixture `postgres`,
// except for the restart test, which restarts a cluster of its own.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "pg_harness.h"
#include "store/migrations.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"
#include "store_contract.h"

namespace pm::store::testing {
namespace {

PostgresStore& AsPostgres(Store& store) {
  auto* pg = dynamic_cast<PostgresStore*>(&store);
  REQUIRE(pg != nullptr);
  return *pg;
}

std::unique_ptr<Store> OpenMigratedWith(const StoreOptions& options) {
  auto store = OpenStore(options);
  INFO((store.ok() ? "" : store.error().message));
  REQUIRE(store.ok());
  auto migrated = (*store)->Migrate();
  INFO((migrated.ok() ? "" : migrated.error().message));
  REQUIRE(migrated.ok());
  return std::move(store).value();
}

std::vector<std::string> Query(PostgresStore& store, TenantId tenant, const std::string& sql,
                               UserId user = UserId()) {
  auto rows = store.RunUnscopedQueryForTest(tenant, sql, user);
  INFO(sql << (rows.ok() ? "" : ": " + rows.error().message));
  REQUIRE(rows.ok());
  return std::move(rows).value();
}

bool AllEqual(const std::vector<std::string>& values, const std::string& want) {
  return std::all_of(values.begin(), values.end(), [&](const std::string& v) { return v == want; });
}

TEST_CASE("postgres: RLS binds invitations and API tokens to their tenant (or to their token)",
          "[store][postgres][rls]") {
  PgTestDatabase db;
  StoreOptions options = db.Options();
  options.pool_size = 1;
  auto store = OpenMigratedWith(options);
  PostgresStore& pg = AsPostgres(*store);
  Account a = MakeAccount(*store, "rls-a");
  Account b = MakeAccount(*store, "rls-b");
  REQUIRE(store->CreateInvitation(a.workspace.id, NewInvitation{"x@example.com", "viewer", "inv-a", a.user.id, 1'000'000}, 1).ok());
  REQUIRE(store->CreateInvitation(b.workspace.id, NewInvitation{"x@example.com", "viewer", "inv-b", b.user.id, 1'000'000}, 1).ok());
  REQUIRE(store->CreateApiToken(a.workspace.id, NewApiToken{a.user.id, "a", "read", "tok-a", std::nullopt}, 1).ok());
  REQUIRE(store->CreateApiToken(b.workspace.id, NewApiToken{b.user.id, "b", "read", "tok-b", std::nullopt}, 1).ok());
  const std::string ta = std::to_string(a.workspace.id.value);
  const std::string tb = std::to_string(b.workspace.id.value);
  CHECK(Query(pg, a.workspace.id, "SELECT tenant_id FROM invitations") == std::vector<std::string>{ta});
  CHECK(Query(pg, a.workspace.id, "SELECT tenant_id FROM api_tokens") == std::vector<std::string>{ta});
  CHECK(Query(pg, a.workspace.id, "DELETE FROM api_tokens WHERE tenant_id = " + tb + " RETURNING id").empty());
  CHECK(Query(pg, TenantId(), "SELECT tenant_id FROM invitations").empty());
  CHECK(Query(pg, TenantId(), "SELECT tenant_id FROM api_tokens").empty());
  CHECK(Query(pg, TenantId(), "SELECT tenant_id FROM api_tokens", a.user.id).empty());
  // The look-ups by token set app.token_hash and see exactly that token's row.
  auto t = store->FindApiToken("tok-b");
  REQUIRE(t.ok());
  CHECK(t->tenant_id == b.workspace.id);
  auto i = store->FindInvitation("inv-a", 2);
  REQUIRE(i.ok());
  CHECK(i->tenant_id == a.workspace.id);
}

TEST_CASE("postgres: RLS binds share links to their tenant (or to their token)", "[store][postgres][rls]") {
  PgTestDatabase db;
  StoreOptions options = db.Options();
  options.pool_size = 1;
  auto store = OpenMigratedWith(options);
  PostgresStore& pg = AsPostgres(*store);
  Account a = MakeAccount(*store, "share-a");
  Account b = MakeAccount(*store, "share-b");
  auto pa = store->CreatePalette(a.workspace.id, SamplePalette("a", a.user.id), 1);
  auto pb = store->CreatePalette(b.workspace.id, SamplePalette("b", b.user.id), 1);
  REQUIRE(pa.ok());
  REQUIRE(pb.ok());
  REQUIRE(store->CreateShareLink(a.workspace.id, NewShareLink{pa->id, "share-hash-a", a.user.id}, 1).ok());
  REQUIRE(store->CreateShareLink(b.workspace.id, NewShareLink{pb->id, "share-hash-b", b.user.id}, 1).ok());
  const std::string ta = std::to_string(a.workspace.id.value);
  const std::string tb = std::to_string(b.workspace.id.value);
  // Inside tenant A, without any tenant condition: only A's link, and B's cannot be revoked.
  CHECK(Query(pg, a.workspace.id, "SELECT tenant_id FROM share_links") == std::vector<std::string>{ta});
  CHECK(Query(pg, a.workspace.id, "UPDATE share_links SET revoked_at = 1 WHERE tenant_id = " + tb + " RETURNING id").empty());
  // Nothing set (or only a user): no link at all.
  CHECK(Query(pg, TenantId(), "SELECT tenant_id FROM share_links").empty());
  CHECK(Query(pg, TenantId(), "SELECT tenant_id FROM share_links", a.user.id).empty());
  // The look-up by token sees exactly that link, and it is still active.
  auto found = store->FindShareLink("share-hash-b");
  REQUIRE(found.ok());
  CHECK(found->tenant_id == b.workspace.id);
  CHECK(found->palette_id == pb->id);
}

TEST_CASE("postgres: RLS keeps an unscoped query inside the transaction's tenant",
          "[store][postgres][rls]") {
  PgTestDatabase db;
  StoreOptions options = db.Options();
  options.pool_size = 1;  // one connection: settings of earlier transactions must not linger
  auto store = OpenMigratedWith(options);
  PostgresStore& pg = AsPostgres(*store);
  Account a = MakeAccount(*store, "tenant-a");
  Account b = MakeAccount(*store, "tenant-b");
  for (int i = 0; i < 3; ++i) {
    REQUIRE(store->CreatePalette(a.workspace.id, SamplePalette("a" + std::to_string(i), a.user.id), 1).ok());
  }
  for (int i = 0; i < 2; ++i) {
    REQUIRE(store->CreatePalette(b.workspace.id, SamplePalette("b" + std::to_string(i), b.user.id), 1).ok());
  }
  const std::string ta = std::to_string(a.workspace.id.value);
  const std::string tb = std::to_string(b.workspace.id.value);

  // Inside tenant A's transaction, deliberately without any tenant condition.
  auto palettes = Query(pg, a.workspace.id, "SELECT tenant_id FROM palettes");
  CHECK(palettes.size() == 3);
  CHECK(AllEqual(palettes, ta));
  auto all_columns = Query(pg, a.workspace.id, "SELECT * FROM palettes");
  CHECK(all_columns.size() == 3);
  auto memberships = Query(pg, a.workspace.id, "SELECT tenant_id FROM memberships");
  CHECK(memberships.size() == 1);
  CHECK(AllEqual(memberships, ta));
  auto tenants = Query(pg, a.workspace.id, "SELECT id FROM tenants");
  CHECK(tenants == std::vector<std::string>{ta});
  // Writes are fenced too: B's rows cannot be touched nor created from A's transaction.
  CHECK(Query(pg, a.workspace.id, "UPDATE palettes SET name = 'x' WHERE tenant_id = " + tb +
                                      " RETURNING id")
            .empty());
  CHECK(Query(pg, a.workspace.id, "DELETE FROM memberships WHERE tenant_id = " + tb +
                                      " RETURNING tenant_id")
            .empty());
  auto forged = pg.RunUnscopedQueryForTest(
      a.workspace.id, "INSERT INTO palettes (tenant_id, name, position, created_at, updated_at) "
                      "VALUES (" + tb + ", 'forged', 99, 0, 0) RETURNING id");
  REQUIRE_FALSE(forged.ok());
  CHECK(forged.error().message.find("row-level security") != std::string::npos);

  // No tenant set (also right after transactions that set one on this same connection, when
  // the setting reads '' instead of NULL): nothing at all.
  CHECK(Query(pg, TenantId(), "SELECT tenant_id FROM palettes").empty());
  CHECK(Query(pg, TenantId(), "SELECT tenant_id FROM memberships").empty());
  CHECK(Query(pg, TenantId(), "SELECT id FROM tenants").empty());
  CHECK(Query(pg, TenantId(), "SELECT count(*) FROM palettes") == std::vector<std::string>{"0"});

  // app.user_id (the membership lookups) opens the user's own memberships and workspaces only,
  // and no palettes.
  CHECK(Query(pg, TenantId(), "SELECT tenant_id FROM memberships", a.user.id) ==
        std::vector<std::string>{ta});
  CHECK(Query(pg, TenantId(), "SELECT id FROM tenants", a.user.id) ==
        std::vector<std::string>{ta});
  CHECK(Query(pg, TenantId(), "SELECT tenant_id FROM palettes", a.user.id).empty());

  // The tables' owner (the migration role) is bound as well: FORCE ROW LEVEL SECURITY.
  postgres::ConnectOptions owner;
  owner.url = db.MigrationUrl();
  auto conn = postgres::Connection::Open(owner);
  REQUIRE(conn.ok());
  auto owned = (*conn)->Exec("SELECT count(*) FROM palettes");
  REQUIRE(owned.ok());
  CHECK(owned->Text(0, 0) == "0");

  // The store's own reads still work after all this on the same (single) connection.
  auto page = store->ListPalettes(b.workspace.id, std::nullopt, 10);
  REQUIRE(page.ok());
  CHECK(page->items.size() == 2);
}

TEST_CASE("postgres: a superuser or BYPASSRLS role is refused at open", "[store][postgres][rls]") {
  PgTestDatabase db;

  StoreOptions super = db.Options();
  super.url = db.AdminUrl();
  auto refused = OpenStore(super);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  CHECK(refused.error().message ==
        "database.url: role postgres is a superuser; Row-Level Security would not apply — "
        "connect as an ordinary role");

  db.ExecAsAdmin(
      "DO $$ BEGIN "
      "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pm_test_bypass') THEN "
      "CREATE ROLE pm_test_bypass LOGIN NOSUPERUSER BYPASSRLS; END IF; END $$;"
      "GRANT CONNECT ON DATABASE " + db.name() + " TO pm_test_bypass;");
  StoreOptions bypass = db.Options();
  bypass.url = db.SocketUrl("pm_test_bypass");  // the ?host=/socket/dir form; trusted locally
  auto refused2 = OpenStore(bypass);
  REQUIRE_FALSE(refused2.ok());
  CHECK(refused2.error().code == ErrorCode::kInvalidArgument);
  CHECK(refused2.error().message ==
        "database.url: role pm_test_bypass has BYPASSRLS; Row-Level Security would not apply — "
        "connect as an ordinary role");

  // The ordinary serving role over the same socket form is accepted, postgresql:// too.
  StoreOptions socket = db.Options();
  socket.url = db.SocketUrl("pm_app");
  CHECK(OpenStore(socket).ok());
  StoreOptions long_scheme = db.Options();
  long_scheme.url = "postgresql://" + db.AppUrl().substr(std::string("postgres://").size());
  CHECK(OpenStore(long_scheme).ok());
}

TEST_CASE("postgres: three processes migrating at once: exactly one applies",
          "[store][postgres][schema]") {
  PgTestDatabase db;
  const int known = static_cast<int>(PostgresMigrations().size());
  REQUIRE(known >= 1);
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < 3; ++i) {
    auto s = OpenStore(db.Options());
    REQUIRE(s.ok());
    stores.push_back(std::move(s).value());
  }
  std::vector<Result<int>> results(3, Result<int>(0));
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < 3) std::this_thread::yield();
      results[i] = stores[i]->Migrate();
    });
  }
  for (auto& t : threads) t.join();
  int applied_total = 0;
  int appliers = 0;
  for (auto& r : results) {
    INFO((r.ok() ? "" : r.error().message));
    REQUIRE(r.ok());
    applied_total += *r;
    if (*r > 0) ++appliers;
  }
  CHECK(appliers == 1);
  CHECK(applied_total == known);
  for (auto& s : stores) CHECK(s->Check().ok());
  auto list = stores[0]->Migrations();
  REQUIRE(list.ok());
  CHECK(static_cast<int>(list->size()) == known);
}

TEST_CASE("postgres: migration_url vs the serving role", "[store][postgres][schema]") {
  PgTestDatabase db;
  StoreOptions app_only = db.Options();
  app_only.migration_url.clear();
  auto store = OpenStore(app_only);
  REQUIRE(store.ok());
  // The serving role has no DDL rights: migrating a fresh database fails, clearly.
  auto denied = (*store)->Migrate();
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().message.find("permission denied") != std::string::npos);
  // Once the migration role has migrated, the serving role's Migrate() finds nothing to do.
  OpenMigratedWith(db.Options());
  auto again = (*store)->Migrate();
  INFO((again.ok() ? "" : again.error().message));
  REQUIRE(again.ok());
  CHECK(*again == 0);
  CHECK((*store)->Check().ok());
}

TEST_CASE("postgres: statement timeout is kUnavailable and the store carries on",
          "[store][postgres]") {
  PgTestDatabase db;
  StoreOptions options = db.Options();
  options.statement_timeout_ms = 200;
  options.pool_size = 1;
  auto store = OpenMigratedWith(options);
  PostgresStore& pg = AsPostgres(*store);
  auto start = std::chrono::steady_clock::now();
  auto slow = pg.RunUnscopedQueryForTest(TenantId(), "SELECT pg_sleep(3)");
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(slow.ok());
  CHECK(slow.error().code == ErrorCode::kUnavailable);
  CHECK(slow.error().message.find("statement timeout") != std::string::npos);
  CHECK(elapsed < std::chrono::milliseconds(2000));
  // Migrate() is not bound by it (its connection has no statement timeout): it ran above. The
  // pooled connection is still good afterwards.
  Account a = MakeAccount(*store, "after-timeout");
  CHECK(store->FindMembership(a.user.id, "after-timeout").ok());
}

TEST_CASE("postgres: a full pool makes callers wait, then kUnavailable", "[store][postgres]") {
  PgTestDatabase db;
  StoreOptions options = db.Options();
  options.pool_size = 1;
  options.pool_wait_ms = 50;
  auto store = OpenMigratedWith(options);
  PostgresStore& pg = AsPostgres(*store);
  Account a = MakeAccount(*store, "pool");
  std::atomic<bool> done{false};
  std::thread holder([&] {
    (void)pg.RunUnscopedQueryForTest(TenantId(), "SELECT pg_sleep(1)");
    done = true;
  });
  bool saw_busy = false;
  while (!done.load() && !saw_busy) {
    auto r = store->GetUser(a.user.id);
    if (!r.ok()) {
      CHECK(r.error().code == ErrorCode::kUnavailable);
      CHECK(r.error().message.find("busy") != std::string::npos);
      saw_busy = true;
    }
  }
  holder.join();
  CHECK(saw_busy);
  CHECK(pg.OpenConnectionsForTest() == 1);  // bounded: never more than pool_size
  CHECK(store->GetUser(a.user.id).ok());
}

// The static build links failing stand-ins for libpq's GSSAPI calls (src/static/link_stubs.c):
// the store's connections never need them (gssencmode=disable), and a URL that insists on GSS
// encryption gets libpq's clear error instead of reaching anything undefined.
TEST_CASE("postgres: GSSAPI is never needed, and requiring it is a clear error", "[store][postgres]") {
  PgTestDatabase db;
  CHECK(OpenStore(db.Options()).ok());
  StoreOptions gss = db.Options();
  gss.url = db.AppUrl() + (db.AppUrl().find('?') == std::string::npos ? "?" : "&") + "gssencmode=require";
  auto refused = OpenStore(gss);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(refused.error().message, Catch::Contains("GSSAPI encryption required"));
}

TEST_CASE("postgres: connection errors are kUnavailable and never show the password",
          "[store][postgres]") {
  PgTestDatabase db;
  const std::string secret = "Sup3rSecretPw";
  StoreOptions wrong = db.Options();
  wrong.url = "postgres://pm_app:" + secret + "@127.0.0.1:" + db.env().port + "/" + db.name();
  auto refused = OpenStore(wrong);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnavailable);
  CHECK(refused.error().message.find(secret) == std::string::npos);
  CHECK(refused.error().message.rfind("database.url: cannot connect: ", 0) == 0);

  // A malformed URL: libpq's message may quote the URL; the password must still not appear.
  StoreOptions bad = db.Options();
  bad.url = "postgres://pm_app:" + secret + "%zz@127.0.0.1:" + db.env().port + "/x";
  auto malformed = OpenStore(bad);
  REQUIRE_FALSE(malformed.ok());
  CHECK(malformed.error().message.find(secret) == std::string::npos);

  CHECK(postgres::ScrubPassword("x " + secret + " y", wrong.url) == "x *** y");
}

// Restarts a cluster of its own, so that tests running alongside on the shared one are not hit.
class OwnCluster {
 public:
  OwnCluster() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pm-pg-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    Sh("start");
    env_ = ReadPgEnv(dir_);
  }
  ~OwnCluster() { (void)std::system((std::string(PM_TEST_PG_SH) + " stop " + dir_).c_str()); }
  void Sh(const std::string& verb) {
    std::string cmd = std::string(PM_TEST_PG_SH) + " " + verb + " " + dir_ + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
  }
  const PgEnv& env() const { return env_; }

 private:
  std::string dir_;
  PgEnv env_;
};

TEST_CASE("postgres: after pg_ctl restart the next calls succeed", "[store][postgres][restart]") {
  OwnCluster cluster;
  StoreOptions options;
  options.url = cluster.env().url;
  options.migration_url = cluster.env().migration_url;
  options.pool_size = 3;
  auto store = OpenMigratedWith(options);
  Account a = MakeAccount(*store, "survivor");
  auto p = store->CreatePalette(a.workspace.id, SamplePalette("before", a.user.id), 1);
  REQUIRE(p.ok());
  REQUIRE(store->CreateSession(Session{"tok", "csrf", a.user.id, 1, 1'000'000}).ok());
  // Several pooled connections, all of which the restart kills.
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) {
      threads.emplace_back([&] { (void)store->ListPalettes(a.workspace.id, std::nullopt, 10); });
    }
    for (auto& t : threads) t.join();
  }

  for (int round = 0; round < 2; ++round) {
    INFO("round " << round);
    cluster.Sh("restart");
    // No sleep, no retry loop here: the first call after the restart must succeed.
    auto got = store->GetPalette(a.workspace.id, p->id);
    INFO((got.ok() ? "" : got.error().message));
    REQUIRE(got.ok());
    CHECK(got->name == "before");
    auto created = store->CreatePalette(a.workspace.id, SamplePalette("after", a.user.id), 2);
    INFO((created.ok() ? "" : created.error().message));
    REQUIRE(created.ok());
    CHECK(store->FindSession("tok", 2).ok());
    CHECK(store->FindMembership(a.user.id, "survivor").ok());
    CHECK(store->Check().ok());
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 3; ++i) {
      threads.emplace_back([&] {
        if (!store->ListPalettes(a.workspace.id, std::nullopt, 10).ok()) ++failures;
      });
    }
    for (auto& t : threads) t.join();
    CHECK(failures.load() == 0);
  }
  auto page = store->ListPalettes(a.workspace.id, std::nullopt, 10);
  REQUIRE(page.ok());
  CHECK(page->items.size() == 3);
}

}  // namespace
}  // namespace pm::store::testing
