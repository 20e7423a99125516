#include "app/analyze.h"

#include <nlohmann/json.hpp>

#include "app/text.h"

namespace pm::app {

engine::DecodeLimits LimitsFrom(const config::Config& config) {
  engine::DecodeLimits limits;
  limits.max_bytes = config.limits.upload_max_bytes;
  limits.max_width = config.limits.image_max_width;
  limits.max_height = config.limits.image_max_height;
  limits.max_pixels = config.limits.image_max_pixels;
  return limits;
}

Result<Analysis> AnalyzeImage(std::string_view bytes, const config::Config& config, std::optional<int> k) {
  if (k && (*k < 2 || *k > 20)) {
    return MakeError(ErrorCode::kInvalidArgument, "k must be an integer from 2 to 20");
  }
  std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  auto limits = LimitsFrom(config);
  PM_ASSIGN_OR_RETURN(engine::ImageInfo info, engine::ProbeImage(span, limits));
  PM_ASSIGN_OR_RETURN(engine::Image image, engine::DecodeImage(span, limits, kWorkingDimension));
  engine::PaletteParams params;
  params.k = k;
  params.luminance_min = config.palette.luminance_min;
  params.luminance_max = config.palette.luminance_max;
  params.sample_pixels = config.palette.sample_pixels;
  PM_ASSIGN_OR_RETURN(engine::Palette palette, engine::ExtractPalette(image, params));
  Analysis out;
  out.info = info;
  out.k = k;
  for (size_t i = 0; i < palette.swatches.size(); ++i) {
    out.colors.push_back(engine::ToHex(palette.swatches[i].color));
    out.labels.push_back(SwatchLabel(static_cast<int>(i)));
    out.coverage.push_back(palette.swatches[i].coverage);
  }
  return out;
}

std::string ColorsJson(const Analysis& a) { return nlohmann::json(a.colors).dump(); }
std::string LabelsJson(const Analysis& a) { return nlohmann::json(a.labels).dump(); }
std::string CoverageJson(const Analysis& a) {
  nlohmann::json arr = nlohmann::json::array();
  for (double c : a.coverage) arr.push_back(std::round(c * 10000.0) / 10000.0);
  return arr.dump();
}
std::string ParamsJson(const Analysis& a) {
  nlohmann::json p = nlohmann::json::object();
  p["k"] = a.k ? nlohmann::json(*a.k) : nlohmann::json(nullptr);
  return p.dump();
}

}  // namespace pm::app
