// SqliteStore: users, workspaces, memberships and sessions (global, not tenant-scoped).
#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/user_row.h"

namespace pm::store {

using sqlite::Connection;
using sqlite::Guarded;
using sqlite::ReadUser;
using sqlite::Stmt;
using sqlite::WriteTransaction;

namespace {


// Columns: tenant id, slug, name, created_at, role, personal, plan, suspended_at, deleted_at,
// purge_after. Soft-deleted workspaces are left out by the callers (WHERE t.deleted_at IS NULL).
#define PM_MEMBERSHIP_SELECT \
  "SELECT t.id, t.slug, t.name, t.created_at, m.role, t.personal, t.plan, t.suspended_at, " \
  "t.deleted_at, t.purge_after FROM memberships m " \
  "JOIN tenants t ON t.id = m.tenant_id "

Membership ReadMembership(sqlite::Stmt& s) {
  Membership m;
  m.workspace.id = TenantId(s.Int64(0));
  m.workspace.slug = s.Text(1);
  m.workspace.name = s.Text(2);
  m.workspace.created_at = s.Int64(3);
  m.role = s.Text(4);
  m.workspace.personal = s.Int64(5) != 0;
  m.workspace.plan = s.Text(6);
  if (!s.IsNull(7)) m.workspace.suspended_at = s.Int64(7);
  if (!s.IsNull(8)) m.workspace.deleted_at = s.Int64(8);
  if (!s.IsNull(9)) m.workspace.purge_after = s.Int64(9);
  return m;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

Result<std::pair<User, Workspace>> SqliteStore::CreateUserWithWorkspace(const NewUser& user,
                                                                       const NewWorkspace& ws,
                                                                       int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  try {
    Connection& conn = *writer_;
    WriteTransaction tx(conn);
    User u{UserId(), user.email, user.name, user.password_hash, now};
    {
      Stmt ins(conn,
               "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) "
               "RETURNING id");
      ins.Bind(1, user.email);
      ins.Bind(2, user.name);
      ins.Bind(3, user.password_hash);
      ins.Bind(4, now);
      ins.Step();
      u.id = UserId(ins.Int64(0));
    }
    Workspace w{TenantId(), ws.slug, ws.name, now, true};
    {
      Stmt ins(conn, "INSERT INTO tenants (slug, name, created_at, personal) VALUES (?, ?, ?, 1) RETURNING id");
      ins.Bind(1, ws.slug);
      ins.Bind(2, ws.name);
      ins.Bind(3, now);
      ins.Step();
      w.id = TenantId(ins.Int64(0));
    }
    {
      Stmt ins(conn,
               "INSERT INTO memberships (tenant_id, user_id, role, created_at) "
               "VALUES (?, ?, 'owner', ?)");
      ins.Bind(1, w.id.value);
      ins.Bind(2, u.id.value);
      ins.Bind(3, now);
      ins.Exec();
    }
    tx.Commit();
    return std::make_pair(std::move(u), std::move(w));
  } catch (const SQLite::Exception& e) {
    // The transaction has rolled back by now (~WriteTransaction ran during unwinding).
    // SQLite names the columns of the failed UNIQUE constraint in its message.
    if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) {
      if (Contains(e.what(), "users.email")) {
        return MakeError(ErrorCode::kAlreadyExists, "e-mail address is already registered");
      }
      if (Contains(e.what(), "tenants.slug")) {
        return MakeError(ErrorCode::kConflict, "workspace slug '" + ws.slug + "' is taken");
      }
    }
    return sqlite::ErrorFromCurrentException("CreateUserWithWorkspace");
  } catch (...) {
    return sqlite::ErrorFromCurrentException("CreateUserWithWorkspace");
  }
}

Result<User> SqliteStore::FindUserByEmail(std::string_view email) {
  auto reader = AcquireReader();
  return Guarded("FindUserByEmail", [&]() -> Result<User> {
    Stmt s(*reader, "SELECT " PM_USER_COLUMNS " FROM users WHERE email = ?");
    s.Bind(1, email);
    if (!s.Step()) return MakeError(ErrorCode::kNotFound, "user not found");
    return ReadUser(s);
  });
}

Result<User> SqliteStore::GetUser(UserId id) {
  auto reader = AcquireReader();
  return Guarded("GetUser", [&]() -> Result<User> {
    Stmt s(*reader, "SELECT " PM_USER_COLUMNS " FROM users WHERE id = ?");
    s.Bind(1, id.value);
    if (!s.Step()) return MakeError(ErrorCode::kNotFound, "user not found");
    return ReadUser(s);
  });
}

Status SqliteStore::CreateSession(const Session& session) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("CreateSession", [&]() -> Status {
    Stmt s(*writer_,
           "INSERT INTO sessions (token_hash, csrf_hash, user_id, created_at, expires_at) "
           "VALUES (?, ?, ?, ?, ?)");
    s.Bind(1, session.token_hash);
    s.Bind(2, session.csrf_hash);
    s.Bind(3, session.user_id.value);
    s.Bind(4, session.created_at);
    s.Bind(5, session.expires_at);
    s.Exec();
    return Status::Ok();
  });
}

Result<Session> SqliteStore::FindSession(std::string_view token_hash, int64_t now) {
  auto reader = AcquireReader();
  return Guarded("FindSession", [&]() -> Result<Session> {
    Stmt s(*reader,
           "SELECT token_hash, csrf_hash, user_id, created_at, expires_at FROM sessions "
           "WHERE token_hash = ? AND expires_at > ?");
    s.Bind(1, token_hash);
    s.Bind(2, now);
    if (!s.Step()) return MakeError(ErrorCode::kNotFound, "session not found");
    Session out;
    out.token_hash = s.Text(0);
    out.csrf_hash = s.Text(1);
    out.user_id = UserId(s.Int64(2));
    out.created_at = s.Int64(3);
    out.expires_at = s.Int64(4);
    return out;
  });
}

Status SqliteStore::DeleteSession(std::string_view token_hash) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DeleteSession", [&]() -> Status {
    Stmt s(*writer_, "DELETE FROM sessions WHERE token_hash = ?");
    s.Bind(1, token_hash);
    s.Exec();  // deleting a missing session is not an error: logging out twice is fine
    return Status::Ok();
  });
}

