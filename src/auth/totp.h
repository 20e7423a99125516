// TOTP second factor (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) on top of HOTP (RFC 4226),
// base32 (RFC 4648) for secrets, and otpauth:// URIs for authenticator apps. HMAC-SHA1 comes from
// OpenSSL's libcrypto (libsodium has no SHA-1). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pm::auth {

// RFC 4648 base32 with '=' padding when `pad`.
std::string Base32Encode(std::string_view bytes, bool pad = true);
// Case-insensitive; padding optional; spaces and '-' ignored. nullopt for any other character.
std::optional<std::string> Base32Decode(std::string_view text);

// The HOTP value of `key` at `counter`, `digits` (6..8) long, zero-padded.
std::string Hotp(std::string_view key, uint64_t counter, int digits);
inline constexpr int kTotpStepS = 30;
// The TOTP value at Unix time `unix_s` (step = unix_s / 30).
std::string Totp(std::string_view key, int64_t unix_s, int digits = 6);
// The step whose 6-digit code equals `code`, trying the current step and `window` steps either
// side (clock drift); nullopt when none matches or `code` is not 6 digits. Compared in constant
// time. The caller refuses a step it has accepted before (replay).
std::optional<int64_t> MatchTotp(std::string_view key, std::string_view code, int64_t unix_s, int window = 1);

// A new random secret: 20 bytes (160 bits, RFC 4226's recommendation), base32 without padding.
std::string NewTotpSecret();
// otpauth://totp/{issuer}:{account}?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view base32_secret);

}  // namespace pm::auth
