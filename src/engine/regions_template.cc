// Region strategy `template_match`: the user boxes one object and we find the areas that look
// like it. Looks are compared on gradient magnitude (edges), not on grey levels, so a match
// does not care about brightness; normalised correlation (TM_CCOEFF_NORMED) also removes gain,
// which makes the result the same on a brighter or darker copy of the image.
#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "engine/region_strategies.h"

namespace pm::engine::internal {
namespace {

// Most correlation peaks we consider (best first) before non-maximum suppression: enough for a
// tray of coins, and it keeps the quadratic suppression cheap.
constexpr size_t kMaxCandidates = 1000;
// Edge maps are blurred by this share of the template's shorter side (sigma): on coins.png
// 1/8 finds most of the coins from any one of them, 1/20 only the near-identical ones.
constexpr double kBlurShare = 1.0 / 8;
// Templates are matched at a scale where their shorter side is at most this many pixels (the
// edges are then blurred by sigma 4): fast on any box, and on coins.png it finds as many coins
// as matching at full size, or a couple more.
constexpr double kMatchSide = 32;
// A template thinner than this has no edges worth correlating.
constexpr int kMinTemplateSide = 3;
// A template with less gradient variation than this (per pixel, on 0..255 grey levels) is flat:
// it would "match" everything and nothing.
constexpr double kMinTemplateStdDev = 1.0;

cv::Mat1f GradientMagnitude(const cv::Mat1b& gray, double sigma) {
  cv::Mat1b smooth;
  cv::GaussianBlur(gray, smooth, cv::Size(5, 5), 0);
  cv::Mat1f dx, dy, magnitude;
  cv::Sobel(smooth, dx, CV_32F, 1, 0, 3);
  cv::Sobel(smooth, dy, CV_32F, 0, 1, 3);
  cv::magnitude(dx, dy, magnitude);
  // Similar objects never line up edge for edge (another portrait on a coin, a slightly larger
  // rim); blurring the edges in proportion to the template lets them correlate anyway.
  cv::GaussianBlur(magnitude, magnitude, cv::Size(), sigma);
  return magnitude;
}

struct Peak {
  float score;
  cv::Point at;  // top-left of the matching box
};

// Local maxima of the correlation at or above `threshold`, best first (ties by position so the
// order is deterministic), at most kMaxCandidates.
std::vector<Peak> FindPeaks(const cv::Mat1f& scores, double threshold, cv::Size templ) {
  // Peaks closer than a quarter of the template are the same match.
  const int w = std::max(3, (std::min(templ.width, templ.height) / 4) | 1);
  cv::Mat1f dilated;
  cv::dilate(scores, dilated, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(w, w)));
  std::vector<Peak> peaks;
  for (int y = 0; y < scores.rows; ++y) {
    for (int x = 0; x < scores.cols; ++x) {
      const float s = scores(y, x);
      if (s >= threshold && s >= dilated(y, x)) peaks.push_back({s, {x, y}});
    }
  }
  std::sort(peaks.begin(), peaks.end(), [](const Peak& a, const Peak& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.at.y != b.at.y) return a.at.y < b.at.y;
    return a.at.x < b.at.x;
  });
  if (peaks.size() > kMaxCandidates) peaks.resize(kMaxCandidates);
  return peaks;
}

double IntersectionOverUnion(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter / (a.area() + b.area() - inter);
}

Contour RectContour(const cv::Rect& r) {
  // Contour points are pixel centres: the last row and column inside the box.
  const int x1 = r.x + r.width - 1, y1 = r.y + r.height - 1;
  return {{r.x, r.y}, {x1, r.y}, {x1, y1}, {r.x, y1}};
}

// Top-left corners of the areas correlating with `templ_box` of `gray` at >= threshold, best
// first.
std::vector<Peak> MatchPeaks(const cv::Mat1b& gray, const cv::Rect& templ_box, double threshold) {
  const double sigma = std::max(1.0, std::min(templ_box.width, templ_box.height) * kBlurShare);
  const cv::Mat1f magnitude = GradientMagnitude(gray, sigma);
  const cv::Mat1f templ = magnitude(templ_box);
  cv::Scalar mean, stddev;
  cv::meanStdDev(templ, mean, stddev);
  if (stddev[0] < kMinTemplateStdDev) return {};
  cv::Mat1f scores;
  cv::matchTemplate(magnitude, templ, scores, cv::TM_CCOEFF_NORMED);
  return FindPeaks(scores, threshold, templ_box.size());
}

Result<Contours> RunTemplateMatch(const StrategyInput& in) {
  const cv::Rect whole(0, 0, in.width(), in.height());
  const cv::Rect user = in.template_box & whole;
  if (user.width < kMinTemplateSide || user.height < kMinTemplateSide) return Contours{};
  // The blurred edge maps hold no detail finer than the template's shorter side / 8, so a large
  // template is matched on a smaller copy: the same matches in a fraction of the time.
  const double f = std::min(1.0, kMatchSide / std::min(user.width, user.height));
  cv::Mat1b gray = in.gray;
  cv::Rect templ_box = user;
  if (f < 1) {
    cv::resize(in.gray, gray, cv::Size(), f, f, cv::INTER_AREA);
    const cv::Point tl(static_cast<int>(std::lround(user.x * f)), static_cast<int>(std::lround(user.y * f)));
    const cv::Size size(std::max(kMinTemplateSide, static_cast<int>(std::lround(user.width * f))),
                        std::max(kMinTemplateSide, static_cast<int>(std::lround(user.height * f))));
    templ_box = cv::Rect(tl, size) & cv::Rect(0, 0, gray.cols, gray.rows);
  }
  std::vector<cv::Rect> accepted = {user};  // the user's own box is always a match
  if (templ_box.width < gray.cols || templ_box.height < gray.rows) {
    const double max_overlap = in.P("overlap");
    for (const Peak& peak : MatchPeaks(gray, templ_box, in.P("threshold"))) {
      const cv::Point at(static_cast<int>(std::lround(peak.at.x / f)),
                         static_cast<int>(std::lround(peak.at.y / f)));
      const cv::Rect box = cv::Rect(at, user.size()) & whole;
      const bool overlaps = std::any_of(accepted.begin(), accepted.end(), [&](const cv::Rect& a) {
        return IntersectionOverUnion(a, box) > max_overlap;
      });
      if (!overlaps && !box.empty()) accepted.push_back(box);
    }
  }
  Contours out;
  for (const cv::Rect& r : accepted) out.push_back(RectContour(r));
  return out;
}

}  // namespace

const StrategyDef& TemplateMatchStrategy() {
  static const StrategyDef def{
      "template_match",
      {{"threshold", 0, 1, 0.6, false, false,
        "least normalised correlation of edge strength (-1..1, 1 = identical edges) for an area "
        "to count as a match; lower finds more, and more false matches"},
       {"overlap", 0, 1, 0.3, false, false,
        "largest overlap (intersection over union) allowed between two matches; 0 forbids any "
        "overlap"}},
      &RunTemplateMatch,
      1024};
  return def;
}

}  // namespace pm::engine::internal
