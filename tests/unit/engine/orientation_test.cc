#include <catch2/catch.hpp>

#include <cstring>

#include "engine/image.h"
#include "test_images.h"

namespace pm::engine {
namespace {

// 40x20 stored: left half red, right half blue.
Rgb Halves(int x, int) { return x < 20 ? Rgb{230, 20, 20} : Rgb{20, 20, 230}; }

bool IsRed(const Image& im, int x, int y) {
  const uint8_t* p = &im.rgba[(size_t(y) * im.width + x) * 4];
  return p[0] > 180 && p[2] < 80;
}
bool IsBlue(const Image& im, int x, int y) {
  const uint8_t* p = &im.rgba[(size_t(y) * im.width + x) * 4];
  return p[2] > 180 && p[0] < 80;
}

TEST_CASE("JPEG Exif orientation 6 rotates 90 degrees clockwise", "[decode][exif]") {
  const auto bytes = testing::EncodeJpeg(40, 20, Halves, 6);
  auto info = ProbeImage(bytes, DecodeLimits{});
  REQUIRE(info.ok());
  CHECK(info->width == 20);  // swapped already in the probe
  CHECK(info->height == 40);
  auto image = DecodeImage(bytes, DecodeLimits{});
  REQUIRE(image.ok());
  CHECK(image->width == 20);
  CHECK(image->height == 40);
  // The stored left (red) side becomes the top.
  CHECK(IsRed(*image, 10, 5));
  CHECK(IsBlue(*image, 10, 34));
}

TEST_CASE("JPEG Exif orientations 1-8 all decode to the right shape", "[decode][exif]") {
  // Where the stored top-left (red) half ends up for each orientation.
  struct Case {
    int orientation, w, h;
    bool red_first;  // red at the top/left (by the long axis) after transforming
  };
  for (Case c : {Case{1, 40, 20, true}, Case{2, 40, 20, false}, Case{3, 40, 20, false},
                 Case{4, 40, 20, true}, Case{5, 20, 40, true}, Case{6, 20, 40, true},
                 Case{7, 20, 40, false}, Case{8, 20, 40, false}}) {
    INFO("orientation " << c.orientation);
    auto image = DecodeImage(testing::EncodeJpeg(40, 20, Halves, c.orientation), DecodeLimits{});
    REQUIRE(image.ok());
    CHECK(image->width == c.w);
    CHECK(image->height == c.h);
    const bool landscape = c.w > c.h;
    const int x0 = landscape ? 5 : 10, y0 = landscape ? 10 : 5;
    const int x1 = landscape ? 34 : 10, y1 = landscape ? 10 : 34;
    CHECK(IsRed(*image, x0, y0) == c.red_first);
    CHECK(IsRed(*image, x1, y1) == !c.red_first);
  }
}

TEST_CASE("Exif orientation combines with reduced-scale decoding", "[decode][exif]") {
  auto image = DecodeImage(testing::EncodeJpeg(400, 200, [](int x, int) {
    return x < 200 ? Rgb{230, 20, 20} : Rgb{20, 20, 230};
  }, 6), DecodeLimits{}, 100);
  REQUIRE(image.ok());
  CHECK(image->width == 50);
  CHECK(image->height == 100);
  CHECK(image->source_width == 200);
  CHECK(image->source_height == 400);
  CHECK(IsRed(*image, 25, 10));
  CHECK(IsBlue(*image, 25, 90));
}

TEST_CASE("A malformed Exif block is ignored, not fatal", "[decode][exif]") {
  auto bytes = testing::EncodeJpeg(40, 20, Halves, 6);
  // Point IFD0 far outside the segment.
  for (size_t i = 0; i + 4 < bytes.size(); ++i) {
    if (std::memcmp(&bytes[i], "MM\0*", 4) == 0) {
      bytes[i + 7] = 0xF0;
      break;
    }
  }
  auto image = DecodeImage(bytes, DecodeLimits{});
  REQUIRE(image.ok());
  CHECK(image->width == 40);
}

}  // namespace
}  // namespace pm::engine
