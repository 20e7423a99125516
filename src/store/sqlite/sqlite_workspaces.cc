// SqliteStore: team workspaces, members, invitations and API tokens. Tenant scoping: every
// statement has `tenant_id = ?` in its WHERE (or inserts the caller's tenant); only the look-ups
// by token hash (FindInvitation, AcceptInvitation, FindApiToken) are global, since a token is
// presented before its workspace is known.
#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"

namespace pm::store {

using sqlite::Guarded;
using sqlite::Stmt;
using sqlite::WriteTransaction;

namespace {

#define PM_MEMBER_SELECT                                                      \
  "SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m " \
  "JOIN users u ON u.id = m.user_id "

Member ReadMember(Stmt& s) {
  return Member{UserId(s.Int64(0)), s.Text(1), s.Text(2), s.Text(3), s.Int64(4)};
}

#define PM_INVITATION_COLUMNS \
  "id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at"

Invitation ReadInvitation(Stmt& s) {
  Invitation i;
  i.id = InvitationId(s.Int64(0));
  i.tenant_id = TenantId(s.Int64(1));
  i.email = s.Text(2);
  i.role = s.Text(3);
  i.token_hash = s.Text(4);
  i.invited_by = UserId(s.Int64(5));  // NULL reads as 0
  i.created_at = s.Int64(6);
  i.expires_at = s.Int64(7);
  return i;
}

#define PM_TOKEN_SELECT                                                                    \
  "SELECT t.id, t.tenant_id, t.user_id, u.email, t.name, t.scope, t.token_hash, "        \
  "t.created_at, t.expires_at, t.last_used_at FROM api_tokens t JOIN users u ON u.id = " \
  "t.user_id "

ApiToken ReadToken(Stmt& s) {
  ApiToken t;
  t.id = ApiTokenId(s.Int64(0));
  t.tenant_id = TenantId(s.Int64(1));
  t.user_id = UserId(s.Int64(2));
  t.user_email = s.Text(3);
  t.name = s.Text(4);
  t.scope = s.Text(5);
  t.token_hash = s.Text(6);
  t.created_at = s.Int64(7);
  if (!s.IsNull(8)) t.expires_at = s.Int64(8);
  if (!s.IsNull(9)) t.last_used_at = s.Int64(9);
  return t;
}

bool IsConstraint(const SQLite::Exception& e) { return (e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT; }

Error MemberNotFound() { return MakeError(ErrorCode::kNotFound, "member not found"); }
Error OwnerUntouchable() {
  return MakeError(ErrorCode::kConflict, "the owner's membership changes only by transferring ownership");
}
Error OwnerNotSettable() {
  return MakeError(ErrorCode::kInvalidArgument, "ownership moves only by transfer, never by setting a role");
}

}  // namespace

Result<Workspace> SqliteStore::CreateWorkspace(UserId owner, const NewWorkspace& ws, int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  try {
    WriteTransaction tx(*writer_);
    Workspace w{TenantId(), ws.slug, ws.name, now, ws.personal};
    {
      Stmt ins(*writer_,
               "INSERT INTO tenants (slug, name, created_at, personal) VALUES (?, ?, ?, ?) RETURNING id");
      ins.Bind(1, ws.slug);
      ins.Bind(2, ws.name);
      ins.Bind(3, now);
      ins.Bind(4, ws.personal ? 1 : 0);
      ins.Step();
      w.id = TenantId(ins.Int64(0));
    }
    {
      Stmt m(*writer_,
             "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)");
      m.Bind(1, w.id.value);
      m.Bind(2, owner.value);
      m.Bind(3, now);
      m.Exec();
    }
    tx.Commit();
    return w;
  } catch (const SQLite::Exception& e) {
    if (IsConstraint(e) && std::string_view(e.what()).find("tenants.slug") != std::string_view::npos) {
      return MakeError(ErrorCode::kConflict, "workspace slug '" + ws.slug + "' is taken");
    }
    return sqlite::ErrorFromCurrentException("CreateWorkspace");
  } catch (...) {
    return sqlite::ErrorFromCurrentException("CreateWorkspace");
  }
}

Result<std::vector<Member>> SqliteStore::ListMembers(TenantId tenant) {
  auto reader = AcquireReader();
  return Guarded("ListMembers", [&]() -> Result<std::vector<Member>> {
    Stmt s(*reader, PM_MEMBER_SELECT "WHERE m.tenant_id = ? ORDER BY m.created_at, u.id");
    s.Bind(1, tenant.value);
    std::vector<Member> out;
    while (s.Step()) out.push_back(ReadMember(s));
    return out;
  });
}

Result<Member> SqliteStore::GetMember(TenantId tenant, UserId user) {
  auto reader = AcquireReader();
  return Guarded("GetMember", [&]() -> Result<Member> {
    Stmt s(*reader, PM_MEMBER_SELECT "WHERE m.tenant_id = ? AND m.user_id = ?");
    s.Bind(1, tenant.value);
    s.Bind(2, user.value);
    if (!s.Step()) return MemberNotFound();
    return ReadMember(s);
  });
}

// Why 0 rows changed: the member is the owner (kConflict) or not a member (kNotFound). Runs on
// the writer, under the same lock as the failed write, so the answer is current.
static Error NotChanged(sqlite::Connection& conn, TenantId tenant, UserId user) {
  Stmt s(conn, "SELECT role FROM memberships WHERE tenant_id = ? AND user_id = ?");
  s.Bind(1, tenant.value);
  s.Bind(2, user.value);
  if (s.Step() && s.Text(0) == "owner") return OwnerUntouchable();
  return MemberNotFound();
}

Status SqliteStore::SetMemberRole(TenantId tenant, UserId user, std::string_view role) {
  if (role == "owner") return OwnerNotSettable();
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("SetMemberRole", [&]() -> Status {
    {
      Stmt s(*writer_, "UPDATE memberships SET role = ? WHERE tenant_id = ? AND user_id = ? AND role <> 'owner'");
      s.Bind(1, role);
      s.Bind(2, tenant.value);
      s.Bind(3, user.value);
      if (s.Exec() == 1) return Status::Ok();
    }
    return NotChanged(*writer_, tenant, user);
  });
}

Status SqliteStore::RemoveMember(TenantId tenant, UserId user) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("RemoveMember", [&]() -> Status {
    WriteTransaction tx(*writer_);
    {
      Stmt s(*writer_, "DELETE FROM memberships WHERE tenant_id = ? AND user_id = ? AND role <> 'owner'");
      s.Bind(1, tenant.value);
      s.Bind(2, user.value);
      if (s.Exec() == 0) return NotChanged(*writer_, tenant, user);
    }
    Stmt t(*writer_, "DELETE FROM api_tokens WHERE tenant_id = ? AND user_id = ?");
    t.Bind(1, tenant.value);
    t.Bind(2, user.value);
    t.Exec();
    tx.Commit();
    return Status::Ok();
  });
}

Status SqliteStore::TransferOwnership(TenantId tenant, UserId from, UserId to) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("TransferOwnership", [&]() -> Status {
    WriteTransaction tx(*writer_);
    {
      Stmt s(*writer_,
             "UPDATE memberships SET role = 'admin' WHERE tenant_id = ? AND user_id = ? AND role = 'owner'");
      s.Bind(1, tenant.value);
      s.Bind(2, from.value);
      if (s.Exec() == 0) return MakeError(ErrorCode::kConflict, "only the owner can transfer the workspace");
    }
    Stmt s(*writer_, "UPDATE memberships SET role = 'owner' WHERE tenant_id = ? AND user_id = ?");
    s.Bind(1, tenant.value);
    s.Bind(2, to.value);
    if (s.Exec() == 0) return MakeError(ErrorCode::kNotFound, "the new owner must be a member of the workspace");
    tx.Commit();
    return Status::Ok();
  });
}

