#include "app/thumbnails.h"

#include <span>

#include "app/analyze.h"
#include "app/app_metrics.h"
#include "app/palettes.h"
#include "common/log.h"
#include "engine/encode.h"
#include "objects/object_store.h"

namespace pm::app {
namespace {

constexpr std::string_view kImages = "/images/";
constexpr std::string_view kThumbs = "/thumbs/";
constexpr std::string_view kThumbExt = ".webp";
// A thumbnail is a few tens of KB; anything bigger under its key is not ours.
constexpr int64_t kMaxThumbnailBytes = 4 << 20;

}  // namespace

Result<std::string> ThumbnailKey(TenantId tenant, std::string_view image_key) {
  PM_ASSIGN_OR_RETURN(std::string images, objects::TenantKey(tenant, "images"));
  images += '/';
  if (!image_key.starts_with(images) || image_key.size() == images.size() ||
      image_key.find('/', images.size()) != std::string_view::npos) {
    return MakeError(ErrorCode::kInternal, "not an image key of this workspace: " + std::string(image_key));
  }
  std::string name(image_key.substr(images.size()));
  return objects::TenantKey(tenant, "thumbs/" + name + std::string(kThumbExt));
}

std::optional<std::string> ImageKeyOfThumbnail(std::string_view key) {
  if (!key.starts_with("tenants/") || !key.ends_with(kThumbExt)) return std::nullopt;
  size_t at = key.find(kThumbs);
  // tenants/{id}/thumbs/{name}.webp: exactly one segment after thumbs/.
  if (at == std::string_view::npos || key.find('/', 8) != at ||
      key.find('/', at + kThumbs.size()) != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view name = key.substr(at + kThumbs.size());
  name.remove_suffix(kThumbExt.size());
  if (name.empty()) return std::nullopt;
  return std::string(key.substr(0, at)) + std::string(kImages) + std::string(name);
}

Result<std::string> Palettes::Thumbnail(const TenantContext& ctx, const store::Palette& palette) {
  PM_ASSIGN_OR_RETURN(std::string key, ThumbnailKey(ctx.tenant, palette.image.object_key));
  auto stored = s_.objects->GetBytes(key, kMaxThumbnailBytes);
  if (stored.ok() || stored.error().code != ErrorCode::kNotFound) return stored;

  // First request: make it from the image. Two first requests at once both make it and both
  // store the same bytes (a commit is atomic). A delete racing with this can leave the new
  // thumbnail behind its image; the janitor's orphan sweep removes it (ImageKeyOfThumbnail).
  auto image = s_.objects->GetBytes(palette.image.object_key, s_.config->limits.upload_max_bytes);
  if (!image.ok()) {
    if (image.error().code == ErrorCode::kNotFound) {
      log::Error("palette row without object", {{"key", palette.image.object_key}});
      return MakeError(ErrorCode::kUnavailable, "the image is temporarily unavailable");
    }
    return image.error();
  }
  std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(image->data()), image->size());
  Result<engine::EncodedImage> made = [&] {
    EngineTimer timer("thumbnail");
    return engine::MakeThumbnail(span, LimitsFrom(*s_.config), kThumbnailSide);
  }();
  PM_ASSIGN_OR_RETURN(engine::EncodedImage thumb, std::move(made));
  auto put = s_.objects->PutBytes(key, thumb.bytes);
  if (!put.ok()) {
    // Still answer: the next request tries to store it again.
    log::Warn("could not store a thumbnail", {{"key", key}, {"error", put.error().message}});
  }
  return std::move(thumb.bytes);
}

}  // namespace pm::app
