// Importing an install of the original single-user Color Palette Maker: its
// image_metadata.jsonl (one JSON object per line, in display order) and the uploads directory
// its cachedFilePath fields point into, into one workspace.
//
// Each good line becomes a palette: the image is stored and analysed as an upload would be,
// then the record's colours, labels, background swatch and regions replace the extracted ones;
// the palette keeps the record's createdDateTime. Lines are independent: a bad line (malformed
// JSON, wrong types, an image that is missing or not an image, values the palette rules refuse)
// is reported with its line number and leaves nothing behind, and the rest go on. Running the
// same import again adds nothing: a line whose image (sha256) and name already exist in the
// workspace counts as already imported. The file's order becomes the top of the list.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/services.h"
#include "common/result.h"

namespace pm::app {

// One line of image_metadata.jsonl, checked for types (any field may be missing).
struct LegacyRecord {
  std::optional<int64_t> created_at;              // createdDateTime, Unix ms
  std::optional<std::string> name;                // paletteName
  std::string cached_file;                        // cachedFilePath's file name (no directories)
  std::optional<std::string> uploaded_file;       // uploadedFilePath (for a name fallback)
  std::vector<std::string> colors;                // colorPalette, "#rrggbb"
  std::optional<std::vector<std::string>> labels; // swatchLabels
  std::optional<int> background;                  // backgroundSwatchIndex
  nlohmann::json regions = nlohmann::json::array();
  std::optional<std::vector<std::string>> region_labels;
};

// Parses one line; kInvalidArgument says what is wrong (for the report).
Result<LegacyRecord> ParseLegacyRecord(std::string_view line);

struct LegacyImportOptions {
  std::filesystem::path metadata;  // image_metadata.jsonl
  std::filesystem::path uploads;   // the directory holding the cached image files
  std::string tenant_slug;
  bool dry_run = false;  // check every line (and its image), write nothing
};

struct LegacyLineResult {
  enum class Outcome { kImported, kAlreadyPresent, kFailed, kChecked };
  int line = 0;
  Outcome outcome = Outcome::kFailed;
  std::string name;     // the palette's name when known
  std::string message;  // why it failed, or which palette it is
  PaletteId palette{0};
};

struct LegacyImportSummary {
  int lines = 0;  // non-blank lines read
  int imported = 0;
  int already_present = 0;
  int failed = 0;
  int checked = 0;  // dry run: lines that would be imported
  std::vector<LegacyLineResult> results;  // in file order
};

class LegacyImporter {
 public:
  explicit LegacyImporter(Services services) : s_(services) {}
  // Fails as a whole only when nothing can start (unreadable metadata file, no uploads
  // directory, unknown workspace); everything else is per line in the summary.
  Result<LegacyImportSummary> Run(const LegacyImportOptions& options);

 private:
  Services s_;
};

}  // namespace pm::app
