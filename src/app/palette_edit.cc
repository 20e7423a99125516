#include "app/palette_edit.h"

#include <set>

#include "app/analyze.h"
#include "app/palettes.h"
#include "app/text.h"

namespace pm::app {
namespace {

using nlohmann::json;

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Error Corrupt(std::string_view column) {
  return MakeError(ErrorCode::kInternal, "stored " + std::string(column) +
                                             " of the palette is not valid JSON of the expected shape");
}

Result<std::vector<std::string>> StringArray(const json& v, std::string_view field, std::string_view what) {
  if (!v.is_array()) return Invalid(std::string(field) + " must be an array of " + std::string(what));
  std::vector<std::string> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      return Invalid(std::string(field) + "[" + std::to_string(i) + "] must be a string");
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

// The first `max` code points of valid UTF-8 `s`.
std::string CutCodePoints(std::string_view s, int max) {
  size_t i = 0;
  for (int n = 0; i < s.size() && n < max; ++n) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return std::string(s.substr(0, i));
}

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

// "Name (12)" -> "Name"; anything else unchanged.
std::string_view StripCopySuffix(std::string_view name) {
  if (name.size() < 5 || name.back() != ')') return name;
  size_t open = name.rfind(" (");
  if (open == std::string_view::npos || open == 0) return name;
  std::string_view digits = name.substr(open + 2, name.size() - open - 3);
  if (digits.empty() || digits.size() > 9) return name;
  for (char c : digits) {
    if (c < '0' || c > '9') return name;
  }
  return name.substr(0, open);
}

// " (n)" is at most " (" + 10 digits + ")".
constexpr int kLongestSuffix = 13;

}  // namespace

Result<std::string> NormalizeHexColor(std::string_view s, std::string_view field) {
  auto bad = [&] {
    return Invalid(std::string(field) + " must be a colour of the form #rrggbb (got \"" +
                   std::string(s.substr(0, 20)) + "\")");
  };
  if (s.size() != 7 || s[0] != '#') return bad();
  std::string out = "#";
  for (char c : s.substr(1)) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
      out += c;
    } else if (c >= 'A' && c <= 'F') {
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      return bad();
    }
  }
  return out;
}

Result<PaletteEdit> PaletteEditFromJson(const json& body) {
  if (!body.is_object()) return Invalid("the request body must be a JSON object");
  PaletteEdit edit;
  for (const auto& [field, value] : body.items()) {
    if (field == "name") {
      if (!value.is_string()) return Invalid("name must be a string");
      edit.name = value.get<std::string>();
    } else if (field == "colors") {
      PM_ASSIGN_OR_RETURN(edit.colors, StringArray(value, "colors", "\"#rrggbb\" strings"));
    } else if (field == "labels") {
      PM_ASSIGN_OR_RETURN(edit.labels, StringArray(value, "labels", "strings"));
    } else if (field == "regions") {
      if (!value.is_array()) return Invalid("regions must be an array of polygons [[[x,y],...],...]");
      edit.regions = value;
    } else if (field == "region_labels") {
      PM_ASSIGN_OR_RETURN(edit.region_labels, StringArray(value, "region_labels", "strings"));
    } else if (field == "background") {
      if (value.is_null()) {
        edit.background = std::optional<int>();
      } else if (value.is_number_integer()) {
        const int64_t v = value.get<int64_t>();
        if (v < 0 || v >= static_cast<int64_t>(kMaxColors)) {
          return Invalid("background must be the index of a colour (0 to the number of colours - 1) or null");
        }
        edit.background = std::optional<int>(static_cast<int>(v));
      } else {
        return Invalid("background must be an integer (the index of a colour) or null");
      }
    } else {
      return Invalid("unknown field \"" + field +
                     "\" (expected name, colors, labels, regions, region_labels, background)");
    }
  }
  if (edit.empty()) {
    return Invalid(
        "nothing to change: send one or more of name, colors, labels, regions, region_labels, background");
  }
  return edit;
}

std::string CopyNamePrefix(std::string_view name, int max_chars) {
  return TrimRight(CutCodePoints(StripCopySuffix(name), max_chars - kLongestSuffix));
}

std::string CopyName(std::string_view name, const std::vector<std::string>& taken, int max_chars) {
  const std::string_view base = StripCopySuffix(name);
  const std::set<std::string_view> used(taken.begin(), taken.end());
  // At most taken.size() + 1 candidates are tried, so n stays far below 10 digits.
  for (int64_t n = 2;; ++n) {
    const std::string suffix = " (" + std::to_string(n) + ")";
    const int budget = max_chars - static_cast<int>(suffix.size());
    std::string candidate = TrimRight(CutCodePoints(base, budget)) + suffix;
    if (!used.contains(candidate)) return candidate;
  }
}

