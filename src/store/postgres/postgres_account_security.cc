// PostgresStore: account security -- a user's sessions, password resets, TOTP, recovery codes, the
// outbox and erasure. All global tables without Row-Level Security (0006_saas_controls.sql), so
// every call runs under GlobalRead/GlobalWrite. DeleteUser's cascades into memberships and
// api_tokens (tenant tables with FORCEd RLS) are referential actions, which PostgreSQL runs
// without row security.
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace pm::store {

using postgres::Connection;
using postgres::Params;
using postgres::Rows;

namespace {

Error UserNotFound() { return MakeError(ErrorCode::kNotFound, "user not found"); }

Result<int> DeleteSessions(Connection& c, UserId user, std::string_view except_hash) {
  PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_sessions_delete",
                                             "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
                                             Params().Add(user.value).Add(except_hash)));
  return static_cast<int>(r.Affected());
}

Status ReplaceCodes(Connection& c, UserId user, const std::vector<std::string>& hashes) {
  PM_RETURN_IF_ERROR(c.ExecPrepared("pm_sec_codes_delete", "DELETE FROM recovery_codes WHERE user_id = $1",
                                    Params().Add(user.value)));
  for (const std::string& h : hashes) {
    PM_RETURN_IF_ERROR(c.ExecPrepared("pm_sec_codes_insert",
                                      "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)",
                                      Params().Add(user.value).Add(h)));
  }
  return Status::Ok();
}

// Locks the user row for the rest of the transaction; kNotFound when it does not exist.
Status LockUser(Connection& c, UserId user) {
  PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_user_lock", "SELECT 1 FROM users WHERE id = $1 FOR UPDATE",
                                             Params().Add(user.value)));
  if (r.empty()) return UserNotFound();
  return Status::Ok();
}

}  // namespace

Result<int> PostgresStore::DeleteUserSessions(UserId user, std::optional<std::string> except_hash) {
  int deleted = 0;
  PM_RETURN_IF_ERROR(Run("DeleteUserSessions", GlobalWrite(), [&](Connection& c) -> Status {
    // No session hash is empty, so "" keeps none.
    PM_ASSIGN_OR_RETURN(deleted, DeleteSessions(c, user, except_hash.value_or("")));
    return Status::Ok();
  }));
  return deleted;
}

Status PostgresStore::SetPasswordHash(UserId user, std::string_view password_hash,
                                      std::string_view keep_session_hash) {
  return Run("SetPasswordHash", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_set_password",
                                               "UPDATE users SET password_hash = $1 WHERE id = $2",
                                               Params().Add(password_hash).Add(user.value)));
    if (r.Affected() == 0) return UserNotFound();
    PM_ASSIGN_OR_RETURN(int deleted, DeleteSessions(c, user, keep_session_hash));
    (void)deleted;
    return Status::Ok();
  });
}

Status PostgresStore::CreatePasswordReset(UserId user, std::string_view token_hash, int64_t now,
                                          int64_t expires_at) {
  return Run("CreatePasswordReset", GlobalWrite(), [&](Connection& c) -> Status {
    // INSERT ... SELECT: no row (and no foreign-key error) when the user is gone.
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_sec_reset_insert",
                               "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) "
                               "SELECT id, $2, $3, $4 FROM users WHERE id = $1",
                               Params().Add(user.value).Add(token_hash).Add(now).Add(expires_at)));
    if (r.Affected() == 0) return UserNotFound();
    return Status::Ok();
  });
}

