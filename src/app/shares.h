// Read-only share links: a palette's editors make a link that anyone can open without signing in;
// members list the palette's active links and editors revoke them. Thread-safe (stateless beyond
// Services). No HTTP types.
//
// A link's token is "pms_" + 32 random bytes in unpadded base64url (47 characters), shown once;
// only its SHA-256 hex is stored. Opening a link (Open, OpenImage) is the only way to a palette
// without a TenantContext: the store finds the link by the token's hash, then the palette by the
// link's own tenant and palette ids, so a link reaches that one palette and nothing else. Every
// failure to open -- a malformed, unknown or revoked token, a deleted palette, a soft-deleted
// workspace -- is the same kNotFound (NotValid()), so a caller learns nothing from the answer.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/services.h"
#include "common/result.h"
#include "objects/object_store.h"
#include "store/records.h"

namespace pm::app {

struct NewShareResult {
  store::ShareLink share;
  std::string token;  // shown once
};

struct SharedImage {
  store::Palette palette;
  std::unique_ptr<objects::ObjectReader> reader;
};

class Shares {
 public:
  explicit Shares(Services services) : s_(services) {}

  // Editors (kEditPalettes). kNotFound when the palette is not the workspace's. Audits
  // share.created.
  Result<NewShareResult> Create(const TenantContext& ctx, PaletteId palette);
  // Any member. The palette's active links, newest first; kNotFound for an unknown palette.
  Result<std::vector<store::ShareLink>> List(const TenantContext& ctx, PaletteId palette);
  // Editors. kNotFound unless `id` is an active link of that palette in this workspace. Audits
  // share.revoked.
  Status Revoke(const TenantContext& ctx, PaletteId palette, ShareLinkId id);

  // Public: the shared palette, or NotValid().
  Result<store::Palette> Open(std::string_view token);
  // Public: the shared palette's stored image, or NotValid(); kUnavailable when the row's object
  // is missing (our fault, as in Palettes::OpenImage).
  Result<SharedImage> OpenImage(std::string_view token);

  // The one answer for every link that does not open.
  static Error NotValid();

 private:
  Status RequireRole(const TenantContext& ctx, auth::Capability capability, const char* message);
  Services s_;
};

// "pms_" followed by exactly 43 base64url characters (what Create makes); exposed for tests.
bool IsShareTokenShaped(std::string_view token);

}  // namespace pm::app
