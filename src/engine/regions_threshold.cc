// Region strategies that work on a binary image of the luma: adaptive threshold, Otsu, Canny
// edges, and quadrilaterals (rectangles) found among edge contours.
#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/region_strategies.h"

namespace pm::engine::internal {
namespace {

// Near-rectangles (rounded or slightly bent corners) still count when their outline fills at
// least this share of its smallest enclosing rotated rectangle.
constexpr double kRectangleFill = 0.9;
// Two quadrilaterals whose bounding boxes overlap this much (intersection over union) are the
// same shape seen twice: the outer and inner contour of one thick edge line.
constexpr double kSameQuadOverlap = 0.8;
// A share-of-perimeter tolerance lets a long ragged outline (a whole network of edges) collapse
// to four corners; an outline that really is a quadrilateral is about as long as its corners'
// polygon.
constexpr double kMaxPerimeterRatio = 1.25;
// Isoperimetric quotient (4 pi area / perimeter^2: 1 for a disc, about 0.27 for a five-pointed
// star) under which an outline is a thread of edge pixels enclosing nothing, not an area. Left
// in, regions.cc would replace such a tangle by its convex hull: a large region of nothing.
constexpr double kMinCompactness = 0.05;

cv::Mat Kernel(cv::MorphShapes shape) { return cv::getStructuringElement(shape, cv::Size(3, 3)); }

// Kernel sizes come validated (odd); 1 means no blur.
cv::Mat1b MedianBlurred(const cv::Mat1b& gray, int ksize) {
  if (ksize <= 1) return gray;
  cv::Mat1b out;
  cv::medianBlur(gray, out, ksize);
  return out;
}

cv::Mat1b GaussianBlurred(const cv::Mat1b& gray, int ksize) {
  if (ksize <= 1) return gray;
  cv::Mat1b out;
  cv::GaussianBlur(gray, out, cv::Size(ksize, ksize), 0);
  return out;
}

// The outer contours of `binary` that enclose an area (see kMinCompactness).
Contours AreaOutlines(const cv::Mat1b& binary) {
  Contours out;
  for (Contour& c : OuterContours(binary)) {
    const double perimeter = cv::arcLength(c, true);
    if (perimeter > 0 && 4 * CV_PI * cv::contourArea(c) >= kMinCompactness * perimeter * perimeter) {
      out.push_back(std::move(c));
    }
  }
  return out;
}

// Canny edges thickened by `dilate` iterations so that small gaps in an outline close.
cv::Mat1b EdgeMap(const StrategyInput& in, int dilate) {
  cv::Mat1b edges;
  cv::Canny(GaussianBlurred(in.gray, in.I("blur")), edges, in.P("low"), in.P("high"));
  if (dilate > 0) cv::dilate(edges, edges, Kernel(cv::MORPH_RECT), cv::Point(-1, -1), dilate);
  return edges;
}

Result<Contours> Adaptive(const StrategyInput& in) {
  cv::Mat1b binary;
  // Inverted: pixels darker than their neighbourhood (outlines, shadows, dark objects) are set.
  cv::adaptiveThreshold(MedianBlurred(in.gray, in.I("blur")), binary, 255,
                        cv::ADAPTIVE_THRESH_GAUSSIAN_C, cv::THRESH_BINARY_INV, in.I("block_size"),
                        in.P("c"));
  // Closing joins outlines broken by a pixel or two; the opening then removes specks and the
  // one- or two-pixel threads of texture that would otherwise link everything into one network.
  cv::morphologyEx(binary, binary, cv::MORPH_CLOSE, Kernel(cv::MORPH_RECT));
  cv::morphologyEx(binary, binary, cv::MORPH_OPEN, Kernel(cv::MORPH_CROSS));
  return AreaOutlines(binary);
}

Result<Contours> Otsu(const StrategyInput& in) {
  cv::Mat1b binary;
  cv::threshold(GaussianBlurred(in.gray, in.I("blur")), binary, 0, 255,
                cv::THRESH_BINARY | cv::THRESH_OTSU);
  // Objects are the minority: light objects on a dark ground and dark ones on a light ground
  // both come out as the set pixels.
  if (2 * static_cast<size_t>(cv::countNonZero(binary)) > binary.total()) {
    cv::bitwise_not(binary, binary);
  }
  cv::morphologyEx(binary, binary, cv::MORPH_OPEN, Kernel(cv::MORPH_RECT));
  cv::morphologyEx(binary, binary, cv::MORPH_CLOSE, Kernel(cv::MORPH_RECT));
  return AreaOutlines(binary);
}

Result<Contours> Canny(const StrategyInput& in) {
  return AreaOutlines(EdgeMap(in, in.I("dilate")));
}

// The contour as a convex quadrilateral (polygon approximation with 4 corners, or the rotated
// box of a near-rectangle); empty if it is neither.
Contour Quadrilateral(const Contour& contour, double epsilon_share) {
  const double perimeter = cv::arcLength(contour, true);
  Contour approx;
  cv::approxPolyDP(contour, approx, epsilon_share * perimeter, true);
  if (approx.size() == 4 && cv::isContourConvex(approx)) {
    if (perimeter > kMaxPerimeterRatio * cv::arcLength(approx, true)) return {};
    return approx;
  }
  const cv::RotatedRect box = cv::minAreaRect(contour);
  const double box_area = double(box.size.width) * box.size.height;
  if (box_area <= 0 || cv::contourArea(contour) < kRectangleFill * box_area) return {};
  cv::Point2f corners[4];
  box.points(corners);
  Contour quad;
  for (const cv::Point2f& p : corners) {
    quad.emplace_back(static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y)));
  }
  if (!cv::isContourConvex(quad) || perimeter > kMaxPerimeterRatio * cv::arcLength(quad, true)) {
    return {};
  }
  return quad;
}

