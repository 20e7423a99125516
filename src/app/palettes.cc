#include "app/palettes.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "app/analyze.h"
#include "app/audit.h"
#include "app/quotas.h"
#include "app/text.h"
#include "app/thumbnails.h"
#include "common/crypto.h"
#include "common/log.h"
#include "engine/image.h"

namespace pm::app {
namespace {

constexpr int kMaxNameChars = 100;
// Enough bytes to recognise every format we decode.
constexpr size_t kSniffBytes = 16;

Error PaletteNotFound() { return MakeError(ErrorCode::kNotFound, "palette not found"); }

// A palette name from an upload's file name: the base name without its extension.
std::string NameFromFilename(std::string_view filename) {
  size_t slash = filename.find_last_of("/\\");
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  size_t dot = filename.rfind('.');
  if (dot != std::string_view::npos && dot > 0) filename = filename.substr(0, dot);
  auto valid = ValidateName(filename, "name", kMaxNameChars);
  if (valid.ok()) return valid.value();
  // Over-long or odd file names still make a usable name.
  std::string cleaned;
  for (unsigned char c : filename) cleaned += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
  while (!cleaned.empty() && (Utf8Length(cleaned) < 0 || Utf8Length(cleaned) > kMaxNameChars)) cleaned.pop_back();
  auto again = ValidateName(cleaned, "name", kMaxNameChars);
  return again.ok() ? again.value() : "Untitled";
}

class UploadImpl : public Upload {
 public:
  UploadImpl(Services s, TenantContext ctx, std::string filename)
      : s_(s), ctx_(std::move(ctx)), filename_(std::move(filename)) {}

  Status Write(std::string_view chunk) override {
    if (failed_) return MakeError(ErrorCode::kInternal, "upload already failed");
    // limits.upload_max_bytes, or the workspace plan's upload_bytes when smaller.
    Status size_ok = Quotas(s_).CheckUploadBytes(ctx_, static_cast<int64_t>(bytes_.size() + chunk.size()));
    if (!size_ok.ok()) {
      failed_ = true;
      return size_ok;
    }
    bool was_short = bytes_.size() < kSniffBytes;
    bytes_.append(chunk);
    if (was_short && bytes_.size() >= kSniffBytes) return CheckFormat();
    return Status::Ok();
  }

  Result<store::Palette> Finish(std::optional<std::string> name) override {
    if (failed_) return MakeError(ErrorCode::kInternal, "upload already failed");
    if (bytes_.empty()) return MakeError(ErrorCode::kInvalidArgument, "the uploaded file is empty");
    PM_RETURN_IF_ERROR(CheckFormat());
    std::string palette_name;
    if (name && !Trim(*name).empty()) {
      PM_ASSIGN_OR_RETURN(palette_name, ValidateName(*name, "name", kMaxNameChars));
    } else {
      palette_name = NameFromFilename(filename_);
    }
    // The plan's caps, from the header and live counts, before the full decode and before
    // anything is stored: a refused upload changes nothing.
    Quotas quotas(s_);
    {
      std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes_.data()), bytes_.size());
      PM_ASSIGN_OR_RETURN(engine::ImageInfo header, engine::ProbeImage(span, LimitsFrom(*s_.config)));
      PM_RETURN_IF_ERROR(quotas.CheckImagePixels(ctx_, header.width, header.height));
      PM_RETURN_IF_ERROR(quotas.CheckUploadRoom(ctx_, static_cast<int64_t>(bytes_.size())));
    }
    // Decode fully before anything is stored: a corrupt image never reaches storage.
    PM_ASSIGN_OR_RETURN(Analysis analysis, AnalyzeImage(bytes_, *s_.config, std::nullopt));

