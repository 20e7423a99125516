// Region strategies that segment the image into areas: LAB K-means colour clusters, marker-based
// watershed, GrabCut of a centred object, and a quadtree of uniform cells merged by colour.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/region_strategies.h"

namespace pm::engine::internal {
namespace {

// cv::kmeans and cv::grabCut (through its K-means initialisation) draw from cv::theRNG(), a
// thread-local generator. Seeding it makes the result depend on the image alone; the caller's
// generator state is restored afterwards.
class SeededRng {
 public:
  SeededRng() : saved_(cv::theRNG()) { cv::theRNG() = cv::RNG(kSeed); }
  ~SeededRng() { cv::theRNG() = saved_; }
  SeededRng(const SeededRng&) = delete;
  SeededRng& operator=(const SeededRng&) = delete;

 private:
  static constexpr uint64_t kSeed = 0x5eed'c0105ULL;
  cv::RNG saved_;
};

// True when every pixel has the same colour: nothing to segment.
bool IsFlat(const cv::Mat3b& bgr) {
  cv::Scalar mean, stddev;
  cv::meanStdDev(bgr, mean, stddev);
  return stddev[0] == 0 && stddev[1] == 0 && stddev[2] == 0;
}

cv::Mat Square3() { return cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)); }

// The outer contours of `mask`, shifted by `offset` (masks are often cut to a bounding box).
void AppendOuterContours(const cv::Mat1b& mask, cv::Point offset, Contours& out) {
  for (Contour& c : OuterContours(mask)) {
    for (cv::Point& p : c) p += offset;
    out.push_back(std::move(c));
  }
}

// The outer contours of each label of `labels` in [first, first + count). One pass finds every
// label's bounding box, so a label costs its box rather than the whole image. Labels with fewer
// than `min_pixels` pixels cannot yield a large enough outline: skipped.
Contours LabelOutlines(const cv::Mat1i& labels, int first, int count, double min_pixels) {
  struct Extent {
    int x0 = INT32_MAX, y0 = INT32_MAX, x1 = -1, y1 = -1;
    int64_t pixels = 0;
  };
  std::vector<Extent> extents(static_cast<size_t>(std::max(count, 0)));
  for (int y = 0; y < labels.rows; ++y) {
    const int* row = labels[y];
    for (int x = 0; x < labels.cols; ++x) {
      const int i = row[x] - first;
      if (i < 0 || i >= count) continue;
      Extent& e = extents[static_cast<size_t>(i)];
      e.x0 = std::min(e.x0, x), e.x1 = std::max(e.x1, x);
      e.y0 = std::min(e.y0, y), e.y1 = std::max(e.y1, y);
      ++e.pixels;
    }
  }
  Contours out;
  for (int i = 0; i < count; ++i) {
    const Extent& e = extents[static_cast<size_t>(i)];
    if (e.pixels == 0 || double(e.pixels) < min_pixels) continue;
    const cv::Rect box(e.x0, e.y0, e.x1 - e.x0 + 1, e.y1 - e.y0 + 1);
    const cv::Mat1b mask = labels(box) == first + i;
    AppendOuterContours(mask, box.tl(), out);
  }
  return out;
}

// ---- color ---------------------------------------------------------------------------------

// K-means fits its centres on an evenly spaced sample of about this many pixels: the same
// clusters at a fraction of the cost (K-means++ seeding and each iteration scan every sample).
constexpr int kColorSamples = 20000;

// 8-bit OpenCV LAB -> L 0..100, a and b -128..127: distances follow perceived differences.
cv::Vec3f LabValue(const cv::Vec3b& lab) {
  return cv::Vec3f(lab[0] * (100.f / 255.f), lab[1] - 128.f, lab[2] - 128.f);
}

// One row per sampled pixel (every `stride`-th of every `stride`-th row), 3 float columns.
cv::Mat1f LabSamples(const cv::Mat3b& lab, int stride) {
  cv::Mat1f samples(0, 3);
  for (int y = stride / 2; y < lab.rows; y += stride) {
    for (int x = stride / 2; x < lab.cols; x += stride) {
      const cv::Vec3f v = LabValue(lab(y, x));
      samples.push_back(cv::Mat1f(1, 3, const_cast<float*>(v.val)));
    }
  }
  return samples;
}

