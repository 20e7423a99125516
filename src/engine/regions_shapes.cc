// Region strategies that look for round things: `circles` (Hough gradient transform) and
// `contour_circles` (threshold, split touching blobs, keep the round outlines).
#include <algorithm>
#include <cmath>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "engine/region_strategies.h"

namespace pm::engine::internal {
namespace {

// Below this side an image has no room for a circle worth reporting.
constexpr int kMinSide = 16;
// circles: smoothing kernel = longer side / this (9 px at the 512 px working size).
constexpr int kMedianDivisor = 56;
// contour_circles closes gaps up to this share of the shorter side (see ObjectMask).
constexpr double kCloseShare = 0.03;
// A piece split off a blob must be at least this share its inscribed disc (see SplitBlob).
constexpr double kMinDiscShare = 0.6;

// A circle as an outline inside the image: clamping the vertices of a convex polygon and taking
// the hull keeps it convex (so simple) where the circle runs off the edge.
Contour ClippedCircle(cv::Point2f center, float radius, cv::Size size) {
  Contour pts = CirclePolygon(center, radius);
  for (cv::Point& p : pts) {
    p.x = std::clamp(p.x, 0, size.width - 1);
    p.y = std::clamp(p.y, 0, size.height - 1);
  }
  Contour hull;
  if (pts.size() >= 3) cv::convexHull(pts, hull);
  return hull;
}

Result<Contours> RunCircles(const StrategyInput& in) {
  if (std::min(in.width(), in.height()) < kMinSide) return Contours{};
  const double shorter = std::min(in.width(), in.height());
  cv::Mat1b smooth;
  // A median keeps the rims while removing the texture inside coins and sweets (and fur, brush
  // strokes, circuit boards...), and a Gaussian of the same size leaves Canny smooth gradients.
  // Texture would otherwise vote for hundreds of small circles: besides being wrong, each
  // candidate centre costs Hough a pass over all edge points.
  const int median = std::max(5, (std::max(in.width(), in.height()) / kMedianDivisor) | 1);
  cv::medianBlur(in.gray, smooth, median);
  cv::GaussianBlur(smooth, smooth, cv::Size(median, median), 0);
  const int min_r = static_cast<int>(std::lround(in.P("min_radius") * shorter));
  const int max_r = std::max(min_r + 1, static_cast<int>(std::lround(in.P("max_radius") * shorter)));
  std::vector<cv::Vec3f> circles;
  cv::HoughCircles(smooth, circles, cv::HOUGH_GRADIENT, in.P("dp"),
                   std::max(1.0, in.P("min_dist") * shorter), in.P("param1"), in.P("param2"),
                   min_r, max_r);
  // Hough lists the best-supported circles first; one whose centre lies inside a stronger
  // circle is a ring or a part of the same object, not another one.
  std::vector<cv::Vec3f> kept;
  for (const cv::Vec3f& c : circles) {
    const bool inside = std::any_of(kept.begin(), kept.end(), [&](const cv::Vec3f& k) {
      return std::hypot(c[0] - k[0], c[1] - k[1]) < std::max(c[2], k[2]);
    });
    if (!inside) kept.push_back(c);
  }
  Contours out;
  for (const cv::Vec3f& c : kept) {
    Contour poly = ClippedCircle({c[0], c[1]}, c[2], in.gray.size());
    if (poly.size() >= 3) out.push_back(std::move(poly));
  }
  return out;
}

double Circularity(const Contour& c) {
  const double perimeter = cv::arcLength(c, true);
  return perimeter > 0 ? 4 * CV_PI * cv::contourArea(c) / (perimeter * perimeter) : 0;
}

// Objects are whichever side of the Otsu threshold does not own the image border, so bright
// coins on a dark cloth and dark sweets on white paper both come out as foreground.
bool ObjectsAreBright(const cv::Mat1b& smooth) {
  cv::Mat1b binary;
  cv::threshold(smooth, binary, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  const int w = binary.cols, h = binary.rows;
  const int border_on = cv::countNonZero(binary.row(0)) + cv::countNonZero(binary.row(h - 1)) +
                        cv::countNonZero(binary.col(0)) + cv::countNonZero(binary.col(w - 1));
  return border_on <= w + h;  // at most half of the 2(w + h) border pixels are bright
}

// How far each pixel stands out from the background, background meaning what is left once
// everything narrower than a quarter of the image is removed. Thresholding this instead of
// the grey levels copes with uneven lighting (coins.png is much brighter at the top left).
// Worked out on a small copy: the background is smooth and large kernels are slow.
cv::Mat1b Contrast(const cv::Mat1b& smooth, bool bright) {
  constexpr int kSmallSide = 128;
  const double f = std::min(1.0, double(kSmallSide) / std::max(smooth.cols, smooth.rows));
  cv::Mat1b small, background;
  cv::resize(smooth, small, cv::Size(), f, f, cv::INTER_AREA);
  const int k = std::max(3, std::min(small.cols, small.rows) / 4) | 1;
  const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(k, k));
  cv::morphologyEx(small, background, bright ? cv::MORPH_OPEN : cv::MORPH_CLOSE, kernel,
                   cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
  cv::blur(background, background, cv::Size(k, k), cv::Point(-1, -1), cv::BORDER_REPLICATE);
  cv::resize(background, background, smooth.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat1b contrast;
  if (bright) {
    cv::subtract(smooth, background, contrast);
  } else {
    cv::subtract(background, smooth, contrast);
  }
  return contrast;
}

cv::Mat1b ObjectMask(const StrategyInput& in) {
  cv::Mat1b smooth, mask;
  const int k = in.I("blur");
  cv::GaussianBlur(in.gray, smooth, cv::Size(k, k), 0);
  const cv::Mat1b contrast = Contrast(smooth, ObjectsAreBright(smooth));
  cv::threshold(contrast, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  cv::bitwise_and(mask, in.opaque, mask);
  // Dark engravings in a coin can reach its rim and open its hole to the outside: close gaps up
  // to a few percent of the image before filling the holes.
  const int close = std::max(5, static_cast<int>(kCloseShare * std::min(mask.cols, mask.rows)) | 1);
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(close, close)));
  // Highlights and prints inside an object leave holes; the object is the whole disc.
  Contours outer = OuterContours(mask);
  mask.setTo(0);
  cv::drawContours(mask, outer, -1, cv::Scalar(255), cv::FILLED);
  // The closing also bridges objects to nearby shadows and to each other; cut the thin bridges.
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(close, close)));
  return mask;
}

// Touching round objects form one blob with waists. Seeds are the peaks of the distance to the
// blob's edge (one per object: its centre); every pixel joins its nearest seed, which cuts the
// blob along the waists. Returns nullopt when the blob has a single centre (one object).
std::optional<Contours> SplitBlob(const cv::Mat1b& blob, cv::Point offset) {
  cv::Mat1f dist;
  cv::distanceTransform(blob, dist, cv::DIST_L2, 5);
  double max_dist = 0;
  cv::minMaxLoc(dist, nullptr, &max_dist);
  // Peaks closer than half the largest radius belong to one object; centres shallower than a
  // third of it are bumps on the outline, not objects.
  const int window = std::max(3, static_cast<int>(max_dist) | 1);
  cv::Mat1f local_max;
  cv::dilate(dist, local_max, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(window, window)));
  const cv::Mat1b seeds = (dist >= local_max) & (dist >= max_dist / 3);
  cv::Mat1i unused_labels;
  if (cv::connectedComponents(seeds, unused_labels, 8, CV_32S) <= 2) {
    return std::nullopt;  // background + one centre
  }
  // Each pixel gets the number of its nearest seed (DIST_LABEL_CCOMP numbers them from 1).
  cv::Mat1f unused_dist;
  cv::Mat1i nearest;
  cv::distanceTransform(seeds == 0, unused_dist, nearest, cv::DIST_L2, 5, cv::DIST_LABEL_CCOMP);
  double max_label = 0;
  cv::minMaxLoc(nearest, nullptr, &max_label);
  const int labels = static_cast<int>(max_label) + 1;
  struct Piece {
    cv::Rect box;
    float radius = 0;  // largest inscribed radius: the distance to the blob's edge at the seed
    double pixels = 0;
  };
  std::vector<Piece> pieces(static_cast<size_t>(labels));
  for (int y = 0; y < blob.rows; ++y) {
    for (int x = 0; x < blob.cols; ++x) {
      if (blob(y, x) == 0) continue;
      const int label = nearest(y, x);
      if (label <= 0) continue;
      Piece& piece = pieces[static_cast<size_t>(label)];
      piece.box = piece.pixels == 0 ? cv::Rect(x, y, 1, 1) : piece.box | cv::Rect(x, y, 1, 1);
      piece.radius = std::max(piece.radius, dist(y, x));
      piece.pixels += 1;
    }
  }
  Contours out;
  for (int label = 1; label < labels; ++label) {
    const Piece& piece = pieces[static_cast<size_t>(label)];
    // A cell cut from a big irregular blob can be round (Voronoi cells are polygons) without
    // being an object: an object's piece is mostly the disc around its centre.
    if (piece.pixels == 0 || CV_PI * piece.radius * piece.radius < kMinDiscShare * piece.pixels) {
      continue;
    }
    cv::Mat1b mask = (nearest(piece.box) == label) & blob(piece.box);
    cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::Mat());
    Contours found;
    cv::findContours(mask, found, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE, offset + piece.box.tl());
    for (Contour& c : found) out.push_back(std::move(c));
  }
  return out;
}

