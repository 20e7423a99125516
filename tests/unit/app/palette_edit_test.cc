#include "app/palette_edit.h"

#include <catch2/catch.hpp>

#include "app/text.h"

using namespace pm;
using nlohmann::json;

TEST_CASE("CopyName: (2), then the lowest free n, an existing (n) suffix is stripped", "[app][duplicate]") {
  CHECK(app::CopyName("Sunset", {"Sunset"}, 100) == "Sunset (2)");
  CHECK(app::CopyName("Sunset", {"Sunset", "Sunset (2)"}, 100) == "Sunset (3)");
  CHECK(app::CopyName("Sunset", {"Sunset", "Sunset (3)"}, 100) == "Sunset (2)");
  CHECK(app::CopyName("Sunset (2)", {"Sunset", "Sunset (2)"}, 100) == "Sunset (3)");
  CHECK(app::CopyName("Sunset (17)", {"Sunset (17)"}, 100) == "Sunset (2)");
  // Not a copy suffix: kept.
  CHECK(app::CopyName("Route (66a)", {}, 100) == "Route (66a) (2)");
  CHECK(app::CopyName("(2)", {}, 100) == "(2) (2)");
  CHECK(app::CopyName("Sunset ()", {}, 100) == "Sunset () (2)");
  CHECK(app::CopyName("x (1234567890)", {}, 100) == "x (1234567890) (2)");
}

TEST_CASE("CopyName: the base is cut so the name stays within the limit, at a code point",
          "[app][duplicate]") {
  const std::string long_ascii(100, 'n');
  CHECK(app::CopyName(long_ascii, {}, 100) == std::string(96, 'n') + " (2)");
  std::string e100;
  for (int i = 0; i < 100; ++i) e100 += "é";
  const std::string copy = app::CopyName(e100, {}, 100);
  CHECK(app::Utf8Length(copy) == 100);
  CHECK(copy.substr(copy.size() - 4) == " (2)");
  // Ten taken copies: " (11)" is one character longer, so the base loses one more.
  std::vector<std::string> taken;
  for (int n = 2; n <= 10; ++n) taken.push_back(app::CopyName(long_ascii, taken, 100));
  CHECK(taken.back() == std::string(95, 'n') + " (10)");
  CHECK(app::CopyName(long_ascii, taken, 100) == std::string(95, 'n') + " (11)");
  // A cut that ends in spaces does not leave them before the suffix.
  CHECK(app::CopyName(std::string(94, 'a') + "    b", {}, 100) == std::string(94, 'a') + " (2)");
}

TEST_CASE("CopyNamePrefix: every candidate CopyName may return starts with it", "[app][duplicate]") {
  for (const std::string& name :
       {std::string("Sunset (4)"), std::string(100, 'n'),
        std::string(80, 'a') + std::string(15, ' ') + "bbbbb", std::string("é") + "x"}) {
    const std::string prefix = app::CopyNamePrefix(name, 100);
    std::vector<std::string> taken;
    for (int i = 0; i < 120; ++i) {
      std::string next = app::CopyName(name, taken, 100);
      INFO(name << " -> " << next << " prefix " << prefix);
      CHECK(next.rfind(prefix, 0) == 0);
      CHECK(app::Utf8Length(next) <= 100);
      taken.push_back(next);
    }
  }
}

TEST_CASE("NormalizeHexColor", "[app][edit]") {
  CHECK(app::NormalizeHexColor("#AbCdEf", "c").value() == "#abcdef");
  CHECK(app::NormalizeHexColor("#000000", "c").value() == "#000000");
  for (const char* bad : {"", "#", "#abc", "abcdef", "#abcdeg", "#abcdef0", " #abcdef", "#ABCDE\xc3\xa9"}) {
    INFO(bad);
    auto r = app::NormalizeHexColor(bad, "colors[3]");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.rfind("colors[3] ", 0) == 0);
  }
}

TEST_CASE("PaletteEditFromJson: fields and types", "[app][edit]") {
  auto edit = app::PaletteEditFromJson(json::parse(
      R"({"name":"n","colors":["#000000"],"labels":["A"],"regions":[],"region_labels":[],"background":null})"));
  REQUIRE(edit.ok());
  CHECK(*edit->name == "n");
  CHECK(edit->colors->size() == 1);
  CHECK(edit->regions->is_array());
  REQUIRE(edit->background.has_value());
  CHECK_FALSE(edit->background->has_value());
  auto bg = app::PaletteEditFromJson(json::parse(R"({"background":3})"));
  REQUIRE(bg.ok());
  CHECK(**bg->background == 3);
  CHECK_FALSE(bg->colors.has_value());

  for (const char* bad :
       {R"({})", R"({"bogus":1})", R"({"name":5})", R"({"name":null})", R"({"colors":"#000000"})",
        R"({"colors":[1]})", R"({"labels":[null]})", R"({"regions":{}})", R"({"regions":null})",
        R"({"region_labels":"00"})", R"({"background":"1"})", R"({"background":1.5})", R"({"background":-1})",
        R"({"background":64})", R"([])"}) {
    INFO(bad);
    auto r = app::PaletteEditFromJson(json::parse(bad));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("MergeParams keeps other keys", "[app][edit]") {
  CHECK(app::MergeParams(R"({"k":5,"regions":{"strategy":"otsu"}})", {{"k", 7}}).value() ==
        R"({"k":7,"regions":{"strategy":"otsu"}})");
  CHECK(app::MergeParams("{}", {{"use_regions", true}}).value() == R"({"use_regions":true})");
  CHECK_FALSE(app::MergeParams("[1]", {{"k", 7}}).ok());
}
