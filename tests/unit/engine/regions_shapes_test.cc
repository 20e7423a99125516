// Region strategies circles, contour_circles, template_match, slic, saliency and meanshift,
// through the public DetectRegions: what a user would see on the test images.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "engine/regions.h"
#include "test_images.h"

namespace pm::engine {
namespace {

using testing::MakeImage;

struct Disc {
  double x, y, r;
};

// The 24 coins of coins.png (384x303), centre and radius, measured once by eye over a Hough run.
const std::vector<Disc> kCoins = {
    {42, 56, 20},   {102, 58, 18},  {155, 52, 22},  {215, 52, 22},  {279, 53, 19},
    {335, 44, 29},  {46, 126, 21},  {102, 126, 19}, {156, 128, 18}, {206, 124, 20},
    {270, 119, 24}, {338, 126, 19}, {44, 198, 19},  {101, 196, 21}, {156, 199, 18},
    {214, 194, 23}, {276, 197, 21}, {348, 190, 34}, {46, 260, 30},  {114, 266, 22},
    {176, 261, 24}, {245, 264, 24}, {302, 266, 26}, {358, 268, 21}};

// The 12 whole sweets of smarties.png (413x356); two more are cut by the bottom-left corner.
const std::vector<Disc> kSweets = {
    {377, 82, 27},  {270, 118, 27}, {388, 171, 27}, {206, 212, 27}, {288, 215, 27},
    {348, 240, 27}, {35, 227, 27},  {100, 261, 27}, {153, 272, 27}, {221, 308, 27},
    {294, 321, 27}, {136, 328, 27}};

Image Decoded(const std::string& name) {
  auto r = DecodeImage(testing::ReadTestImage(name), DecodeLimits{}, 1024);
  REQUIRE(r.ok());
  return std::move(r).value();
}

RegionResult Detect(const Image& image, RegionRequest request) {
  auto r = DetectRegions(image, request);
  INFO(request.strategy << ": " << (r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return std::move(r).value();
}

RegionRequest Request(std::string strategy, std::map<std::string, double> params = {}) {
  RegionRequest request;
  request.strategy = std::move(strategy);
  request.params = std::move(params);
  return request;
}

double Area(const Polygon& p) {
  double a = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const auto& [x0, y0] = p[i];
    const auto& [x1, y1] = p[(i + 1) % p.size()];
    a += double(x0) * y1 - double(x1) * y0;
  }
  return std::abs(a) / 2;
}

struct Bounds {
  int x0, y0, x1, y1;
};

Bounds BoundsOf(const Polygon& p) {
  Bounds b{p[0].first, p[0].second, p[0].first, p[0].second};
  for (const auto& [x, y] : p) {
    b.x0 = std::min(b.x0, x), b.y0 = std::min(b.y0, y);
    b.x1 = std::max(b.x1, x), b.y1 = std::max(b.y1, y);
  }
  return b;
}

// Area over bounding box: pi/4 (0.785) for a disc, 1 for an axis-aligned box.
double Fill(const Polygon& p) {
  const Bounds b = BoundsOf(p);
  return Area(p) / (double(b.x1 - b.x0) * (b.y1 - b.y0));
}

// How many distinct discs have a region centred on them (centroid within 60% of the radius).
int DiscsHit(const std::vector<Polygon>& regions, const Image& image,
             const std::vector<Disc>& discs) {
  auto colors = ComputeRegionColors(image, regions, {});
  REQUIRE(colors.ok());
  std::set<size_t> hit;
  for (const RegionColor& c : *colors) {
    for (size_t i = 0; i < discs.size(); ++i) {
      if (std::hypot(c.cx - discs[i].x, c.cy - discs[i].y) < 0.6 * discs[i].r) hit.insert(i);
    }
  }
  return static_cast<int>(hit.size());
}

// The RegionResult contract every strategy must keep.
void CheckValid(const RegionResult& result, const Image& image, int max_regions) {
  const int w = image.source_width > 0 ? image.source_width : image.width;
  const int h = image.source_height > 0 ? image.source_height : image.height;
  CHECK(static_cast<int>(result.regions.size()) <= max_regions);
  double previous = INFINITY;
  for (const Polygon& p : result.regions) {
    REQUIRE(p.size() >= 3);
    CHECK(IsSimplePolygon(p));
    CHECK(ValidatePolygon(p, w, h).ok());
    for (const auto& [x, y] : p) {
      CHECK(x >= 0);
      CHECK(y >= 0);
      CHECK(x <= w);
      CHECK(y <= h);
    }
    const double area = Area(p);
    CHECK(area > 0);
    CHECK(area <= previous);
    previous = area;
  }
}

Image Adjusted(const Image& image, double gain, int offset) {
  Image out = image;
  for (size_t i = 0; i < out.rgba.size(); ++i) {
    if (i % 4 == 3) continue;
    out.rgba[i] = static_cast<uint8_t>(std::clamp(std::lround(out.rgba[i] * gain) + offset, 0L, 255L));
  }
  return out;
}

TEST_CASE("circles and contour_circles find the coins, with their default parameters",
          "[regions]") {
  const Image coins = Decoded("coins.png");
  for (const char* strategy : {"circles", "contour_circles"}) {
    INFO(strategy);
    const RegionResult r = Detect(coins, Request(strategy, {{"max_regions", 100}}));
    CheckValid(r, coins, 100);
    CHECK(DiscsHit(r.regions, coins, kCoins) >= 18);
    // Few regions that are not coins, and the coin outlines are round.
    CHECK(r.regions.size() <= 28);
    for (const Polygon& p : r.regions) {
      CHECK(Fill(p) > 0.6);
      CHECK(Fill(p) < 0.9);
    }
  }
}

TEST_CASE("circles and contour_circles find the sweets, with their default parameters",
          "[regions]") {
  const Image sweets = Decoded("smarties.png");
  for (const char* strategy : {"circles", "contour_circles"}) {
    INFO(strategy);
    const RegionResult r = Detect(sweets, Request(strategy));
    CheckValid(r, sweets, 20);
    CHECK(DiscsHit(r.regions, sweets, kSweets) >= 10);
    CHECK(r.regions.size() <= 16);
  }
}

TEST_CASE("contour_circles separates touching sweets", "[regions]") {
  // In smarties.png a red, a brown and an orange sweet touch (around x 100..160, y 230..356).
  const Image sweets = Decoded("smarties.png");
  const RegionResult r = Detect(sweets, Request("contour_circles"));
  CHECK(DiscsHit(r.regions, sweets, {kSweets[7], kSweets[8], kSweets[11]}) == 3);
}

TEST_CASE("template_match finds the other coins from a box around one", "[regions]") {
  const Image coins = Decoded("coins.png");
  RegionRequest request = Request("template_match", {{"max_regions", 100}});
  request.template_box = Box{82, 106, 42, 42};  // the coin at (102, 126)
  const RegionResult r = Detect(coins, request);
  CheckValid(r, coins, 100);
  const int found = DiscsHit(r.regions, coins, kCoins);
  CHECK(found >= 15);
  // Every match is the size of the box, and the user's own box is one of them.
  bool own = false;
  for (const Polygon& p : r.regions) {
    const Bounds b = BoundsOf(p);
    CHECK(std::abs((b.x1 - b.x0) - 42) <= 2);
    CHECK(std::abs((b.y1 - b.y0) - 42) <= 2);
    own = own || (std::abs(b.x0 - 82) <= 1 && std::abs(b.y0 - 106) <= 1);
  }
  CHECK(own);

  SECTION("brightness does not matter") {
    for (const auto& [gain, offset] : {std::pair{1.0, 40}, std::pair{0.7, 0}, std::pair{1.0, -30}}) {
      INFO("gain " << gain << " offset " << offset);
      const Image adjusted = Adjusted(coins, gain, offset);
      const RegionResult a = Detect(adjusted, request);
      CHECK(std::abs(DiscsHit(a.regions, adjusted, kCoins) - found) <= 2);
      CHECK(std::abs(static_cast<int>(a.regions.size()) - static_cast<int>(r.regions.size())) <= 2);
    }
  }
  SECTION("a box around a big coin finds coins too") {
    request.template_box = Box{189, 170, 50, 50};  // the coin at (214, 194)
    CHECK(DiscsHit(Detect(coins, request).regions, coins, kCoins) >= 15);
  }
}

TEST_CASE("template_match needs a usable box", "[regions]") {
  const Image coins = Decoded("coins.png");
  RegionRequest request = Request("template_match");
  auto r = DetectRegions(coins, request);
  REQUIRE(!r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(r.error().message, Catch::Contains("template_box"));
  for (const Box& box : {Box{380, 10, 20, 20}, Box{-5, 10, 20, 20}, Box{100, 100, 2, 2}}) {
    request.template_box = box;
    r = DetectRegions(coins, request);
    REQUIRE(!r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(r.error().message, Catch::Contains("template_box"));
  }
}

TEST_CASE("slic, saliency and meanshift outline parts of photos", "[regions]") {
  for (const char* name : {"fruits.jpg", "chelsea.png"}) {
    const Image photo = Decoded(name);
    for (const char* strategy : {"slic", "saliency", "meanshift"}) {
      INFO(name << " " << strategy);
      for (int max_regions : {20, 5}) {
        const RegionResult r = Detect(photo, Request(strategy, {{"max_regions", max_regions}}));
        CHECK(!r.regions.empty());
        CheckValid(r, photo, max_regions);
        CHECK(r.used == strategy);
      }
    }
  }
}

TEST_CASE("slic merges superpixels into a few regions", "[regions]") {
  const Image fruits = Decoded("fruits.jpg");
  const auto merged = Detect(fruits, Request("slic", {{"max_regions", 100}}));
  const auto cells = Detect(fruits, Request("slic", {{"max_regions", 100}, {"merge", 0}}));
  // 512x480 in 40 px superpixels is ~150 cells, most above min_area; merging neighbours of
  // similar colour leaves far fewer areas.
  CHECK(cells.regions.size() >= 60);
  CHECK(merged.regions.size() <= cells.regions.size() / 2);
  CHECK(merged.regions.size() >= 5);
}

TEST_CASE("Shape and segment strategies are deterministic", "[regions]") {
  const Image fruits = Decoded("fruits.jpg");
  const Image coins = Decoded("coins.png");
  for (const char* strategy :
       {"slic", "saliency", "meanshift", "circles", "contour_circles", "template_match"}) {
    INFO(strategy);
    RegionRequest request = Request(strategy, {{"max_regions", 100}, {"min_area", 0.001}});
    if (std::string(strategy) == "template_match") request.template_box = Box{82, 106, 42, 42};
    const Image& image = std::string(strategy) == "template_match" ? coins : fruits;
    const RegionResult a = Detect(image, request);
    const RegionResult b = Detect(image, request);
    CHECK(a.regions == b.regions);
  }
}

TEST_CASE("Shape and segment strategies survive tiny and uniform images", "[regions]") {
  const Image tiny = MakeImage(8, 8, [](int x, int y) { return Rgb{uint8_t(x * 30), uint8_t(y * 30), 90}; });
  const Image flat = MakeImage(200, 150, [](int, int) { return Rgb{120, 120, 120}; });
  for (const Image* image : {&tiny, &flat}) {
    for (const char* strategy :
         {"slic", "saliency", "meanshift", "circles", "contour_circles", "template_match"}) {
      INFO(strategy << " on " << image->width << "x" << image->height);
      RegionRequest request = Request(strategy);
      if (std::string(strategy) == "template_match") request.template_box = Box{1, 1, 5, 5};
      const RegionResult r = Detect(*image, request);
      CheckValid(r, *image, 20);
      // Nothing to find: no region, except template_match's own box.
      CHECK(r.regions.size() <= (std::string(strategy) == "template_match" ? 1u : 0u));
    }
  }
}

TEST_CASE("Shape and segment parameters out of range are refused by name", "[regions]") {
  const Image coins = Decoded("coins.png");
  struct Bad {
    const char* strategy;
    const char* param;
    double value;
  };
  for (const Bad& bad : {Bad{"circles", "dp", 0}, Bad{"circles", "param2", -1},
                         Bad{"circles", "min_dist", 0}, Bad{"slic", "region_size", 3},
                         Bad{"slic", "merge", -1}, Bad{"saliency", "blur", 4},
                         Bad{"meanshift", "max_level", 5}, Bad{"contour_circles", "min_circularity", 2},
                         Bad{"template_match", "threshold", 1.5}}) {
    INFO(bad.strategy << " " << bad.param << "=" << bad.value);
    RegionRequest request = Request(bad.strategy, {{bad.param, bad.value}});
    if (std::string(bad.strategy) == "template_match") request.template_box = Box{82, 106, 42, 42};
    auto r = DetectRegions(coins, request);
    REQUIRE(!r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(r.error().message, Catch::Contains(bad.param));
  }
}

}  // namespace
}  // namespace pm::engine
