// SqliteStore: account security -- a user's sessions, password resets, TOTP, recovery codes, the
// outbox and erasure (global tables; see schema/sqlite/0006_saas_controls.sql).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/errors.h"
#include "store/sqlite/sqlite_store.h"

namespace pm::store {

using sqlite::Connection;
using sqlite::Guarded;
using sqlite::Stmt;
using sqlite::WriteTransaction;

namespace {

Error UserNotFound() { return MakeError(ErrorCode::kNotFound, "user not found"); }

bool UserExists(Connection& conn, UserId user) {
  Stmt s(conn, "SELECT 1 FROM users WHERE id = ?");
  s.Bind(1, user.value);
  return s.Step();
}

int DeleteSessions(Connection& conn, UserId user, std::string_view except_hash) {
  Stmt s(conn, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?");
  s.Bind(1, user.value);
  s.Bind(2, except_hash);
  return s.Exec();
}

void InsertRecoveryCodes(Connection& conn, UserId user, const std::vector<std::string>& hashes) {
  Stmt del(conn, "DELETE FROM recovery_codes WHERE user_id = ?");
  del.Bind(1, user.value);
  del.Exec();
  for (const std::string& h : hashes) {
    Stmt ins(conn, "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)");
    ins.Bind(1, user.value);
    ins.Bind(2, h);
    ins.Exec();
  }
}

}  // namespace

Result<int> SqliteStore::DeleteUserSessions(UserId user, std::optional<std::string> except_hash) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DeleteUserSessions", [&]() -> Result<int> {
    // No session hash is empty, so "" keeps none.
    return DeleteSessions(*writer_, user, except_hash.value_or(""));
  });
}

Status SqliteStore::SetPasswordHash(UserId user, std::string_view password_hash,
                                    std::string_view keep_session_hash) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("SetPasswordHash", [&]() -> Status {
    WriteTransaction tx(*writer_);
    Stmt s(*writer_, "UPDATE users SET password_hash = ? WHERE id = ?");
    s.Bind(1, password_hash);
    s.Bind(2, user.value);
    if (s.Exec() == 0) return UserNotFound();
    DeleteSessions(*writer_, user, keep_session_hash);
    tx.Commit();
    return Status::Ok();
  });
}

Status SqliteStore::CreatePasswordReset(UserId user, std::string_view token_hash, int64_t now,
                                        int64_t expires_at) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("CreatePasswordReset", [&]() -> Status {
    WriteTransaction tx(*writer_);
    if (!UserExists(*writer_, user)) return UserNotFound();
    Stmt s(*writer_,
           "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) "
           "VALUES (?, ?, ?, ?)");
    s.Bind(1, user.value);
    s.Bind(2, token_hash);
    s.Bind(3, now);
    s.Bind(4, expires_at);
    s.Exec();
    tx.Commit();
    return Status::Ok();
  });
}

Result<UserId> SqliteStore::ConsumePasswordReset(std::string_view token_hash,
                                                 std::string_view password_hash, int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("ConsumePasswordReset", [&]() -> Result<UserId> {
    WriteTransaction tx(*writer_);
    Stmt mark(*writer_,
              "UPDATE password_resets SET used_at = ? "
              "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id");
    mark.Bind(1, now);
    mark.Bind(2, token_hash);
    mark.Bind(3, now);
    if (!mark.Step()) return MakeError(ErrorCode::kNotFound, "password reset not found or expired");
    UserId user(mark.Int64(0));
    while (mark.Step()) {
    }
    Stmt set(*writer_, "UPDATE users SET password_hash = ? WHERE id = ?");
    set.Bind(1, password_hash);
    set.Bind(2, user.value);
    if (set.Exec() == 0) return UserNotFound();
    DeleteSessions(*writer_, user, "");
    tx.Commit();
    return user;
  });
}

Result<int> SqliteStore::DeleteStalePasswordResets(int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DeleteStalePasswordResets", [&]() -> Result<int> {
    Stmt s(*writer_, "DELETE FROM password_resets WHERE expires_at <= ? OR used_at IS NOT NULL");
    s.Bind(1, now);
    return s.Exec();
  });
}

Status SqliteStore::SetTotpSecret(UserId user, std::string_view secret) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("SetTotpSecret", [&]() -> Status {
    Stmt s(*writer_,
           "UPDATE users SET totp_secret = ?, totp_enabled_at = NULL, totp_last_step = NULL "
           "WHERE id = ?");
    s.Bind(1, secret);
    s.Bind(2, user.value);
    if (s.Exec() == 0) return UserNotFound();
    return Status::Ok();
  });
}

Status SqliteStore::EnableTotp(UserId user, int64_t step, int64_t now,
                               const std::vector<std::string>& recovery_code_hashes) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("EnableTotp", [&]() -> Status {
    WriteTransaction tx(*writer_);
    Stmt s(*writer_, "UPDATE users SET totp_enabled_at = ?, totp_last_step = ? WHERE id = ?");
    s.Bind(1, now);
    s.Bind(2, step);
    s.Bind(3, user.value);
    if (s.Exec() == 0) return UserNotFound();
    InsertRecoveryCodes(*writer_, user, recovery_code_hashes);
    tx.Commit();
    return Status::Ok();
  });
}