Result<Invitation> SqliteStore::CreateInvitation(TenantId tenant, const NewInvitation& inv, int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("CreateInvitation", [&]() -> Result<Invitation> {
    WriteTransaction tx(*writer_);
    {
      Stmt d(*writer_, "DELETE FROM invitations WHERE tenant_id = ? AND email = ?");
      d.Bind(1, tenant.value);
      d.Bind(2, inv.email);
      d.Exec();
    }
    Invitation out{InvitationId(), tenant, inv.email, inv.role, inv.token_hash, inv.invited_by, now,
                   inv.expires_at};
    {
      // Scoped: the statement must be reset before COMMIT.
      Stmt s(*writer_,
             "INSERT INTO invitations (tenant_id, email, role, token_hash, invited_by, created_at, "
             "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
      s.Bind(1, tenant.value);
      s.Bind(2, inv.email);
      s.Bind(3, inv.role);
      s.Bind(4, inv.token_hash);
      if (inv.invited_by.value > 0) {
        s.Bind(5, inv.invited_by.value);
      } else {
        s.BindNull(5);
      }
      s.Bind(6, now);
      s.Bind(7, inv.expires_at);
      s.Step();
      out.id = InvitationId(s.Int64(0));
    }
    tx.Commit();
    return out;
  });
}

Result<std::vector<Invitation>> SqliteStore::ListInvitations(TenantId tenant, int64_t now) {
  auto reader = AcquireReader();
  return Guarded("ListInvitations", [&]() -> Result<std::vector<Invitation>> {
    Stmt s(*reader, "SELECT " PM_INVITATION_COLUMNS
                    " FROM invitations WHERE tenant_id = ? AND expires_at > ? ORDER BY id DESC");
    s.Bind(1, tenant.value);
    s.Bind(2, now);
    std::vector<Invitation> out;
    while (s.Step()) out.push_back(ReadInvitation(s));
    return out;
  });
}

Status SqliteStore::DeleteInvitation(TenantId tenant, InvitationId id) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DeleteInvitation", [&]() -> Status {
    Stmt s(*writer_, "DELETE FROM invitations WHERE tenant_id = ? AND id = ?");
    s.Bind(1, tenant.value);
    s.Bind(2, id.value);
    if (s.Exec() == 0) return MakeError(ErrorCode::kNotFound, "invitation not found");
    return Status::Ok();
  });
}

