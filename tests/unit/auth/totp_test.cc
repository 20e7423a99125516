// TOTP (RFC 6238 Appendix B, SHA-1) and base32 (RFC 4648 section 10) vectors.
#include <catch2/catch.hpp>

#include "auth/totp.h"

using namespace pm::auth;

TEST_CASE("base32: RFC 4648 test vectors", "[auth][totp]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "MY======"},         {"fo", "MZXQ===="},         {"foo", "MZXW6==="},
      {"foob", "MZXW6YQ="}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI======"}};
  for (const auto& [plain, encoded] : vectors) {
    INFO(plain);
    CHECK(Base32Encode(plain) == encoded);
    auto decoded = Base32Decode(encoded);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == plain);
  }
  CHECK(Base32Encode("foobar", false) == "MZXW6YTBOI");
  CHECK(*Base32Decode("mzxw6ytboi") == "foobar");  // lower case, no padding
  CHECK(*Base32Decode("MZXW 6YTB-OI") == "foobar");
  CHECK_FALSE(Base32Decode("MZXW1").has_value());   // 1 is not base32
  CHECK_FALSE(Base32Decode("MY==MY").has_value());  // data after padding
}

TEST_CASE("TOTP: RFC 6238 Appendix B SHA-1 vectors (8 digits)", "[auth][totp]") {
  const std::string key = "12345678901234567890";
  const std::pair<int64_t, const char*> vectors[] = {{59, "94287082"},         {1111111109, "07081804"},
                                                     {1111111111, "14050471"}, {1234567890, "89005924"},
                                                     {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& [t, code] : vectors) {
    INFO(t);
    CHECK(Totp(key, t, 8) == code);
  }
  // RFC 4226 Appendix D (HOTP, 6 digits) for counters 0 and 9.
  CHECK(Hotp(key, 0, 6) == "755224");
  CHECK(Hotp(key, 9, 6) == "520489");
}

TEST_CASE("TOTP: a code matches its step and one step either side, nothing else", "[auth][totp]") {
  const std::string key = "12345678901234567890";
  const int64_t t = 1111111111;
  const int64_t step = t / 30;
  std::string now = Totp(key, t);
  CHECK(MatchTotp(key, now, t) == step);
  CHECK(MatchTotp(key, Totp(key, t - 30), t) == step - 1);
  CHECK(MatchTotp(key, Totp(key, t + 30), t) == step + 1);
  CHECK_FALSE(MatchTotp(key, Totp(key, t + 60), t).has_value());
  CHECK_FALSE(MatchTotp(key, Totp(key, t - 60), t).has_value());
  CHECK_FALSE(MatchTotp(key, "12345", t).has_value());
  CHECK_FALSE(MatchTotp(key, "12345a", t).has_value());
  CHECK_FALSE(MatchTotp(key, now + "0", t).has_value());
}

TEST_CASE("TOTP: new secrets are 160-bit base32; otpauth URIs are escaped", "[auth][totp]") {
  std::string a = NewTotpSecret();
  CHECK(a.size() == 32);
  CHECK(Base32Decode(a)->size() == 20);
  CHECK(a != NewTotpSecret());
  CHECK(OtpauthUri("Palette Maker", "ada@example.com", "JBSWY3DPEHPK3PXP") ==
        "otpauth://totp/Palette%20Maker:ada@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Palette%20Maker"
        "&algorithm=SHA1&digits=6&period=30");
}
