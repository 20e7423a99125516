// Our own SLIC superpixels (engine/slic.h): the properties a user of the `slic` strategy would
// notice: superpixels follow colour edges, cover the image in connected pieces of about the
// requested size, come out the same every time, and small images do not trip it up.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/image.h"
#include "engine/slic.h"
#include "test_images.h"

namespace pm::engine::internal {
namespace {

cv::Mat3f ToLab(const cv::Mat3b& bgr) {
  cv::Mat3f lab;
  bgr.convertTo(lab, CV_32F, 1.0 / 255);
  cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
  return lab;
}

struct Segmentation {
  cv::Mat1i labels;
  int count = 0;
};

Segmentation Run(const cv::Mat3f& lab, int region_size, float ruler = 10, int iterations = 10) {
  Segmentation s;
  s.labels = Slic(lab, region_size, ruler, iterations, &s.count);
  return s;
}

// Labels are 0..count-1, each used, and each one 4-connected area.
void CheckPartition(const Segmentation& s, cv::Size size) {
  REQUIRE(s.labels.size() == size);
  REQUIRE(s.count >= 1);
  std::vector<int64_t> pixels(static_cast<size_t>(s.count), 0);
  for (int y = 0; y < s.labels.rows; ++y) {
    for (int x = 0; x < s.labels.cols; ++x) {
      const int l = s.labels(y, x);
      REQUIRE(l >= 0);
      REQUIRE(l < s.count);
      ++pixels[static_cast<size_t>(l)];
    }
  }
  for (int l = 0; l < s.count; ++l) {
    INFO("label " << l);
    CHECK(pixels[static_cast<size_t>(l)] > 0);
    cv::Mat1b mask = s.labels == l;
    cv::Mat1i components;
    CHECK(cv::connectedComponents(mask, components, 4) == 2);  // background + one area
  }
}

// Flat colour areas: rectangles of uneven sizes (edges off any grid) and a disc.
cv::Mat3b Blocks(cv::Mat1i& block) {
  const std::vector<int> xs = {0, 57, 131, 170, 243, 300};
  const std::vector<int> ys = {0, 71, 118, 190, 240};
  const std::vector<cv::Vec3b> colours = {{40, 40, 200},   {60, 180, 60},   {200, 90, 30},
                                          {220, 220, 220}, {30, 30, 30},    {0, 200, 230},
                                          {150, 50, 150},  {110, 110, 110}, {240, 160, 160}};
  cv::Mat3b bgr(ys.back(), xs.back());
  block.create(bgr.size());
  int id = 0;
  for (size_t j = 0; j + 1 < ys.size(); ++j) {
    for (size_t i = 0; i + 1 < xs.size(); ++i, ++id) {
      const cv::Rect r(xs[i], ys[j], xs[i + 1] - xs[i], ys[j + 1] - ys[j]);
      bgr(r).setTo(colours[size_t(id) % colours.size()]);
      block(r).setTo(id);
    }
  }
  cv::circle(bgr, {205, 150}, 28, cv::Scalar(20, 230, 120), cv::FILLED, cv::LINE_8);
  cv::circle(block, {205, 150}, 28, cv::Scalar(id), cv::FILLED, cv::LINE_8);
  return bgr;
}

TEST_CASE("SLIC superpixels never straddle the edge between two flat colours", "[slic]") {
  cv::Mat1i block;
  const cv::Mat3f lab = ToLab(Blocks(block));
  for (int region_size : {10, 16, 24}) {
    for (float ruler : {1.0f, 10.0f, 40.0f}) {
      INFO("region_size " << region_size << " ruler " << ruler);
      const Segmentation s = Run(lab, region_size, ruler);
      CheckPartition(s, lab.size());
      std::vector<int> block_of(static_cast<size_t>(s.count), -1);
      int straddling = 0;
      for (int y = 0; y < lab.rows; ++y) {
        for (int x = 0; x < lab.cols; ++x) {
          int& b = block_of[static_cast<size_t>(s.labels(y, x))];
          if (b < 0) b = block(y, x);
          if (b != block(y, x)) ++straddling;
        }
      }
      CHECK(straddling == 0);
    }
  }
}

TEST_CASE("SLIC covers a photo with connected superpixels of about the requested size", "[slic]") {
  auto decoded = DecodeImage(testing::ReadTestImage("fruits.jpg"), DecodeLimits{}, 512);
  REQUIRE(decoded.ok());
  const Image& image = decoded.value();
  const cv::Mat rgba(image.height, image.width, CV_8UC4, const_cast<uint8_t*>(image.rgba.data()));
  cv::Mat3b bgr;
  cv::cvtColor(rgba, bgr, cv::COLOR_RGBA2BGR);
  const cv::Mat3f lab = ToLab(bgr);
  for (int region_size : {12, 40, 100}) {
    INFO("region_size " << region_size);
    const Segmentation s = Run(lab, region_size);
    CheckPartition(s, lab.size());
    const double expected = double(lab.total()) / (region_size * region_size);
    CHECK(s.count >= 0.7 * expected);
    CHECK(s.count <= 1.3 * expected);
  }
}

TEST_CASE("SLIC is deterministic and does not depend on the input's row stride", "[slic]") {
  cv::Mat3b bgr(200, 260);
  cv::randu(bgr, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::GaussianBlur(bgr, bgr, cv::Size(9, 9), 0);
  const cv::Mat3f lab = ToLab(bgr);
  const Segmentation a = Run(lab, 20);
  const Segmentation b = Run(lab, 20);
  CHECK(a.count == b.count);
  CHECK(cv::countNonZero(a.labels != b.labels) == 0);
  // The same pixels as a view into a wider image.
  cv::Mat3f wide(lab.rows, lab.cols + 7, cv::Vec3f(50, 0, 0));
  lab.copyTo(wide(cv::Rect(3, 0, lab.cols, lab.rows)));
  const Segmentation c = Run(wide(cv::Rect(3, 0, lab.cols, lab.rows)), 20);
  CHECK(c.count == a.count);
  CHECK(cv::countNonZero(c.labels != a.labels) == 0);
}

TEST_CASE("SLIC with superpixels larger than the image gives one label", "[slic]") {
  cv::Mat1i block;
  const cv::Mat3f lab = ToLab(Blocks(block));
  for (int region_size : {1000, 700}) {
    const Segmentation s = Run(lab, region_size);
    CHECK(s.count == 1);
    CHECK(cv::countNonZero(s.labels) == 0);
  }
}

TEST_CASE("SLIC handles tiny images", "[slic]") {
  const cv::Mat3f one(1, 1, cv::Vec3f(50, 10, -10));
  for (int region_size : {1, 2, 40}) {
    const Segmentation s = Run(one, region_size);
    CHECK(s.count == 1);
    CHECK(s.labels.size() == cv::Size(1, 1));
    CHECK(s.labels(0, 0) == 0);
  }
  cv::Mat3f small(3, 5);
  for (int y = 0; y < small.rows; ++y) {
    for (int x = 0; x < small.cols; ++x) small(y, x) = cv::Vec3f(float(10 * x), float(20 * y), 0);
  }
  for (int region_size : {1, 2, 3, 40}) {
    for (int iterations : {0, 1, 10}) {
      INFO("region_size " << region_size << " iterations " << iterations);
      CheckPartition(Run(small, region_size, 10, iterations), small.size());
    }
  }
  int count = -1;
  CHECK(Slic(cv::Mat3f(), 10, 10, 10, &count).empty());
  CHECK(count == 0);
}

}  // namespace
}  // namespace pm::engine::internal