Result<UserId> PostgresStore::ConsumePasswordReset(std::string_view token_hash,
                                                   std::string_view password_hash, int64_t now) {
  UserId user;
  PM_RETURN_IF_ERROR(Run("ConsumePasswordReset", GlobalWrite(), [&](Connection& c) -> Status {
    // The UPDATE's row lock makes a racing second confirmation wait, re-check used_at and miss.
    PM_ASSIGN_OR_RETURN(
        Rows r, c.ExecPrepared("pm_sec_reset_consume",
                               "UPDATE password_resets SET used_at = $2 "
                               "WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 "
                               "RETURNING user_id",
                               Params().Add(token_hash).Add(now)));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "password reset not found or expired");
    user = UserId(r.Int64(0, 0));
    PM_ASSIGN_OR_RETURN(Rows set, c.ExecPrepared("pm_sec_set_password",
                                                 "UPDATE users SET password_hash = $1 WHERE id = $2",
                                                 Params().Add(password_hash).Add(user.value)));
    if (set.Affected() == 0) return UserNotFound();
    PM_ASSIGN_OR_RETURN(int deleted, DeleteSessions(c, user, ""));
    (void)deleted;
    return Status::Ok();
  }));
  return user;
}

Result<int> PostgresStore::DeleteStalePasswordResets(int64_t now) {
  int deleted = 0;
  PM_RETURN_IF_ERROR(Run("DeleteStalePasswordResets", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_reset_sweep",
                                               "DELETE FROM password_resets "
                                               "WHERE expires_at <= $1 OR used_at IS NOT NULL",
                                               Params().Add(now)));
    deleted = static_cast<int>(r.Affected());
    return Status::Ok();
  }));
  return deleted;
}

Status PostgresStore::SetTotpSecret(UserId user, std::string_view secret) {
  return Run("SetTotpSecret", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_totp_secret",
                                               "UPDATE users SET totp_secret = $1, totp_enabled_at = NULL, "
                                               "totp_last_step = NULL WHERE id = $2",
                                               Params().Add(secret).Add(user.value)));
    if (r.Affected() == 0) return UserNotFound();
    return Status::Ok();
  });
}

Status PostgresStore::EnableTotp(UserId user, int64_t step, int64_t now,
                                 const std::vector<std::string>& recovery_code_hashes) {
  return Run("EnableTotp", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_totp_enable",
                                               "UPDATE users SET totp_enabled_at = $1, totp_last_step = $2 "
                                               "WHERE id = $3",
                                               Params().Add(now).Add(step).Add(user.value)));
    if (r.Affected() == 0) return UserNotFound();
    return ReplaceCodes(c, user, recovery_code_hashes);
  });
}

Status PostgresStore::DisableTotp(UserId user) {
  return Run("DisableTotp", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_totp_disable",
                                               "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, "
                                               "totp_last_step = NULL WHERE id = $1",
                                               Params().Add(user.value)));
    if (r.Affected() == 0) return UserNotFound();
    return ReplaceCodes(c, user, {});
  });
}

Result<bool> PostgresStore::AdvanceTotpStep(UserId user, int64_t step) {
  bool advanced = false;
  PM_RETURN_IF_ERROR(Run("AdvanceTotpStep", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_totp_step",
                                               "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND "
                                               "(totp_last_step IS NULL OR totp_last_step < $2)",
                                               Params().Add(user.value).Add(step)));
    advanced = r.Affected() == 1;
    if (advanced) return Status::Ok();
    PM_ASSIGN_OR_RETURN(Rows exists, c.ExecPrepared("pm_sec_user_exists", "SELECT 1 FROM users WHERE id = $1",
                                                    Params().Add(user.value)));
    if (exists.empty()) return UserNotFound();
    return Status::Ok();
  }));
  return advanced;
}

Status PostgresStore::ReplaceRecoveryCodes(UserId user, const std::vector<std::string>& code_hashes) {
  return Run("ReplaceRecoveryCodes", GlobalWrite(), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(LockUser(c, user));
    return ReplaceCodes(c, user, code_hashes);
  });
}

Result<bool> PostgresStore::UseRecoveryCode(UserId user, std::string_view code_hash, int64_t now) {
  bool used = false;
  PM_RETURN_IF_ERROR(Run("UseRecoveryCode", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_code_use",
                                               "UPDATE recovery_codes SET used_at = $3 "
                                               "WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
                                               Params().Add(user.value).Add(code_hash).Add(now)));
    used = r.Affected() == 1;
    return Status::Ok();
  }));
  return used;
}

