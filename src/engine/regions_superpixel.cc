// Region strategies that segment the whole image into areas: `slic` (superpixels merged by
// colour), `saliency` (spectral residual: what stands out) and `meanshift` (colours flattened by
// mean-shift filtering, then areas of one colour).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/saliency.hpp>

#include "engine/region_strategies.h"
#include "engine/slic.h"

namespace pm::engine::internal {
namespace {

// Below this side there is nothing to segment.
constexpr int kMinSide = 16;

// Union-find over label numbers; the smaller number becomes the root so results do not depend
// on the order of unions.
class DisjointSets {
 public:
  explicit DisjointSets(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int Find(int x) {
    while (parent_[static_cast<size_t>(x)] != x) {
      int& p = parent_[static_cast<size_t>(x)];
      p = parent_[static_cast<size_t>(p)];  // path halving
      x = p;
    }
    return x;
  }
  // Returns the new root.
  int Union(int a, int b) {
    a = Find(a), b = Find(b);
    if (a > b) std::swap(a, b);
    parent_[static_cast<size_t>(b)] = a;
    return a;
  }

 private:
  std::vector<int> parent_;
};

// Outer outlines of every label (0..count-1) of `labels` covering at least `min_pixels`.
// Each label is traced inside its own bounding box, so the cost is the image plus the boxes,
// not the image times the number of labels.
Contours LabelOutlines(const cv::Mat1i& labels, int count, double min_pixels) {
  std::vector<cv::Rect> boxes(static_cast<size_t>(count));
  std::vector<double> pixels(static_cast<size_t>(count), 0);
  for (int y = 0; y < labels.rows; ++y) {
    const int* row = labels.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x) {
      const auto l = static_cast<size_t>(row[x]);
      boxes[l] = pixels[l] == 0 ? cv::Rect(x, y, 1, 1) : boxes[l] | cv::Rect(x, y, 1, 1);
      pixels[l] += 1;
    }
  }
  Contours out;
  for (int l = 0; l < count; ++l) {
    const auto i = static_cast<size_t>(l);
    if (pixels[i] == 0 || pixels[i] < min_pixels) continue;
    cv::Mat1b mask = labels(boxes[i]) == l;
    // One-pixel spurs and bridges along superpixel borders make outlines that fold onto
    // themselves once simplified.
    cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::Mat(), cv::Point(-1, -1), 1,
                     cv::BORDER_CONSTANT, cv::Scalar(0));
    Contours found;
    cv::findContours(mask, found, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE, boxes[i].tl());
    for (Contour& c : found) out.push_back(std::move(c));
  }
  return out;
}

// Renumbers `labels` by their sets' roots as 0..k-1 (in order of first appearance); returns k.
int Compact(cv::Mat1i& labels, DisjointSets& sets, size_t label_count) {
  std::vector<int> number(label_count, -1);
  int next = 0;
  for (int y = 0; y < labels.rows; ++y) {
    int* row = labels.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x) {
      int& n = number[static_cast<size_t>(sets.Find(row[x]))];
      if (n < 0) n = next++;
      row[x] = n;
    }
  }
  return next;
}

// --- slic -------------------------------------------------------------------------------------

struct Cell {
  cv::Vec3d lab_sum = {0, 0, 0};
  double pixels = 0;
  cv::Vec3d Mean() const { return pixels > 0 ? lab_sum / pixels : cv::Vec3d(); }
};

struct Edge {
  double distance;
  int a, b;
};

