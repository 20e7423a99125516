// Internal to pm_engine: a small deterministic K-means (k-means++ seeding with a fixed-seed
// PRNG, Lloyd iterations). Not cv::kmeans: its default RNG is cv::theRNG(), thread-local state
// whose value depends on what else ran on the thread, and we want the same palette for the same
// pixels on any thread, in any run.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace pm::engine::internal {

using Point3 = std::array<float, 3>;

// A point standing for `weight` identical (or binned) samples.
struct WeightedPoint {
  Point3 p;
  int64_t weight = 1;
};

struct Cluster {
  Point3 center;
  int64_t count = 0;  // total weight assigned to it
};

struct KMeansOptions {
  int k = 7;
  int attempts = 3;        // best (lowest within-cluster sum of squares) of this many seedings
  int max_iterations = 50;
  float tolerance = 0.25f;  // stop when no centre moves further than this (0..255 units)
  uint64_t seed = 0x9E3779B97F4A7C15ull;
};

// Clusters `points`; returns at most k non-empty clusters (fewer when there are fewer distinct
// points). Pure function of its inputs; thread-safe.
std::vector<Cluster> KMeans(const std::vector<WeightedPoint>& points, const KMeansOptions& options);

}  // namespace pm::engine::internal
