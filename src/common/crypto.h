// Randomness and hashing via libsodium. Thread-safe once InitCrypto() has run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pm {

// Must be called once at start-up (idempotent). Returns false if libsodium cannot initialise.
bool InitCrypto();

// `n` cryptographically random bytes, encoded as unpadded base64url.
std::string RandomToken(size_t n = 32);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Constant-time equality for secrets.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Incremental SHA-256 (for hashing uploads while they stream).
class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  std::string FinishHex();

 private:
  alignas(64) unsigned char state_[512];
};

}  // namespace pm
