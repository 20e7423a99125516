// The users columns every SqliteStore query that returns a User selects, and the reader for them
// (accounts, operators). Internal to src/store/sqlite/.
#pragma once

#include <string>

#include "store/records.h"
#include "store/sqlite/connection.h"

#define PM_USER_COLUMNS \
  "id, email, name, password_hash, created_at, is_operator, totp_secret, totp_enabled_at, " \
  "totp_last_step"

namespace pm::store::sqlite {

// Reads PM_USER_COLUMNS from the current row.
inline User ReadUser(Stmt& s) {
  User u;
  u.id = UserId(s.Int64(0));
  u.email = s.Text(1);
  u.name = s.Text(2);
  u.password_hash = s.Text(3);
  u.created_at = s.Int64(4);
  u.is_operator = s.Int64(5) != 0;
  u.totp_secret = s.IsNull(6) ? std::string() : s.Text(6);
  if (!s.IsNull(7)) u.totp_enabled_at = s.Int64(7);
  if (!s.IsNull(8)) u.totp_last_step = s.Int64(8);
  return u;
}

}  // namespace pm::store::sqlite
