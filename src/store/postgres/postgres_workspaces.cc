// PostgresStore: team workspaces, members, invitations and API tokens. Tenant-scoped statements
// have `tenant_id = $n` in their WHERE and run with app.tenant_id set (TenantRead/TenantWrite),
// so the Row-Level Security policies of 0001 and 0004 admit only that tenant's rows. The look-ups
// by token (FindInvitation, AcceptInvitation, FindApiToken) first set app.token_hash, which the
// *_by_token policies of 0004 key on: they see exactly the row of the presented token.
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;
using postgres::Rows;

namespace {

constexpr const char* kUniqueViolation = "23505";

#define PM_PG_MEMBER_SELECT                                                   \
  "SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m " \
  "JOIN users u ON u.id = m.user_id "

Member ReadMember(const Rows& r, int i) {
  return Member{UserId(r.Int64(i, 0)), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Int64(i, 4)};
}

#define PM_PG_INVITATION_COLUMNS \
  "id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at"

Invitation ReadInvitation(const Rows& r, int i) {
  Invitation v;
  v.id = InvitationId(r.Int64(i, 0));
  v.tenant_id = TenantId(r.Int64(i, 1));
  v.email = r.Text(i, 2);
  v.role = r.Text(i, 3);
  v.token_hash = r.Text(i, 4);
  v.invited_by = UserId(r.Int64(i, 5));  // NULL reads as 0
  v.created_at = r.Int64(i, 6);
  v.expires_at = r.Int64(i, 7);
  return v;
}

#define PM_PG_TOKEN_SELECT                                                                 \
  "SELECT t.id, t.tenant_id, t.user_id, u.email, t.name, t.scope, t.token_hash, "        \
  "t.created_at, t.expires_at, t.last_used_at FROM api_tokens t JOIN users u ON u.id = " \
  "t.user_id "

ApiToken ReadToken(const Rows& r, int i) {
  ApiToken t;
  t.id = ApiTokenId(r.Int64(i, 0));
  t.tenant_id = TenantId(r.Int64(i, 1));
  t.user_id = UserId(r.Int64(i, 2));
  t.user_email = r.Text(i, 3);
  t.name = r.Text(i, 4);
  t.scope = r.Text(i, 5);
  t.token_hash = r.Text(i, 6);
  t.created_at = r.Int64(i, 7);
  if (!r.IsNull(i, 8)) t.expires_at = r.Int64(i, 8);
  if (!r.IsNull(i, 9)) t.last_used_at = r.Int64(i, 9);
  return t;
}

Error MemberNotFound() { return MakeError(ErrorCode::kNotFound, "member not found"); }
Error OwnerUntouchable() {
  return MakeError(ErrorCode::kConflict, "the owner's membership changes only by transferring ownership");
}
Error OwnerNotSettable() {
  return MakeError(ErrorCode::kInvalidArgument, "ownership moves only by transfer, never by setting a role");
}

// Why an update or delete of a membership changed nothing: the row is the owner's (kConflict) or
// there is none (kNotFound). In the same transaction, after the failed write: a concurrent
// transfer has committed by then (the write waited for its row lock).
Error NotChanged(Connection& c, TenantId tenant, UserId user) {
  auto r = c.ExecPrepared("pm_ws_member_role", "SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2",
                          Params().Add(tenant.value).Add(user.value));
  if (!r.ok()) return r.error();
  if (!r->empty() && r->Text(0, 0) == "owner") return OwnerUntouchable();
  return MemberNotFound();
}

Status SetTokenHash(Connection& c, std::string_view token_hash) {
  PM_RETURN_IF_ERROR(c.ExecPrepared("pm_set_token_hash", "SELECT set_config('app.token_hash', $1, true)",
                                    Params().Add(token_hash)));
  return Status::Ok();
}

}  // namespace

