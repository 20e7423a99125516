// ParseLegacyRecord: one line of the original app's image_metadata.jsonl, checked for types;
// every refusal names the field, and paths never leave the uploads directory.
#include <catch2/catch.hpp>

#include "app/legacy_import.h"

using pm::app::ParseLegacyRecord;

TEST_CASE("legacy record: every field of a full record", "[app][legacy]") {
  auto r = ParseLegacyRecord(
      R"({"createdDateTime": "2025-02-13T15:31:40.250Z", "uploadedURL": null, "uploadedFilePath": "fruits.jpg",
          "cachedFilePath": "uploads/img-1.jpeg", "width": 512, "height": 480, "format": "jpeg",
          "fileSizeBytes": 82429, "colorPalette": ["#5A3B1E", "#8c6a2f"], "paletteName": "Fruit bowl",
          "swatchLabels": ["A", "B"], "backgroundSwatchIndex": 1, "regions": [[[1, 1], [5, 1], [5, 5]]],
          "regionLabels": ["00"], "paletteRegion": [], "regionStrategy": "rectangles", "regionParams": {}})");
  REQUIRE(r.ok());
  CHECK(r->created_at == 1739460700250);
  CHECK(r->name == "Fruit bowl");
  CHECK(r->cached_file == "img-1.jpeg");
  CHECK(r->uploaded_file == "fruits.jpg");
  CHECK(r->colors == std::vector<std::string>{"#5a3b1e", "#8c6a2f"});
  CHECK(r->labels == std::vector<std::string>{"A", "B"});
  CHECK(r->background == 1);
  CHECK(r->regions.size() == 1);
  CHECK(r->region_labels == std::vector<std::string>{"00"});
}

TEST_CASE("legacy record: missing and null fields are absent", "[app][legacy]") {
  auto r = ParseLegacyRecord(R"({"cachedFilePath": "img.png", "paletteName": null, "colorPalette": null})");
  REQUIRE(r.ok());
  CHECK_FALSE(r->created_at);
  CHECK_FALSE(r->name);
  CHECK(r->colors.empty());
  CHECK_FALSE(r->labels);
  CHECK_FALSE(r->background);
  CHECK(r->regions.empty());
}

TEST_CASE("legacy record: refusals say what is wrong", "[app][legacy]") {
  auto message = [](const char* line) {
    auto r = ParseLegacyRecord(line);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  };
  CHECK(message(R"({"cachedFilePath": "a.png")") == "not valid JSON");
  CHECK(message("[1]") == "not a JSON object");
  CHECK(message(R"({"paletteName": "x"})").find("cachedFilePath is missing") != std::string::npos);
  CHECK(message(R"({"cachedFilePath": 3})") == "cachedFilePath must be a string");
  CHECK(message(R"({"cachedFilePath": "a.png", "colourPalette": []})") == "unknown field colourPalette");
  CHECK(message(R"({"cachedFilePath": "a.png", "colorPalette": ["#12"]})").find("colorPalette") != std::string::npos);
  CHECK(message(R"({"cachedFilePath": "a.png", "colorPalette": "#123456"})") ==
        "colorPalette must be an array of strings");
  CHECK(message(R"({"cachedFilePath": "a.png", "backgroundSwatchIndex": "2"})") ==
        "backgroundSwatchIndex must be an integer");
  CHECK(message(R"({"cachedFilePath": "a.png", "createdDateTime": "yesterday"})")
            .find("not an RFC 3339 time") != std::string::npos);
  CHECK(message(R"({"cachedFilePath": "a.png", "regions": {}})") == "regions must be an array of polygons");
}

TEST_CASE("legacy record: only the file name of cachedFilePath is used", "[app][legacy]") {
  auto r = ParseLegacyRecord(R"({"cachedFilePath": "../../etc/passwd"})");
  REQUIRE(r.ok());
  CHECK(r->cached_file == "passwd");  // looked up inside --uploads, never outside it
  for (const char* bad : {R"({"cachedFilePath": "uploads/.."})", R"({"cachedFilePath": "uploads/"})",
                          R"({"cachedFilePath": ""})"}) {
    INFO(bad);
    CHECK_FALSE(ParseLegacyRecord(bad).ok());
  }
}
