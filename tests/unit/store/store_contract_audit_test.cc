// Store contract: the audit log. Filters, keyset pagination, tenant scoping, the joined names,
// and that the database itself refuses to change or remove a record.
#include "store_contract.h"

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef PM_STORE_CONTRACT_POSTGRES
#include "store/postgres/postgres_store.h"
#endif

namespace pm::store::testing {
namespace {

AuditRecord Rec(std::optional<TenantId> tenant, std::optional<UserId> actor, const std::string& action,
                int64_t at, const std::string& target = "") {
  AuditRecord r;
  r.created_at = at;
  r.tenant_id = tenant;
  r.actor_id = actor;
  r.actor_kind = actor ? "user" : "anonymous";
  r.action = action;
  r.target = target;
  r.ip = "127.0.0.1";
  r.user_agent = "contract/1";
  r.request_id = "req-" + std::to_string(at);
  r.details_json = R"({"n":)" + std::to_string(at) + "}";
  return r;
}

void Append(Store& store, const AuditRecord& r) {
  Status st = store.AppendAudit(r);
  INFO((st.ok() ? "" : st.error().message));
  REQUIRE(st.ok());
}

AuditFilter ForTenant(TenantId t) {
  AuditFilter f;
  f.tenant = t;
  return f;
}

AuditFilter ForOperator() {
  AuditFilter f;
  f.all_tenants = true;
  return f;
}

// Every entry the filter matches, page by page; checks that pages are newest first, never
// overlap and that only the last one has no cursor.
std::vector<AuditEntry> ReadAll(Store& store, const AuditFilter& filter, int limit, int* pages = nullptr) {
  std::vector<AuditEntry> out;
  std::optional<int64_t> before;
  int n = 0;
  for (;;) {
    auto page = store.ListAudit(filter, before, limit);
    INFO((page.ok() ? "" : page.error().message));
    REQUIRE(page.ok());
    ++n;
    REQUIRE(static_cast<int>(page->entries.size()) <= limit);
    for (auto& e : page->entries) {
      if (!out.empty()) REQUIRE(e.record.id < out.back().record.id);
      out.push_back(e);
    }
    if (!page->next_before) break;
    REQUIRE(static_cast<int>(page->entries.size()) == limit);
    CHECK(*page->next_before == out.back().record.id);
    before = page->next_before;
    REQUIRE(n < 1000);
  }
  if (pages) *pages = n;
  return out;
}

std::vector<std::string> Actions(const std::vector<AuditEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.record.action);
  return out;
}

STORE_CONTRACT("audit: records read back newest first with every field and the joined names",
               "[store][audit]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  AuditRecord r = Rec(ada.workspace.id, ada.user.id, "member.role_changed", 1'000, "user:7");
  r.details_json = R"({"from":"viewer","to":"editor"})";
  Append(*store, r);
  AuditRecord token = Rec(ada.workspace.id, ada.user.id, "palette.deleted", 2'000, "palette:3");
  token.actor_kind = "token";
  Append(*store, token);
  // An actor and a workspace that no longer exist (erased, purged): ids stay, names do not.
  Append(*store, Rec(TenantId(987'654), UserId(876'543), "palette.deleted", 3'000));

  auto page = store->ListAudit(ForTenant(ada.workspace.id), std::nullopt, 50);
  REQUIRE(page.ok());
  CHECK_FALSE(page->next_before.has_value());
  REQUIRE(page->entries.size() == 2);
  const AuditEntry& newest = page->entries[0];
  CHECK(newest.record.action == "palette.deleted");
  CHECK(newest.record.actor_kind == "token");
  const AuditEntry& e = page->entries[1];
  CHECK(e.record.id > 0);
  CHECK(e.record.created_at == 1'000);
  REQUIRE(e.record.tenant_id.has_value());
  CHECK(*e.record.tenant_id == ada.workspace.id);
  REQUIRE(e.record.actor_id.has_value());
  CHECK(*e.record.actor_id == ada.user.id);
  CHECK(e.record.actor_kind == "user");
  CHECK(e.record.action == "member.role_changed");
  CHECK(e.record.target == "user:7");
  CHECK(e.record.ip == "127.0.0.1");
  CHECK(e.record.user_agent == "contract/1");
  CHECK(e.record.request_id == "req-1000");
  CHECK(e.record.details_json == R"({"from":"viewer","to":"editor"})");
  CHECK(e.actor_email == std::optional<std::string>("ada@example.com"));
  CHECK(e.actor_name == std::optional<std::string>("User ada"));
  CHECK(e.tenant_slug == std::optional<std::string>("ada"));

  auto gone = store->ListAudit(ForOperator(), std::nullopt, 1);
  REQUIRE(gone.ok());
  REQUIRE(gone->entries.size() == 1);
  CHECK(gone->next_before.has_value());
  const AuditEntry& g = gone->entries[0];
  CHECK(g.record.tenant_id == std::optional<TenantId>(TenantId(987'654)));
  CHECK(g.record.actor_id == std::optional<UserId>(UserId(876'543)));
  CHECK_FALSE(g.actor_email.has_value());
  CHECK_FALSE(g.actor_name.has_value());
  CHECK_FALSE(g.tenant_slug.has_value());
}

STORE_CONTRACT("audit: filters by actor, exact action, action prefix and time", "[store][audit]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  const TenantId t = ada.workspace.id;
  Append(*store, Rec(t, ada.user.id, "invitation.created", 100));
  Append(*store, Rec(t, bob.user.id, "invitation.accepted", 200));
  Append(*store, Rec(t, ada.user.id, "member.role_changed", 300));
  Append(*store, Rec(t, ada.user.id, "member.removed", 400));
  Append(*store, Rec(t, bob.user.id, "member.left", 500));
  // Names that a naive LIKE would confuse: '_' is a wildcard there, and "member" without the dot.
  Append(*store, Rec(t, ada.user.id, "memberXremoved", 600));
  Append(*store, Rec(t, ada.user.id, "token.created", 700));
  Append(*store, Rec(t, ada.user.id, "token_created", 800));
  // Not ada's workspace, and not about a workspace at all.
  Append(*store, Rec(bob.workspace.id, bob.user.id, "member.removed", 450));
  Append(*store, Rec(std::nullopt, ada.user.id, "auth.login", 350));

  AuditFilter f = ForTenant(t);
  CHECK(ReadAll(*store, f, 50).size() == 8);

  f.actor = bob.user.id;
  CHECK(Actions(ReadAll(*store, f, 50)) == std::vector<std::string>{"member.left", "invitation.accepted"});
  f.actor.reset();

  f.action = "member.removed";
  CHECK(Actions(ReadAll(*store, f, 50)) == std::vector<std::string>{"member.removed"});
  f.action = "member.";
  CHECK(Actions(ReadAll(*store, f, 50)) ==
        std::vector<std::string>{"member.left", "member.removed", "member.role_changed"});
  f.action = "token.created";
  CHECK(Actions(ReadAll(*store, f, 50)) == std::vector<std::string>{"token.created"});
  f.action = "member";  // no dot: an exact name, which no record has
  CHECK(ReadAll(*store, f, 50).empty());
  f.action.clear();

  f.since = 300;
  f.until = 600;  // since inclusive, until exclusive
  CHECK(Actions(ReadAll(*store, f, 50)) ==
        std::vector<std::string>{"member.left", "member.removed", "member.role_changed"});
  f.actor = ada.user.id;
  f.action = "member.";
  CHECK(Actions(ReadAll(*store, f, 50)) == std::vector<std::string>{"member.removed", "member.role_changed"});

  // Operators: everything, also records about no workspace; narrowed by slug, actor, action.
  AuditFilter op = ForOperator();
  CHECK(ReadAll(*store, op, 50).size() == 10);
  op.action = "auth.";
  CHECK(Actions(ReadAll(*store, op, 50)) == std::vector<std::string>{"auth.login"});
  op.action = "member.removed";
  CHECK(ReadAll(*store, op, 50).size() == 2);
  op.tenant_slug = "bob";
  auto bobs = ReadAll(*store, op, 50);
  REQUIRE(bobs.size() == 1);
  CHECK(bobs[0].record.created_at == 450);
  op.tenant_slug = "nobody";
  CHECK(ReadAll(*store, op, 50).empty());
}

STORE_CONTRACT("audit: pages cover every record once, with and without filters", "[store][audit]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  for (int i = 0; i < 23; ++i) {
    Append(*store, Rec(ada.workspace.id, ada.user.id, i % 3 == 0 ? "palette.deleted" : "token.created", 1'000 + i));
    if (i % 4 == 0) Append(*store, Rec(bob.workspace.id, bob.user.id, "palette.deleted", 1'000 + i));
  }
  for (int limit : {1, 5, 7, 23, 200}) {
    int pages = 0;
    auto all = ReadAll(*store, ForTenant(ada.workspace.id), limit, &pages);
    REQUIRE(all.size() == 23);
    CHECK(pages == (23 + limit - 1) / limit);  // no empty page at the end
    std::set<int64_t> ids;
    for (const auto& e : all) ids.insert(e.record.id);
    CHECK(ids.size() == 23);
    CHECK(all.front().record.created_at == 1'022);
    CHECK(all.back().record.created_at == 1'000);
  }
  AuditFilter deleted = ForTenant(ada.workspace.id);
  deleted.action = "palette.deleted";
  auto some = ReadAll(*store, deleted, 3);
  CHECK(some.size() == 8);
  for (const auto& e : some) CHECK(e.record.action == "palette.deleted");
  // A page of exactly the remaining records says there is none after it.
  auto exact = store->ListAudit(deleted, some[4].record.id, 3);
  REQUIRE(exact.ok());
  CHECK(exact->entries.size() == 3);
  CHECK_FALSE(exact->next_before.has_value());
}

STORE_CONTRACT("audit: a tenant read never returns another workspace's records", "[store][audit]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Account bob = MakeAccount(*store, "bob");
  Append(*store, Rec(ada.workspace.id, ada.user.id, "palette.deleted", 1));
  Append(*store, Rec(bob.workspace.id, bob.user.id, "palette.deleted", 2));
  Append(*store, Rec(std::nullopt, ada.user.id, "auth.login", 3));
  // Even when the other filters point at the other workspace's records.
  AuditFilter f = ForTenant(ada.workspace.id);
  f.actor = bob.user.id;
  CHECK(ReadAll(*store, f, 50).empty());
  f.actor.reset();
  auto mine = ReadAll(*store, f, 50);
  REQUIRE(mine.size() == 1);
  CHECK(*mine[0].record.tenant_id == ada.workspace.id);
  auto unknown = ReadAll(*store, ForTenant(TenantId(424'242)), 50);
  CHECK(unknown.empty());

  // Malformed reads are refused, never widened.
  AuditFilter neither;
  auto r1 = store->ListAudit(neither, std::nullopt, 10);
  REQUIRE_FALSE(r1.ok());
  CHECK(r1.error().code == ErrorCode::kInvalidArgument);
  AuditFilter both = ForTenant(ada.workspace.id);
  both.all_tenants = true;
  CHECK_FALSE(store->ListAudit(both, std::nullopt, 10).ok());
  AuditFilter slug = ForTenant(ada.workspace.id);
  slug.tenant_slug = "bob";
  CHECK_FALSE(store->ListAudit(slug, std::nullopt, 10).ok());
  CHECK_FALSE(store->ListAudit(ForTenant(ada.workspace.id), std::nullopt, 0).ok());
  CHECK_FALSE(store->ListAudit(ForTenant(ada.workspace.id), std::nullopt, 201).ok());
  CHECK(store->ListAudit(ForTenant(ada.workspace.id), std::nullopt, 200).ok());

#ifdef PM_STORE_CONTRACT_POSTGRES
  // Row-Level Security alone (no tenant condition of ours) keeps the others' records out.
  auto* pg = dynamic_cast<PostgresStore*>(store.get());
  REQUIRE(pg != nullptr);
  const std::string ta = std::to_string(ada.workspace.id.value);
  auto rows = pg->RunUnscopedQueryForTest(ada.workspace.id, "SELECT tenant_id FROM audit_log");
  REQUIRE(rows.ok());
  CHECK(*rows == std::vector<std::string>{ta});
  auto none = pg->RunUnscopedQueryForTest(TenantId(), "SELECT count(*) FROM audit_log");
  REQUIRE(none.ok());
  CHECK(*none == std::vector<std::string>{"0"});
  auto by_user = pg->RunUnscopedQueryForTest(TenantId(), "SELECT count(*) FROM audit_log", ada.user.id);
  REQUIRE(by_user.ok());
  CHECK(*by_user == std::vector<std::string>{"0"});
#endif
}

STORE_CONTRACT("audit: the database refuses UPDATE, DELETE and TRUNCATE of the log", "[store][audit]") {
  auto store = OpenMigrated(harness);
  Account ada = MakeAccount(*store, "ada");
  Append(*store, Rec(ada.workspace.id, ada.user.id, "palette.deleted", 1));
  Append(*store, Rec(ada.workspace.id, ada.user.id, "token.created", 2));
  auto refused = [&](const std::string& sql) {
    INFO(sql);
    try {
      harness.ExecSqlForTest(sql);
      FAIL("the database accepted it");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find("append-only") != std::string::npos);
    }
  };
  // Behind the Store's back (on PostgreSQL as the superuser, whom RLS does not bind: the
  // triggers still refuse).
  refused("UPDATE audit_log SET action = 'forged'");
  refused("DELETE FROM audit_log");
  refused("DELETE FROM audit_log WHERE action = 'palette.deleted'");
#ifdef PM_STORE_CONTRACT_POSTGRES
  refused("TRUNCATE audit_log");
  // The serving role: no UPDATE or DELETE policy, so not one row is even visible to change, and
  // TRUNCATE is refused.
  auto* pg = dynamic_cast<PostgresStore*>(store.get());
  REQUIRE(pg != nullptr);
  auto upd = pg->RunUnscopedQueryForTest(ada.workspace.id, "UPDATE audit_log SET action = 'forged' RETURNING id");
  CHECK((!upd.ok() || upd->empty()));
  auto del = pg->RunUnscopedQueryForTest(ada.workspace.id, "DELETE FROM audit_log RETURNING id");
  CHECK((!del.ok() || del->empty()));
  CHECK_FALSE(pg->RunUnscopedQueryForTest(ada.workspace.id, "TRUNCATE audit_log").ok());
#endif
  auto all = ReadAll(*store, ForTenant(ada.workspace.id), 50);
  CHECK(Actions(all) == std::vector<std::string>{"token.created", "palette.deleted"});
}

}  // namespace
}  // namespace pm::store::testing