Result<Workspace> PostgresStore::CreateWorkspace(UserId owner, const NewWorkspace& ws, int64_t now) {
  Workspace w{TenantId(), ws.slug, ws.name, now, ws.personal};
  PM_RETURN_IF_ERROR(Run("CreateWorkspace", GlobalWrite(), [&](Connection& c) -> Status {
    // The id first, so app.tenant_id can be set before the row exists (as at sign-up).
    PM_ASSIGN_OR_RETURN(Rows id, c.ExecPrepared("pm_tenant_nextval",
                                                "SELECT nextval(pg_get_serial_sequence("
                                                "'tenants', 'id'))",
                                                Params()));
    w.id = TenantId(id.Int64(0, 0));
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_set_tenant", "SELECT set_config('app.tenant_id', $1, true)",
                                      Params().Add(w.id.value)));
    auto ins = c.ExecPrepared("pm_ws_tenant_insert",
                              "INSERT INTO tenants (id, slug, name, created_at, personal) OVERRIDING "
                              "SYSTEM VALUE VALUES ($1, $2, $3, $4, $5::boolean)",
                              Params().Add(w.id.value).Add(ws.slug).Add(ws.name).Add(now).Add(
                                  ws.personal ? "true" : "false"));
    if (!ins.ok()) {
      if (c.last_sqlstate() == kUniqueViolation && c.last_constraint() == "tenants_slug_key") {
        return MakeError(ErrorCode::kConflict, "workspace slug '" + ws.slug + "' is taken");
      }
      return ins.error();
    }
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_ws_owner_insert",
                                      "INSERT INTO memberships (tenant_id, user_id, role, created_at) "
                                      "VALUES ($1, $2, 'owner', $3)",
                                      Params().Add(w.id.value).Add(owner.value).Add(now)));
    return Status::Ok();
  }));
  return w;
}

Result<std::vector<Member>> PostgresStore::ListMembers(TenantId tenant) {
  std::vector<Member> out;
  PM_RETURN_IF_ERROR(Run("ListMembers", TenantRead(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_ws_members",
                                               PM_PG_MEMBER_SELECT
                                               "WHERE m.tenant_id = $1 ORDER BY m.created_at, u.id",
                                               Params().Add(tenant.value)));
    out.clear();
    for (int i = 0; i < r.size(); ++i) out.push_back(ReadMember(r, i));
    return Status::Ok();
  }));
  return out;
}

Result<Member> PostgresStore::GetMember(TenantId tenant, UserId user) {
  Member out;
  PM_RETURN_IF_ERROR(Run("GetMember", TenantRead(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_ws_member",
                                               PM_PG_MEMBER_SELECT "WHERE m.tenant_id = $1 AND m.user_id = $2",
                                               Params().Add(tenant.value).Add(user.value)));
    if (r.empty()) return MemberNotFound();
    out = ReadMember(r, 0);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::SetMemberRole(TenantId tenant, UserId user, std::string_view role) {
  if (role == "owner") return OwnerNotSettable();
  return Run("SetMemberRole", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_ws_set_role",
                                               "UPDATE memberships SET role = $3 WHERE tenant_id = $1 "
                                               "AND user_id = $2 AND role <> 'owner'",
                                               Params().Add(tenant.value).Add(user.value).Add(role)));
    if (r.Affected() == 0) return NotChanged(c, tenant, user);
    return Status::Ok();
  });
}

Status PostgresStore::RemoveMember(TenantId tenant, UserId user) {
  return Run("RemoveMember", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_ws_remove_member",
                                               "DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2 "
                                               "AND role <> 'owner'",
                                               Params().Add(tenant.value).Add(user.value)));
    if (r.Affected() == 0) return NotChanged(c, tenant, user);
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_ws_remove_member_tokens",
                                      "DELETE FROM api_tokens WHERE tenant_id = $1 AND user_id = $2",
                                      Params().Add(tenant.value).Add(user.value)));
    return Status::Ok();
  });
}

Status PostgresStore::TransferOwnership(TenantId tenant, UserId from, UserId to) {
  return Run("TransferOwnership", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows demote, c.ExecPrepared("pm_ws_demote_owner",
                                                    "UPDATE memberships SET role = 'admin' WHERE tenant_id = $1 "
                                                    "AND user_id = $2 AND role = 'owner'",
                                                    Params().Add(tenant.value).Add(from.value)));
    if (demote.Affected() == 0) return MakeError(ErrorCode::kConflict, "only the owner can transfer the workspace");
    PM_ASSIGN_OR_RETURN(Rows promote, c.ExecPrepared("pm_ws_promote_owner",
                                                     "UPDATE memberships SET role = 'owner' WHERE tenant_id = $1 "
                                                     "AND user_id = $2",
                                                     Params().Add(tenant.value).Add(to.value)));
    if (promote.Affected() == 0) {
      return MakeError(ErrorCode::kNotFound, "the new owner must be a member of the workspace");
    }
    return Status::Ok();
  });
}