    std::string ext = engine::FormatName(analysis.info.format);
    PM_ASSIGN_OR_RETURN(std::string key, objects::TenantKey(ctx_.tenant, "images/" + RandomToken(18) + "." + ext));
    PM_ASSIGN_OR_RETURN(auto writer, s_.objects->Create(key));
    // Written in bounded pieces so a backend can stream them (S3 multipart later).
    constexpr size_t kPiece = 1 << 20;
    for (size_t off = 0; off < bytes_.size(); off += kPiece) {
      auto st = writer->Write(std::string_view(bytes_).substr(off, kPiece));
      if (!st.ok()) {
        writer->Abort();
        return st.error();
      }
    }
    PM_ASSIGN_OR_RETURN(objects::ObjectInfo info, writer->Commit());

    store::NewPalette row;
    row.name = palette_name;
    row.image.object_key = key;
    row.image.format = ext;
    row.image.mime = engine::MimeType(analysis.info.format);
    row.image.width = analysis.info.width;
    row.image.height = analysis.info.height;
    row.image.bytes = info.size;
    row.image.sha256 = Sha256Hex(bytes_);
    row.colors_json = ColorsJson(analysis);
    row.labels_json = LabelsJson(analysis);
    row.coverage_json = CoverageJson(analysis);
    row.params_json = ParamsJson(analysis);
    row.created_by = ctx_.user;
    auto created = s_.store->CreatePalette(ctx_.tenant, row, s_.clock->NowMillis());
    if (!created.ok()) {
      // No row: the object must not outlive the failure.
      auto del = s_.objects->Delete(key);
      if (!del.ok()) {
        log::Warn("orphaned object after failed insert", {{"key", key}, {"error", del.error().message}});
      }
      return created.error();
    }
    quotas.Meter(ctx_.tenant, kMetricUploads, 1);
    quotas.Meter(ctx_.tenant, kMetricUploadBytes, static_cast<int64_t>(bytes_.size()));
    quotas.Meter(ctx_.tenant, kMetricExtractions, 1);
    return created;
  }

 private:
  Status CheckFormat() {
    std::span<const uint8_t> head(reinterpret_cast<const uint8_t*>(bytes_.data()), bytes_.size());
    if (engine::SniffFormat(head) == engine::ImageFormat::kUnknown) {
      failed_ = true;
      return MakeError(ErrorCode::kUnsupportedMediaType,
                       "the file is not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF)");
    }
    return Status::Ok();
  }

  Services s_;
  TenantContext ctx_;
  std::string filename_;
  // The compressed file is part of the decode working set, bounded by upload_max_bytes.
  std::string bytes_;
  bool failed_ = false;
};

}  // namespace

Status Palettes::RequireEditor(const TenantContext& ctx) {
  if (!auth::Allows(ctx.role, auth::Capability::kEditPalettes)) {
    return MakeError(ErrorCode::kPermissionDenied, "your role in this workspace cannot change palettes");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Upload>> Palettes::BeginUpload(const TenantContext& ctx, std::string_view filename) {
  PM_RETURN_IF_ERROR(RequireEditor(ctx));
  // Refused before the body is read when the workspace is already full.
  PM_RETURN_IF_ERROR(Quotas(s_).CheckPaletteSlot(ctx));
  return std::unique_ptr<Upload>(new UploadImpl(s_, ctx, std::string(filename)));
}

std::string Palettes::EncodeCursor(const store::PageCursor& c) {
  return std::to_string(c.position) + "." + std::to_string(c.id);
}

Result<store::PageCursor> Palettes::DecodeCursor(std::string_view s) {
  auto bad = [] { return MakeError(ErrorCode::kInvalidArgument, "cursor is not a value returned as next_cursor"); };
  size_t dot = s.find('.');
  if (dot == std::string_view::npos || s.size() > 41) return bad();
  store::PageCursor c;
  auto parse = [](std::string_view part, int64_t* out) {
    if (part.empty()) return false;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), *out);
    return ec == std::errc() && p == part.data() + part.size() && *out >= 0;
  };
  if (!parse(s.substr(0, dot), &c.position) || !parse(s.substr(dot + 1), &c.id)) return bad();
  return c;
}

