// The users columns every PostgresStore query that returns a User selects, and the reader for them
// (accounts, operators). Internal to src/store/postgres/.
#pragma once

#include <string>

#include "store/postgres/pg_connection.h"
#include "store/records.h"

#define PM_USER_COLUMNS \
  "id, email, name, password_hash, created_at, is_operator, totp_secret, totp_enabled_at, " \
  "totp_last_step"

namespace pm::store::postgres {

// Reads PM_USER_COLUMNS from row `i`.
inline User ReadUser(const Rows& r, int i) {
  User u;
  u.id = UserId(r.Int64(i, 0));
  u.email = r.Text(i, 1);
  u.name = r.Text(i, 2);
  u.password_hash = r.Text(i, 3);
  u.created_at = r.Int64(i, 4);
  u.is_operator = r.Bool(i, 5);
  u.totp_secret = r.IsNull(i, 6) ? std::string() : r.Text(i, 6);
  if (!r.IsNull(i, 7)) u.totp_enabled_at = r.Int64(i, 7);
  if (!r.IsNull(i, 8)) u.totp_last_step = r.Int64(i, 8);
  return u;
}

}  // namespace pm::store::postgres
