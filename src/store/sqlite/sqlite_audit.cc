// SqliteStore: the audit log (append-only; the schema's triggers refuse UPDATE and DELETE).
// A tenant read has `a.tenant_id = ?` in its WHERE; only the operators' read (all_tenants) has not.
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/audit_query.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"

namespace pm::store {

using sqlite::Guarded;
using sqlite::Stmt;

namespace {

// One bound value of the dynamic WHERE clause.
struct Arg {
  bool text = false;
  int64_t number = 0;
  std::string string;
};

}  // namespace

Status SqliteStore::AppendAudit(const AuditRecord& r) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("AppendAudit", [&]() -> Status {
    Stmt s(*writer_,
           "INSERT INTO audit_log (created_at, tenant_id, actor_id, actor_kind, action, target, ip, "
           "user_agent, request_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, r.created_at);
    if (r.tenant_id) s.Bind(2, r.tenant_id->value); else s.BindNull(2);
    if (r.actor_id) s.Bind(3, r.actor_id->value); else s.BindNull(3);
    s.Bind(4, r.actor_kind);
    s.Bind(5, r.action);
    s.Bind(6, r.target);
    s.Bind(7, r.ip);
    s.Bind(8, r.user_agent);
    s.Bind(9, r.request_id);
    s.Bind(10, r.details_json);
    s.Exec();
    return Status::Ok();
  });
}

Result<AuditPage> SqliteStore::ListAudit(const AuditFilter& filter, std::optional<int64_t> before_id,
                                         int limit) {
  PM_RETURN_IF_ERROR(CheckAuditQuery(filter, limit));
  // Only the conditions in use go into the statement (each shape is prepared once and cached),
  // so SQLite can pick the (tenant_id, id), (actor_id, id) or (action, id) index.
  std::string sql =
      "SELECT a.id, a.created_at, a.tenant_id, a.actor_id, a.actor_kind, a.action, a.target, a.ip, "
      "a.user_agent, a.request_id, a.details, u.email, u.name, t.slug FROM audit_log a "
      "LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN tenants t ON t.id = a.tenant_id WHERE 1 = 1";
  std::vector<Arg> args;
  auto number = [&](const char* condition, int64_t v) {
    sql += condition;
    args.push_back(Arg{false, v, {}});
  };
  auto text = [&](const char* condition, const std::string& v) {
    sql += condition;
    args.push_back(Arg{true, 0, v});
  };
  if (filter.tenant) number(" AND a.tenant_id = ?", filter.tenant->value);
  if (!filter.tenant_slug.empty()) {
    text(" AND a.tenant_id = (SELECT id FROM tenants WHERE slug = ?)", filter.tenant_slug);
  }
  if (filter.actor) number(" AND a.actor_id = ?", filter.actor->value);
  if (!filter.action.empty()) {
    if (filter.action.back() == '.') {
      sql += " AND substr(a.action, 1, " + std::to_string(filter.action.size()) + ") = ?";
      args.push_back(Arg{true, 0, filter.action});
    } else {
      text(" AND a.action = ?", filter.action);
    }
  }
  if (filter.since) number(" AND a.created_at >= ?", *filter.since);
  if (filter.until) number(" AND a.created_at < ?", *filter.until);
  if (before_id) number(" AND a.id < ?", *before_id);
  sql += " ORDER BY a.id DESC LIMIT ?";
  args.push_back(Arg{false, limit + 1, {}});  // one more tells whether another page follows

  auto reader = AcquireReader();
  return Guarded("ListAudit", [&]() -> Result<AuditPage> {
    Stmt s(*reader, sql);
    for (size_t i = 0; i < args.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (args[i].text) s.Bind(index, args[i].string); else s.Bind(index, args[i].number);
    }
    AuditPage page;
    while (s.Step()) {
      if (static_cast<int>(page.entries.size()) == limit) {
        page.next_before = page.entries.back().record.id;
        break;
      }
      AuditEntry e;
      AuditRecord& r = e.record;
      r.id = s.Int64(0);
      r.created_at = s.Int64(1);
      if (!s.IsNull(2)) r.tenant_id = TenantId(s.Int64(2));
      if (!s.IsNull(3)) r.actor_id = UserId(s.Int64(3));
      r.actor_kind = s.Text(4);
      r.action = s.Text(5);
      r.target = s.Text(6);
      r.ip = s.Text(7);
      r.user_agent = s.Text(8);
      r.request_id = s.Text(9);
      r.details_json = s.Text(10);
      if (!s.IsNull(11)) e.actor_email = s.Text(11);
      if (!s.IsNull(12)) e.actor_name = s.Text(12);
      if (!s.IsNull(13)) e.tenant_slug = s.Text(13);
      page.entries.push_back(std::move(e));
    }
    return page;
  });
}

}  // namespace pm::store
