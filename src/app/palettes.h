// Palette use cases. Every method takes a TenantContext (from the tenant gate) and touches only
// that tenant's rows and objects. Thread-safe. No HTTP types.
//
// Upload protocol (streaming, bounded memory): BeginUpload -> Write(chunk)* -> Finish. Nothing
// is visible until Finish succeeds; a failed or abandoned upload leaves no row and no object
// (the object is committed only after the image decoded, and deleted again if the row insert
// fails).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "app/services.h"
#include "common/result.h"
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

struct ExtractResult {
  store::Palette palette;  // as saved
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
  Result<store::Palette> Rename(const TenantContext& ctx, PaletteId id, std::string_view name);
  Status Delete(const TenantContext& ctx, PaletteId id);
  Result<store::Palette> Extract(const TenantContext& ctx, PaletteId id, std::optional<int> k);
  Result<ImageDownload> OpenImage(const TenantContext& ctx, PaletteId id);

  static std::string EncodeCursor(const store::PageCursor& c);
  static Result<store::PageCursor> DecodeCursor(std::string_view s);

 private:
  Status RequireEditor(const TenantContext& ctx);
  Services s_;
};

}  // namespace pm::app
