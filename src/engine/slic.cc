// SLIC superpixels, written from the paper (see slic.h for why not opencv-contrib's).
#include "engine/slic.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

namespace pm::engine::internal {
namespace {

struct Centre {
  float l, a, b, x, y;
};

// Colour and pixel totals of a set of pixels.
struct Sums {
  double l = 0, a = 0, b = 0, x = 0, y = 0;
  int64_t pixels = 0;
  void Add(float pl, float pa, float pb, int px, int py) {
    l += pl, a += pa, b += pb, x += px, y += py;
    ++pixels;
  }
  void Add(const Sums& o) {
    l += o.l, a += o.a, b += o.b, x += o.x, y += o.y;
    pixels += o.pixels;
  }
  // Squared distance between the mean colours.
  double ColourDistance2(const Sums& o) const {
    const double n = static_cast<double>(pixels), m = static_cast<double>(o.pixels);
    const double dl = l / n - o.l / m, da = a / n - o.a / m, db = b / n - o.b / m;
    return dl * dl + da * da + db * db;
  }
};

float Sq(float v) {
  return v * v;
}

// The image as three planes (L, a, b), w * h floats each, so the assignment loop reads
// contiguous floats and vectorises.
struct Planes {
  int w = 0, h = 0;
  std::vector<float> l, a, b;
  explicit Planes(const cv::Mat3f& lab) : w(lab.cols), h(lab.rows) {
    const size_t n = static_cast<size_t>(w) * static_cast<size_t>(h);
    l.resize(n), a.resize(n), b.resize(n);
    for (int y = 0; y < h; ++y) {
      const float* p = lab.ptr<float>(y);
      const size_t row = static_cast<size_t>(y) * static_cast<size_t>(w);
      for (int x = 0; x < w; ++x, p += 3) {
        l[row + size_t(x)] = p[0], a[row + size_t(x)] = p[1], b[row + size_t(x)] = p[2];
      }
    }
  }
  size_t At(int x, int y) const { return static_cast<size_t>(y) * static_cast<size_t>(w) + size_t(x); }
  float Distance2(size_t i, size_t j) const { return Sq(l[i] - l[j]) + Sq(a[i] - a[j]) + Sq(b[i] - b[j]); }
  // Squared colour gradient at (x, y) by central differences, the border pixel repeated.
  float Gradient(int x, int y) const {
    return Distance2(At(std::max(x - 1, 0), y), At(std::min(x + 1, w - 1), y)) +
           Distance2(At(x, std::max(y - 1, 0)), At(x, std::min(y + 1, h - 1)));
  }
};

// One centre in the middle of each cell of an nx x ny grid, moved to the lowest gradient of
// its 3x3 neighbourhood (the first in raster order on ties, the middle one first of all).
// `labels` gets each pixel's grid cell: the partition a pixel keeps until a window reaches it.
std::vector<Centre> Seed(const Planes& lab, int nx, int ny, std::vector<int>& labels) {
  const int w = lab.w, h = lab.h;
  std::vector<Centre> centres;
  centres.reserve(static_cast<size_t>(nx) * static_cast<size_t>(ny));
  for (int j = 0; j < ny; ++j) {
    const int gy = static_cast<int>((2 * int64_t{j} + 1) * h / (2 * int64_t{ny}));
    for (int i = 0; i < nx; ++i) {
      const int gx = static_cast<int>((2 * int64_t{i} + 1) * w / (2 * int64_t{nx}));
      int bx = gx, by = gy;
      float best = lab.Gradient(gx, gy);
      for (int y = std::max(gy - 1, 0); y <= std::min(gy + 1, h - 1); ++y) {
        for (int x = std::max(gx - 1, 0); x <= std::min(gx + 1, w - 1); ++x) {
          const float g = lab.Gradient(x, y);
          if (g < best) best = g, bx = x, by = y;
        }
      }
      const size_t p = lab.At(bx, by);
      centres.push_back({lab.l[p], lab.a[p], lab.b[p], static_cast<float>(bx), static_cast<float>(by)});
    }
  }
  std::vector<int> column(static_cast<size_t>(w));
  for (int x = 0; x < w; ++x) column[size_t(x)] = static_cast<int>(int64_t{x} * nx / w);
  for (int y = 0; y < h; ++y) {
    const int base = static_cast<int>(int64_t{y} * ny / h) * nx;
    int* row = labels.data() + lab.At(0, y);
    for (int x = 0; x < w; ++x) row[x] = base + column[size_t(x)];
  }
  return centres;
}

// Assigns each pixel within `reach` of a centre (x and y) to the nearest by the SLIC distance
// (squared; `spatial` = (m/S)^2), then moves each centre to its pixels' mean.
void Iterate(const Planes& lab, const std::vector<float>& xs, int reach, float spatial,
             std::vector<Centre>& centres, std::vector<int>& labels, std::vector<float>& distance,
             std::vector<Sums>& sums) {
  const int w = lab.w, h = lab.h;
  std::fill(distance.begin(), distance.end(), std::numeric_limits<float>::max());
  for (size_t k = 0; k < centres.size(); ++k) {
    const Centre c = centres[k];
    const int cx = static_cast<int>(std::lround(c.x)), cy = static_cast<int>(std::lround(c.y));
    const int x0 = std::max(cx - reach, 0), x1 = std::min(cx + reach, w - 1);
    const int y0 = std::max(cy - reach, 0), y1 = std::min(cy + reach, h - 1);
    const int label = static_cast<int>(k);
    for (int y = y0; y <= y1; ++y) {
      const float dy = Sq(static_cast<float>(y) - c.y) * spatial;
      const size_t row = lab.At(0, y);
      const float* __restrict pl = lab.l.data() + row;
      const float* __restrict pa = lab.a.data() + row;
      const float* __restrict pb = lab.b.data() + row;
      float* __restrict d = distance.data() + row;
      int* __restrict l = labels.data() + row;
      // Branch-free so that it vectorises; the nearer centre wins, the earlier on ties.
      for (int x = x0; x <= x1; ++x) {
        const float e =
            Sq(pl[x] - c.l) + Sq(pa[x] - c.a) + Sq(pb[x] - c.b) + Sq(xs[size_t(x)] - c.x) * spatial + dy;
        const int nearer = -static_cast<int>(e < d[x]);  // all ones or zero
        l[x] = (label & nearer) | (l[x] & ~nearer);
        d[x] = std::min(d[x], e);
      }
    }
  }
  std::fill(sums.begin(), sums.end(), Sums{});
  for (int y = 0; y < h; ++y) {
    const size_t row = lab.At(0, y);
    for (int x = 0; x < w; ++x) {
      const size_t i = row + size_t(x);
      sums[static_cast<size_t>(labels[i])].Add(lab.l[i], lab.a[i], lab.b[i], x, y);
    }
  }
  for (size_t k = 0; k < centres.size(); ++k) {
    const Sums& s = sums[k];
    if (s.pixels == 0) continue;  // stays where it was; connectivity drops the label
    const double n = static_cast<double>(s.pixels);
    centres[k] = {static_cast<float>(s.l / n), static_cast<float>(s.a / n), static_cast<float>(s.b / n),
                  static_cast<float>(s.x / n), static_cast<float>(s.y / n)};
  }
}

// Splits `labels` into 4-connected parts: returns the part of each pixel (numbered in raster
// order) and fills `parts` with each one's sums.
cv::Mat1i ConnectedParts(const Planes& lab, const std::vector<int>& labels, std::vector<Sums>& parts) {
  const int w = lab.w, h = lab.h;
  cv::Mat1i part(h, w, -1);  // freshly allocated: continuous
  int* out = part.ptr<int>(0);
  std::vector<int> stack;
  parts.clear();
  for (int start = 0; start < w * h; ++start) {
    if (out[start] >= 0) continue;
    const int id = static_cast<int>(parts.size());
    const int label = labels[size_t(start)];
    Sums sums;
    out[start] = id;
    stack.push_back(start);
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      const int x = i % w, y = i / w;
      sums.Add(lab.l[size_t(i)], lab.a[size_t(i)], lab.b[size_t(i)], x, y);
      const auto visit = [&](int j) {
        if (out[j] < 0 && labels[size_t(j)] == label) out[j] = id, stack.push_back(j);
      };
      if (x > 0) visit(i - 1);
      if (x + 1 < w) visit(i + 1);
      if (y > 0) visit(i - w);
      if (y + 1 < h) visit(i + w);
    }
    parts.push_back(sums);
  }
  return part;
}

int Find(std::vector<int>& parent, int x) {
  while (parent[size_t(x)] != x) {
    int& p = parent[size_t(x)];
    p = parent[size_t(p)];
    x = p;
  }
  return x;
}

// Joins each part smaller than `min_pixels` to the adjacent group of the nearest mean colour,
// smallest parts first; renumbers the groups 0..count-1 in raster order. Returns count.
int JoinSmallParts(cv::Mat1i& part, std::vector<Sums>& parts, int64_t min_pixels) {
  const int w = part.cols, h = part.rows;
  const auto small = [&](int p) { return parts[size_t(p)].pixels < min_pixels; };
  // (small part, neighbour) pairs.
  std::vector<std::pair<int, int>> pairs;
  for (int y = 0; y < h; ++y) {
    const int* row = part.ptr<int>(y);
    const int* below = y + 1 < h ? part.ptr<int>(y + 1) : nullptr;
    for (int x = 0; x < w; ++x) {
      const int a = row[x];
      const auto pair = [&](int b) {
        if (a == b) return;
        if (small(a)) pairs.emplace_back(a, b);
        if (small(b)) pairs.emplace_back(b, a);
      };
      if (x + 1 < w) pair(row[x + 1]);
      if (below != nullptr) pair(below[x]);
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());

  const int n = static_cast<int>(parts.size());
  std::vector<int> order;
  for (int p = 0; p < n; ++p) {
    if (small(p)) order.push_back(p);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int p, int q) { return parts[size_t(p)].pixels < parts[size_t(q)].pixels; });
  std::vector<int> parent(static_cast<size_t>(n));
  std::iota(parent.begin(), parent.end(), 0);
  for (const int p : order) {
    const int root = Find(parent, p);
    if (parts[size_t(root)].pixels >= min_pixels) continue;  // grown by an earlier join
    int best = -1;
    double best_distance = 0;
    auto it = std::lower_bound(pairs.begin(), pairs.end(), std::pair(p, -1));
    for (; it != pairs.end() && it->first == p; ++it) {
      const int other = Find(parent, it->second);
      if (other == root) continue;
      const double d = parts[size_t(root)].ColourDistance2(parts[size_t(other)]);
      if (best < 0 || d < best_distance || (d == best_distance && other < best)) {
        best = other, best_distance = d;
      }
    }
    if (best < 0) continue;  // alone in the image
    const int into = std::min(root, best), from = std::max(root, best);
    parent[size_t(from)] = into;
    parts[size_t(into)].Add(parts[size_t(from)]);
  }

  std::vector<int> number(static_cast<size_t>(n), -1);
  int count = 0;
  int* out = part.ptr<int>(0);
  for (int i = 0; i < w * h; ++i) {
    int& num = number[size_t(Find(parent, out[i]))];
    if (num < 0) num = count++;
    out[i] = num;
  }
  return count;
}

}  // namespace

