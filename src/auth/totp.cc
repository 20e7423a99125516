#include "auth/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cctype>

namespace pm::auth {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string PercentEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string Base32Encode(std::string_view bytes, bool pad) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  if (pad) {
    while (out.size() % 8 != 0) out += '=';
  }
  return out;
}

std::optional<std::string> Base32Decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char ch : text) {
    if (ch == ' ' || ch == '-') continue;
    if (ch == '=') {
      padding = true;
      continue;
    }
    if (padding) return std::nullopt;  // data after padding
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= '2' && c <= '7') {
      v = c - '2' + 26;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

std::string Hotp(std::string_view key, uint64_t counter, int digits) {
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, sizeof msg, mac, &mac_len);
  int offset = mac[mac_len - 1] & 0x0F;
  uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7F) << 24) |
                    (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                    (static_cast<uint32_t>(mac[offset + 2]) << 8) | static_cast<uint32_t>(mac[offset + 3]);
  uint32_t mod = 1;
  for (int i = 0; i < digits; ++i) mod *= 10;
  std::string code = std::to_string(binary % mod);
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

std::string Totp(std::string_view key, int64_t unix_s, int digits) {
  return Hotp(key, static_cast<uint64_t>(unix_s / kTotpStepS), digits);
}

std::optional<int64_t> MatchTotp(std::string_view key, std::string_view code, int64_t unix_s, int window) {
  if (code.size() != 6) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const int64_t step = unix_s / kTotpStepS;
  std::optional<int64_t> found;
  for (int64_t s = step - window; s <= step + window; ++s) {
    if (s < 0) continue;
    std::string expected = Hotp(key, static_cast<uint64_t>(s), 6);
    unsigned char diff = 0;
    for (size_t i = 0; i < 6; ++i) diff |= static_cast<unsigned char>(expected[i] ^ code[i]);
    if (diff == 0 && !found) found = s;
  }
  return found;
}

std::string NewTotpSecret() {
  unsigned char bytes[20];
  RAND_bytes(bytes, sizeof bytes);
  return Base32Encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes), false);
}

std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view base32_secret) {
  return "otpauth://totp/" + PercentEncode(issuer) + ":" + PercentEncode(account) +
         "?secret=" + std::string(base32_secret) + "&issuer=" + PercentEncode(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace pm::auth
