// Region detection through the public API: the threshold and segmentation strategies on real
// photos, the `default` cascade, parameters and their validation, mapping back to original
// coordinates, region colours and user polygon validation.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>

#include "engine/regions.h"
#include "test_images.h"

namespace pm::engine {
namespace {

using testing::MakeImage;

Image Decoded(const std::string& name, int max_dimension = 1024) {
  auto r = DecodeImage(testing::ReadTestImage(name), DecodeLimits{}, max_dimension);
  REQUIRE(r.ok());
  return std::move(r).value();
}

RegionResult Detect(const Image& image, const std::string& strategy,
                    std::map<std::string, double> params = {}) {
  RegionRequest request;
  request.strategy = strategy;
  request.params = std::move(params);
  auto r = DetectRegions(image, request);
  INFO(strategy << ": " << (r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return std::move(r).value();
}

double Area(const Polygon& p) {
  double a = 0;
  for (size_t i = 0, n = p.size(); i < n; ++i) {
    a += double(p[i].first) * p[(i + 1) % n].second - double(p[(i + 1) % n].first) * p[i].second;
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

int SourceWidth(const Image& im) { return im.source_width > 0 ? im.source_width : im.width; }
int SourceHeight(const Image& im) { return im.source_height > 0 ? im.source_height : im.height; }

// Everything the API promises about a result.
void CheckValid(const RegionResult& result, const Image& image) {
  const int w = SourceWidth(image), h = SourceHeight(image);
  const double image_area = double(w) * h;
  CHECK(result.regions.size() <= static_cast<size_t>(result.params.at("max_regions")));
  for (size_t i = 0; i < result.regions.size(); ++i) {
    const Polygon& p = result.regions[i];
    INFO("region " << i << " of " << result.regions.size());
    REQUIRE(p.size() >= 3);
    CHECK(IsSimplePolygon(p));
    CHECK(ValidatePolygon(p, w, h).ok());
    for (const auto& [x, y] : p) {
      CHECK(x >= 0);
      CHECK(x <= w);
      CHECK(y >= 0);
      CHECK(y <= h);
    }
    // regions.cc filters and sorts on the outline before simplifying it; simplification moves
    // the area by a fraction of a percent.
    CHECK(Area(p) >= 0.98 * result.params.at("min_area") * image_area);
    if (i > 0) CHECK(Area(p) <= 1.02 * Area(result.regions[i - 1]));
  }
}

// The strategies of regions_threshold.cc and regions_segment.cc, each with an image it suits.
struct Case {
  const char* strategy;
  const char* image;
};
constexpr Case kCases[] = {
    {"adaptive", "coins.png"},    {"otsu", "coins.png"},       {"canny", "smarties.png"},
    {"rectangles", "board.jpg"},  {"color", "fruits.jpg"},     {"watershed", "smarties.png"},
    {"grabcut", "chelsea.png"},   {"quadtree", "fruits.jpg"},
};

TEST_CASE("Each strategy finds valid regions on an image it is meant for", "[regions]") {
  for (const Case& c : kCases) {
    INFO(c.strategy << " on " << c.image);
    const Image image = Decoded(c.image);
    const RegionResult r = Detect(image, c.strategy);
    CHECK(r.strategy == c.strategy);
    CHECK(r.used == c.strategy);
    CHECK(!r.regions.empty());
    CheckValid(r, image);
  }
}

TEST_CASE("Threshold strategies outline the coins one by one", "[regions]") {
  const Image image = Decoded("coins.png");
  for (const char* strategy : {"adaptive", "otsu"}) {
    INFO(strategy);
    const RegionResult r = Detect(image, strategy);
    // 24 coins, each 1-3% of the picture: many regions, none of them the background.
    CHECK(r.regions.size() >= 10);
    CHECK(Area(r.regions[0]) < 0.2 * image.width * image.height);
  }
}

TEST_CASE("rectangles finds the main chip on the circuit board", "[regions]") {
  // board.jpg is a circuit board filling the frame; its largest rectangle is the square IC at
  // about (360,329)-(495,418).
  const Image image = Decoded("board.jpg");
  const RegionResult r = Detect(image, "rectangles");
  bool found = false;
  for (const Polygon& p : r.regions) {
    const Bounds b = BoundsOf(p);
    if (p.size() == 4 && std::abs(b.x0 - 360) <= 10 && std::abs(b.x1 - 495) <= 10 &&
        std::abs(b.y0 - 329) <= 10 && std::abs(b.y1 - 418) <= 10) {
      found = true;
    }
  }
  CHECK(found);
  for (const Polygon& p : r.regions) CHECK(p.size() == 4);
}

TEST_CASE("grabcut keeps the centred subject", "[regions]") {
  const Image image = Decoded("chelsea.png");
  const RegionResult r = Detect(image, "grabcut");
  REQUIRE(!r.regions.empty());
  auto colors = ComputeRegionColors(image, {r.regions[0]}, {});
  REQUIRE(colors.ok());
  CHECK(std::abs(colors->at(0).cx - image.width / 2.0) < image.width * 0.2);
  CHECK(std::abs(colors->at(0).cy - image.height / 2.0) < image.height * 0.2);
  CHECK(Area(r.regions[0]) > 0.1 * image.width * image.height);
}

TEST_CASE("Detection is deterministic, also from another thread", "[regions]") {
  for (const Case& c : kCases) {
    INFO(c.strategy << " on " << c.image);
    const Image image = Decoded(c.image, 400);
    const RegionResult a = Detect(image, c.strategy);
    const RegionResult b = Detect(image, c.strategy);
    CHECK(a.regions == b.regions);
    // K-means and GrabCut draw from OpenCV's thread-local generator: a fresh thread starts from
    // another state unless the strategy seeds it.
    std::vector<Polygon> other;
    std::thread([&] {
      RegionRequest request;
      request.strategy = c.strategy;
      auto r = DetectRegions(image, request);
      if (r.ok()) other = r->regions;
    }).join();
    CHECK(other == a.regions);
  }
}

TEST_CASE("Tiny and uniform images give no error and no region", "[regions]") {
  const auto noise = [](int x, int y) {
    const auto v = static_cast<uint8_t>((x * 73 + y * 151) % 256);
    return Rgb{v, static_cast<uint8_t>(255 - v), static_cast<uint8_t>(v / 2)};
  };
  const Image tiny[] = {MakeImage(1, 1, noise), MakeImage(2, 3, noise), MakeImage(8, 8, noise),
                        MakeImage(5, 40, noise)};
  const Image uniform = MakeImage(300, 200, [](int, int) { return Rgb{120, 130, 140}; });
  for (const Case& c : kCases) {
    INFO(c.strategy);
    for (const Image& image : tiny) {
      INFO(image.width << "x" << image.height);
      CheckValid(Detect(image, c.strategy), image);
    }
    CHECK(Detect(uniform, c.strategy).regions.empty());
  }
}

TEST_CASE("Large exactly flat areas are handled", "[regions]") {
  // Flat colour on both sides of GrabCut's rectangle once made its graph cut take seconds.
  const Image halves = MakeImage(300, 200, [](int x, int) {
    return x < 150 ? Rgb{10, 10, 10} : Rgb{200, 190, 180};
  });
  for (const Case& c : kCases) {
    INFO(c.strategy);
    CheckValid(Detect(halves, c.strategy), halves);
  }
}

TEST_CASE("default answers with adaptive on a photo", "[regions]") {
  const Image image = Decoded("coins.png");
  const RegionResult r = Detect(image, "default");
  CHECK(r.strategy == "default");
  CHECK(r.used == "adaptive");
  CHECK(!r.regions.empty());
  CheckValid(r, image);
}

TEST_CASE("default falls back to a centred rectangle on a uniform image", "[regions]") {
  const Image image = MakeImage(200, 100, [](int, int) { return Rgb{90, 160, 200}; });
  const RegionResult r = Detect(image, "default");
  CHECK(r.used == "centered");
  REQUIRE(r.regions.size() == 1);
  CHECK(r.regions[0] == Polygon{{40, 20}, {160, 20}, {160, 80}, {40, 80}});
}

TEST_CASE("max_regions caps the count and min_area drops small regions", "[regions]") {
  const Image coins = Decoded("coins.png");
  CHECK(Detect(coins, "adaptive").regions.size() > 3);
  const RegionResult capped = Detect(coins, "adaptive", {{"max_regions", 3}});
  CHECK(capped.regions.size() == 3);
  CHECK(capped.params.at("max_regions") == 3);
  CheckValid(capped, coins);

  const Image fruits = Decoded("fruits.jpg");
  const size_t all = Detect(fruits, "color").regions.size();
  const RegionResult large = Detect(fruits, "color", {{"min_area", 0.2}});
  CHECK(!large.regions.empty());
  CHECK(large.regions.size() < all);
  for (const Polygon& p : large.regions) CHECK(Area(p) >= 0.19 * fruits.width * fruits.height);
}

TEST_CASE("Strategy parameters change the result", "[regions]") {
  const Image image = Decoded("fruits.jpg");
  CHECK(Detect(image, "color", {{"k", 2}}).regions != Detect(image, "color", {{"k", 8}}).regions);
  CHECK(Detect(image, "quadtree", {{"threshold", 10}}).regions !=
        Detect(image, "quadtree", {{"threshold", 40}}).regions);
}

TEST_CASE("Invalid requests are refused naming the parameter", "[regions]") {
  const Image image = MakeImage(64, 48, [](int x, int) { return Rgb{uint8_t(x * 3), 80, 90}; });
  struct Bad {
    const char* strategy;
    std::map<std::string, double> params;
    const char* named;
  };
  const Bad bad[] = {
      {"adaptive", {{"radius", 3}}, "radius"},         // unknown to this strategy
      {"otsu", {{"block_size", 11}}, "block_size"},   // another strategy's parameter
      {"adaptive", {{"c", 51}}, "'c'"},               // out of range
      {"adaptive", {{"block_size", 12}}, "block_size"},  // must be odd
      {"color", {{"k", 3.5}}, "'k'"},                  // must be an integer
      {"color", {{"k", 1}}, "'k'"},
      {"quadtree", {{"threshold", NAN}}, "threshold"},
      {"grabcut", {{"margin", 0.5}}, "margin"},
      {"watershed", {{"min_area", -0.1}}, "min_area"},
      {"canny", {{"max_regions", 0}}, "max_regions"},
      {"nope", {}, "nope"},                            // unknown strategy
  };
  for (const Bad& b : bad) {
    INFO(b.strategy << " / " << b.named);
    RegionRequest request;
    request.strategy = b.strategy;
    request.params = b.params;
    auto r = DetectRegions(image, request);
    REQUIRE(!r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find(b.named) != std::string::npos);
  }
  RegionRequest boxed;
  boxed.strategy = "otsu";
  boxed.template_box = Box{4, 4, 10, 10};
  auto r = DetectRegions(image, boxed);
  REQUIRE(!r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK(r.error().message.find("template_box") != std::string::npos);
}

TEST_CASE("Regions found on a reduced decode map back to original coordinates", "[regions]") {
  // A dark 800x400 rectangle at (600,300) on a light 2000x1000 image, decoded at 500x250.
  const auto pixel = [](int x, int y) {
    const bool inside = x >= 600 && x < 1400 && y >= 300 && y < 700;
    return inside ? Rgb{40, 50, 60} : Rgb{225, 220, 210};
  };
  auto decoded = DecodeImage(testing::EncodeJpeg(2000, 1000, pixel), DecodeLimits{}, 500);
  REQUIRE(decoded.ok());
  const Image& image = *decoded;
  REQUIRE(image.width == 500);
  REQUIRE(image.source_width == 2000);
  const RegionResult r = Detect(image, "otsu");
  REQUIRE(r.regions.size() == 1);
  const Bounds b = BoundsOf(r.regions[0]);
  // One working pixel is four original ones.
  CHECK(std::abs(b.x0 - 600) <= 8);
  CHECK(std::abs(b.x1 - 1400) <= 8);
  CHECK(std::abs(b.y0 - 300) <= 8);
  CHECK(std::abs(b.y1 - 700) <= 8);
}

TEST_CASE("Region colours: average of opaque pixels, nearest swatch, centroid", "[regions]") {
  const Rgb red{220, 30, 40}, blue{30, 60, 200}, green{0, 255, 0};
  Image image = MakeImage(100, 50, [&](int x, int) { return x < 50 ? red : blue; });
  // Transparent green pixels inside the red area must not tint its average.
  for (int y = 0; y < 50; ++y) {
    for (int x = 0; x < 10; ++x) {
      uint8_t* px = &image.rgba[(size_t(y) * 100 + size_t(x)) * 4];
      px[0] = green.r, px[1] = green.g, px[2] = green.b, px[3] = 0;
    }
  }
  const Polygon left{{0, 0}, {40, 0}, {40, 50}, {0, 50}};
  const Polygon right{{60, 10}, {100, 10}, {100, 40}, {60, 40}};
  const Polygon clear{{0, 0}, {9, 0}, {9, 50}, {0, 50}};  // only transparent pixels
  auto r = ComputeRegionColors(image, {left, right, clear}, {blue, red});
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  const RegionColor& l = (*r)[0];
  REQUIRE(l.average.has_value());
  CHECK(*l.average == red);
  CHECK(l.swatch == 1);
  CHECK(l.cx == Approx(20));
  CHECK(l.cy == Approx(25));
  const RegionColor& rr = (*r)[1];
  REQUIRE(rr.average.has_value());
  CHECK(*rr.average == blue);
  CHECK(rr.swatch == 0);
  CHECK(rr.cx == Approx(80));
  CHECK(rr.cy == Approx(25));
  CHECK(!(*r)[2].average.has_value());
  CHECK((*r)[2].swatch == -1);
}

TEST_CASE("ValidatePolygon refuses what cannot be a region", "[regions]") {
  CHECK(ValidatePolygon({{0, 0}, {10, 0}, {10, 10}}, 20, 20).ok());
  const Polygon bad[] = {
      {{0, 0}, {10, 0}},                    // fewer than 3 points
      {{0, 0}, {21, 0}, {10, 10}},          // a point outside 20x20
      {{0, 0}, {10, 10}, {10, 0}, {0, 10}}, // bow-tie: edges cross
      {{0, 0}, {5, 5}, {10, 10}},           // no area
  };
  for (const Polygon& p : bad) {
    const Status s = ValidatePolygon(p, 20, 20);
    REQUIRE(!s.ok());
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK(!IsSimplePolygon({{0, 0}, {10, 10}, {10, 0}, {0, 10}}));
}

}  // namespace
}  // namespace pm::engine
