// Thumbnail object keys. A palette's thumbnail is a WebP of its image (longest side at most
// kThumbnailSide px) stored next to the image under the same tenant prefix:
//
//   tenants/{tenant}/images/{name}  ->  tenants/{tenant}/thumbs/{name}.webp
//
// so every palette sharing an image object (duplicates) shares its thumbnail, and whether a
// thumbnail is still needed is whether its image object is (store::Store::ObjectKeyInUse). It is
// made on first request (Palettes::Thumbnail), deleted with its image (Palettes::Delete), swept
// by the janitor when its image is gone, and purged with the workspace (every tenants/{id}/ key).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/ids.h"
#include "common/result.h"

namespace pm::app {

constexpr int kThumbnailSide = 320;

// The thumbnail key of `image_key`, which must be one of `tenant`'s image keys
// (kInternal otherwise: rows only ever hold keys we built).
Result<std::string> ThumbnailKey(TenantId tenant, std::string_view image_key);

// The image key a thumbnail key was derived from, or nullopt when `key` is not a thumbnail key.
std::optional<std::string> ImageKeyOfThumbnail(std::string_view key);

}  // namespace pm::app