Result<std::vector<std::string>> StoredStrings(const std::string& json_text, std::string_view column) {
  json v = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!v.is_array()) return Corrupt(column);
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const json& e : v) {
    if (!e.is_string()) return Corrupt(column);
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<std::vector<engine::Polygon>> StoredRegions(const store::Palette& palette) {
  json v = json::parse(palette.regions_json, nullptr, /*allow_exceptions=*/false);
  if (!v.is_array()) return Corrupt("regions");
  std::vector<engine::Polygon> out;
  out.reserve(v.size());
  for (const json& poly : v) {
    if (!poly.is_array()) return Corrupt("regions");
    engine::Polygon p;
    for (const json& pt : poly) {
      if (!pt.is_array() || pt.size() != 2 || !pt[0].is_number_integer() || !pt[1].is_number_integer()) {
        return Corrupt("regions");
      }
      p.emplace_back(pt[0].get<int>(), pt[1].get<int>());
    }
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::string> MergeParams(const std::string& params_json, const json& changes) {
  json params = json::parse(params_json, nullptr, /*allow_exceptions=*/false);
  if (params.is_discarded() || params.is_null()) params = json::object();
  if (!params.is_object()) return Corrupt("params");
  for (const auto& [key, value] : changes.items()) params[key] = value;
  return params.dump();
}

namespace {

constexpr int kMaxNameChars = 100;

std::string CountMismatch(std::string_view field, size_t got, std::string_view of, size_t want) {
  return std::string(field) + " has " + std::to_string(got) + " entries but the palette has " +
         std::to_string(want) + " " + std::string(of) + ": send one per " +
         std::string(of.substr(0, of.size() - 1));
}

}  // namespace

Result<store::Palette> Palettes::Edit(const TenantContext& ctx, PaletteId id, const PaletteEdit& edit) {
  PM_RETURN_IF_ERROR(RequireEditor(ctx));
  if (edit.empty()) return Invalid("nothing to change");

  // Checks that need nothing stored, before anything is read.
  std::optional<std::string> name;
  if (edit.name) {
    PM_ASSIGN_OR_RETURN(name, ValidateName(*edit.name, "name", kMaxNameChars));
  }
  std::optional<std::vector<std::string>> colors;
  if (edit.colors) {
    if (edit.colors->empty() || edit.colors->size() > kMaxColors) {
      return Invalid("colors must hold 1 to " + std::to_string(kMaxColors) + " colours");
    }
    colors.emplace();
    for (size_t i = 0; i < edit.colors->size(); ++i) {
      PM_ASSIGN_OR_RETURN(std::string hex,
                          NormalizeHexColor((*edit.colors)[i], "colors[" + std::to_string(i) + "]"));
      colors->push_back(std::move(hex));
    }
  }
  auto labels_of = [](const std::vector<std::string>& raw, std::string_view field,
                      size_t max_count) -> Result<std::vector<std::string>> {
    if (raw.size() > max_count) {
      return Invalid(std::string(field) + " may hold at most " + std::to_string(max_count) + " labels");
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < raw.size(); ++i) {
      PM_ASSIGN_OR_RETURN(
          std::string label,
          ValidateName(raw[i], std::string(field) + "[" + std::to_string(i) + "]", kMaxLabelChars));
      out.push_back(std::move(label));
    }
    return out;
  };
  std::optional<std::vector<std::string>> labels, region_labels;
  if (edit.labels) {
    PM_ASSIGN_OR_RETURN(labels, labels_of(*edit.labels, "labels", kMaxColors));
  }
  if (edit.region_labels) {
    PM_ASSIGN_OR_RETURN(region_labels, labels_of(*edit.region_labels, "region_labels", kMaxEditedRegions));
  }

  return Retrying([&]() -> Result<store::Palette> {
    PM_ASSIGN_OR_RETURN(store::Palette palette, Get(ctx, id));
    store::PaletteUpdate update;
    update.name = name;

    PM_ASSIGN_OR_RETURN(std::vector<std::string> stored_colors, StoredStrings(palette.colors_json, "colors"));
    const std::vector<std::string>& new_colors = colors ? *colors : stored_colors;
    if (colors) {
      update.colors_json = json(*colors).dump();
      update.coverage_json = "[]";  // measured by extraction only; hand-picked colours have none
    }
    if (labels) {
      if (labels->size() != new_colors.size()) {
        return Invalid(CountMismatch("labels", labels->size(), "colours", new_colors.size()));
      }
      update.labels_json = json(*labels).dump();
    } else if (colors) {
      std::vector<std::string> fresh;
      for (size_t i = 0; i < colors->size(); ++i) fresh.push_back(SwatchLabel(static_cast<int>(i)));
      update.labels_json = json(fresh).dump();
    }

    std::optional<std::vector<engine::Polygon>> regions;
    if (edit.regions) {
      PM_ASSIGN_OR_RETURN(regions, RegionsFromJson(*edit.regions, palette.image.width, palette.image.height,
                                                   kMaxEditedRegions));
      update.regions_json = RegionsToJson(*regions).dump();
    }
    PM_ASSIGN_OR_RETURN(std::vector<engine::Polygon> stored_regions, StoredRegions(palette));
    const std::vector<engine::Polygon>& new_regions = regions ? *regions : stored_regions;
    if (region_labels) {
      if (region_labels->size() != new_regions.size()) {
        return Invalid(CountMismatch("region_labels", region_labels->size(), "regions", new_regions.size()));
      }
      update.region_labels_json = json(*region_labels).dump();
    } else if (regions) {
      update.region_labels_json = json(RegionLabels(regions->size())).dump();
    }

    if (edit.background) {
      if (*edit.background && static_cast<size_t>(**edit.background) >= new_colors.size()) {
        return Invalid("background must be the index of a colour (0 to " +
                       std::to_string(new_colors.size() - 1) + ") or null");
      }
      update.background_index = *edit.background;
    } else if (colors && palette.background_index &&
               static_cast<size_t>(*palette.background_index) >= colors->size()) {
      update.background_index = std::optional<int>();
    }

    // Region colours follow both the regions and the palette.
    if (colors || regions) {
      json region_colors = json::array();
      if (!new_regions.empty()) {
        PM_ASSIGN_OR_RETURN(Decoded decoded, DecodeStored(palette));
        PM_ASSIGN_OR_RETURN(auto computed, RegionColorsFrom(decoded, new_regions, new_colors));
        region_colors = RegionColorsToJson(computed, new_colors);
      }
      update.region_colors_json = region_colors.dump();
    }

    update.if_updated_at = palette.updated_at;
    return s_.store->UpdatePalette(ctx.tenant, id, update, s_.clock->NowMillis());
  });
}

}  // namespace pm::app
