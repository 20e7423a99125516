#include "auth/password.h"

#include <sodium.h>

namespace pm::auth {

Result<std::string> HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(ErrorCode::kUnavailable, "out of memory while hashing the password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view password, const std::string& encoded) {
  if (encoded.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

void VerifyDummyPassword(std::string_view password) {
  static const std::string dummy = [] {
    auto h = HashPassword("palettemaker-dummy-password");
    return h.ok() ? h.value() : std::string();
  }();
  (void)VerifyPassword(password, dummy);
}

}  // namespace pm::auth
