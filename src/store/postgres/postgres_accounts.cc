// PostgresStore: users, workspaces, memberships and sessions (global, not tenant-scoped; the
// membership lookups run with app.user_id set, see schema/postgres/0001_init.sql).
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/user_row.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;
using postgres::ReadUser;
using postgres::Rows;

namespace {


// Columns: tenant id, slug, name, created_at, role, personal, plan, suspended_at, deleted_at,
// purge_after. Soft-deleted workspaces are left out by the callers (WHERE t.deleted_at IS NULL).
#define PM_MEMBERSHIP_SELECT                                                  \
  "SELECT t.id, t.slug, t.name, t.created_at, m.role, t.personal, t.plan, t.suspended_at, " \
  "t.deleted_at, t.purge_after FROM memberships m " \
  "JOIN tenants t ON t.id = m.tenant_id "

Membership ReadMembership(const Rows& r, int i) {
  Membership m;
  m.workspace.id = TenantId(r.Int64(i, 0));
  m.workspace.slug = r.Text(i, 1);
  m.workspace.name = r.Text(i, 2);
  m.workspace.created_at = r.Int64(i, 3);
  m.role = r.Text(i, 4);
  m.workspace.personal = r.Bool(i, 5);
  m.workspace.plan = r.Text(i, 6);
  if (!r.IsNull(i, 7)) m.workspace.suspended_at = r.Int64(i, 7);
  if (!r.IsNull(i, 8)) m.workspace.deleted_at = r.Int64(i, 8);
  if (!r.IsNull(i, 9)) m.workspace.purge_after = r.Int64(i, 9);
  return m;
}

constexpr const char* kUniqueViolation = "23505";

}  // namespace

Result<std::pair<User, Workspace>> PostgresStore::CreateUserWithWorkspace(const NewUser& user,
                                                                         const NewWorkspace& ws,
                                                                         int64_t now) {
  User u{UserId(), user.email, user.name, user.password_hash, now};
  Workspace w{TenantId(), ws.slug, ws.name, now, true};
  // Unique violations are told apart by constraint name (the same names as SQLite's schema).
  auto unique_error = [&](Connection& c, const Error& e) -> Error {
    if (c.last_sqlstate() == kUniqueViolation) {
      if (c.last_constraint() == "users_email_key") {
        return MakeError(ErrorCode::kAlreadyExists, "e-mail address is already registered");
      }
      if (c.last_constraint() == "tenants_slug_key") {
        return MakeError(ErrorCode::kConflict, "workspace slug '" + ws.slug + "' is taken");
      }
    }
    return e;
  };
  PM_RETURN_IF_ERROR(Run("CreateUserWithWorkspace", GlobalWrite(), [&](Connection& c) -> Status {
    auto ins_user = c.ExecPrepared(
        "pm_user_insert",
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) "
        "RETURNING id",
        Params().Add(user.email).Add(user.name).Add(user.password_hash).Add(now));
    if (!ins_user.ok()) return unique_error(c, ins_user.error());
    u.id = UserId(ins_user->Int64(0, 0));

    // The tenant's id first, so app.tenant_id can be set before the row exists: the tenants and
    // memberships policies then admit the inserts (and RETURNING) without any broader policy.
    PM_ASSIGN_OR_RETURN(Rows id, c.ExecPrepared("pm_tenant_nextval",
                                                "SELECT nextval(pg_get_serial_sequence("
                                                "'tenants', 'id'))",
                                                Params()));
    w.id = TenantId(id.Int64(0, 0));
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_set_tenant",
                                      "SELECT set_config('app.tenant_id', $1, true)",
                                      Params().Add(w.id.value)));
    auto ins_tenant = c.ExecPrepared(
        "pm_tenant_insert",
        "INSERT INTO tenants (id, slug, name, created_at, personal) OVERRIDING SYSTEM VALUE "
        "VALUES ($1, $2, $3, $4, true)",
        Params().Add(w.id.value).Add(ws.slug).Add(ws.name).Add(now));
    if (!ins_tenant.ok()) return unique_error(c, ins_tenant.error());
    PM_RETURN_IF_ERROR(c.ExecPrepared(
        "pm_membership_insert",
        "INSERT INTO memberships (tenant_id, user_id, role, created_at) "
        "VALUES ($1, $2, 'owner', $3)",
        Params().Add(w.id.value).Add(u.id.value).Add(now)));
    return Status::Ok();
  }));
  return std::make_pair(std::move(u), std::move(w));
}