Result<store::PalettePage> Palettes::List(const TenantContext& ctx, std::string_view cursor, int limit) {
  if (limit < 1 || limit > 100) return MakeError(ErrorCode::kInvalidArgument, "limit must be from 1 to 100");
  std::optional<store::PageCursor> after;
  if (!cursor.empty()) {
    PM_ASSIGN_OR_RETURN(after, DecodeCursor(cursor));
  }
  return s_.store->ListPalettes(ctx.tenant, after, limit);
}

Result<store::Palette> Palettes::Get(const TenantContext& ctx, PaletteId id) {
  auto p = s_.store->GetPalette(ctx.tenant, id);
  if (!p.ok() && p.error().code == ErrorCode::kNotFound) return PaletteNotFound();
  return p;
}

Status Palettes::Delete(const TenantContext& ctx, PaletteId id) {
  PM_RETURN_IF_ERROR(RequireEditor(ctx));
  auto deleted = s_.store->DeletePalette(ctx.tenant, id);
  if (!deleted.ok()) {
    if (deleted.error().code == ErrorCode::kNotFound) return PaletteNotFound();
    return deleted.error();
  }
  AuditEvent event = TenantEvent(ctx, "palette.deleted", "palette:" + std::to_string(id.value));
  event.details_json = nlohmann::json{{"name", deleted->name}}.dump();
  Audit(s_, event);
  // Row first, then the object, and only when no other palette of the tenant still uses it
  // (duplicates share their source's object). So a row never points at a missing object:
  //  - Two sharers deleted at once: each delete commits its row before it asks, and the
  //    question reads the latest committed rows, so at least the later of the two sees both
  //    rows gone and deletes the object (both may; the second delete finds nothing).
  //  - A duplicate being made: DuplicatePalette copies only a row that still exists, and holds
  //    that row until its copy commits, so a delete of the source either happens first (no
  //    copy is made) or sees the copy here.
  // What can remain is a leak, never a dangling row: the process dies between the row delete
  // and the object delete, or the check or the delete fails. The janitor's orphan sweep
  // (objects older than jobs.orphan_grace_s that no row of their tenant references, checked
  // with the same ObjectKeyInUse) deletes those later.
  const std::string& key = deleted->image.object_key;
  if (key.empty()) return Status::Ok();
  auto in_use = s_.store->ObjectKeyInUse(ctx.tenant, key);
  if (!in_use.ok()) {
    log::Warn("could not check whether a deleted palette's object is shared; leaving it to the janitor",
              {{"key", key}, {"error", in_use.error().message}});
    return Status::Ok();
  }
  if (*in_use) return Status::Ok();
  auto st = s_.objects->Delete(key);
  if (!st.ok() && st.error().code != ErrorCode::kNotFound) {
    log::Warn("could not delete object of deleted palette", {{"key", key}, {"error", st.error().message}});
  }
  // The thumbnail goes with its image (whether or not one was ever made).
  auto thumb = ThumbnailKey(ctx.tenant, key);
  if (thumb.ok()) st = s_.objects->Delete(*thumb);
  if (!thumb.ok() || (!st.ok() && st.error().code != ErrorCode::kNotFound)) {
    log::Warn("could not delete the thumbnail of a deleted palette",
              {{"key", key}, {"error", thumb.ok() ? st.error().message : thumb.error().message}});
  }
  return Status::Ok();
}

Result<Decoded> Palettes::DecodeStored(const store::Palette& palette) {
  auto bytes = s_.objects->GetBytes(palette.image.object_key, s_.config->limits.upload_max_bytes);
  if (!bytes.ok()) {
    if (bytes.error().code == ErrorCode::kNotFound) {
      // Same answer as OpenImage: a row without its object is our fault, not the caller's.
      log::Error("palette row without object", {{"key", palette.image.object_key}});
      return MakeError(ErrorCode::kUnavailable, "the image is temporarily unavailable");
    }
    return bytes.error();
  }
  return DecodeWorking(*bytes, *s_.config);
}