Result<int> SqliteStore::DeleteExpiredInvitations(int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DeleteExpiredInvitations", [&]() -> Result<int> {
    Stmt s(*writer_, "DELETE FROM invitations WHERE expires_at <= ?");
    s.Bind(1, now);
    return s.Exec();
  });
}

Result<Invitation> SqliteStore::FindInvitation(std::string_view token_hash, int64_t now) {
  auto reader = AcquireReader();
  return Guarded("FindInvitation", [&]() -> Result<Invitation> {
    Stmt s(*reader, "SELECT " PM_INVITATION_COLUMNS
                    " FROM invitations WHERE token_hash = ? AND expires_at > ?");
    s.Bind(1, token_hash);
    s.Bind(2, now);
    if (!s.Step()) return MakeError(ErrorCode::kNotFound, "invitation not found or expired");
    return ReadInvitation(s);
  });
}

Result<Membership> SqliteStore::AcceptInvitation(std::string_view token_hash, UserId user, int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("AcceptInvitation", [&]() -> Result<Membership> {
    WriteTransaction tx(*writer_);
    Invitation inv;
    {
      Stmt s(*writer_, "SELECT " PM_INVITATION_COLUMNS
                       " FROM invitations WHERE token_hash = ? AND expires_at > ?");
      s.Bind(1, token_hash);
      s.Bind(2, now);
      if (!s.Step()) return MakeError(ErrorCode::kNotFound, "invitation not found or expired");
      inv = ReadInvitation(s);
    }
    {
      Stmt s(*writer_, "SELECT 1 FROM memberships WHERE tenant_id = ? AND user_id = ?");
      s.Bind(1, inv.tenant_id.value);
      s.Bind(2, user.value);
      if (s.Step()) return MakeError(ErrorCode::kAlreadyExists, "you are already a member of this workspace");
    }
    {
      Stmt s(*writer_, "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (?, ?, ?, ?)");
      s.Bind(1, inv.tenant_id.value);
      s.Bind(2, user.value);
      s.Bind(3, inv.role);
      s.Bind(4, now);
      s.Exec();
    }
    {
      Stmt s(*writer_, "DELETE FROM invitations WHERE tenant_id = ? AND id = ?");
      s.Bind(1, inv.tenant_id.value);
      s.Bind(2, inv.id.value);
      s.Exec();
    }
    Membership m;
    {
      Stmt s(*writer_,
             "SELECT id, slug, name, created_at, personal, plan, suspended_at FROM tenants "
             "WHERE id = ? AND deleted_at IS NULL");
      s.Bind(1, inv.tenant_id.value);
      if (!s.Step()) return MakeError(ErrorCode::kNotFound, "invitation not found or expired");
      m.workspace = Workspace{TenantId(s.Int64(0)), s.Text(1), s.Text(2), s.Int64(3), s.Int64(4) != 0};
      m.workspace.plan = s.Text(5);
      if (!s.IsNull(6)) m.workspace.suspended_at = s.Int64(6);
      m.role = inv.role;
    }
    tx.Commit();
    return m;
  });
}