// Merges neighbouring superpixels whose mean colours (CIELAB, the merged groups' means as they
// grow) are closer than `max_distance`, most similar pairs first.
int MergeSimilar(cv::Mat1i& labels, int count, const cv::Mat3f& lab, double max_distance) {
  std::vector<Cell> cells(static_cast<size_t>(count));
  std::vector<std::pair<int, int>> pairs;
  for (int y = 0; y < labels.rows; ++y) {
    for (int x = 0; x < labels.cols; ++x) {
      const int l = labels(y, x);
      Cell& c = cells[static_cast<size_t>(l)];
      c.lab_sum += cv::Vec3d(lab(y, x));
      c.pixels += 1;
      if (x + 1 < labels.cols && labels(y, x + 1) != l) pairs.emplace_back(l, labels(y, x + 1));
      if (y + 1 < labels.rows && labels(y + 1, x) != l) pairs.emplace_back(l, labels(y + 1, x));
    }
  }
  for (auto& [a, b] : pairs) {
    if (a > b) std::swap(a, b);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<Edge> edges;
  edges.reserve(pairs.size());
  for (const auto& [a, b] : pairs) {
    edges.push_back({cv::norm(cells[size_t(a)].Mean() - cells[size_t(b)].Mean()), a, b});
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& p, const Edge& q) {
    if (p.distance != q.distance) return p.distance < q.distance;
    return std::pair(p.a, p.b) < std::pair(q.a, q.b);
  });
  DisjointSets sets(static_cast<size_t>(count));
  for (const Edge& e : edges) {
    const int ra = sets.Find(e.a), rb = sets.Find(e.b);
    if (ra == rb) continue;
    // Compare the groups as they are now, so a slow gradient cannot chain a sky into a sea.
    Cell& ca = cells[size_t(ra)];
    Cell& cb = cells[size_t(rb)];
    if (cv::norm(ca.Mean() - cb.Mean()) >= max_distance) continue;
    const int root = sets.Union(ra, rb);
    Cell merged{ca.lab_sum + cb.lab_sum, ca.pixels + cb.pixels};
    cells[size_t(root)] = merged;
  }
  return Compact(labels, sets, static_cast<size_t>(count));
}

Result<Contours> RunSlic(const StrategyInput& in) {
  if (std::min(in.width(), in.height()) < kMinSide) return Contours{};
  // A superpixel larger than half the image would be the image.
  const int region_size = std::min(in.I("region_size"), std::min(in.width(), in.height()) / 2);
  cv::Mat3b blurred;
  cv::GaussianBlur(in.bgr, blurred, cv::Size(3, 3), 0);
  // True CIELAB (L 0..100): SLIC's ruler then means what the paper's m does, and `merge` reads
  // as a colour difference (dE76).
  cv::Mat3f lab;
  blurred.convertTo(lab, CV_32F, 1.0 / 255);
  cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
  int count = 0;
  cv::Mat1i labels = Slic(lab, region_size, static_cast<float>(in.P("ruler")), in.I("iterations"),
                          &count);
  count = MergeSimilar(labels, count, lab, in.P("merge"));
  return LabelOutlines(labels, count, in.min_area);
}

// --- saliency ---------------------------------------------------------------------------------

Result<Contours> RunSaliency(const StrategyInput& in) {
  if (std::min(in.width(), in.height()) < kMinSide) return Contours{};
  auto detector = cv::makePtr<cv::saliency::StaticSaliencySpectralResidual>();
  cv::Mat map;
  if (!detector->computeSaliency(in.bgr, map) || map.empty()) return Contours{};
  // The map comes back as floats (normally 0..1), possibly at the detector's own small size; a
  // flat image has no spectrum to speak of and can give NaNs.
  cv::Mat1f map_f;
  map.convertTo(map_f, CV_32F);
  cv::patchNaNs(map_f, 0);
  if (map_f.size() != in.bgr.size()) cv::resize(map_f, map_f, in.bgr.size(), 0, 0, cv::INTER_LINEAR);
  double lo = 0, hi = 0;
  cv::minMaxLoc(map_f, &lo, &hi);
  if (!(hi - lo > 1e-6)) return Contours{};  // nothing stands out
  cv::Mat1b map8;
  cv::normalize(map_f, map8, 0, 255, cv::NORM_MINMAX, CV_8U);
  const int k = in.I("blur");
  cv::GaussianBlur(map8, map8, cv::Size(k, k), 0);
  cv::Mat1b mask;
  const double threshold = in.P("threshold");
  if (threshold <= 0) {
    cv::threshold(map8, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  } else {
    cv::threshold(map8, mask, threshold, 255, cv::THRESH_BINARY);
  }
  // Salient spots cluster around an object; join the cluster into one area.
  const int close = std::max(3, (std::min(in.width(), in.height()) / 50) | 1);
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(close, close)));
  cv::bitwise_and(mask, in.opaque, mask);
  return OuterContours(mask);
}

// --- meanshift --------------------------------------------------------------------------------

// Colour steps up to this (per channel, 0..255) still join two neighbouring pixels of the
// filtered image into one area: the filter leaves plateaus with slight ripples.
constexpr int kJoinStep = 3;
// Largest spatial radius the mean-shift filter runs with (see RunMeanshift).
constexpr double kMaxFilterRadius = 16;

