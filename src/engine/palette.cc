// ExtractPalette: band/alpha/mask filter -> deterministic bounded sample -> K-means ->
// drop out-of-band centroids -> sort by luminance -> CIEDE2000 merge -> cap.
#include "engine/palette.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <new>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/color.h"
#include "engine/kmeans.h"

namespace pm::engine {
namespace {

constexpr int kDefaultClusters = 7;
constexpr int kDefaultColours = 5;
constexpr double kMergeDeltaE = 5.0;
constexpr int kMinAlpha = 128;  // alpha <= this is "mostly transparent"

// Luminance x 10000 in integers, so the band test is exact and identical for pixels and
// centroids (0.2126R + 0.7152G + 0.0722B on 0..255).
int64_t Lum4(int r, int g, int b) { return 2126LL * r + 7152LL * g + 722LL * b; }

struct Band {
  int64_t lo, hi;
  bool Contains(int r, int g, int b) const {
    const int64_t l = Lum4(r, g, b);
    return l >= lo && l <= hi;
  }
};

// Rasterises the polygons (original-image coordinates) onto a mask at the image's scale.
cv::Mat1b BuildMask(const Image& image, const std::vector<Polygon>& polygons) {
  cv::Mat1b mask(image.height, image.width, uchar{0});
  const double sx = image.source_width > 0 ? double(image.width) / image.source_width : 1.0;
  const double sy = image.source_height > 0 ? double(image.height) / image.source_height : 1.0;
  constexpr int kShift = 4;  // sub-pixel precision of the scaled vertices
  std::vector<std::vector<cv::Point>> polys;
  for (const Polygon& poly : polygons) {
    if (poly.size() < 3) continue;
    std::vector<cv::Point> pts;
    pts.reserve(poly.size());
    for (const auto& [x, y] : poly) {
      pts.emplace_back(static_cast<int>(std::lround(x * sx * (1 << kShift))),
                       static_cast<int>(std::lround(y * sy * (1 << kShift))));
    }
    polys.push_back(std::move(pts));
  }
  if (!polys.empty()) cv::fillPoly(mask, polys, cv::Scalar(255), cv::LINE_8, kShift);
  return mask;
}

struct Candidate {
  Rgb color;
  Lab lab;
  int64_t lum4;
  double coverage;
};

}  // namespace

std::string ToHex(Rgb c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

std::optional<Rgb> ParseHex(const std::string& s) {
  size_t at = !s.empty() && s[0] == '#' ? 1 : 0;
  if (s.size() != at + 6) return std::nullopt;
  auto nibble = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
  };
  uint8_t v[3];
  for (int i = 0; i < 3; ++i) {
    const int hi = nibble(s[at + 2 * i]), lo = nibble(s[at + 2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    v[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return Rgb{v[0], v[1], v[2]};
}

Result<Palette> ExtractPalette(const Image& image, const PaletteParams& params) {
  if (params.k && (*params.k < 2 || *params.k > 20)) {
    return MakeError(ErrorCode::kInvalidArgument, "k must be between 2 and 20 inclusive");
  }
  if (params.luminance_min > params.luminance_max) {
    return MakeError(ErrorCode::kInvalidArgument, "luminance_min is greater than luminance_max");
  }
  if (params.sample_pixels < 1) {
    return MakeError(ErrorCode::kInvalidArgument, "sample_pixels must be positive");
  }
  if (image.width < 0 || image.height < 0 ||
      image.rgba.size() != size_t(image.width) * size_t(image.height) * 4) {
    return MakeError(ErrorCode::kInvalidArgument, "image buffer does not match its size");
  }
  const int clusters = params.k.value_or(kDefaultClusters);
  const size_t max_colours = static_cast<size_t>(params.k.value_or(kDefaultColours));
  const Band band{int64_t{params.luminance_min} * 10000, int64_t{params.luminance_max} * 10000};

  try {
    cv::Mat1b mask;
    if (!params.mask.empty()) mask = BuildMask(image, params.mask);
    const size_t n = size_t(image.width) * image.height;
    const uint8_t* px = image.rgba.data();
    auto eligible = [&](size_t i) {
      const uint8_t* p = px + i * 4;
      if (p[3] <= kMinAlpha || !band.Contains(p[0], p[1], p[2])) return false;
      return mask.empty() || mask.data[i] != 0;  // continuous: we allocated it
    };

    // Two passes so a huge image never needs a copy of its eligible pixels: count, then take
    // `target` of them spread evenly over the image (deterministic, no RNG).
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) count += eligible(i) ? 1 : 0;
    if (count == 0) return Palette{};
    const size_t target = std::min(count, static_cast<size_t>(params.sample_pixels));
    // The sample is gathered into 32768 colour bins (5 bits per channel) that keep the exact sum
    // of their members: K-means then runs on a few thousand weighted points (each the exact mean
    // of its bin) instead of tens of thousands of pixels. Pixels sharing a bin always share a
    // cluster; the bins are 8 levels wide, far below the dE 5 merge threshold.
    struct Bin {
      int64_t r = 0, g = 0, b = 0, n = 0;
    };
    std::vector<Bin> bins(32768);
    size_t taken = 0, e = 0;
    for (size_t i = 0; i < n && taken < target; ++i) {
      if (!eligible(i)) continue;
      // Take eligible pixel e when floor(e * target / count) steps up: exactly `target` picks,
      // spread evenly over the image.
      if ((e * target) % count < target) {
        const uint8_t* p = px + i * 4;
        Bin& bin = bins[(size_t(p[0] >> 3) << 10) | (size_t(p[1] >> 3) << 5) | (p[2] >> 3)];
        bin.r += p[0], bin.g += p[1], bin.b += p[2], ++bin.n;
        ++taken;
      }
      ++e;
    }
    std::vector<internal::WeightedPoint> points;
    for (const Bin& bin : bins) {
      if (bin.n == 0) continue;
      const double n_bin = double(bin.n);
      points.push_back({{float(bin.r / n_bin), float(bin.g / n_bin), float(bin.b / n_bin)}, bin.n});
    }

    internal::KMeansOptions options;
    options.k = clusters;
    const std::vector<internal::Cluster> found = internal::KMeans(points, options);

    std::vector<Candidate> candidates;
    for (const internal::Cluster& c : found) {
      auto channel = [](float v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); };
      const Rgb rgb{channel(c.center[0]), channel(c.center[1]), channel(c.center[2])};
      if (!band.Contains(rgb.r, rgb.g, rgb.b)) continue;
      candidates.push_back(Candidate{rgb, SrgbToLab(rgb.r, rgb.g, rgb.b), Lum4(rgb.r, rgb.g, rgb.b),
                                     double(c.count) / double(taken)});
    }
    auto darker = [](const Candidate& a, const Candidate& b) {
      if (a.lum4 != b.lum4) return a.lum4 < b.lum4;
      return std::tie(a.color.r, a.color.g, a.color.b) < std::tie(b.color.r, b.color.g, b.color.b);
    };
    std::sort(candidates.begin(), candidates.end(), darker);

    // Walk darkest to lightest; a centroid within dE < 5 of a kept one is merged into the nearest
    // kept one (its coverage moves there).
    std::vector<Candidate> kept;
    for (const Candidate& c : candidates) {
      Candidate* nearest = nullptr;
      double nearest_de = kMergeDeltaE;
      for (Candidate& k : kept) {
        const double de = Ciede2000(k.lab, c.lab);
        if (de < nearest_de) nearest_de = de, nearest = &k;
      }
      if (nearest != nullptr) {
        nearest->coverage += c.coverage;
      } else {
        kept.push_back(c);
      }
    }
    // Over the cap (only possible with the default 7 clusters -> 5 colours): keep the colours
    // covering the most pixels, then restore darkest-to-lightest order.
    if (kept.size() > max_colours) {
      std::stable_sort(kept.begin(), kept.end(),
                       [](const Candidate& a, const Candidate& b) { return a.coverage > b.coverage; });
      kept.resize(max_colours);
      std::sort(kept.begin(), kept.end(), darker);
    }
    Palette palette;
    for (const Candidate& c : kept) palette.swatches.push_back(Swatch{c.color, c.coverage});
    return palette;
  } catch (const cv::Exception& e) {
    return MakeError(ErrorCode::kInternal, std::string("palette mask failed: ") + e.what());
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kUnavailable, "out of memory while extracting the palette");
  }
}

}  // namespace pm::engine