// The index of the nearest centre (rows of `centers`) for every pixel.
cv::Mat1i NearestCenter(const cv::Mat3b& lab, const cv::Mat1f& centers) {
  cv::Mat1i labels(lab.size());
  for (int y = 0; y < lab.rows; ++y) {
    for (int x = 0; x < lab.cols; ++x) {
      const cv::Vec3f v = LabValue(lab(y, x));
      int best = 0;
      float best_d = 0;
      for (int c = 0; c < centers.rows; ++c) {
        const float d0 = v[0] - centers(c, 0), d1 = v[1] - centers(c, 1), d2 = v[2] - centers(c, 2);
        const float d = d0 * d0 + d1 * d1 + d2 * d2;
        if (c == 0 || d < best_d) best = c, best_d = d;
      }
      labels(y, x) = best;
    }
  }
  return labels;
}

Result<Contours> Color(const StrategyInput& in) {
  const int k = in.I("k");
  const int total = in.width() * in.height();
  if (total < 4 * k || IsFlat(in.bgr)) return Contours{};  // nothing to cluster
  cv::Mat3b lab = in.bgr;
  if (in.I("blur") > 1) cv::medianBlur(in.bgr, lab, in.I("blur"));
  cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
  const int stride = std::max(1, static_cast<int>(std::sqrt(double(total) / kColorSamples)));
  const cv::Mat1f samples = LabSamples(lab, stride);
  if (samples.rows < k) return Contours{};
  cv::Mat labels;
  cv::Mat1f centers;
  {
    SeededRng seeded;
    cv::kmeans(samples, k, labels,
               cv::TermCriteria(cv::TermCriteria::EPS + cv::TermCriteria::COUNT, 10, 0.5),
               /*attempts=*/1, cv::KMEANS_PP_CENTERS, centers);
  }
  const cv::Mat1i label_map = NearestCenter(lab, centers);
  Contours out;
  for (int i = 0; i < k; ++i) {
    cv::Mat1b mask = label_map == i;
    // Pixels on colour edges flip between clusters; opening drops those slivers.
    cv::morphologyEx(mask, mask, cv::MORPH_OPEN, Square3());
    AppendOuterContours(mask, cv::Point(0, 0), out);
  }
  return out;
}

// ---- watershed -----------------------------------------------------------------------------

// Pixels of `binary` deeper inside their blob than `share` of that blob's own largest distance to
// the background. Per blob rather than image-wide: a small object keeps its seed next to a large
// one, while objects touching each other (one blob, several peaks) still get a seed each.
cv::Mat1b SureForeground(const cv::Mat1b& binary, double share) {
  cv::Mat1f dist;
  cv::distanceTransform(binary, dist, cv::DIST_L2, 3);  // the coarse mask: seeds need no precision
  cv::Mat1i blobs;
  const int count = cv::connectedComponents(binary, blobs, 8, CV_32S);
  std::vector<float> peak(static_cast<size_t>(count), 0.f);
  for (int y = 0; y < dist.rows; ++y) {
    for (int x = 0; x < dist.cols; ++x) {
      float& p = peak[static_cast<size_t>(blobs(y, x))];
      p = std::max(p, dist(y, x));
    }
  }
  cv::Mat1b sure(binary.size(), uchar{0});
  for (int y = 0; y < dist.rows; ++y) {
    for (int x = 0; x < dist.cols; ++x) {
      const int b = blobs(y, x);
      if (b > 0 && dist(y, x) > share * peak[static_cast<size_t>(b)]) sure(y, x) = 255;
    }
  }
  return sure;
}