bool SameColour(const cv::Vec3b& a, const cv::Vec3b& b) {
  for (int c = 0; c < 3; ++c) {
    if (std::abs(int(a[c]) - int(b[c])) > kJoinStep) return false;
  }
  return true;
}

// Labels 4-connected areas of (nearly) one colour; returns the number of labels.
int LabelFlatAreas(const cv::Mat3b& image, cv::Mat1i& labels) {
  const int w = image.cols, h = image.rows;
  DisjointSets sets(size_t(w) * size_t(h));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int i = y * w + x;
      if (x + 1 < w && SameColour(image(y, x), image(y, x + 1))) sets.Union(i, i + 1);
      if (y + 1 < h && SameColour(image(y, x), image(y + 1, x))) sets.Union(i, i + w);
    }
  }
  labels.create(h, w);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) labels(y, x) = y * w + x;
  }
  return Compact(labels, sets, size_t(w) * size_t(h));
}

Result<Contours> RunMeanshift(const StrategyInput& in) {
  if (std::min(in.width(), in.height()) < kMinSide) return Contours{};
  // The filter's cost grows with the square of its spatial radius. A wider radius is applied to
  // a smaller copy instead (same reach in image terms), so no setting takes minutes.
  double radius = in.P("spatial_radius");
  cv::Mat3b source = in.bgr;
  if (radius > kMaxFilterRadius) {
    const double f = kMaxFilterRadius / radius;
    cv::resize(in.bgr, source, cv::Size(), f, f, cv::INTER_AREA);
    radius = kMaxFilterRadius;
  }
  // Each pyramid level halves the image; stop while it still has a few pixels per side.
  int levels = in.I("max_level");
  while (levels > 0 && (std::min(source.cols, source.rows) >> levels) < 8) --levels;
  if (std::min(source.cols, source.rows) < kMinSide) return Contours{};
  cv::Mat3b filtered;
  cv::pyrMeanShiftFiltering(source, filtered, radius, in.P("color_radius"), levels);
  // Nearest-neighbour enlarging keeps the flat areas exactly flat.
  if (filtered.size() != in.bgr.size()) {
    cv::resize(filtered, filtered, in.bgr.size(), 0, 0, cv::INTER_NEAREST);
  }
  cv::Mat1i labels;
  const int count = LabelFlatAreas(filtered, labels);
  return LabelOutlines(labels, count, in.min_area);
}

}  // namespace

const StrategyDef& SlicStrategy() {
  static const StrategyDef def{
      "slic",
      {{"region_size", 8, 256, 40, true, false,
        "average superpixel size in pixels (at the working size, longest side 512)"},
       {"ruler", 1, 100, 10, false, false,
        "compactness: higher makes squarer superpixels that follow colour edges less"},
       {"iterations", 1, 30, 10, true, false, "SLIC iterations"},
       {"merge", 0, 100, 12, false, false,
        "neighbouring superpixels whose mean colours differ by less than this (CIELAB dE76) "
        "become one region; 0 keeps every superpixel"}},
      &RunSlic,
      512};
  return def;
}

const StrategyDef& SaliencyStrategy() {
  static const StrategyDef def{
      "saliency",
      {{"threshold", 0, 255, 0, false, false,
        "saliency (0..255, after stretching the map) a pixel needs to belong to a region; 0 "
        "picks one automatically (Otsu)"},
       {"blur", 1, 31, 9, true, true, "Gaussian blur of the saliency map, kernel size (odd)"}},
      &RunSaliency,
      1024};
  return def;
}

const StrategyDef& MeanshiftStrategy() {
  static const StrategyDef def{
      "meanshift",
      {{"spatial_radius", 1, 100, 10, false, false,
        "spatial window radius of the mean-shift filter, pixels (at the working size, longest "
        "side 512); beyond 16 the filter runs on a proportionally smaller copy"},
       {"color_radius", 1, 100, 30, false, false,
        "colour window radius: colours closer than this are averaged together (larger, fewer "
        "regions)"},
       {"max_level", 0, 4, 1, true, false,
        "pyramid levels of the filter (faster on large areas; 0 = none)"}},
      &RunMeanshift,
      512};
  return def;
}

}  // namespace pm::engine::internal