cv::Mat1i Slic(const cv::Mat3f& lab_in, int region_size, float ruler, int iterations, int* label_count) {
  *label_count = 0;
  if (lab_in.empty()) return {};
  const Planes lab(lab_in);
  const int w = lab.w, h = lab.h;
  const int s = std::max(region_size, 1);
  const int nx = std::max(1, static_cast<int>(std::lround(double(w) / s)));
  const int ny = std::max(1, static_cast<int>(std::lround(double(h) / s)));
  std::vector<int> labels(static_cast<size_t>(w) * static_cast<size_t>(h));
  std::vector<Centre> centres = Seed(lab, nx, ny, labels);
  std::vector<float> distance(labels.size());
  std::vector<Sums> sums(centres.size());
  std::vector<float> xs(static_cast<size_t>(w));
  std::iota(xs.begin(), xs.end(), 0.0f);
  const float spatial = Sq(ruler / static_cast<float>(s));
  for (int i = 0; i < iterations; ++i) {
    Iterate(lab, xs, s, spatial, centres, labels, distance, sums);
  }

  std::vector<Sums> parts;
  cv::Mat1i part = ConnectedParts(lab, labels, parts);
  const int64_t average = int64_t{w} * h / (int64_t{nx} * ny);
  *label_count = JoinSmallParts(part, parts, std::max<int64_t>(average / 4, 1));
  return part;
}

}  // namespace pm::engine::internal