Result<ApiToken> SqliteStore::CreateApiToken(TenantId tenant, const NewApiToken& token, int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("CreateApiToken", [&]() -> Result<ApiToken> {
    Stmt s(*writer_,
           "INSERT INTO api_tokens (tenant_id, user_id, name, scope, token_hash, created_at, expires_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
    s.Bind(1, tenant.value);
    s.Bind(2, token.user_id.value);
    s.Bind(3, token.name);
    s.Bind(4, token.scope);
    s.Bind(5, token.token_hash);
    s.Bind(6, now);
    if (token.expires_at) {
      s.Bind(7, *token.expires_at);
    } else {
      s.BindNull(7);
    }
    s.Step();
    ApiToken out;
    out.id = ApiTokenId(s.Int64(0));
    out.tenant_id = tenant;
    out.user_id = token.user_id;
    out.name = token.name;
    out.scope = token.scope;
    out.token_hash = token.token_hash;
    out.created_at = now;
    out.expires_at = token.expires_at;
    return out;
  });
}

Result<std::vector<ApiToken>> SqliteStore::ListApiTokens(TenantId tenant, std::optional<UserId> user) {
  auto reader = AcquireReader();
  return Guarded("ListApiTokens", [&]() -> Result<std::vector<ApiToken>> {
    Stmt s(*reader, PM_TOKEN_SELECT "WHERE t.tenant_id = ? AND (? = 0 OR t.user_id = ?) ORDER BY t.id DESC");
    s.Bind(1, tenant.value);
    s.Bind(2, user ? user->value : int64_t{0});
    s.Bind(3, user ? user->value : int64_t{0});
    std::vector<ApiToken> out;
    while (s.Step()) out.push_back(ReadToken(s));
    return out;
  });
}

Status SqliteStore::DeleteApiToken(TenantId tenant, ApiTokenId id, std::optional<UserId> user) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DeleteApiToken", [&]() -> Status {
    Stmt s(*writer_, "DELETE FROM api_tokens WHERE tenant_id = ? AND id = ? AND (? = 0 OR user_id = ?)");
    s.Bind(1, tenant.value);
    s.Bind(2, id.value);
    s.Bind(3, user ? user->value : int64_t{0});
    s.Bind(4, user ? user->value : int64_t{0});
    if (s.Exec() == 0) return MakeError(ErrorCode::kNotFound, "token not found");
    return Status::Ok();
  });
}

Result<ApiToken> SqliteStore::FindApiToken(std::string_view token_hash) {
  auto reader = AcquireReader();
  return Guarded("FindApiToken", [&]() -> Result<ApiToken> {
    Stmt s(*reader, PM_TOKEN_SELECT "WHERE t.token_hash = ?");
    s.Bind(1, token_hash);
    if (!s.Step()) return MakeError(ErrorCode::kNotFound, "token not found");
    return ReadToken(s);
  });
}

Status SqliteStore::TouchApiToken(TenantId tenant, ApiTokenId id, int64_t now, int64_t min_interval_ms) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("TouchApiToken", [&]() -> Status {
    Stmt s(*writer_,
           "UPDATE api_tokens SET last_used_at = ? WHERE tenant_id = ? AND id = ? AND "
           "(last_used_at IS NULL OR last_used_at < ?)");
    s.Bind(1, now);
    s.Bind(2, tenant.value);
    s.Bind(3, id.value);
    s.Bind(4, now - min_interval_ms);
    s.Exec();
    return Status::Ok();
  });
}

}  // namespace pm::store