Result<Invitation> PostgresStore::CreateInvitation(TenantId tenant, const NewInvitation& inv, int64_t now) {
  Invitation out{InvitationId(), tenant, inv.email, inv.role, inv.token_hash, inv.invited_by, now, inv.expires_at};
  PM_RETURN_IF_ERROR(Run("CreateInvitation", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_inv_replace", "DELETE FROM invitations WHERE tenant_id = $1 AND email = $2",
                                      Params().Add(tenant.value).Add(inv.email)));
    Params p;
    p.Add(tenant.value).Add(inv.email).Add(inv.role).Add(inv.token_hash);
    if (inv.invited_by.value > 0) {
      p.Add(inv.invited_by.value);
    } else {
      p.AddNull();
    }
    p.Add(now).Add(inv.expires_at);
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_inv_insert",
                                               "INSERT INTO invitations (tenant_id, email, role, token_hash, "
                                               "invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, "
                                               "$6, $7) RETURNING id",
                                               p));
    out.id = InvitationId(r.Int64(0, 0));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Invitation>> PostgresStore::ListInvitations(TenantId tenant, int64_t now) {
  std::vector<Invitation> out;
  PM_RETURN_IF_ERROR(Run("ListInvitations", TenantRead(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_inv_list",
                                               "SELECT " PM_PG_INVITATION_COLUMNS
                                               " FROM invitations WHERE tenant_id = $1 AND expires_at > $2 "
                                               "ORDER BY id DESC",
                                               Params().Add(tenant.value).Add(now)));
    out.clear();
    for (int i = 0; i < r.size(); ++i) out.push_back(ReadInvitation(r, i));
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::DeleteInvitation(TenantId tenant, InvitationId id) {
  return Run("DeleteInvitation", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_inv_delete",
                                               "DELETE FROM invitations WHERE tenant_id = $1 AND id = $2",
                                               Params().Add(tenant.value).Add(id.value)));
    if (r.Affected() == 0) return MakeError(ErrorCode::kNotFound, "invitation not found");
    return Status::Ok();
  });
}

Result<int> PostgresStore::DeleteExpiredInvitations(int64_t now) {
  int deleted = 0;
  PM_RETURN_IF_ERROR(Run("DeleteExpiredInvitations", GlobalWrite(), [&](Connection& c) -> Status {
    // Across tenants: the sweep policies of 0005 admit exactly the rows expired by this time.
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_set_sweep_before", "SELECT set_config('app.sweep_before', $1, true)",
                                      Params().Add(now)));
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_inv_sweep", "DELETE FROM invitations WHERE expires_at <= $1",
                                               Params().Add(now)));
    deleted = static_cast<int>(r.Affected());
    return Status::Ok();
  }));
  return deleted;
}

Result<Invitation> PostgresStore::FindInvitation(std::string_view token_hash, int64_t now) {
  Invitation out;
  PM_RETURN_IF_ERROR(Run("FindInvitation", Scope{Access::kRead, true, {}, {}}, [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(SetTokenHash(c, token_hash));
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_inv_find",
                                               "SELECT " PM_PG_INVITATION_COLUMNS
                                               " FROM invitations WHERE token_hash = $1 AND expires_at > $2",
                                               Params().Add(token_hash).Add(now)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "invitation not found or expired");
    out = ReadInvitation(r, 0);
    return Status::Ok();
  }));
  return out;
}

Result<Membership> PostgresStore::AcceptInvitation(std::string_view token_hash, UserId user, int64_t now) {
  Membership out;
  PM_RETURN_IF_ERROR(Run("AcceptInvitation", GlobalWrite(), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(SetTokenHash(c, token_hash));
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_inv_find",
                                               "SELECT " PM_PG_INVITATION_COLUMNS
                                               " FROM invitations WHERE token_hash = $1 AND expires_at > $2",
                                               Params().Add(token_hash).Add(now)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "invitation not found or expired");
    Invitation inv = ReadInvitation(r, 0);
    // From here on inside the invitation's tenant (the by-token policy is read-only).
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_set_tenant", "SELECT set_config('app.tenant_id', $1, true)",
                                      Params().Add(inv.tenant_id.value)));
    // The delete is the lock: of two accepts of one token, the second deletes nothing.
    PM_ASSIGN_OR_RETURN(Rows del, c.ExecPrepared("pm_inv_take",
                                                 "DELETE FROM invitations WHERE tenant_id = $1 AND id = $2 "
                                                 "AND expires_at > $3",
                                                 Params().Add(inv.tenant_id.value).Add(inv.id.value).Add(now)));
    if (del.Affected() == 0) return MakeError(ErrorCode::kNotFound, "invitation not found or expired");
    auto ins = c.ExecPrepared("pm_inv_member_insert",
                              "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
                              Params().Add(inv.tenant_id.value).Add(user.value).Add(inv.role).Add(now));
    if (!ins.ok()) {
      // The transaction rolls back, so the invitation stays pending.
      if (c.last_sqlstate() == kUniqueViolation) {
        return MakeError(ErrorCode::kAlreadyExists, "you are already a member of this workspace");
      }
      return ins.error();
    }
    PM_ASSIGN_OR_RETURN(Rows t, c.ExecPrepared("pm_inv_tenant",
                                               "SELECT id, slug, name, created_at, personal, plan, suspended_at FROM tenants "
                                               "WHERE id = $1 AND deleted_at IS NULL",
                                               Params().Add(inv.tenant_id.value)));
    if (t.empty()) return MakeError(ErrorCode::kNotFound, "invitation not found or expired");
    out.workspace = Workspace{TenantId(t.Int64(0, 0)), t.Text(0, 1), t.Text(0, 2), t.Int64(0, 3), t.Bool(0, 4)};
    out.workspace.plan = t.Text(0, 5);
    if (!t.IsNull(0, 6)) out.workspace.suspended_at = t.Int64(0, 6);
    out.role = inv.role;
    return Status::Ok();
  }));
  return out;
}

