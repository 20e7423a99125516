#include "app/legacy_import.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "app/audit.h"
#include "app/palette_edit.h"
#include "app/palettes.h"
#include "app/text.h"
#include "common/crypto.h"
#include "common/rfc3339.h"

namespace pm::app {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Outcome = LegacyLineResult::Outcome;

Error Bad(const std::string& message) { return MakeError(ErrorCode::kInvalidArgument, message); }

// The fields image_metadata.jsonl may carry; anything else is refused as a typo or another format.
constexpr const char* kKnownFields[] = {
    "createdDateTime", "uploadedURL",   "uploadedFilePath",      "cachedFilePath", "width",
    "height",          "format",        "fileSizeBytes",         "colorPalette",   "paletteName",
    "swatchLabels",    "backgroundSwatchIndex", "regions",       "regionLabels",   "paletteRegion",
    "regionStrategy",  "regionParams"};

// A field that is missing or null reads as absent.
const json* Field(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::vector<std::string>> Strings(const json& value, const char* field) {
  if (!value.is_array()) return Bad(std::string(field) + " must be an array of strings");
  std::vector<std::string> out;
  for (const auto& v : value) {
    if (!v.is_string()) return Bad(std::string(field) + " must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// A clock stopped at one instant: the palette row gets the record's createdDateTime.
class FixedClock : public Clock {
 public:
  explicit FixedClock(int64_t ms) : ms_(ms) {}
  int64_t NowMillis() const override { return ms_; }

 private:
  int64_t ms_;
};

Result<std::string> ReadFile(const fs::path& path, size_t max_bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return MakeError(ErrorCode::kNotFound, "image file not found: " + path.string());
  }
  auto size = fs::file_size(path, ec);
  if (ec) return MakeError(ErrorCode::kNotFound, "cannot read " + path.string() + ": " + ec.message());
  if (size > max_bytes) {
    return MakeError(ErrorCode::kPayloadTooLarge, path.string() + " is larger than the upload limit (" +
                                                      std::to_string(max_bytes) + " bytes)");
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    return MakeError(ErrorCode::kNotFound, "cannot read " + path.string());
  }
  return bytes;
}

std::string Key(std::string_view sha256, std::string_view name) {
  return std::string(sha256) + '\n' + std::string(name);
}

}  // namespace

Result<LegacyRecord> ParseLegacyRecord(std::string_view line) {
  json obj = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) return Bad("not valid JSON");
  if (!obj.is_object()) return Bad("not a JSON object");
  for (const auto& [key, value] : obj.items()) {
    if (std::find_if(std::begin(kKnownFields), std::end(kKnownFields),
                     [&](const char* f) { return key == f; }) == std::end(kKnownFields)) {
      return Bad("unknown field " + key);
    }
  }
  LegacyRecord r;
  if (const json* v = Field(obj, "createdDateTime")) {
    if (!v->is_string()) return Bad("createdDateTime must be a string");
    auto t = ParseRfc3339Millis(v->get<std::string>());
    if (!t || *t < 0) return Bad("createdDateTime is not an RFC 3339 time: " + v->get<std::string>());
    r.created_at = *t;
  }
  if (const json* v = Field(obj, "paletteName")) {
    if (!v->is_string()) return Bad("paletteName must be a string");
    r.name = v->get<std::string>();
  }
  const json* cached = Field(obj, "cachedFilePath");
  if (!cached) return Bad("cachedFilePath is missing: there is no image to import");
  if (!cached->is_string()) return Bad("cachedFilePath must be a string");
  // Only the file name counts: the original kept "uploads/<file>" relative to its own directory,
  // and a path must never reach outside the uploads directory given on the command line.
  std::string path = cached->get<std::string>();
  std::string file = fs::path(path).filename().string();
  if (file.empty() || file == "." || file == ".." || path.find('\0') != std::string::npos) {
    return Bad("cachedFilePath does not name a file: " + path);
  }
  r.cached_file = file;
  if (const json* v = Field(obj, "uploadedFilePath")) {
    if (!v->is_string()) return Bad("uploadedFilePath must be a string");
    r.uploaded_file = v->get<std::string>();
  }
  if (const json* v = Field(obj, "colorPalette")) {
    PM_ASSIGN_OR_RETURN(auto colors, Strings(*v, "colorPalette"));
    if (colors.size() > kMaxColors) return Bad("colorPalette has more than " + std::to_string(kMaxColors) + " colours");
    for (const auto& c : colors) {
      PM_ASSIGN_OR_RETURN(std::string hex, NormalizeHexColor(c, "colorPalette"));
      r.colors.push_back(std::move(hex));
    }
  }
  if (const json* v = Field(obj, "swatchLabels")) {
    PM_ASSIGN_OR_RETURN(auto labels, Strings(*v, "swatchLabels"));
    r.labels = std::move(labels);
  }
  if (const json* v = Field(obj, "backgroundSwatchIndex")) {
    if (!v->is_number_integer()) return Bad("backgroundSwatchIndex must be an integer");
    r.background = v->get<int>();
  }
  if (const json* v = Field(obj, "regions")) {
    if (!v->is_array()) return Bad("regions must be an array of polygons");
    r.regions = *v;  // shapes and bounds are checked by the palette rules (Palettes::Edit)
  }
  if (const json* v = Field(obj, "regionLabels")) {
    PM_ASSIGN_OR_RETURN(auto labels, Strings(*v, "regionLabels"));
    r.region_labels = std::move(labels);
  }
  return r;
}

Result<LegacyImportSummary> LegacyImporter::Run(const LegacyImportOptions& options) {
  std::ifstream in(options.metadata);
  if (!in) return Bad("cannot read the metadata file " + options.metadata.string());
  std::error_code ec;
  if (!fs::is_directory(options.uploads, ec)) {
    return Bad("the uploads directory " + options.uploads.string() + " does not exist");
  }

  // The workspace, entered as its owner (the CLI is run by the operator of the server).
  store::TenantFilter filter;
  filter.query = options.tenant_slug;
  filter.limit = 1000;
  PM_ASSIGN_OR_RETURN(std::vector<store::TenantSummary> rows, s_.store->ListTenantSummaries(filter));
  auto row = std::find_if(rows.begin(), rows.end(),
                          [&](const store::TenantSummary& t) { return t.workspace.slug == options.tenant_slug; });
  if (row == rows.end() || row->workspace.deleted_at) {
    return MakeError(ErrorCode::kNotFound, "no workspace with the slug " + options.tenant_slug);
  }
  if (row->owner_id.value == 0) return MakeError(ErrorCode::kInternal, "the workspace has no owner");
  TenantContext ctx{row->workspace.id, row->workspace.slug, row->owner_id, auth::Role::kOwner, row->workspace, {}};

  // What the workspace already holds, for idempotence: image sha256 + name.
  Palettes palettes(s_);
  std::map<std::string, PaletteId> existing;
  std::string cursor;
  for (;;) {
    PM_ASSIGN_OR_RETURN(store::PalettePage page, palettes.List(ctx, cursor, 100));
    for (const auto& p : page.items) existing.emplace(Key(p.image.sha256, p.name), p.id);
    if (!page.next) break;
    cursor = Palettes::EncodeCursor(*page.next);
  }

  LegacyImportSummary summary;
  struct Pending {
    size_t result;  // index into summary.results
    LegacyRecord record;
    std::string bytes;
    std::string name;
  };
  std::vector<Pending> pending;
  auto fail = [&](LegacyLineResult r, const std::string& message) {
    r.outcome = Outcome::kFailed;
    r.message = message;
    summary.results.push_back(std::move(r));
    ++summary.failed;
  };

  // Pass 1: read and check every line, and its image.
  const size_t max_bytes = static_cast<size_t>(s_.config->limits.upload_max_bytes);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Trim(line).empty()) continue;
    ++summary.lines;
    LegacyLineResult result;
    result.line = number;
    auto record = ParseLegacyRecord(line);
    if (!record.ok()) {
      fail(std::move(result), record.error().message);
      continue;
    }
    auto bytes = ReadFile(options.uploads / record->cached_file, max_bytes);
    if (!bytes.ok()) {
      fail(std::move(result), bytes.error().message);
      continue;
    }
    // The original named untitled palettes after the cached file; keep whatever it showed.
    std::string name = record->name && !Trim(*record->name).empty()
                           ? *record->name
                           : fs::path(record->uploaded_file.value_or(record->cached_file)).stem().string();
    auto valid = ValidateName(name, "paletteName", 100);
    if (!valid.ok()) {
      fail(std::move(result), valid.error().message);
      continue;
    }
    name = valid.value();
    result.name = name;
    auto key = Key(Sha256Hex(*bytes), name);
    if (auto it = existing.find(key); it != existing.end()) {
      result.outcome = Outcome::kAlreadyPresent;
      result.palette = it->second;
      result.message = "already imported as palette " + std::to_string(it->second.value);
      summary.results.push_back(std::move(result));
      ++summary.already_present;
      continue;
    }
    existing.emplace(key, PaletteId{0});  // a repeated line in the same file is imported once
    summary.results.push_back(std::move(result));
    pending.push_back({summary.results.size() - 1, std::move(*record), std::move(*bytes), std::move(name)});
  }
  if (in.bad()) return MakeError(ErrorCode::kInternal, "reading " + options.metadata.string() + " failed");

