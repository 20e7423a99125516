// Region detection: request validation, the strategy table, the `default` cascade, and the
// post-processing every strategy shares (filter, sort, cap, simplify, make simple, map back).
// Region colours. The strategies themselves live in regions_*.cc.
#include "engine/regions.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <new>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/color.h"
#include "engine/region_strategies.h"

namespace pm::engine {
namespace {

using internal::Contour;
using internal::Contours;
using internal::StrategyDef;
using internal::StrategyInput;

// A region covering at least this share of the image is the frame or the background: it says
// nothing about the image's parts.
constexpr double kMaxAreaShare = 0.95;
// Outlines are simplified to within this share of their perimeter, and never to more than
// kMaxVertices points (the API and the web overlay stay light).
constexpr double kSimplifyShare = 0.004;
constexpr size_t kMaxVertices = 200;
// The convex-hull fallback is refused when the hull is this much larger than the outline.
constexpr double kMaxHullGrowth = 1.25;
// User-supplied polygons (PATCH) are refused above this many vertices.
constexpr size_t kMaxUserVertices = 10000;
// The cascade's last resort: a centred rectangle inset this share on each side.
constexpr double kCentredInset = 0.2;

const std::vector<const StrategyDef*>& Table() {
  static const std::vector<const StrategyDef*> table = {
      &internal::AdaptiveStrategy(),  &internal::OtsuStrategy(),
      &internal::CannyStrategy(),     &internal::ColorStrategy(),
      &internal::WatershedStrategy(), &internal::GrabcutStrategy(),
      &internal::SlicStrategy(),      &internal::SaliencyStrategy(),
      &internal::MeanshiftStrategy(), &internal::QuadtreeStrategy(),
      &internal::CirclesStrategy(),   &internal::RectanglesStrategy(),
      &internal::ContourCirclesStrategy(), &internal::TemplateMatchStrategy(),
  };
  return table;
}

const StrategyDef* FindStrategy(std::string_view name) {
  for (const StrategyDef* def : Table()) {
    if (def->name == name) return def;
  }
  return nullptr;
}

std::string KnownStrategies() {
  std::string out;
  for (std::string_view s : kRegionStrategies) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string FormatNumber(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

Error Invalid(std::string message) { return MakeError(ErrorCode::kInvalidArgument, std::move(message)); }

// Twice the signed area (shoelace), in the polygon's own units.
double TwiceSignedArea(const Polygon& p) {
  double a = 0;
  for (size_t i = 0, n = p.size(); i < n; ++i) {
    const auto& [x0, y0] = p[i];
    const auto& [x1, y1] = p[(i + 1) % n];
    a += double(x0) * y1 - double(x1) * y0;
  }
  return a;
}

// Orientation of (a, b, c): >0 counter-clockwise, <0 clockwise, 0 collinear (exact on ints).
int64_t Cross(std::pair<int, int> a, std::pair<int, int> b, std::pair<int, int> c) {
  return int64_t(b.first - a.first) * (c.second - a.second) -
         int64_t(b.second - a.second) * (c.first - a.first);
}

bool OnSegment(std::pair<int, int> a, std::pair<int, int> b, std::pair<int, int> p) {
  return std::min(a.first, b.first) <= p.first && p.first <= std::max(a.first, b.first) &&
         std::min(a.second, b.second) <= p.second && p.second <= std::max(a.second, b.second);
}

// Closed segments [a,b] and [c,d] share at least one point.
bool SegmentsTouch(std::pair<int, int> a, std::pair<int, int> b, std::pair<int, int> c,
                   std::pair<int, int> d) {
  const int64_t d1 = Cross(c, d, a), d2 = Cross(c, d, b), d3 = Cross(a, b, c), d4 = Cross(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
    return true;
  }
  return (d1 == 0 && OnSegment(c, d, a)) || (d2 == 0 && OnSegment(c, d, b)) ||
         (d3 == 0 && OnSegment(a, b, c)) || (d4 == 0 && OnSegment(a, b, d));
}

// Maps simplified working-scale points to original-image pixel corners, clamped, without
// repeated vertices.
Polygon MapPoints(const Contour& approx, double sx, double sy, int source_w, int source_h) {
  Polygon poly;
  poly.reserve(approx.size());
  for (const cv::Point& p : approx) {
    // Contour points are pixel centres: (x + 0.5) in original pixel-corner coordinates.
    const int x = std::clamp(static_cast<int>(std::lround((p.x + 0.5) * sx)), 0, source_w);
    const int y = std::clamp(static_cast<int>(std::lround((p.y + 0.5) * sy)), 0, source_h);
    if (poly.empty() || poly.back() != std::pair{x, y}) poly.emplace_back(x, y);
  }
  while (poly.size() > 1 && poly.front() == poly.back()) poly.pop_back();
  return poly;
}

// Working-scale outline -> original-image polygon: simplified, mapped, clamped, de-duplicated,
// simple. When simplifying or rounding folds the outline onto itself, finer tolerances are
// tried first; the convex hull is the last resort, and only when it stays close to the
// outline's own area (a hull around a ragged outline would claim pixels the strategy never
// found). Empty when nothing faithful is left.
Polygon ToOriginal(const Contour& contour, double sx, double sy, int source_w, int source_h) {
  const double outline_area = cv::contourArea(contour) * sx * sy;
  double epsilon = std::max(0.5, kSimplifyShare * cv::arcLength(contour, true));
  Contour approx;
  cv::approxPolyDP(contour, approx, epsilon, true);
  while (approx.size() > kMaxVertices) {
    epsilon *= 1.5;
    cv::approxPolyDP(contour, approx, epsilon, true);
  }
  Polygon poly = MapPoints(approx, sx, sy, source_w, source_h);
  for (int finer = 0; finer < 3; ++finer) {
    if (poly.size() >= 3 && IsSimplePolygon(poly) && TwiceSignedArea(poly) != 0) return poly;
    epsilon /= 2;
    Contour retry;
    cv::approxPolyDP(contour, retry, epsilon, true);
    if (retry.size() > kMaxVertices) break;
    poly = MapPoints(retry, sx, sy, source_w, source_h);
  }
  if (poly.size() >= 3 && IsSimplePolygon(poly) && TwiceSignedArea(poly) != 0) return poly;
  std::vector<cv::Point> pts, hull;
  for (const auto& [x, y] : poly) pts.emplace_back(x, y);
  if (pts.size() < 3) return {};
  cv::convexHull(pts, hull, /*clockwise=*/false, /*returnPoints=*/true);
  Polygon out;
  for (const cv::Point& p : hull) out.emplace_back(p.x, p.y);
  if (out.size() < 3 || TwiceSignedArea(out) == 0 || !IsSimplePolygon(out)) return {};
  if (std::abs(TwiceSignedArea(out)) / 2 > kMaxHullGrowth * outline_area) return {};
  return out;
}

// Simplifies and maps a strategy's outlines, then filters by the FINAL polygons' areas (so
// simplification cannot smuggle a too-small or whole-image region through), sorts them largest
// first and caps them.
std::vector<Polygon> PostProcess(const Contours& contours, const StrategyInput& in,
                                 const Image& image) {
  const int source_w = image.source_width > 0 ? image.source_width : image.width;
  const int source_h = image.source_height > 0 ? image.source_height : image.height;
  const double sx = double(source_w) / in.width();
  const double sy = double(source_h) / in.height();
  const double image_area = double(source_w) * source_h;
  const double min_area = in.min_area * sx * sy;
  struct Candidate {
    double area;
    std::pair<int, int> first;  // lowest (y, x) vertex: a stable tie-break
    Polygon poly;
  };
  std::vector<Candidate> candidates;
  for (const Contour& c : contours) {
    if (c.size() < 3) continue;
    // Cheap pre-filter on the outline (simplification moves areas by a few percent at most).
    const double outline = cv::contourArea(c) * sx * sy;
    if (outline < 0.5 * min_area || outline <= 0) continue;
    Polygon p = ToOriginal(c, sx, sy, source_w, source_h);
    if (p.empty()) continue;
    const double area = std::abs(TwiceSignedArea(p)) / 2;
    if (area < min_area || area <= 0 || area >= kMaxAreaShare * image_area) continue;
    std::pair<int, int> first{INT32_MAX, INT32_MAX};
    for (const auto& [x, y] : p) first = std::min(first, std::pair{y, x});
    candidates.push_back({area, first, std::move(p)});
  }
  // Largest first; ties broken by position so the order never depends on the strategy's.
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.area != b.area) return a.area > b.area;
    return a.first < b.first;
  });
  std::vector<Polygon> out;
  for (Candidate& c : candidates) {
    if (static_cast<int>(out.size()) >= in.max_regions) break;
    out.push_back(std::move(c.poly));
  }
  return out;
}

Result<std::vector<Polygon>> RunStrategy(const StrategyDef& def, const Image& image,
                                         const std::map<std::string, double>& params,
                                         const std::optional<Box>& template_box) {
  StrategyInput in = internal::MakeStrategyInput(image, params, def.max_side);
  in.min_area = params.at("min_area") * double(in.width()) * in.height();
  in.max_regions = static_cast<int>(params.at("max_regions"));
  if (template_box) {
    const int source_w = image.source_width > 0 ? image.source_width : image.width;
    const int source_h = image.source_height > 0 ? image.source_height : image.height;
    const double fx = double(in.width()) / source_w, fy = double(in.height()) / source_h;
    cv::Rect r(static_cast<int>(std::floor(template_box->x * fx)),
               static_cast<int>(std::floor(template_box->y * fy)),
               std::max(1, static_cast<int>(std::lround(template_box->width * fx))),
               std::max(1, static_cast<int>(std::lround(template_box->height * fy))));
    in.template_box = r & cv::Rect(0, 0, in.width(), in.height());
    // Every match is the size of the user's box: a small box must not make min_area drop them
    // all (including the box itself).
    in.min_area = std::min(in.min_area, 0.5 * in.template_box.area());
  }
  PM_ASSIGN_OR_RETURN(Contours contours, def.run(in));
  return PostProcess(contours, in, image);
}

// Parameters of one cascade step: its defaults plus the request's common ones.
std::map<std::string, double> StepParams(const StrategyDef& def,
                                         const std::map<std::string, double>& request_params) {
  std::map<std::string, double> p;
  for (const ParamSpec& s : def.params) p[std::string(s.name)] = s.default_value;
  for (const ParamSpec& s : CommonRegionParams()) {
    p[std::string(s.name)] = request_params.at(std::string(s.name));
  }
  return p;
}

Result<RegionResult> RunCascade(const Image& image, RegionResult result) {
  std::vector<Polygon> found;
  for (const StrategyDef* def :
       {&internal::AdaptiveStrategy(), &internal::OtsuStrategy(), &internal::CannyStrategy()}) {
    PM_ASSIGN_OR_RETURN(found, RunStrategy(*def, image, StepParams(*def, result.params), std::nullopt));
    if (!found.empty()) {
      result.used = std::string(def->name);
      break;
    }
  }
  if (found.size() <= 2) {
    const StrategyDef& color = internal::ColorStrategy();
    PM_ASSIGN_OR_RETURN(std::vector<Polygon> more,
                        RunStrategy(color, image, StepParams(color, result.params), std::nullopt));
    if (more.size() > found.size()) {
      found = std::move(more);
      result.used = std::string(color.name);
    }
  }
  if (found.empty()) {
    const int w = image.source_width > 0 ? image.source_width : image.width;
    const int h = image.source_height > 0 ? image.source_height : image.height;
    const int x0 = static_cast<int>(std::lround(w * kCentredInset));
    const int y0 = static_cast<int>(std::lround(h * kCentredInset));
    const int x1 = std::max(x0 + 1, static_cast<int>(std::lround(w * (1 - kCentredInset))));
    const int y1 = std::max(y0 + 1, static_cast<int>(std::lround(h * (1 - kCentredInset))));
    found.push_back(Polygon{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}});
    result.used = "centered";
  }
  result.regions = std::move(found);
  return result;
}

}  // namespace

