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
// proportional to weight x squared distance to the nearest centre chosen so far.
std::vector<Point3> SeedPlusPlus(const std::vector<WeightedPoint>& pts, int k, SplitMix64& rng) {
  double total_weight = 0;
  for (const auto& p : pts) total_weight += double(p.weight);
  auto draw = [&](const std::vector<double>& mass, double total) {
    double target = rng.Uniform() * total;
    for (size_t i = 0; i < pts.size(); ++i) {
      target -= mass[i];
      if (target < 0 && mass[i] > 0) return i;
    }
    size_t last = pts.size() - 1;  // rounding at the end: the last point with any mass
    while (last > 0 && mass[last] <= 0) --last;
    return last;
  };
  std::vector<double> mass(pts.size());
  for (size_t i = 0; i < pts.size(); ++i) mass[i] = double(pts[i].weight);
  std::vector<Point3> centers{pts[draw(mass, total_weight)].p};
  std::vector<float> d2(pts.size());
  for (size_t i = 0; i < pts.size(); ++i) d2[i] = Dist2(pts[i].p, centers[0]);
  while (static_cast<int>(centers.size()) < k) {
    double total = 0;
    for (size_t i = 0; i < pts.size(); ++i) total += mass[i] = double(d2[i]) * pts[i].weight;
    if (total <= 0) break;  // every point coincides with a centre: fewer distinct colours than k
    centers.push_back(pts[draw(mass, total)].p);
    for (size_t i = 0; i < pts.size(); ++i) {
      d2[i] = std::min(d2[i], Dist2(pts[i].p, centers.back()));
    }
  }
  return centers;
}

struct Run {
  std::vector<Cluster> clusters;
  double inertia = 0;
};

Run Lloyd(const std::vector<WeightedPoint>& pts, std::vector<Point3> centers,
          const KMeansOptions& options) {
  const size_t k = centers.size();
  std::vector<std::array<double, 3>> sum(k);
  std::vector<int64_t> count(k);
  double inertia = 0;
  const float tol2 = options.tolerance * options.tolerance;
  for (int iter = 0; iter < options.max_iterations; ++iter) {
    inertia = 0;
    for (size_t c = 0; c < k; ++c) sum[c] = {0, 0, 0}, count[c] = 0;
    for (size_t i = 0; i < pts.size(); ++i) {
      size_t best = 0;
      float best_d = std::numeric_limits<float>::max();
      for (size_t c = 0; c < k; ++c) {
        const float d = Dist2(pts[i].p, centers[c]);
        if (d < best_d) best_d = d, best = c;
      }
      const double w = double(pts[i].weight);
      inertia += best_d * w;
      sum[best][0] += pts[i].p[0] * w, sum[best][1] += pts[i].p[1] * w;
      sum[best][2] += pts[i].p[2] * w;
      count[best] += pts[i].weight;
    }
    float moved = 0;
    for (size_t c = 0; c < k; ++c) {
      if (count[c] == 0) continue;  // keep an emptied centre where it was
      Point3 next;
      for (int j = 0; j < 3; ++j) next[j] = static_cast<float>(sum[c][j] / double(count[c]));
      moved = std::max(moved, Dist2(next, centers[c]));
      centers[c] = next;
    }
    if (moved <= tol2) break;
  }
  Run run;
  run.inertia = inertia;
  for (size_t c = 0; c < k; ++c) {
    if (count[c] > 0) run.clusters.push_back(Cluster{centers[c], count[c]});
  }
  return run;
}

}  // namespace

std::vector<Cluster> KMeans(const std::vector<WeightedPoint>& points, const KMeansOptions& options) {
  if (points.empty() || options.k <= 0) return {};
  SplitMix64 rng(options.seed);
  Run best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int a = 0; a < std::max(1, options.attempts); ++a) {
    Run run = Lloyd(points, SeedPlusPlus(points, options.k, rng), options);
    if (run.inertia < best.inertia) best = std::move(run);
  }
  return best.clusters;
}

}  // namespace pm::engine::internal