  // Pass 2: create them bottom line first, so the file's first line ends on top of the list.
  for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
    LegacyLineResult& result = summary.results[it->result];
    const LegacyRecord& rec = it->record;
    if (options.dry_run) {
      result.outcome = Outcome::kChecked;
      result.message = "would be imported";
      ++summary.checked;
      continue;
    }
    FixedClock created(rec.created_at.value_or(s_.clock->NowMillis()));
    Services at_creation = s_;
    at_creation.clock = &created;
    auto created_palette = [&]() -> Result<store::Palette> {
      PM_ASSIGN_OR_RETURN(auto upload, Palettes(at_creation).BeginUpload(ctx, rec.cached_file));
      PM_RETURN_IF_ERROR(upload->Write(it->bytes));
      return upload->Finish(it->name);
    }();
    if (!created_palette.ok()) {
      result.outcome = Outcome::kFailed;
      result.message = created_palette.error().message;
      ++summary.failed;
      existing.erase(Key(Sha256Hex(it->bytes), it->name));
      continue;
    }
    PaletteId id = created_palette->id;
    // The record's own palette replaces the extracted one, all rules checked at once.
    PaletteEdit edit;
    // Labels and the background index refer to the record's colours; with none recorded the
    // extracted palette stays, with its own labels.
    if (!rec.colors.empty()) {
      edit.colors = rec.colors;
      if (rec.labels) edit.labels = *rec.labels;
      if (rec.background) edit.background = std::optional<int>(*rec.background);
    }
    if (!rec.regions.empty()) edit.regions = rec.regions;
    if (rec.region_labels && !rec.regions.empty()) edit.region_labels = *rec.region_labels;
    if (!edit.empty()) {
      auto edited = palettes.Edit(ctx, id, edit);
      if (!edited.ok()) {
        // Nothing of a refused line stays behind: the row and its image go again.
        auto undo = palettes.Delete(ctx, id);
        result.outcome = Outcome::kFailed;
        result.message = edited.error().message +
                         (undo.ok() ? std::string() : " (and removing the half-imported palette failed: " +
                                                          undo.error().message + ")");
        ++summary.failed;
        continue;
      }
    }
    result.outcome = Outcome::kImported;
    result.palette = id;
    result.message = "imported as palette " + std::to_string(id.value);
    ++summary.imported;
  }
  if (!options.dry_run && (summary.imported > 0 || summary.failed > 0)) {
    AuditEvent event;
    event.action = "workspace.legacy_imported";
    event.tenant = ctx.tenant;
    event.actor_kind = "system";
    event.target = "workspace:" + std::to_string(ctx.tenant.value);
    event.details_json = json{{"imported", summary.imported},
                              {"already_present", summary.already_present},
                              {"failed", summary.failed}}
                             .dump();
    Audit(s_, event);
  }
  return summary;
}

}  // namespace pm::app