namespace internal {

StrategyInput MakeStrategyInput(const Image& image, std::map<std::string, double> params,
                                int max_side) {
  cv::Mat rgba(image.height, image.width, CV_8UC4, const_cast<uint8_t*>(image.rgba.data()));
  cv::Mat scaled = rgba;
  const int longest = std::max(image.width, image.height);
  if (max_side > 0 && longest > max_side) {
    const double f = double(max_side) / longest;
    const cv::Size size(std::max(1, static_cast<int>(std::lround(image.width * f))),
                        std::max(1, static_cast<int>(std::lround(image.height * f))));
    cv::resize(rgba, scaled, size, 0, 0, cv::INTER_AREA);
  }
  StrategyInput in;
  in.bgr.create(scaled.rows, scaled.cols);
  in.opaque.create(scaled.rows, scaled.cols);
  for (int y = 0; y < scaled.rows; ++y) {
    const uint8_t* src = scaled.ptr<uint8_t>(y);
    cv::Vec3b* dst = in.bgr.ptr<cv::Vec3b>(y);
    uint8_t* op = in.opaque.ptr<uint8_t>(y);
    for (int x = 0; x < scaled.cols; ++x, src += 4) {
      const int a = src[3];
      // Composite over white: a transparent background reads as paper, not as black.
      auto over = [a](int c) { return static_cast<uint8_t>((c * a + 255 * (255 - a) + 127) / 255); };
      dst[x] = cv::Vec3b(over(src[2]), over(src[1]), over(src[0]));
      op[x] = a > 128 ? 255 : 0;
    }
  }
  cv::cvtColor(in.bgr, in.gray, cv::COLOR_BGR2GRAY);
  in.params = std::move(params);
  return in;
}

Contours OuterContours(const cv::Mat1b& binary) {
  Contours contours;
  cv::Mat1b copy = binary.clone();  // findContours may modify its input on older OpenCV
  cv::findContours(copy, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  return contours;
}

Contour CirclePolygon(cv::Point2f center, float radius, int vertices) {
  Contour out;
  out.reserve(static_cast<size_t>(vertices));
  for (int i = 0; i < vertices; ++i) {
    const double t = 2.0 * CV_PI * i / vertices;
    out.emplace_back(static_cast<int>(std::lround(center.x + radius * std::cos(t))),
                     static_cast<int>(std::lround(center.y + radius * std::sin(t))));
  }
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace internal

const std::vector<ParamSpec>& CommonRegionParams() {
  static const std::vector<ParamSpec> common = {
      {"min_area", 0.0, 1.0, 0.005, false, false, "smallest region, as a share of the image"},
      {"max_regions", 1, 100, 20, true, false, "most regions returned, largest first"},
  };
  return common;
}

Result<std::vector<ParamSpec>> RegionParamSpecs(std::string_view strategy) {
  std::vector<ParamSpec> specs;
  if (strategy != "default") {
    const StrategyDef* def = FindStrategy(strategy);
    if (def == nullptr) {
      return Invalid("unknown region strategy '" + std::string(strategy) +
                     "' (known: " + KnownStrategies() + ")");
    }
    specs = def->params;
  }
  for (const ParamSpec& s : CommonRegionParams()) specs.push_back(s);
  return specs;
}

Result<std::map<std::string, double>> ValidateRegionRequest(const RegionRequest& request,
                                                            int source_width, int source_height) {
  PM_ASSIGN_OR_RETURN(std::vector<ParamSpec> specs, RegionParamSpecs(request.strategy));
  std::map<std::string, double> effective;
  for (const ParamSpec& s : specs) effective[std::string(s.name)] = s.default_value;
  for (const auto& [name, value] : request.params) {
    auto spec = std::find_if(specs.begin(), specs.end(),
                             [&](const ParamSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      std::string known;
      for (const ParamSpec& s : specs) known += (known.empty() ? "" : ", ") + std::string(s.name);
      return Invalid("unknown parameter '" + name + "' for strategy '" + request.strategy +
                     "' (accepted: " + known + ")");
    }
    const std::string range = "from " + FormatNumber(spec->min) + " to " + FormatNumber(spec->max);
    if (!std::isfinite(value) || value < spec->min || value > spec->max) {
      return Invalid("parameter '" + name + "' must be " + (spec->integer ? "an integer " : "a number ") +
                     range);
    }
    if (spec->integer && value != std::floor(value)) {
      return Invalid("parameter '" + name + "' must be an integer " + range);
    }
    if (spec->odd && std::fmod(value, 2.0) == 0) {
      return Invalid("parameter '" + name + "' must be an odd integer " + range);
    }
    effective[name] = value;
  }
  const bool wants_box = request.strategy == "template_match";
  if (wants_box && !request.template_box) {
    return Invalid("strategy 'template_match' needs template_box {x, y, width, height}: the area to look for");
  }
  if (!wants_box && request.template_box) {
    return Invalid("template_box is only used by strategy 'template_match'");
  }
  if (request.template_box) {
    const Box& b = *request.template_box;
    if (b.width < 4 || b.height < 4) {
      return Invalid("template_box must be at least 4x4 pixels");
    }
    if (b.x < 0 || b.y < 0 || int64_t{b.x} + b.width > source_width ||
        int64_t{b.y} + b.height > source_height) {
      return Invalid("template_box must lie inside the image (" + std::to_string(source_width) + "x" +
                     std::to_string(source_height) + ")");
    }
    if (int64_t{b.width} * b.height >= int64_t{source_width} * source_height) {
      return Invalid("template_box must be smaller than the image");
    }
  }
  return effective;
}

Result<RegionResult> DetectRegions(const Image& image, const RegionRequest& request) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgba.size() != size_t(image.width) * size_t(image.height) * 4) {
    return Invalid("image buffer does not match its size");
  }
  const int source_w = image.source_width > 0 ? image.source_width : image.width;
  const int source_h = image.source_height > 0 ? image.source_height : image.height;
  PM_ASSIGN_OR_RETURN(auto params, ValidateRegionRequest(request, source_w, source_h));
  RegionResult result;
  result.strategy = request.strategy;
  result.params = std::move(params);
  try {
    if (request.strategy == "default") return RunCascade(image, std::move(result));
    const StrategyDef* def = FindStrategy(request.strategy);
    PM_ASSIGN_OR_RETURN(result.regions,
                        RunStrategy(*def, image, result.params, request.template_box));
    result.used = request.strategy;
    return result;
  } catch (const cv::Exception& e) {
    return MakeError(ErrorCode::kInternal,
                     "region detection '" + request.strategy + "' failed: " + e.what());
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kUnavailable, "out of memory while detecting regions");
  }
}

Result<std::vector<RegionColor>> ComputeRegionColors(const Image& image,
                                                     const std::vector<Polygon>& regions,
                                                     const std::vector<Rgb>& palette) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgba.size() != size_t(image.width) * size_t(image.height) * 4) {
    return Invalid("image buffer does not match its size");
  }
  const int source_w = image.source_width > 0 ? image.source_width : image.width;
  const int source_h = image.source_height > 0 ? image.source_height : image.height;
  const double sx = double(image.width) / source_w, sy = double(image.height) / source_h;
  std::vector<Lab> palette_lab;
  for (const Rgb& c : palette) palette_lab.push_back(SrgbToLab(c.r, c.g, c.b));
  const cv::Mat rgba(image.height, image.width, CV_8UC4, const_cast<uint8_t*>(image.rgba.data()));
  const cv::Rect whole(0, 0, image.width, image.height);

  std::vector<RegionColor> out;
  out.reserve(regions.size());
  try {
    for (const Polygon& poly : regions) {
      RegionColor rc;
      // Centroid of the polygon's area (shoelace); the vertex mean for a degenerate one.
      const double a2 = TwiceSignedArea(poly);
      if (a2 != 0 && poly.size() >= 3) {
        double cx = 0, cy = 0;
        for (size_t i = 0, n = poly.size(); i < n; ++i) {
          const auto& [x0, y0] = poly[i];
          const auto& [x1, y1] = poly[(i + 1) % n];
          const double cross = double(x0) * y1 - double(x1) * y0;
          cx += (x0 + x1) * cross;
          cy += (y0 + y1) * cross;
        }
        rc.cx = cx / (3.0 * a2);
        rc.cy = cy / (3.0 * a2);
      } else if (!poly.empty()) {
        for (const auto& [x, y] : poly) rc.cx += x, rc.cy += y;
        rc.cx /= double(poly.size());
        rc.cy /= double(poly.size());
      }
      // Rasterise the polygon into a mask the size of its bounding box (at the image's scale).
      constexpr int kShift = 4;
      std::vector<cv::Point> pts;
      for (const auto& [x, y] : poly) {
        pts.emplace_back(static_cast<int>(std::lround(x * sx * (1 << kShift))),
                         static_cast<int>(std::lround(y * sy * (1 << kShift))));
      }
      if (pts.size() >= 3) {
        cv::Rect box = cv::boundingRect(pts);
        box = cv::Rect(box.x >> kShift, box.y >> kShift, (box.width >> kShift) + 2,
                       (box.height >> kShift) + 2) & whole;
        if (!box.empty()) {
          for (cv::Point& p : pts) p -= cv::Point(box.x << kShift, box.y << kShift);
          cv::Mat1b mask(box.size(), uchar{0});
          cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(255), cv::LINE_8,
                       kShift);
          int64_t sum[3] = {0, 0, 0}, n = 0;
          for (int y = 0; y < box.height; ++y) {
            const uint8_t* m = mask.ptr<uint8_t>(y);
            const uint8_t* px = rgba.ptr<uint8_t>(box.y + y) + size_t(box.x) * 4;
            for (int x = 0; x < box.width; ++x, px += 4) {
              if (m[x] == 0 || px[3] <= 128) continue;
              sum[0] += px[0], sum[1] += px[1], sum[2] += px[2], ++n;
            }
          }
          if (n > 0) {
            auto mean = [n](int64_t s) { return static_cast<uint8_t>((s + n / 2) / n); };
            rc.average = Rgb{mean(sum[0]), mean(sum[1]), mean(sum[2])};
          }
        }
      }
      if (rc.average && !palette_lab.empty()) {
        const Lab lab = SrgbToLab(rc.average->r, rc.average->g, rc.average->b);
        double best = 0;
        for (size_t i = 0; i < palette_lab.size(); ++i) {
          const double de = Ciede2000(lab, palette_lab[i]);
          if (rc.swatch < 0 || de < best) best = de, rc.swatch = static_cast<int>(i);
        }
      }
      out.push_back(rc);
    }
  } catch (const cv::Exception& e) {
    return MakeError(ErrorCode::kInternal, std::string("region colours failed: ") + e.what());
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kUnavailable, "out of memory while computing region colours");
  }
  return out;
}

