#include "engine/kmeans.h"

#include <algorithm>
#include <limits>

namespace pm::engine::internal {
namespace {

// SplitMix64: tiny, well-distributed, and fully specified, so results never depend on a
// standard library's distribution implementation.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)

 private:
  uint64_t state_;
};

float Dist2(const Point3& a, const Point3& b) {
  const float d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
  return d0 * d0 + d1 * d1 + d2 * d2;
}

// k-means++ (Arthur & Vassilvitskii 2007): each next centre drawn with probability
// proportional to the squared distance to the nearest centre chosen so far.
std::vector<Point3> SeedPlusPlus(const std::vector<Point3>& pts, int k, SplitMix64& rng) {
  std::vector<Point3> centers;
  centers.push_back(pts[rng.Next() % pts.size()]);
  std::vector<float> d2(pts.size());
  for (size_t i = 0; i < pts.size(); ++i) d2[i] = Dist2(pts[i], centers[0]);
  while (static_cast<int>(centers.size()) < k) {
    double total = 0;
    for (float d : d2) total += d;
    if (total <= 0) break;  // every point coincides with a centre: fewer distinct colours than k
    double target = rng.Uniform() * total;
    size_t pick = pts.size() - 1;
    for (size_t i = 0; i < pts.size(); ++i) {
      target -= d2[i];
      if (target < 0 && d2[i] > 0) {
        pick = i;
        break;
      }
    }
    while (d2[pick] == 0 && pick > 0) --pick;  // rounding at the end: never re-pick a centre
    centers.push_back(pts[pick]);
    for (size_t i = 0; i < pts.size(); ++i) d2[i] = std::min(d2[i], Dist2(pts[i], centers.back()));
  }
  return centers;
}

struct Run {
  std::vector<Cluster> clusters;
  double inertia = 0;
};

Run Lloyd(const std::vector<Point3>& pts, std::vector<Point3> centers, int max_iterations) {
  const size_t k = centers.size();
  std::vector<int> label(pts.size(), -1);
  std::vector<std::array<double, 3>> sum(k);
  std::vector<int64_t> count(k);
  double inertia = 0;
  for (int iter = 0; iter < max_iterations; ++iter) {
    bool changed = false;
    inertia = 0;
    for (size_t i = 0; i < pts.size(); ++i) {
      int best = 0;
      float best_d = std::numeric_limits<float>::max();
      for (size_t c = 0; c < k; ++c) {
        const float d = Dist2(pts[i], centers[c]);
        if (d < best_d) best_d = d, best = static_cast<int>(c);
      }
      inertia += best_d;
      if (label[i] != best) label[i] = best, changed = true;
    }
    if (!changed) break;
    for (size_t c = 0; c < k; ++c) sum[c] = {0, 0, 0}, count[c] = 0;
    for (size_t i = 0; i < pts.size(); ++i) {
      auto& s = sum[static_cast<size_t>(label[i])];
      s[0] += pts[i][0], s[1] += pts[i][1], s[2] += pts[i][2];
      ++count[static_cast<size_t>(label[i])];
    }
    for (size_t c = 0; c < k; ++c) {
      if (count[c] == 0) continue;  // keep an emptied centre where it was
      for (int j = 0; j < 3; ++j) centers[c][j] = static_cast<float>(sum[c][j] / count[c]);
    }
  }
  Run run;
  run.inertia = inertia;
  std::vector<int64_t> final_count(k, 0);
  for (int l : label) ++final_count[static_cast<size_t>(l)];
  for (size_t c = 0; c < k; ++c) {
    if (final_count[c] > 0) run.clusters.push_back(Cluster{centers[c], final_count[c]});
  }
  return run;
}

}  // namespace

std::vector<Cluster> KMeans(const std::vector<Point3>& points, const KMeansOptions& options) {
  if (points.empty() || options.k <= 0) return {};
  SplitMix64 rng(options.seed);
  Run best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int a = 0; a < std::max(1, options.attempts); ++a) {
    Run run = Lloyd(points, SeedPlusPlus(points, options.k, rng), options.max_iterations);
    if (run.inertia < best.inertia) best = std::move(run);
  }
  return best.clusters;
}

}  // namespace pm::engine::internal