bool SameQuad(const Contour& a, const Contour& b) {
  const cv::Rect ra = cv::boundingRect(a), rb = cv::boundingRect(b);
  const double inter = (ra & rb).area();
  return inter >= kSameQuadOverlap * (double(ra.area()) + rb.area() - inter);
}

Result<Contours> Rectangles(const StrategyInput& in) {
  Contours contours;
  // Every contour, not only outer ones: a rectangle inside a rectangle (a board in its frame, a
  // window in a wall) is a region too.
  cv::findContours(EdgeMap(in, 1), contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  struct Candidate {
    double area;
    Contour quad;
  };
  std::vector<Candidate> candidates;
  for (const Contour& c : contours) {
    if (cv::contourArea(c) < std::max(in.min_area, 16.0)) continue;
    Contour quad = Quadrilateral(c, in.P("epsilon"));
    if (quad.empty()) continue;
    const double area = cv::contourArea(quad);
    candidates.push_back({area, std::move(quad)});
  }
  // Largest first (ties by position) so the quad kept among duplicates never depends on the
  // order findContours happened to return them in.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.area != b.area) return a.area > b.area;
    return std::lexicographical_compare(
        a.quad.begin(), a.quad.end(), b.quad.begin(), b.quad.end(),
        [](const cv::Point& p, const cv::Point& q) { return p.y != q.y ? p.y < q.y : p.x < q.x; });
  });
  Contours quads;
  for (Candidate& c : candidates) {
    const bool seen = std::any_of(quads.begin(), quads.end(),
                                  [&](const Contour& q) { return SameQuad(q, c.quad); });
    if (!seen) quads.push_back(std::move(c.quad));
  }
  return quads;
}

}  // namespace

const StrategyDef& AdaptiveStrategy() {
  static const StrategyDef def{
      "adaptive",
      {{"block_size", 3, 255, 11, true, true, "neighbourhood size in pixels for the local mean (odd)"},
       {"c", -50, 50, 2, false, false, "constant subtracted from the local mean; higher keeps only stronger contrast"},
       {"blur", 1, 31, 5, true, true, "median blur kernel before thresholding (odd; 1 = none)"}},
      &Adaptive, 1024};
  return def;
}

const StrategyDef& OtsuStrategy() {
  static const StrategyDef def{
      "otsu", {{"blur", 1, 31, 5, true, true, "Gaussian blur kernel before thresholding (odd; 1 = none)"}},
      &Otsu, 1024};
  return def;
}

const StrategyDef& CannyStrategy() {
  static const StrategyDef def{
      "canny",
      {{"low", 0, 255, 50, false, false, "lower hysteresis threshold"},
       {"high", 0, 255, 150, false, false, "upper hysteresis threshold"},
       {"blur", 1, 31, 5, true, true, "Gaussian blur kernel (odd; 1 = none)"},
       {"dilate", 0, 10, 2, true, false, "dilation iterations closing gaps in edges"}},
      &Canny, 1024};
  return def;
}

const StrategyDef& RectanglesStrategy() {
  static const StrategyDef def{
      "rectangles",
      {{"low", 0, 255, 50, false, false, "lower Canny threshold"},
       {"high", 0, 255, 150, false, false, "upper Canny threshold"},
       {"epsilon", 0.005, 0.2, 0.02, false, false, "polygon approximation, share of the perimeter"},
       {"blur", 1, 31, 5, true, true, "Gaussian blur kernel (odd; 1 = none)"}},
      &Rectangles, 1024};
  return def;
}

}  // namespace pm::engine::internal
