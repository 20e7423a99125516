// Editing a palette by hand (PATCH): the request's shape, and the rules that keep a palette
// consistent. Parsing here checks JSON types and unknown fields only; Palettes::Edit checks
// everything that needs the stored palette (label counts, polygons inside the image, the
// background index) and applies all of it or nothing.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/regions.h"
#include "store/records.h"

namespace pm::app {

inline constexpr size_t kMaxColors = 64;
inline constexpr int kMaxLabelChars = 32;
inline constexpr size_t kMaxEditedRegions = 100;

// PATCH {name?, colors?, labels?, regions?, region_labels?, background?}. Unset = unchanged.
struct PaletteEdit {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> colors;  // "#rrggbb", any case
  std::optional<std::vector<std::string>> labels;
  std::optional<nlohmann::json> regions;  // checked against the image size later
  std::optional<std::vector<std::string>> region_labels;
  std::optional<std::optional<int>> background;  // inner nullopt: no background

  bool empty() const { return !name && !colors && !labels && !regions && !region_labels && !background; }
};

// kInvalidArgument naming the field for an unknown field, a wrong type (name, colors, labels
// and region_labels not strings / arrays of strings; background not an integer or null), or a
// request that changes nothing.
Result<PaletteEdit> PaletteEditFromJson(const nlohmann::json& body);

// "#rrggbb" in lower case, or kInvalidArgument naming `field`.
Result<std::string> NormalizeHexColor(std::string_view s, std::string_view field);

// The name of a copy of `name`: "Name (2)", or the lowest n >= 2 such that "Name (n)" is not in
// `taken`. An existing " (n)" suffix is stripped first ("Name (2)" -> "Name (3)"); the base is
// cut (at a code point) so the result has at most `max_chars` code points.
std::string CopyName(std::string_view name, const std::vector<std::string>& taken, int max_chars);
// The base CopyName builds on (the name without a " (n)" suffix), cut to the code points every
// candidate shares: the names to pass as `taken` are those starting with it.
std::string CopyNamePrefix(std::string_view name, int max_chars);

// --- Stored JSON columns (written by us; a parse failure is kInternal) ------------------------

// colors_json, labels_json, region_labels_json: an array of strings.
Result<std::vector<std::string>> StoredStrings(const std::string& json_text, std::string_view column);
// The palette's regions_json as polygons.
Result<std::vector<engine::Polygon>> StoredRegions(const store::Palette& palette);
// params_json with the top-level keys of `changes` set (others kept).
Result<std::string> MergeParams(const std::string& params_json, const nlohmann::json& changes);

}  // namespace pm::app
