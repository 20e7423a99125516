// Palette use cases. Every method takes a TenantContext (from the tenant gate) and touches only
// that tenant's rows and objects. Thread-safe. No HTTP types.
//
// Upload protocol (streaming, bounded memory): BeginUpload -> Write(chunk)* -> Finish. Nothing
// is visible until Finish succeeds; a failed or abandoned upload leaves no row and no object
// (the object is committed only after the image decoded, and deleted again if the row insert
// fails).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/analyze.h"
#include "app/palette_edit.h"
#include "app/services.h"
#include "common/result.h"
#include "engine/regions.h"
#include "store/records.h"

namespace pm::app {

class Upload {
 public:
  virtual ~Upload() = default;
  // kPayloadTooLarge past limits.upload_max_bytes; kUnsupportedMediaType as soon as the first
  // bytes show it is not an image format we decode.
  virtual Status Write(std::string_view chunk) = 0;
  // kInvalidArgument for an empty file; kInvalidImage for corrupt data; then stores and extracts.
  virtual Result<store::Palette> Finish(std::optional<std::string> name) = 0;
};

struct RegionDetection {
  store::Palette palette;           // as saved
  engine::RegionResult result;      // strategy, used, effective params
  nlohmann::json region_params;     // RegionParamsToJson, as stored under params.regions
};

struct ImageDownload {
  store::Palette palette;
  std::unique_ptr<objects::ObjectReader> reader;
};

class Palettes {
 public:
  explicit Palettes(Services services) : s_(services) {}

  Result<std::unique_ptr<Upload>> BeginUpload(const TenantContext& ctx, std::string_view filename);

  // `cursor` is "" or a next_cursor from a previous page; limit 1..100.
  Result<store::PalettePage> List(const TenantContext& ctx, std::string_view cursor, int limit);
  Result<store::Palette> Get(const TenantContext& ctx, PaletteId id);
  // Deletes the row, then the stored image unless another palette (a duplicate) still uses it.
  Status Delete(const TenantContext& ctx, PaletteId id);
  // Re-extracts the palette (k 2..20, unset = default). `use_regions`: only pixels inside the
  // palette's regions take part (kInvalidArgument when it has none). Recomputes region colours
  // against the new colours; labels become A, B, ...; a background index out of range is reset.
  Result<store::Palette> Extract(const TenantContext& ctx, PaletteId id, std::optional<int> k,
                                 bool use_regions = false);
  // Detects regions (request validated against the image: kInvalidArgument naming the
  // strategy or parameter) and stores them with labels 00, 01, ..., their colours against the
  // palette, and the effective parameters under params.regions.
  Result<RegionDetection> DetectRegions(const TenantContext& ctx, PaletteId id,
                                        const engine::RegionRequest& request);
  // PATCH: applies every field of `edit` or none (kInvalidArgument saying which rule broke).
  Result<store::Palette> Edit(const TenantContext& ctx, PaletteId id, const PaletteEdit& edit);
  // A copy sharing the stored image, named "Name (2)", "Name (3)", ..., on top of the list.
  Result<store::Palette> Duplicate(const TenantContext& ctx, PaletteId id);
  // `top_first` must be exactly the workspace's palette ids (kConflict otherwise); at most
  // kMaxReorder ids, no duplicates (kInvalidArgument).
  Status Reorder(const TenantContext& ctx, const std::vector<PaletteId>& top_first);
  Result<store::Palette> Move(const TenantContext& ctx, PaletteId id, store::PaletteMove move);
  Result<ImageDownload> OpenImage(const TenantContext& ctx, PaletteId id);
  // The WebP thumbnail of `palette` (as returned by Get for `ctx`), longest side at most
  // kThumbnailSide px: read from the object store, or made from the image and stored on first
  // use (app/thumbnails.h). kUnavailable when the image object is missing.
  Result<std::string> Thumbnail(const TenantContext& ctx, const store::Palette& palette);

  static constexpr size_t kMaxReorder = 10000;

  static std::string EncodeCursor(const store::PageCursor& c);
  static Result<store::PageCursor> DecodeCursor(std::string_view s);

 private:
  Status RequireEditor(const TenantContext& ctx);
  // The palette's stored image, decoded at the working scale.
  Result<Decoded> DecodeStored(const store::Palette& palette);
  // Runs a read-modify-write `attempt` (which sets if_updated_at) again when another writer
  // changed the palette in between (kConflict), a few times before giving up.
  Result<store::Palette> Retrying(const std::function<Result<store::Palette>()>& attempt);
  Services s_;
};

}  // namespace pm::app