bool IsSimplePolygon(const Polygon& p) {
  const size_t n = p.size();
  if (n < 3) return false;
  for (size_t i = 0; i < n; ++i) {
    const auto a = p[i], b = p[(i + 1) % n];
    if (a == b) return false;
    for (size_t j = i + 1; j < n; ++j) {
      const auto c = p[j], d = p[(j + 1) % n];
      const bool adjacent = j == i + 1 || (i == 0 && j == n - 1);
      if (!adjacent) {
        if (SegmentsTouch(a, b, c, d)) return false;
        continue;
      }
      // Adjacent edges share one vertex; they must not fold back along each other.
      const auto shared = j == i + 1 ? b : a;
      const auto other_ab = j == i + 1 ? a : b;
      const auto other_cd = j == i + 1 ? d : c;
      if (Cross(shared, other_ab, other_cd) == 0 &&
          (OnSegment(shared, other_ab, other_cd) || OnSegment(shared, other_cd, other_ab))) {
        return false;
      }
    }
  }
  return true;
}

Status ValidatePolygon(const Polygon& polygon, int width, int height) {
  if (polygon.size() < 3) return Invalid("a region needs at least 3 points");
  if (polygon.size() > kMaxUserVertices) {
    return Invalid("a region may have at most " + std::to_string(kMaxUserVertices) + " points");
  }
  for (const auto& [x, y] : polygon) {
    if (x < 0 || y < 0 || x > width || y > height) {
      return Invalid("region point [" + std::to_string(x) + "," + std::to_string(y) +
                     "] lies outside the image (" + std::to_string(width) + "x" +
                     std::to_string(height) + ")");
    }
  }
  if (TwiceSignedArea(polygon) == 0) return Invalid("a region must enclose an area");
  if (!IsSimplePolygon(polygon)) return Invalid("a region's edges must not cross or touch each other");
  return {};
}

}  // namespace pm::engine