Result<int> PostgresStore::CountRecoveryCodes(UserId user) {
  int count = 0;
  PM_RETURN_IF_ERROR(Run("CountRecoveryCodes", GlobalRead(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_code_count",
                                               "SELECT count(*) FROM recovery_codes "
                                               "WHERE user_id = $1 AND used_at IS NULL",
                                               Params().Add(user.value)));
    count = static_cast<int>(r.Int64(0, 0));
    return Status::Ok();
  }));
  return count;
}

Result<OutboxMessage> PostgresStore::AppendOutbox(const OutboxMessage& message) {
  OutboxMessage out = message;
  out.sent_at.reset();
  PM_RETURN_IF_ERROR(Run("AppendOutbox", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_outbox_insert",
                                               "INSERT INTO outbox (recipient, subject, body, created_at, error) "
                                               "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                                               Params()
                                                   .Add(message.recipient)
                                                   .Add(message.subject)
                                                   .Add(message.body)
                                                   .Add(message.created_at)
                                                   .Add(message.error)));
    out.id = r.Int64(0, 0);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::MarkOutboxSent(int64_t id, std::optional<int64_t> sent_at, std::string_view error) {
  return Run("MarkOutboxSent", GlobalWrite(), [&](Connection& c) -> Status {
    Params p;
    if (sent_at) p.Add(*sent_at); else p.AddNull();
    p.Add(error).Add(id);
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_outbox_mark",
                                               "UPDATE outbox SET sent_at = $1, error = $2 WHERE id = $3", p));
    if (r.Affected() == 0) return MakeError(ErrorCode::kNotFound, "outbox message not found");
    return Status::Ok();
  });
}

Result<std::vector<OutboxMessage>> PostgresStore::ListOutbox(int limit) {
  if (limit < 1 || limit > 1000) {
    return MakeError(ErrorCode::kInvalidArgument, "limit must be between 1 and 1000");
  }
  std::vector<OutboxMessage> out;
  PM_RETURN_IF_ERROR(Run("ListOutbox", GlobalRead(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_outbox_list",
                                               "SELECT id, recipient, subject, body, created_at, sent_at, error "
                                               "FROM outbox ORDER BY id DESC LIMIT $1",
                                               Params().Add(limit)));
    out.clear();
    for (int i = 0; i < r.size(); ++i) {
      OutboxMessage m;
      m.id = r.Int64(i, 0);
      m.recipient = r.Text(i, 1);
      m.subject = r.Text(i, 2);
      m.body = r.Text(i, 3);
      m.created_at = r.Int64(i, 4);
      if (!r.IsNull(i, 5)) m.sent_at = r.Int64(i, 5);
      m.error = r.Text(i, 6);
      out.push_back(std::move(m));
    }
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::LockCounterKey(std::string_view key, int64_t until) {
  return Run("LockCounterKey", GlobalWrite(), [&](Connection& c) -> Status {
    PM_RETURN_IF_ERROR(c.ExecPrepared(
        "pm_sec_counter_lock",
        "INSERT INTO counters (key, window_start, count, expires_at) VALUES ($1, 0, $2, $2) "
        "ON CONFLICT (key, window_start) DO UPDATE SET count = GREATEST(counters.count, excluded.count), "
        "expires_at = GREATEST(counters.expires_at, excluded.expires_at)",
        Params().Add(key).Add(until)));
    return Status::Ok();
  });
}

Status PostgresStore::DeleteUser(UserId user) {
  return Run("DeleteUser", GlobalWrite(), [&](Connection& c) -> Status {
    PM_ASSIGN_OR_RETURN(Rows r, c.ExecPrepared("pm_sec_user_delete", "DELETE FROM users WHERE id = $1",
                                               Params().Add(user.value)));
    if (r.Affected() == 0) return UserNotFound();
    return Status::Ok();
  });
}

}  // namespace pm::store