Result<Contours> Watershed(const StrategyInput& in) {
  const cv::Mat kernel = Square3();
  cv::Mat1b binary;
  cv::GaussianBlur(in.gray, binary, cv::Size(5, 5), 0);
  cv::threshold(binary, binary, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  // Objects are the minority, whichever their polarity.
  if (2 * static_cast<size_t>(cv::countNonZero(binary)) > binary.total()) {
    cv::bitwise_not(binary, binary);
  }
  cv::morphologyEx(binary, binary, cv::MORPH_OPEN, kernel, cv::Point(-1, -1),
                   in.I("open_iterations"));
  if (cv::countNonZero(binary) == 0) return Contours{};
  cv::Mat1b sure_bg;
  cv::dilate(binary, sure_bg, kernel, cv::Point(-1, -1), 3);
  const cv::Mat1b sure_fg = SureForeground(binary, in.P("foreground"));
  // Seeds: label 1 the background, 2.. one per sure-foreground blob, 0 the band to flood.
  cv::Mat1i markers;
  const int seeds = cv::connectedComponents(sure_fg, markers, 8, CV_32S);
  markers += 1;
  markers.setTo(0, sure_bg & ~sure_fg);
  cv::watershed(in.bgr, markers);
  // Watershed lines (-1) separate touching objects; the background (1) is no region.
  return LabelOutlines(markers, 2, seeds - 1, in.min_area);
}

// ---- grabcut -------------------------------------------------------------------------------

// GrabCut fits five-component colour models to each side: fewer samples than this and there is
// nothing to model.
constexpr int kMinGrabcutSamples = 32;

// The image with +-1 of fixed pseudo-random noise per channel. On exactly flat areas that straddle
// the rectangle the colour models degenerate (zero variance) and cv::grabCut's graph cut crawls:
// 30 s instead of 50 ms on a flat 300x200 image. One level of noise is invisible and avoids it.
cv::Mat3b Dithered(const cv::Mat3b& bgr) {
  cv::Mat noise(bgr.size(), CV_16SC3);
  cv::RNG rng(0xd17ae5);
  rng.fill(noise, cv::RNG::UNIFORM, -1, 2);
  cv::Mat wide;
  bgr.convertTo(wide, CV_16SC3);
  cv::Mat3b out;
  cv::Mat(wide + noise).convertTo(out, CV_8UC3);
  return out;
}

Result<Contours> Grabcut(const StrategyInput& in) {
  // At least one pixel of background on each side, whatever the margin.
  const int mx = std::max(1, static_cast<int>(std::lround(in.P("margin") * in.width())));
  const int my = std::max(1, static_cast<int>(std::lround(in.P("margin") * in.height())));
  const cv::Rect rect(mx, my, in.width() - 2 * mx, in.height() - 2 * my);
  if (rect.width < 2 || rect.height < 2 || IsFlat(in.bgr)) return Contours{};
  cv::Mat1b mask(in.bgr.size(), static_cast<uchar>(cv::GC_BGD));
  mask(rect).setTo(cv::GC_PR_FGD);
  mask.setTo(cv::GC_BGD, in.opaque == 0);  // transparent pixels are background for sure
  const int foreground = cv::countNonZero(mask);
  if (foreground < kMinGrabcutSamples ||
      static_cast<int>(mask.total()) - foreground < kMinGrabcutSamples) {
    return Contours{};
  }
  cv::Mat bgd_model, fgd_model;
  {
    SeededRng seeded;
    cv::grabCut(Dithered(in.bgr), mask, rect, bgd_model, fgd_model, in.I("iterations"),
                cv::GC_INIT_WITH_MASK);
  }
  // GC_FGD (1) and GC_PR_FGD (3) both have the low bit set.
  cv::Mat1b fg = (mask & 1) * 255;
  cv::morphologyEx(fg, fg, cv::MORPH_OPEN, Square3());
  return OuterContours(fg);
}

// ---- quadtree ------------------------------------------------------------------------------

struct Cell {
  cv::Rect rect;
  cv::Vec3d mean;
};

struct QuadtreeParams {
  int max_depth;
  double threshold;
  int min_size;
};

// The edges cells can have along one axis of `length` pixels: its recursive halving, as deep
// and as fine as Split may go. At most 2^max_depth + 1 of them.
std::vector<int> Halvings(int length, const QuadtreeParams& p) {
  std::vector<int> edges = {0, length};
  struct Range {
    int begin, end, depth;
  };
  std::vector<Range> todo = {{0, length, 0}};
  while (!todo.empty()) {
    const Range r = todo.back();
    todo.pop_back();
    const int half = (r.end - r.begin) / 2;
    if (r.depth >= p.max_depth || half < p.min_size) continue;
    edges.push_back(r.begin + half);
    todo.push_back({r.begin, r.begin + half, r.depth + 1});
    todo.push_back({r.begin + half, r.end, r.depth + 1});
  }
  std::sort(edges.begin(), edges.end());
  return edges;
}

// Per-cell colour statistics in O(1): integral images, not of the pixels but of the blocks
// between the edges cells can have (Halvings). Exact, and (2^max_depth + 1)^2 entries at most
// instead of 20 bytes a pixel: on a 1024 px image, faulting in fresh memory for full-size
// integral images cost more than the whole rest of the strategy.
class CellStats {
 public:
  CellStats(const cv::Mat3b& bgr, const QuadtreeParams& p) {
    const std::vector<int> xs = Halvings(bgr.cols, p), ys = Halvings(bgr.rows, p);
    x_index_ = EdgeIndex(xs, bgr.cols);
    y_index_ = EdgeIndex(ys, bgr.rows);
    // sums_(j + 1, i + 1): b, g, r and b^2 + g^2 + r^2 summed over blocks [0, i] x [0, j].
    sums_ = cv::Mat_<cv::Vec4d>(static_cast<int>(ys.size()), static_cast<int>(xs.size()),
                                cv::Vec4d::all(0));
    for (size_t j = 0; j + 1 < ys.size(); ++j) {
      std::vector<cv::Vec4d> row(xs.size() - 1, cv::Vec4d::all(0));
      for (int y = ys[j]; y < ys[j + 1]; ++y) AddRow(bgr[y], xs, row);
      const int jj = static_cast<int>(j) + 1;
      cv::Vec4d running = cv::Vec4d::all(0);
      for (size_t i = 0; i < row.size(); ++i) {
        running += row[i];
        const int ii = static_cast<int>(i) + 1;
        sums_(jj, ii) = sums_(jj - 1, ii) + running;
      }
    }
  }

  cv::Vec3d Mean(const cv::Rect& r) const {
    const cv::Vec4d s = Box(r);
    return cv::Vec3d(s[0], s[1], s[2]) / double(r.area());
  }

  // Root mean square over the three channels of the per-channel standard deviation.
  double StdDev(const cv::Rect& r) const {
    const cv::Vec3d mean = Mean(r);
    const double var = Box(r)[3] / double(r.area()) - mean.dot(mean);
    return std::sqrt(std::max(0.0, var) / 3);
  }

 private:
  static std::vector<int> EdgeIndex(const std::vector<int>& edges, int length) {
    std::vector<int> index(static_cast<size_t>(length) + 1, -1);
    for (size_t i = 0; i < edges.size(); ++i) index[static_cast<size_t>(edges[i])] = static_cast<int>(i);
    return index;
  }

  static void AddRow(const cv::Vec3b* px, const std::vector<int>& xs, std::vector<cv::Vec4d>& row) {
    for (size_t i = 0; i + 1 < xs.size(); ++i) {
      int64_t b = 0, g = 0, r = 0, sq = 0;
      for (int x = xs[i]; x < xs[i + 1]; ++x) {
        b += px[x][0], g += px[x][1], r += px[x][2];
        sq += px[x][0] * px[x][0] + px[x][1] * px[x][1] + px[x][2] * px[x][2];
      }
      row[i] += cv::Vec4d(double(b), double(g), double(r), double(sq));
    }
  }

  // `r` has its edges among the block edges (Split only makes such cells).
  cv::Vec4d Box(const cv::Rect& r) const {
    const int x0 = x_index_[static_cast<size_t>(r.x)];
    const int x1 = x_index_[static_cast<size_t>(r.x + r.width)];
    const int y0 = y_index_[static_cast<size_t>(r.y)];
    const int y1 = y_index_[static_cast<size_t>(r.y + r.height)];
    return sums_(y1, x1) - sums_(y0, x1) - sums_(y1, x0) + sums_(y0, x0);
  }

  std::vector<int> x_index_, y_index_;
  cv::Mat_<cv::Vec4d> sums_;
};

// Same units as CellStats::StdDev: a step of d in every channel is d apart.
double ColorDistance(const cv::Vec3d& a, const cv::Vec3d& b) {
  const cv::Vec3d d = a - b;
  return std::sqrt(d.dot(d) / 3);
}

void Split(const CellStats& stats, const cv::Rect& r, int depth, const QuadtreeParams& p,
           std::vector<Cell>& leaves) {
  const int w0 = r.width / 2, h0 = r.height / 2;
  // Cells never get smaller than min_size: a split happens only if both halves are large enough.
  const bool split = depth < p.max_depth && w0 >= p.min_size && h0 >= p.min_size &&
                     stats.StdDev(r) > p.threshold;
  if (!split) {
    leaves.push_back({r, stats.Mean(r)});
    return;
  }
  const int w1 = r.width - w0, h1 = r.height - h0;
  Split(stats, cv::Rect(r.x, r.y, w0, h0), depth + 1, p, leaves);
  Split(stats, cv::Rect(r.x + w0, r.y, w1, h0), depth + 1, p, leaves);
  Split(stats, cv::Rect(r.x, r.y + h0, w0, h1), depth + 1, p, leaves);
  Split(stats, cv::Rect(r.x + w0, r.y + h0, w1, h1), depth + 1, p, leaves);
}

// The leaves tile the image along a few distinct edges per axis (at most 2^max_depth + 1), so
// merging and outlining work on that grid of edges rather than on pixels: their cost no longer
// grows with the image.
struct LeafGrid {
  std::vector<int> xs, ys;  // cell edges, ascending: 0 ... width, 0 ... height
  cv::Mat1i leaf;           // leaf index per grid cell

  explicit LeafGrid(const std::vector<Cell>& leaves) {
    for (const Cell& c : leaves) {
      xs.push_back(c.rect.x), xs.push_back(c.rect.x + c.rect.width);
      ys.push_back(c.rect.y), ys.push_back(c.rect.y + c.rect.height);
    }
    for (std::vector<int>* e : {&xs, &ys}) {
      std::sort(e->begin(), e->end());
      e->erase(std::unique(e->begin(), e->end()), e->end());
    }
    leaf.create(static_cast<int>(ys.size()) - 1, static_cast<int>(xs.size()) - 1);
    for (size_t i = 0; i < leaves.size(); ++i) leaf(Span(leaves[i].rect)).setTo(static_cast<int>(i));
  }

  // The grid cells a pixel rectangle covers.
  cv::Rect Span(const cv::Rect& r) const {
    const int x0 = Index(xs, r.x), y0 = Index(ys, r.y);
    return cv::Rect(x0, y0, Index(xs, r.x + r.width) - x0, Index(ys, r.y + r.height) - y0);
  }

  // Outline point on the grid doubled in both directions (cell i -> sub-cells 2i, 2i+1) -> pixel:
  // the first or the last pixel of the cell. Doubling keeps cells one sub-cell wide on a
  // boundary apart, so the traced outline lands on the exact pixel corners of the region.
  cv::Point ToPixel(cv::Point sub) const { return cv::Point(Edge(xs, sub.x), Edge(ys, sub.y)); }

 private:
  static int Index(const std::vector<int>& e, int v) {
    return static_cast<int>(std::lower_bound(e.begin(), e.end(), v) - e.begin());
  }
  static int Edge(const std::vector<int>& e, int s) {
    const auto cell = static_cast<size_t>(s / 2);
    return s % 2 == 0 ? e[cell] : e[cell + 1] - 1;
  }
};

struct Adjacency {
  double distance;
  int a, b;  // a < b
};

// Pairs of leaves that share an edge, each once, closest colours first.
std::vector<Adjacency> Neighbours(const cv::Mat1i& map, const std::vector<Cell>& leaves) {
  // `map` is LeafGrid::leaf: neighbouring grid cells are neighbouring pixels of the leaves.
  std::vector<std::pair<int, int>> pairs;
  auto add = [&](int a, int b) {
    if (a != b) pairs.emplace_back(std::min(a, b), std::max(a, b));
  };
  for (int y = 0; y < map.rows; ++y) {
    for (int x = 0; x < map.cols; ++x) {
      if (x + 1 < map.cols) add(map(y, x), map(y, x + 1));
      if (y + 1 < map.rows) add(map(y, x), map(y + 1, x));
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<Adjacency> out;
  out.reserve(pairs.size());
  for (const auto& [a, b] : pairs) {
    const auto ua = static_cast<size_t>(a), ub = static_cast<size_t>(b);
    out.push_back({ColorDistance(leaves[ua].mean, leaves[ub].mean), a, b});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Adjacency& x, const Adjacency& y) { return x.distance < y.distance; });
  return out;
}

// Union-find over leaves that tracks each group's pixel count and colour sum.
class Groups {
 public:
  explicit Groups(const std::vector<Cell>& leaves) : parent_(leaves.size()) {
    std::iota(parent_.begin(), parent_.end(), 0);
    for (const Cell& c : leaves) {
      pixels_.push_back(double(c.rect.area()));
      color_sum_.push_back(c.mean * double(c.rect.area()));
    }
  }
  int Find(int i) {
    while (parent_[Idx(i)] != i) i = parent_[Idx(i)] = parent_[Idx(parent_[Idx(i)])];
    return i;
  }
  cv::Vec3d Mean(int root) const { return color_sum_[Idx(root)] / pixels_[Idx(root)]; }
  double Pixels(int root) const { return pixels_[Idx(root)]; }
  void Join(int a, int b) {
    if (a > b) std::swap(a, b);  // the lower index stays root: deterministic labels
    parent_[Idx(b)] = a;
    pixels_[Idx(a)] += pixels_[Idx(b)];
    color_sum_[Idx(a)] += color_sum_[Idx(b)];
  }

 private:
  static size_t Idx(int i) { return static_cast<size_t>(i); }
  std::vector<int> parent_;
  std::vector<double> pixels_;
  std::vector<cv::Vec3d> color_sum_;
};

Result<Contours> Quadtree(const StrategyInput& in) {
  const QuadtreeParams p{in.I("max_depth"), in.P("threshold"), in.I("min_size")};
  const CellStats stats(in.bgr, p);
  std::vector<Cell> leaves;
  Split(stats, cv::Rect(0, 0, in.width(), in.height()), 0, p, leaves);
  if (leaves.size() < 2) return Contours{};
  const LeafGrid grid(leaves);
  // Merge neighbours closest first, comparing the groups' current mean colours (not the two
  // leaves') so that a slow gradient cannot chain the whole image into one region.
  Groups groups(leaves);
  for (const Adjacency& adj : Neighbours(grid.leaf, leaves)) {
    const int ra = groups.Find(adj.a), rb = groups.Find(adj.b);
    if (ra != rb && ColorDistance(groups.Mean(ra), groups.Mean(rb)) <= p.threshold) {
      groups.Join(ra, rb);
    }
  }
  // Each group large enough to be kept, drawn on the doubled grid; the others stay -1.
  cv::Mat1i doubled(grid.leaf.rows * 2, grid.leaf.cols * 2, -1);
  for (size_t i = 0; i < leaves.size(); ++i) {
    const int root = groups.Find(static_cast<int>(i));
    if (groups.Pixels(root) < in.min_area) continue;
    const cv::Rect span = grid.Span(leaves[i].rect);
    doubled(cv::Rect(span.x * 2, span.y * 2, span.width * 2, span.height * 2)).setTo(root);
  }
  Contours out = LabelOutlines(doubled, 0, static_cast<int>(leaves.size()), 0);
  for (Contour& c : out) {
    for (cv::Point& pt : c) pt = grid.ToPixel(pt);
  }
  return out;
}

}  // namespace

const StrategyDef& ColorStrategy() {
  static const StrategyDef def{
      "color",
      {{"k", 2, 12, 4, true, false, "number of colour clusters (LAB K-means)"},
       {"blur", 1, 31, 5, true, true, "median blur kernel before clustering (odd; 1 = none)"}},
      &Color, 512};
  return def;
}

const StrategyDef& WatershedStrategy() {
  static const StrategyDef def{
      "watershed",
      {{"foreground", 0.05, 0.95, 0.5, false, false,
        "sure-foreground threshold, share of each blob's largest distance to the background; higher "
        "splits touching objects more"},
       {"open_iterations", 0, 10, 2, true, false, "morphological opening iterations (noise removal)"}},
      // cv::watershed and the distance transform are most of the cost: at 1024 px about 80 ms
      // of CPU here, at 768 px 25-40 ms.
      &Watershed, 768};
  return def;
}

const StrategyDef& GrabcutStrategy() {
  static const StrategyDef def{
      "grabcut",
      {{"iterations", 1, 10, 3, true, false, "GrabCut iterations"},
       {"margin", 0, 0.45, 0.1, false, false,
        "share of each side assumed background (at least one pixel); the object lies inside"}},
      // cv::grabCut's graph cut is the cost: at 512 px three iterations take 1-2 s here, at
      // 320 px a third of that.
      &Grabcut, 320};
  return def;
}

const StrategyDef& QuadtreeStrategy() {
  static const StrategyDef def{
      "quadtree",
      {{"max_depth", 1, 10, 6, true, false, "deepest split"},
       {"threshold", 0, 128, 20, false, false,
        "split a cell while its colour standard deviation exceeds this; merge neighbouring "
        "cells whose mean colours are within it"},
       {"min_size", 4, 512, 16, true, false, "smallest cell side in pixels"}},
      &Quadtree, 1024};
  return def;
}

}  // namespace pm::engine::internal