Result<User> PostgresStore::FindUserByEmail(std::string_view email) {
  User out;
  PM_RETURN_IF_ERROR(Run("FindUserByEmail", GlobalRead(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_user_by_email",
                                               "SELECT " PM_USER_COLUMNS
                                               " FROM users WHERE email = $1",
                                               Params().Add(email)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "user not found");
    out = ReadUser(r, 0);
    return Status::Ok();
  }));
  return out;
}

Result<User> PostgresStore::GetUser(UserId id) {
  User out;
  PM_RETURN_IF_ERROR(Run("GetUser", GlobalRead(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_user_by_id",
                                               "SELECT " PM_USER_COLUMNS " FROM users WHERE id = $1",
                                               Params().Add(id.value)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "user not found");
    out = ReadUser(r, 0);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::CreateSession(const Session& session) {
  return Run("CreateSession", GlobalWrite(), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared(
        "pm_session_insert",
        "INSERT INTO sessions (token_hash, csrf_hash, user_id, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        Params()
            .Add(session.token_hash)
            .Add(session.csrf_hash)
            .Add(session.user_id.value)
            .Add(session.created_at)
            .Add(session.expires_at)));
    return Status::Ok();
  });
}

Result<Session> PostgresStore::FindSession(std::string_view token_hash, int64_t now) {
  Session out;
  PM_RETURN_IF_ERROR(Run("FindSession", GlobalRead(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_session_find",
                               "SELECT token_hash, csrf_hash, user_id, created_at, expires_at "
                               "FROM sessions WHERE token_hash = $1 AND expires_at > $2",
                               Params().Add(token_hash).Add(now)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "session not found");
    out.token_hash = r.Text(0, 0);
    out.csrf_hash = r.Text(0, 1);
    out.user_id = UserId(r.Int64(0, 2));
    out.created_at = r.Int64(0, 3);
    out.expires_at = r.Int64(0, 4);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::DeleteSession(std::string_view token_hash) {
  return Run("DeleteSession", GlobalWrite(), [&](Connection& c) -> Status {
    // Deleting a missing session is not an error: logging out twice is fine.
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_session_delete",
                                      "DELETE FROM sessions WHERE token_hash = $1",
                                      Params().Add(token_hash)));
    return Status::Ok();
  });
}

Result<int> PostgresStore::DeleteExpiredSessions(int64_t now) {
  int deleted = 0;
  PM_RETURN_IF_ERROR(Run("DeleteExpiredSessions", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_session_sweep",
                                               "DELETE FROM sessions WHERE expires_at <= $1",
                                               Params().Add(now)));
    deleted = static_cast<int>(r.Affected());
    return Status::Ok();
  }));
  return deleted;
}

Result<std::vector<Membership>> PostgresStore::ListMemberships(UserId user) {
  std::vector<Membership> out;
  PM_RETURN_IF_ERROR(Run("ListMemberships", UserRead(user), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_membership_list",
                               PM_MEMBERSHIP_SELECT "WHERE m.user_id = $1 AND t.deleted_at IS NULL ORDER BY (t.personal AND m.role = 'owner') DESC, t.created_at, t.id",
                               Params().Add(user.value)));
    out.clear();
    for (int i = 0; i < r.size(); ++i) out.push_back(ReadMembership(r, i));
    return Status::Ok();
  }));
  return out;
}

Result<Membership> PostgresStore::FindMembership(UserId user, std::string_view slug) {
  Membership out;
  PM_RETURN_IF_ERROR(Run("FindMembership", UserRead(user), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_membership_find",
                                               PM_MEMBERSHIP_SELECT
                                               "WHERE t.slug = $1 AND m.user_id = $2 AND t.deleted_at IS NULL",
                                               Params().Add(slug).Add(user.value)));
    // One message for "no such workspace" and "not a member": no existence leak.
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "workspace not found");
    out = ReadMembership(r, 0);
    return Status::Ok();
  }));
  return out;
}

}  // namespace pm::store