Result<Contours> RunContourCircles(const StrategyInput& in) {
  if (std::min(in.width(), in.height()) < kMinSide) return Contours{};
  const double min_circularity = in.P("min_circularity");
  const cv::Mat1b mask = ObjectMask(in);
  Contours blobs;
  cv::findContours(mask.clone(), blobs, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  Contours out;
  for (const Contour& blob : blobs) {
    const double area = cv::contourArea(blob);
    if (area < std::max(in.min_area, 9.0)) continue;
    if (Circularity(blob) >= min_circularity) {
      out.push_back(blob);
      continue;
    }
    const cv::Rect box = cv::boundingRect(blob);
    cv::Mat1b local(box.size(), uchar{0});
    cv::drawContours(local, Contours{blob}, 0, cv::Scalar(255), cv::FILLED, cv::LINE_8,
                     cv::noArray(), 0, -box.tl());
    std::optional<Contours> pieces = SplitBlob(local, box.tl());
    if (!pieces) {
      // One object with a ragged outline (a dark engraving or a glare eating into its rim):
      // judge it, and outline it, by its convex hull.
      Contour hull;
      cv::convexHull(blob, hull);
      if (Circularity(hull) >= min_circularity) out.push_back(std::move(hull));
      continue;
    }
    for (Contour& piece : *pieces) {
      if (Circularity(piece) >= min_circularity) out.push_back(std::move(piece));
    }
  }
  return out;
}

}  // namespace