Result<int> SqliteStore::DeleteExpiredSessions(int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DeleteExpiredSessions", [&]() -> Result<int> {
    Stmt s(*writer_, "DELETE FROM sessions WHERE expires_at <= ?");
    s.Bind(1, now);
    return s.Exec();
  });
}

Result<std::vector<Membership>> SqliteStore::ListMemberships(UserId user) {
  auto reader = AcquireReader();
  return Guarded("ListMemberships", [&]() -> Result<std::vector<Membership>> {
    Stmt s(*reader, PM_MEMBERSHIP_SELECT "WHERE m.user_id = ? AND t.deleted_at IS NULL ORDER BY (t.personal = 1 AND m.role = 'owner') DESC, t.created_at, t.id");
    s.Bind(1, user.value);
    std::vector<Membership> out;
    while (s.Step()) out.push_back(ReadMembership(s));
    return out;
  });
}

Result<Membership> SqliteStore::FindMembership(UserId user, std::string_view slug) {
  auto reader = AcquireReader();
  return Guarded("FindMembership", [&]() -> Result<Membership> {
    Stmt s(*reader, PM_MEMBERSHIP_SELECT "WHERE t.slug = ? AND m.user_id = ? AND t.deleted_at IS NULL");
    s.Bind(1, slug);
    s.Bind(2, user.value);
    // One message for "no such workspace" and "not a member": no existence leak.
    if (!s.Step()) return MakeError(ErrorCode::kNotFound, "workspace not found");
    return ReadMembership(s);
  });
}

}  // namespace pm::store
