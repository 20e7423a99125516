#include "app/analyze.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "app/app_metrics.h"
#include "app/text.h"
#include "engine/regions.h"

namespace pm::app {
namespace {

using nlohmann::json;

Error Invalid(std::string message) { return MakeError(ErrorCode::kInvalidArgument, std::move(message)); }

Result<std::vector<engine::Rgb>> ParsePalette(const std::vector<std::string>& palette) {
  std::vector<engine::Rgb> out;
  out.reserve(palette.size());
  for (const std::string& hex : palette) {
    auto rgb = engine::ParseHex(hex);
    if (!rgb) return Invalid("'" + hex + "' is not a colour of the form #rrggbb");
    out.push_back(*rgb);
  }
  return out;
}

double Round1(double v) { return std::round(v * 10.0) / 10.0; }

// An integer that fits an int, from a JSON number (1.0 counts; 1.5 does not).
std::optional<int> JsonInt(const json& v) {
  if (v.is_number_integer()) {
    const auto i = v.get<int64_t>();
    if (i < INT32_MIN || i > INT32_MAX) return std::nullopt;
    return static_cast<int>(i);
  }
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    if (u > INT32_MAX) return std::nullopt;
    return static_cast<int>(u);
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || d < INT32_MIN || d > INT32_MAX) return std::nullopt;
    return static_cast<int>(d);
  }
  return std::nullopt;
}

}  // namespace

engine::DecodeLimits LimitsFrom(const config::Config& config) {
  engine::DecodeLimits limits;
  limits.max_bytes = config.limits.upload_max_bytes;
  limits.max_width = config.limits.image_max_width;
  limits.max_height = config.limits.image_max_height;
  limits.max_pixels = config.limits.image_max_pixels;
  return limits;
}

Result<Decoded> DecodeWorking(std::string_view bytes, const config::Config& config) {
  std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  auto limits = LimitsFrom(config);
  Decoded out;
  EngineTimer timer("decode");
  PM_ASSIGN_OR_RETURN(out.info, engine::ProbeImage(span, limits));
  PM_ASSIGN_OR_RETURN(out.image, engine::DecodeImage(span, limits, kWorkingDimension));
  return out;
}

Result<Analysis> ExtractFrom(const Decoded& decoded, const config::Config& config,
                             std::optional<int> k, const std::vector<engine::Polygon>& mask) {
  if (k && (*k < 2 || *k > 20)) {
    return Invalid("k must be an integer from 2 to 20");
  }
  engine::PaletteParams params;
  params.k = k;
  params.luminance_min = config.palette.luminance_min;
  params.luminance_max = config.palette.luminance_max;
  params.sample_pixels = config.palette.sample_pixels;
  params.mask = mask;
  Result<engine::Palette> extracted = [&] {
    EngineTimer timer("palette");
    return engine::ExtractPalette(decoded.image, params);
  }();
  PM_ASSIGN_OR_RETURN(engine::Palette palette, std::move(extracted));
  Analysis out;
  out.info = decoded.info;
  out.k = k;
  for (size_t i = 0; i < palette.swatches.size(); ++i) {
    out.colors.push_back(engine::ToHex(palette.swatches[i].color));
    out.labels.push_back(SwatchLabel(static_cast<int>(i)));
    out.coverage.push_back(palette.swatches[i].coverage);
  }
  return out;
}

Result<Analysis> AnalyzeImage(std::string_view bytes, const config::Config& config, std::optional<int> k) {
  if (k && (*k < 2 || *k > 20)) {
    return Invalid("k must be an integer from 2 to 20");
  }
  PM_ASSIGN_OR_RETURN(Decoded decoded, DecodeWorking(bytes, config));
  return ExtractFrom(decoded, config, k);
}

std::string ColorsJson(const Analysis& a) { return json(a.colors).dump(); }
std::string LabelsJson(const Analysis& a) { return json(a.labels).dump(); }
std::string CoverageJson(const Analysis& a) {
  json arr = json::array();
  for (double c : a.coverage) arr.push_back(std::round(c * 10000.0) / 10000.0);
  return arr.dump();
}
std::string ParamsJson(const Analysis& a) {
  json p = json::object();
  p["k"] = a.k ? json(*a.k) : json(nullptr);
  return p.dump();
}