Result<store::Palette> Palettes::Retrying(const std::function<Result<store::Palette>()>& attempt) {
  constexpr int kAttempts = 3;
  for (int i = 1;; ++i) {
    auto r = attempt();
    if (r.ok() || r.error().code != ErrorCode::kConflict || i == kAttempts) {
      if (!r.ok() && r.error().code == ErrorCode::kNotFound) return PaletteNotFound();
      return r;
    }
  }
}

Result<store::Palette> Palettes::Extract(const TenantContext& ctx, PaletteId id, std::optional<int> k,
                                         bool use_regions) {
  PM_RETURN_IF_ERROR(RequireEditor(ctx));
  if (k && (*k < 2 || *k > 20)) return MakeError(ErrorCode::kInvalidArgument, "k must be an integer from 2 to 20");
  auto extracted = Retrying([&]() -> Result<store::Palette> {
    PM_ASSIGN_OR_RETURN(store::Palette palette, Get(ctx, id));
    PM_ASSIGN_OR_RETURN(std::vector<engine::Polygon> regions, StoredRegions(palette));
    if (use_regions && regions.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "this palette has no regions: detect regions first, or extract without use_regions");
    }
    PM_ASSIGN_OR_RETURN(Decoded decoded, DecodeStored(palette));
    static const std::vector<engine::Polygon> kNoMask;
    PM_ASSIGN_OR_RETURN(Analysis analysis,
                        ExtractFrom(decoded, *s_.config, k, use_regions ? regions : kNoMask));
    store::PaletteUpdate update;
    update.colors_json = ColorsJson(analysis);
    update.labels_json = LabelsJson(analysis);
    update.coverage_json = CoverageJson(analysis);
    PM_ASSIGN_OR_RETURN(update.params_json,
                        MergeParams(palette.params_json, {{"k", k ? nlohmann::json(*k) : nlohmann::json(nullptr)},
                                                          {"use_regions", use_regions}}));
    // Region colours follow the palette: same regions, nearest of the new colours.
    nlohmann::json region_colors = nlohmann::json::array();
    if (!regions.empty()) {
      PM_ASSIGN_OR_RETURN(auto colors, RegionColorsFrom(decoded, regions, analysis.colors));
      region_colors = RegionColorsToJson(colors, analysis.colors);
    }
    update.region_colors_json = region_colors.dump();
    if (palette.background_index &&
        static_cast<size_t>(*palette.background_index) >= analysis.colors.size()) {
      update.background_index = std::optional<int>();
    }
    update.if_updated_at = palette.updated_at;
    return s_.store->UpdatePalette(ctx.tenant, id, update, s_.clock->NowMillis());
  });
  if (extracted.ok()) Quotas(s_).Meter(ctx.tenant, kMetricExtractions, 1);
  return extracted;
}

