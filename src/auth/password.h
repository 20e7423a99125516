// Password hashing with Argon2id (libsodium crypto_pwhash_str, "interactive" cost).
// Thread-safe. Hashing costs ~64 MiB of memory for ~50-100 ms: callers should not hold locks.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace pm::auth {

// An encoded Argon2id string ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `encoded`. A malformed `encoded` never matches.
bool VerifyPassword(std::string_view password, const std::string& encoded);

// Burns the same time as a real verification; used when the e-mail is unknown, so response
// times do not reveal which e-mails have accounts.
void VerifyDummyPassword(std::string_view password);

}  // namespace pm::auth