Result<RegionAnalysis> DetectFrom(const Decoded& decoded, const engine::RegionRequest& request,
                                  const std::vector<std::string>& palette) {
  RegionAnalysis out;
  const auto start = std::chrono::steady_clock::now();
  auto detected = engine::DetectRegions(decoded.image, request);
  // The label is a known strategy name (the engine refuses any other), so it stays bounded.
  const bool known = std::find(engine::kRegionStrategies.begin(), engine::kRegionStrategies.end(),
                               request.strategy) != engine::kRegionStrategies.end();
  ObserveEngine(known ? "regions_" + request.strategy : "regions_unknown",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  PM_ASSIGN_OR_RETURN(out.result, std::move(detected));
  out.labels = RegionLabels(out.result.regions.size());
  PM_ASSIGN_OR_RETURN(out.colors, RegionColorsFrom(decoded, out.result.regions, palette));
  return out;
}

Result<std::vector<engine::RegionColor>> RegionColorsFrom(const Decoded& decoded,
                                                          const std::vector<engine::Polygon>& regions,
                                                          const std::vector<std::string>& palette) {
  PM_ASSIGN_OR_RETURN(std::vector<engine::Rgb> rgb, ParsePalette(palette));
  EngineTimer timer("region_colors");
  return engine::ComputeRegionColors(decoded.image, regions, rgb);
}

std::vector<std::string> RegionLabels(size_t count) {
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(i < 10 ? "0" + std::to_string(i) : std::to_string(i));
  return out;
}

Result<std::map<std::string, double>> RegionParamsFromJson(const json& params) {
  std::map<std::string, double> out;
  if (params.is_null()) return out;
  if (!params.is_object()) return Invalid("params must be an object of numbers, e.g. {\"block_size\": 11}");
  for (const auto& [name, value] : params.items()) {
    if (!value.is_number()) return Invalid("parameter '" + name + "' must be a number");
    out[name] = value.get<double>();
  }
  return out;
}

Result<engine::Box> BoxFromJson(const json& box) {
  if (!box.is_object()) {
    return Invalid("template_box must be an object {x, y, width, height} in image pixels");
  }
  engine::Box out;
  for (auto [name, field] : {std::pair{"x", &out.x}, std::pair{"y", &out.y},
                             std::pair{"width", &out.width}, std::pair{"height", &out.height}}) {
    auto it = box.find(name);
    if (it == box.end()) return Invalid(std::string("template_box.") + name + " is missing");
    auto v = JsonInt(*it);
    if (!v) return Invalid(std::string("template_box.") + name + " must be an integer");
    *field = *v;
  }
  for (const auto& [name, value] : box.items()) {
    if (name != "x" && name != "y" && name != "width" && name != "height") {
      return Invalid("template_box has an unknown field '" + name + "'");
    }
  }
  return out;
}

Result<engine::RegionRequest> RegionRequestFromJson(const json& body) {
  if (!body.is_object()) return Invalid("the request body must be a JSON object");
  engine::RegionRequest request;
  for (const auto& [name, value] : body.items()) {
    if (name == "strategy") {
      if (!value.is_string()) return Invalid("strategy must be a string");
      request.strategy = value.get<std::string>();
    } else if (name == "params") {
      PM_ASSIGN_OR_RETURN(request.params, RegionParamsFromJson(value));
    } else if (name == "template_box") {
      if (!value.is_null()) {
        PM_ASSIGN_OR_RETURN(engine::Box box, BoxFromJson(value));
        request.template_box = box;
      }
    } else {
      return Invalid("unknown field '" + name + "' (expected strategy, params, template_box)");
    }
  }
  return request;
}

json RegionsToJson(const std::vector<engine::Polygon>& regions) {
  json out = json::array();
  for (const engine::Polygon& poly : regions) {
    json p = json::array();
    for (const auto& [x, y] : poly) p.push_back(json::array({x, y}));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<engine::Polygon>> RegionsFromJson(const json& regions, int width, int height,
                                                     size_t max_regions) {
  if (!regions.is_array()) return Invalid("regions must be an array of polygons [[[x,y],...],...]");
  if (regions.size() > max_regions) {
    return Invalid("at most " + std::to_string(max_regions) + " regions are allowed");
  }
  std::vector<engine::Polygon> out;
  for (size_t i = 0; i < regions.size(); ++i) {
    const json& poly = regions[i];
    const std::string where = "region " + std::to_string(i);
    if (!poly.is_array()) return Invalid(where + " must be an array of [x,y] points");
    engine::Polygon p;
    for (const json& pt : poly) {
      if (!pt.is_array() || pt.size() != 2) return Invalid(where + ": each point must be [x,y]");
      auto x = JsonInt(pt[0]), y = JsonInt(pt[1]);
      if (!x || !y) return Invalid(where + ": point coordinates must be integers");
      p.emplace_back(*x, *y);
    }
    auto valid = engine::ValidatePolygon(p, width, height);
    if (!valid.ok()) return Invalid(where + ": " + valid.error().message);
    out.push_back(std::move(p));
  }
  return out;
}

json RegionColorsToJson(const std::vector<engine::RegionColor>& colors,
                        const std::vector<std::string>& palette) {
  json out = json::array();
  for (const engine::RegionColor& c : colors) {
    json e = json::object();
    e["centroid"] = json::array({Round1(c.cx), Round1(c.cy)});
    e["average"] = c.average ? json(engine::ToHex(*c.average)) : json(nullptr);
    const bool has = c.swatch >= 0 && static_cast<size_t>(c.swatch) < palette.size();
    e["swatch"] = has ? json(c.swatch) : json(nullptr);
    e["hex"] = has ? json(palette[static_cast<size_t>(c.swatch)]) : json(nullptr);
    out.push_back(std::move(e));
  }
  return out;
}

json RegionParamsToJson(const engine::RegionResult& result,
                        const std::optional<engine::Box>& template_box) {
  json out = json::object();
  out["strategy"] = result.strategy;
  out["used"] = result.used;
  json params = json::object();
  for (const auto& [name, value] : result.params) {
    if (value == std::floor(value) && std::abs(value) < 1e15) {
      params[name] = static_cast<int64_t>(value);
    } else {
      params[name] = value;
    }
  }
  out["params"] = std::move(params);
  if (template_box) {
    out["template_box"] = {{"x", template_box->x}, {"y", template_box->y},
                           {"width", template_box->width}, {"height", template_box->height}};
  }
  return out;
}

}  // namespace pm::app