Result<RegionDetection> Palettes::DetectRegions(const TenantContext& ctx, PaletteId id,
                                                const engine::RegionRequest& request) {
  PM_RETURN_IF_ERROR(RequireEditor(ctx));
  // Counted against detections_per_day before any work (atomically, so the cap holds across
  // replicas), and given back below when the detection does not succeed.
  Quotas quotas(s_);
  PM_ASSIGN_OR_RETURN(int64_t reserved_day, quotas.ReserveDetection(ctx));
  RegionDetection out;
  auto saved = Retrying([&]() -> Result<store::Palette> {
    PM_ASSIGN_OR_RETURN(store::Palette palette, Get(ctx, id));
    // A bad request is refused before the image is read and decoded.
    auto valid = engine::ValidateRegionRequest(request, palette.image.width, palette.image.height);
    if (!valid.ok()) return valid.error();
    PM_ASSIGN_OR_RETURN(std::vector<std::string> colors, StoredStrings(palette.colors_json, "colors"));
    PM_ASSIGN_OR_RETURN(Decoded decoded, DecodeStored(palette));
    PM_ASSIGN_OR_RETURN(RegionAnalysis analysis, DetectFrom(decoded, request, colors));
    out.result = analysis.result;
    out.region_params = RegionParamsToJson(analysis.result, request.template_box);
    store::PaletteUpdate update;
    update.regions_json = RegionsToJson(analysis.result.regions).dump();
    update.region_labels_json = nlohmann::json(analysis.labels).dump();
    update.region_colors_json = RegionColorsToJson(analysis.colors, colors).dump();
    PM_ASSIGN_OR_RETURN(update.params_json, MergeParams(palette.params_json, {{"regions", out.region_params}}));
    update.if_updated_at = palette.updated_at;
    return s_.store->UpdatePalette(ctx.tenant, id, update, s_.clock->NowMillis());
  });
  if (!saved.ok()) {
    quotas.ReleaseDetection(ctx, reserved_day);
    return saved.error();
  }
  out.palette = std::move(saved).value();
  return out;
}

Result<store::Palette> Palettes::Duplicate(const TenantContext& ctx, PaletteId id) {
  PM_RETURN_IF_ERROR(RequireEditor(ctx));
  PM_ASSIGN_OR_RETURN(store::Palette source, Get(ctx, id));
  // A copy shares the source's image, so only the palette count grows.
  PM_RETURN_IF_ERROR(Quotas(s_).CheckPaletteSlot(ctx));
  const std::string prefix = CopyNamePrefix(source.name, kMaxNameChars);
  auto copy = s_.store->DuplicatePalette(
      ctx.tenant, id, prefix,
      [&](const std::vector<std::string>& taken) { return CopyName(source.name, taken, kMaxNameChars); },
      ctx.user, s_.clock->NowMillis());
  if (!copy.ok() && copy.error().code == ErrorCode::kNotFound) return PaletteNotFound();
  return copy;
}

Status Palettes::Reorder(const TenantContext& ctx, const std::vector<PaletteId>& top_first) {
  PM_RETURN_IF_ERROR(RequireEditor(ctx));
  if (top_first.size() > kMaxReorder) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "ids may hold at most " + std::to_string(kMaxReorder) + " palette ids");
  }
  std::vector<int64_t> sorted;
  sorted.reserve(top_first.size());
  for (PaletteId id : top_first) sorted.push_back(id.value);
  std::sort(sorted.begin(), sorted.end());
  if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
    return MakeError(ErrorCode::kInvalidArgument, "ids lists palette " + std::to_string(*dup) + " more than once");
  }
  return s_.store->ReorderPalettes(ctx.tenant, top_first);
}

Result<store::Palette> Palettes::Move(const TenantContext& ctx, PaletteId id, store::PaletteMove move) {
  PM_RETURN_IF_ERROR(RequireEditor(ctx));
  auto p = s_.store->MovePalette(ctx.tenant, id, move);
  if (!p.ok() && p.error().code == ErrorCode::kNotFound) return PaletteNotFound();
  return p;
}

Result<ImageDownload> Palettes::OpenImage(const TenantContext& ctx, PaletteId id) {
  PM_ASSIGN_OR_RETURN(store::Palette palette, Get(ctx, id));
  auto reader = s_.objects->Open(palette.image.object_key);
  if (!reader.ok()) {
    if (reader.error().code == ErrorCode::kNotFound) {
      log::Error("palette row without object", {{"key", palette.image.object_key}});
      return MakeError(ErrorCode::kUnavailable, "the image is temporarily unavailable");
    }
    return reader.error();
  }
  return ImageDownload{std::move(palette), std::move(reader).value()};
}

}  // namespace pm::app
