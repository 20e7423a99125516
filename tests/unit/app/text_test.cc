#include <catch2/catch.hpp>

#include "app/accounts.h"
#include "app/palettes.h"
#include "app/text.h"

using namespace pm;
using namespace pm::app;

TEST_CASE("names are trimmed and limited to 1-100 characters, counted as code points", "[app]") {
  CHECK(ValidateName("  Sunset  ", "name", 100).value() == "Sunset");
  CHECK(ValidateName(std::string(100, 'x'), "name", 100).ok());
  CHECK(ValidateName(std::string(101, 'x'), "name", 100).error().code == ErrorCode::kInvalidArgument);
  CHECK_FALSE(ValidateName("   ", "name", 100).ok());
  CHECK_FALSE(ValidateName("", "name", 100).ok());
  // 100 two-byte characters are 200 bytes but 100 characters.
  std::string umlauts;
  for (int i = 0; i < 100; ++i) umlauts += "\xC3\xA4";
  CHECK(ValidateName(umlauts, "name", 100).ok());
  CHECK_FALSE(ValidateName(umlauts + "\xC3\xA4", "name", 100).ok());
  CHECK_FALSE(ValidateName("bad\xC3", "name", 100).ok());        // truncated sequence
  CHECK_FALSE(ValidateName("over\xC0\xAFlong", "name", 100).ok());  // overlong '/'
  CHECK_FALSE(ValidateName("tab\tinside", "name", 100).ok());
}

TEST_CASE("swatch labels run A..Z, then AA", "[app]") {
  CHECK(SwatchLabel(0) == "A");
  CHECK(SwatchLabel(2) == "C");
  CHECK(SwatchLabel(25) == "Z");
  CHECK(SwatchLabel(26) == "AA");
  CHECK(SwatchLabel(27) == "AB");
}

TEST_CASE("e-mail addresses are normalised and checked", "[app]") {
  CHECK(NormalizeEmail("  Alice@Example.COM ").value() == "alice@example.com");
  for (const char* bad : {"", "alice", "@example.com", "alice@", "a@@b.c", "a b@c.d", "a@b..c", "a@.b", "a@b."}) {
    INFO(bad);
    CHECK(NormalizeEmail(bad).error().code == ErrorCode::kInvalidArgument);
  }
  CHECK_FALSE(NormalizeEmail(std::string(250, 'a') + "@b.co").ok());
}

TEST_CASE("workspace slugs come from the e-mail's local part", "[app]") {
  CHECK(SlugFromEmail("alice.smith@example.com") == "alice-smith");
  CHECK(SlugFromEmail("a@example.com") == "workspace");
  CHECK(SlugFromEmail("Bob+tag@x.y") == "bob-tag");
}

TEST_CASE("page cursors round-trip and garbage is refused", "[app]") {
  store::PageCursor c{42, 7};
  auto back = Palettes::DecodeCursor(Palettes::EncodeCursor(c));
  REQUIRE(back.ok());
  CHECK(back->position == 42);
  CHECK(back->id == 7);
  for (const char* bad : {"", "x", "1", "1.", ".1", "-1.2", "1.2.3", "1.x", "99999999999999999999.1"}) {
    INFO(bad);
    CHECK(Palettes::DecodeCursor(bad).error().code == ErrorCode::kInvalidArgument);
  }
}