Result<ApiToken> PostgresStore::CreateApiToken(TenantId tenant, const NewApiToken& token, int64_t now) {
  ApiToken out;
  out.tenant_id = tenant;
  out.user_id = token.user_id;
  out.name = token.name;
  out.scope = token.scope;
  out.token_hash = token.token_hash;
  out.created_at = now;
  out.expires_at = token.expires_at;
  PM_RETURN_IF_ERROR(Run("CreateApiToken", TenantWrite(tenant), [&](Connection& c) -> Status {
    Params p;
    p.Add(tenant.value).Add(token.user_id.value).Add(token.name).Add(token.scope).Add(token.token_hash).Add(now);
    if (token.expires_at) {
      p.Add(*token.expires_at);
    } else {
      p.AddNull();
    }
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_tok_insert",
                                               "INSERT INTO api_tokens (tenant_id, user_id, name, scope, "
                                               "token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, "
                                               "$5, $6, $7) RETURNING id",
                                               p));
    out.id = ApiTokenId(r.Int64(0, 0));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<ApiToken>> PostgresStore::ListApiTokens(TenantId tenant, std::optional<UserId> user) {
  std::vector<ApiToken> out;
  PM_RETURN_IF_ERROR(Run("ListApiTokens", TenantRead(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_tok_list",
                                               PM_PG_TOKEN_SELECT
                                               "WHERE t.tenant_id = $1 AND ($2::bigint = 0 OR t.user_id = $2::bigint) "
                                               "ORDER BY t.id DESC",
                                               Params().Add(tenant.value).Add(user ? user->value : int64_t{0})));
    out.clear();
    for (int i = 0; i < r.size(); ++i) out.push_back(ReadToken(r, i));
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::DeleteApiToken(TenantId tenant, ApiTokenId id, std::optional<UserId> user) {
  return Run("DeleteApiToken", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_tok_delete",
                                               "DELETE FROM api_tokens WHERE tenant_id = $1 AND id = $2 "
                                               "AND ($3::bigint = 0 OR user_id = $3::bigint)",
                                               Params().Add(tenant.value).Add(id.value).Add(
                                                   user ? user->value : int64_t{0})));
    if (r.Affected() == 0) return MakeError(ErrorCode::kNotFound, "token not found");
    return Status::Ok();
  });
}

Result<ApiToken> PostgresStore::FindApiToken(std::string_view token_hash) {
  ApiToken out;
  PM_RETURN_IF_ERROR(Run("FindApiToken", Scope{Access::kRead, true, {}, {}}, [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(SetTokenHash(c, token_hash));
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_tok_find", PM_PG_TOKEN_SELECT "WHERE t.token_hash = $1",
                                               Params().Add(token_hash)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "token not found");
    out = ReadToken(r, 0);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::TouchApiToken(TenantId tenant, ApiTokenId id, int64_t now, int64_t min_interval_ms) {
  return Run("TouchApiToken", TenantWrite(tenant), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_tok_touch",
                                      "UPDATE api_tokens SET last_used_at = $3 WHERE tenant_id = $1 AND id = $2 "
                                      "AND (last_used_at IS NULL OR last_used_at < $4)",
                                      Params().Add(tenant.value).Add(id.value).Add(now).Add(now - min_interval_ms)));
    return Status::Ok();
  });
}

}  // namespace pm::store