Status SqliteStore::DisableTotp(UserId user) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DisableTotp", [&]() -> Status {
    WriteTransaction tx(*writer_);
    Stmt s(*writer_,
           "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL "
           "WHERE id = ?");
    s.Bind(1, user.value);
    if (s.Exec() == 0) return UserNotFound();
    InsertRecoveryCodes(*writer_, user, {});
    tx.Commit();
    return Status::Ok();
  });
}

Result<bool> SqliteStore::AdvanceTotpStep(UserId user, int64_t step) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("AdvanceTotpStep", [&]() -> Result<bool> {
    Stmt s(*writer_,
           "UPDATE users SET totp_last_step = ? "
           "WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)");
    s.Bind(1, step);
    s.Bind(2, user.value);
    s.Bind(3, step);
    if (s.Exec() == 1) return true;
    if (!UserExists(*writer_, user)) return UserNotFound();
    return false;
  });
}

Status SqliteStore::ReplaceRecoveryCodes(UserId user, const std::vector<std::string>& code_hashes) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("ReplaceRecoveryCodes", [&]() -> Status {
    WriteTransaction tx(*writer_);
    if (!UserExists(*writer_, user)) return UserNotFound();
    InsertRecoveryCodes(*writer_, user, code_hashes);
    tx.Commit();
    return Status::Ok();
  });
}

Result<bool> SqliteStore::UseRecoveryCode(UserId user, std::string_view code_hash, int64_t now) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("UseRecoveryCode", [&]() -> Result<bool> {
    Stmt s(*writer_,
           "UPDATE recovery_codes SET used_at = ? "
           "WHERE user_id = ? AND code_hash = ? AND used_at IS NULL");
    s.Bind(1, now);
    s.Bind(2, user.value);
    s.Bind(3, code_hash);
    return s.Exec() == 1;
  });
}

Result<int> SqliteStore::CountRecoveryCodes(UserId user) {
  auto reader = AcquireReader();
  return Guarded("CountRecoveryCodes", [&]() -> Result<int> {
    Stmt s(*reader, "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL");
    s.Bind(1, user.value);
    s.Step();
    return s.Int(0);
  });
}

Result<OutboxMessage> SqliteStore::AppendOutbox(const OutboxMessage& message) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("AppendOutbox", [&]() -> Result<OutboxMessage> {
    Stmt s(*writer_,
           "INSERT INTO outbox (recipient, subject, body, created_at, error) VALUES (?, ?, ?, ?, ?) "
           "RETURNING id");
    s.Bind(1, message.recipient);
    s.Bind(2, message.subject);
    s.Bind(3, message.body);
    s.Bind(4, message.created_at);
    s.Bind(5, message.error);
    s.Step();
    OutboxMessage out = message;
    out.id = s.Int64(0);
    out.sent_at.reset();
    while (s.Step()) {
    }
    return out;
  });
}

Status SqliteStore::MarkOutboxSent(int64_t id, std::optional<int64_t> sent_at,
                                   std::string_view error) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("MarkOutboxSent", [&]() -> Status {
    Stmt s(*writer_, "UPDATE outbox SET sent_at = ?, error = ? WHERE id = ?");
    if (sent_at) s.Bind(1, *sent_at); else s.BindNull(1);
    s.Bind(2, error);
    s.Bind(3, id);
    if (s.Exec() == 0) return MakeError(ErrorCode::kNotFound, "outbox message not found");
    return Status::Ok();
  });
}

Result<std::vector<OutboxMessage>> SqliteStore::ListOutbox(int limit) {
  if (limit < 1 || limit > 1000) {
    return MakeError(ErrorCode::kInvalidArgument, "limit must be between 1 and 1000");
  }
  auto reader = AcquireReader();
  return Guarded("ListOutbox", [&]() -> Result<std::vector<OutboxMessage>> {
    Stmt s(*reader,
           "SELECT id, recipient, subject, body, created_at, sent_at, error FROM outbox "
           "ORDER BY id DESC LIMIT ?");
    s.Bind(1, limit);
    std::vector<OutboxMessage> out;
    while (s.Step()) {
      OutboxMessage m;
      m.id = s.Int64(0);
      m.recipient = s.Text(1);
      m.subject = s.Text(2);
      m.body = s.Text(3);
      m.created_at = s.Int64(4);
      if (!s.IsNull(5)) m.sent_at = s.Int64(5);
      m.error = s.Text(6);
      out.push_back(std::move(m));
    }
    return out;
  });
}

Status SqliteStore::LockCounterKey(std::string_view key, int64_t until) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("LockCounterKey", [&]() -> Status {
    Stmt s(*writer_,
           "INSERT INTO counters (key, window_start, count, expires_at) VALUES (?1, 0, ?2, ?2) "
           "ON CONFLICT (key, window_start) DO UPDATE SET count = MAX(counters.count, excluded.count), "
           "expires_at = MAX(counters.expires_at, excluded.expires_at)");
    s.Bind(1, key);
    s.Bind(2, until);
    s.Exec();
    return Status::Ok();
  });
}

Status SqliteStore::DeleteUser(UserId user) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return Guarded("DeleteUser", [&]() -> Status {
    Stmt s(*writer_, "DELETE FROM users WHERE id = ?");
    s.Bind(1, user.value);
    if (s.Exec() == 0) return UserNotFound();
    return Status::Ok();
  });
}

}  // namespace pm::store
