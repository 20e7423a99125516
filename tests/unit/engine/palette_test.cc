#include <catch2/catch.hpp>

#include <thread>

#include "engine/color.h"
#include "engine/palette.h"
#include "test_images.h"

namespace pm::engine {
namespace {

using testing::MakeImage;

Image Decoded(const std::string& name, int max_dimension = 512) {
  auto r = DecodeImage(testing::ReadTestImage(name), DecodeLimits{}, max_dimension);
  REQUIRE(r.ok());
  return std::move(r).value();
}

Palette Extract(const Image& image, const PaletteParams& params = {}) {
  auto r = ExtractPalette(image, params);
  REQUIRE(r.ok());
  return std::move(r).value();
}

double Lum(const Swatch& s) { return Luminance(s.color.r, s.color.g, s.color.b); }

TEST_CASE("Palette of a photo: at most 5 colours, in band, darkest to lightest", "[palette]") {
  for (const char* name : {"fruits.jpg", "baboon.jpg", "starry_night.jpg", "logo.png"}) {
    INFO(name);
    const Palette p = Extract(Decoded(name));
    REQUIRE(!p.swatches.empty());
    CHECK(p.swatches.size() <= 5);
    double total = 0;
    for (size_t i = 0; i < p.swatches.size(); ++i) {
      const Swatch& s = p.swatches[i];
      CHECK(Lum(s) >= 25.0);
      CHECK(Lum(s) <= 185.0);
      CHECK(s.coverage > 0);
      total += s.coverage;
      if (i > 0) CHECK(Lum(p.swatches[i - 1]) <= Lum(s));
      for (size_t j = 0; j < i; ++j) {  // the merge left no near-duplicates
        const Rgb a = p.swatches[j].color, b = s.color;
        CHECK(Ciede2000(SrgbToLab(a.r, a.g, a.b), SrgbToLab(b.r, b.g, b.b)) >= 5.0);
      }
    }
    CHECK(total <= 1.0 + 1e-9);
  }
}

TEST_CASE("k sets the number of clusters and the cap", "[palette]") {
  const Image image = Decoded("fruits.jpg");
  for (int k : {2, 5, 9, 20}) {
    INFO("k=" << k);
    PaletteParams params;
    params.k = k;
    const Palette p = Extract(image, params);
    CHECK(!p.swatches.empty());
    CHECK(p.swatches.size() <= static_cast<size_t>(k));
  }
}

TEST_CASE("Extraction is deterministic across runs and threads", "[palette]") {
  const Image image = Decoded("fruits.jpg");
  PaletteParams params;
  params.sample_pixels = 20000;  // forces the sampling path (512 px image has ~190k pixels)
  auto same = [](const Palette& a, const Palette& b) {
    if (a.swatches.size() != b.swatches.size()) return false;
    for (size_t i = 0; i < a.swatches.size(); ++i) {
      if (!(a.swatches[i].color == b.swatches[i].color) ||
          a.swatches[i].coverage != b.swatches[i].coverage) {
        return false;
      }
    }
    return true;
  };
  const Palette first = Extract(image, params);
  const Palette second = Extract(image, params);
  CHECK(same(first, second));

  Result<Palette> t1 = Error{ErrorCode::kInternal, ""}, t2 = Error{ErrorCode::kInternal, ""};
  std::thread a([&] { t1 = ExtractPalette(image, params); });
  std::thread b([&] { t2 = ExtractPalette(image, params); });
  a.join();
  b.join();
  REQUIRE(t1.ok());
  REQUIRE(t2.ok());
  CHECK(same(*t1, first));
  CHECK(same(*t2, first));
}

TEST_CASE("Pixels outside the luminance band are ignored", "[palette]") {
  // Thirds: pure black, a mid colour, pure white.
  const Rgb mid{200, 60, 60};
  const Image image = MakeImage(90, 30, [&](int x, int) {
    return x < 30 ? Rgb{0, 0, 0} : x < 60 ? mid : Rgb{255, 255, 255};
  });
  const Palette p = Extract(image);
  REQUIRE(p.swatches.size() == 1);
  CHECK(p.swatches[0].color == mid);
  CHECK(p.swatches[0].coverage == Approx(1.0));

  SECTION("a custom band admits them again") {
    PaletteParams params;
    params.luminance_min = 0;
    params.luminance_max = 255;
    const Palette all = Extract(image, params);
    REQUIRE(all.swatches.size() == 3);
    CHECK(all.swatches[0].color == Rgb{0, 0, 0});
    CHECK(all.swatches[1].color == mid);
    CHECK(all.swatches[2].color == Rgb{255, 255, 255});
  }
}

TEST_CASE("Mostly transparent pixels are ignored", "[palette]") {
  Image image = MakeImage(20, 20, [](int x, int) {
    return x < 10 ? Rgb{40, 120, 200} : Rgb{200, 120, 40};
  });
  for (int y = 0; y < 20; ++y) {
    for (int x = 10; x < 20; ++x) image.rgba[(size_t(y) * 20 + x) * 4 + 3] = 128;
  }
  const Palette p = Extract(image);
  REQUIRE(p.swatches.size() == 1);
  CHECK(p.swatches[0].color == Rgb{40, 120, 200});
}

TEST_CASE("Colours within CIEDE2000 5 of a kept one are merged", "[palette]") {
  const Rgb a{118, 78, 58}, b{122, 81, 61};  // different 5-bit bins, dE < 5
  REQUIRE(Ciede2000(SrgbToLab(a.r, a.g, a.b), SrgbToLab(b.r, b.g, b.b)) < 5.0);
  const Image image = MakeImage(40, 40, [&](int x, int) { return x < 20 ? a : b; });
  PaletteParams params;
  params.k = 2;
  const Palette p = Extract(image, params);
  REQUIRE(p.swatches.size() == 1);
  CHECK(p.swatches[0].color == a);  // the darker one is kept
  CHECK(p.swatches[0].coverage == Approx(1.0));  // and inherits the other's share

  // Clearly different colours are not merged.
  const Image two = MakeImage(40, 40, [&](int x, int) { return x < 20 ? a : Rgb{60, 90, 160}; });
  CHECK(Extract(two, params).swatches.size() == 2);
}

TEST_CASE("Invalid parameters are kInvalidArgument", "[palette]") {
  const Image image = MakeImage(4, 4, [](int, int) { return Rgb{100, 100, 100}; });
  for (int k : {-1, 0, 1, 21, 100}) {
    PaletteParams params;
    params.k = k;
    auto r = ExtractPalette(image, params);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  PaletteParams inverted;
  inverted.luminance_min = 100;
  inverted.luminance_max = 50;
  auto r = ExtractPalette(image, inverted);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidArgument);

  Image broken = image;
  broken.rgba.pop_back();
  auto b = ExtractPalette(broken, PaletteParams{});
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("No pixel in the band gives an empty palette", "[palette]") {
  const Image black = MakeImage(16, 16, [](int, int) { return Rgb{5, 5, 5}; });
  auto r = ExtractPalette(black, PaletteParams{});
  REQUIRE(r.ok());
  CHECK(r->swatches.empty());
  CHECK(Extract(Image{}).swatches.empty());
}

TEST_CASE("A mask restricts extraction to the polygons (original coordinates)", "[palette]") {
  const Rgb red{200, 40, 40}, blue{40, 60, 200};
  // A working-scale image at half the original size: polygons are given at full size.
  Image image = MakeImage(100, 50, [&](int x, int) { return x < 50 ? red : blue; });
  image.source_width = 200;
  image.source_height = 100;
  PaletteParams params;
  params.mask = {{{0, 0}, {90, 0}, {90, 100}, {0, 100}}};  // left 45% of the original
  const Palette left = Extract(image, params);
  REQUIRE(left.swatches.size() == 1);
  CHECK(left.swatches[0].color == red);

  params.mask = {{{120, 10}, {190, 10}, {190, 90}, {120, 90}}};
  const Palette right = Extract(image, params);
  REQUIRE(right.swatches.size() == 1);
  CHECK(right.swatches[0].color == blue);

  const Palette both = Extract(image);
  CHECK(both.swatches.size() == 2);

  params.mask = {{{500, 500}, {600, 500}, {600, 600}}};  // entirely outside the image
  CHECK(Extract(image, params).swatches.empty());
}

TEST_CASE("Hex colours round-trip", "[palette]") {
  CHECK(ToHex(Rgb{0x1a, 0x2b, 0x3c}) == "#1a2b3c");
  CHECK(ParseHex("#1A2B3C") == Rgb{0x1a, 0x2b, 0x3c});
  CHECK(ParseHex("ffffff") == Rgb{255, 255, 255});
  CHECK_FALSE(ParseHex("#12345").has_value());
  CHECK_FALSE(ParseHex("#12345g").has_value());
  CHECK_FALSE(ParseHex("").has_value());
}

}  // namespace
}  // namespace pm::engine