const StrategyDef& CirclesStrategy() {
  static const StrategyDef def{
      "circles",
      {{"dp", 1, 4, 1.2, false, false,
        "inverse accumulator resolution: 1 votes at full resolution, 2 at half (coarser, more "
        "tolerant of imperfect circles)"},
       {"min_dist", 0.01, 1, 0.05, false, false,
        "least distance between two circle centres, as a share of the shorter side"},
       {"param1", 1, 500, 100, false, false, "upper Canny threshold for the circles' edges"},
       {"param2", 1, 500, 30, false, false,
        "accumulator threshold: votes a centre needs (lower finds more, and more false circles)"},
       {"min_radius", 0, 1, 0.01, false, false, "smallest radius, as a share of the shorter side"},
       {"max_radius", 0, 1, 0.25, false, false, "largest radius, as a share of the shorter side"}},
      &RunCircles,
      512};
  return def;
}

const StrategyDef& ContourCirclesStrategy() {
  static const StrategyDef def{
      "contour_circles",
      {{"min_circularity", 0, 1, 0.7, false, false,
        "4*pi*area/perimeter^2 an outline must reach (1 = perfect circle, 0.785 = square)"},
       {"blur", 1, 31, 5, true, true, "Gaussian blur before thresholding, kernel size (odd)"}},
      &RunContourCircles,
      512};
  return def;
}

}  // namespace pm::engine::internal
