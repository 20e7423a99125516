#include <catch2/catch.hpp>

#include <array>
#include <cstdlib>

#include <png.h>

#include "engine/encode.h"
#include "engine/image.h"
#include "test_images.h"

namespace pm::engine {
namespace {

Image Decode(const std::string& bytes) {
  auto span = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  auto image = DecodeImage(span, DecodeLimits{});
  REQUIRE(image.ok());
  return std::move(image).value();
}

Rgb PixelAt(const Image& image, int x, int y) {
  const uint8_t* p = &image.rgba[(size_t(y) * image.width + x) * 4];
  return {p[0], p[1], p[2]};
}

bool Near(Rgb a, Rgb b, int tolerance) {
  return std::abs(a.r - b.r) <= tolerance && std::abs(a.g - b.g) <= tolerance && std::abs(a.b - b.b) <= tolerance;
}

TEST_CASE("Thumbnails fit in 320 px, keep the aspect ratio and decode back as WebP", "[encode]") {
  struct Case {
    const char* name;
    int want_w, want_h;
  };
  // building.jpg 868x600, rocket.jpg 640x427 (rounded half up), fruits.jpg 512x480, coins.png 384x303 (grey).
  for (Case c : {Case{"building.jpg", 320, 221}, Case{"rocket.jpg", 320, 214}, Case{"fruits.jpg", 320, 300},
                 Case{"coins.png", 320, 253}}) {
    INFO(c.name);
    const auto bytes = testing::ReadTestImage(c.name);
    auto thumb = MakeThumbnail(bytes, DecodeLimits{}, 320);
    REQUIRE(thumb.ok());
    CHECK(std::string(thumb->mime) == "image/webp");
    CHECK(thumb->width == c.want_w);
    CHECK(thumb->height == c.want_h);
    CHECK(thumb->bytes.size() < bytes.size());
    const auto span = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(thumb->bytes.data()),
                                               thumb->bytes.size());
    CHECK(SniffFormat(span) == ImageFormat::kWebp);
    Image back = Decode(thumb->bytes);
    CHECK(back.width == c.want_w);
    CHECK(back.height == c.want_h);
  }
}

TEST_CASE("A portrait image is bounded by its height; a small one is not upscaled", "[encode]") {
  auto halves = [](int w, int h) {
    // Top half red, bottom half blue: the thumbnail must keep which is where.
    return testing::MakeImage(w, h, [h](int, int y) { return y < h / 2 ? Rgb{220, 20, 20} : Rgb{20, 20, 220}; });
  };
  SECTION("portrait 400x1000 -> 128x320, colours in place") {
    Image src = halves(400, 1000);
    std::vector<uint8_t> rgb;
    for (size_t i = 0; i < src.rgba.size(); i += 4) rgb.insert(rgb.end(), &src.rgba[i], &src.rgba[i] + 3);
    const auto png = testing::EncodePng(400, 1000, PNG_FORMAT_RGB, rgb.data());
    auto thumb = MakeThumbnail(png, DecodeLimits{}, 320);
    REQUIRE(thumb.ok());
    CHECK(thumb->width == 128);
    CHECK(thumb->height == 320);
    Image back = Decode(thumb->bytes);
    CHECK(Near(PixelAt(back, 64, 40), Rgb{220, 20, 20}, 24));
    CHECK(Near(PixelAt(back, 64, 280), Rgb{20, 20, 220}, 24));
  }
  SECTION("120x80 stays 120x80") {
    const auto jpeg = testing::EncodeJpeg(120, 80, [](int, int y) { return y < 40 ? Rgb{220, 20, 20} : Rgb{20, 20, 220}; });
    auto thumb = MakeThumbnail(jpeg, DecodeLimits{}, 320);
    REQUIRE(thumb.ok());
    CHECK(thumb->width == 120);
    CHECK(thumb->height == 80);
    Image back = Decode(thumb->bytes);
    CHECK(back.width == 120);
    CHECK(back.height == 80);
  }
  SECTION("corrupt input and a zero size are errors") {
    const auto truncated = testing::ReadTestImage("truncated.jpg");
    auto bad = MakeThumbnail(truncated, DecodeLimits{}, 320);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::kInvalidImage);
    auto zero = MakeThumbnail(testing::ReadTestImage("fruits.jpg"), DecodeLimits{}, 0);
    REQUIRE_FALSE(zero.ok());
    CHECK(zero.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("A swatch strip PNG has one block per colour, in order", "[encode]") {
  const std::vector<std::array<uint8_t, 3>> colors = {{255, 0, 0}, {18, 52, 86}, {0, 0, 0}, {250, 250, 240}};
  auto strip = SwatchStripPng(colors, 120);
  REQUIRE(strip.ok());
  CHECK(std::string(strip->mime) == "image/png");
  CHECK(strip->bytes.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  Image back = Decode(strip->bytes);
  CHECK(back.width == 480);
  CHECK(back.height == 120);
  for (size_t i = 0; i < colors.size(); ++i) {
    INFO(i);
    const Rgb want{colors[i][0], colors[i][1], colors[i][2]};
    // Lossless: exact at the centre and at both edges of the block.
    CHECK(PixelAt(back, int(i) * 120 + 60, 60) == want);
    CHECK(PixelAt(back, int(i) * 120, 0) == want);
    CHECK(PixelAt(back, int(i) * 120 + 119, 119) == want);
  }
}

TEST_CASE("Swatch strips refuse no colours and impossible sizes", "[encode]") {
  CHECK(SwatchStripPng({}, 120).error().code == ErrorCode::kInvalidArgument);
  CHECK(SwatchStripPng({{1, 2, 3}}, 0).error().code == ErrorCode::kInvalidArgument);
  std::vector<std::array<uint8_t, 3>> many(200, {1, 2, 3});
  CHECK(SwatchStripPng(many, 120).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("EncodePng keeps transparency", "[encode]") {
  Image img;
  img.width = 2;
  img.height = 1;
  img.rgba = {10, 20, 30, 255, 40, 50, 60, 0};
  auto png = EncodePng(img);
  REQUIRE(png.ok());
  Image back = Decode(png->bytes);
  REQUIRE(back.rgba.size() == 8);
  CHECK(back.rgba[3] == 255);
  CHECK(back.rgba[7] == 0);
  CHECK(PixelAt(back, 0, 0) == Rgb{10, 20, 30});
}

}  // namespace
}  // namespace pm::engine
