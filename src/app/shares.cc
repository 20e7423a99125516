#include "app/shares.h"

#include <nlohmann/json.hpp>

#include "app/audit.h"
#include "common/crypto.h"
#include "common/log.h"

namespace pm::app {
namespace {

constexpr std::string_view kSharePrefix = "pms_";
constexpr size_t kSecretBytes = 32;
constexpr size_t kSecretChars = 43;  // 32 bytes in unpadded base64url

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

AuditEvent ShareEvent(const TenantContext& ctx, const char* action, ShareLinkId id, PaletteId palette) {
  AuditEvent e = TenantEvent(ctx, action, "share:" + std::to_string(id.value));
  e.details_json = nlohmann::json{{"palette_id", palette.value}}.dump();
  return e;
}

Error PaletteNotFound() { return MakeError(ErrorCode::kNotFound, "palette not found"); }

}  // namespace

bool IsShareTokenShaped(std::string_view token) {
  if (token.size() != kSharePrefix.size() + kSecretChars || token.substr(0, kSharePrefix.size()) != kSharePrefix) {
    return false;
  }
  for (char c : token.substr(kSharePrefix.size())) {
    if (!IsBase64UrlChar(c)) return false;
  }
  return true;
}

Error Shares::NotValid() { return MakeError(ErrorCode::kNotFound, "this link is not valid or was revoked"); }

Status Shares::RequireRole(const TenantContext& ctx, auth::Capability capability, const char* message) {
  if (!auth::Allows(ctx.role, capability)) return MakeError(ErrorCode::kPermissionDenied, message);
  return Status::Ok();
}

Result<NewShareResult> Shares::Create(const TenantContext& ctx, PaletteId palette) {
  PM_RETURN_IF_ERROR(RequireRole(ctx, auth::Capability::kEditPalettes, "your role in this workspace cannot share palettes"));
  NewShareResult out;
  out.token = std::string(kSharePrefix) + RandomToken(kSecretBytes);
  auto share = s_.store->CreateShareLink(
      ctx.tenant, store::NewShareLink{palette, Sha256Hex(out.token), ctx.user}, s_.clock->NowMillis());
  if (!share.ok()) {
    if (share.error().code == ErrorCode::kNotFound) return PaletteNotFound();
    return share.error();
  }
  out.share = std::move(share).value();
  log::Info("share link created", {{"tenant_id", static_cast<long long>(ctx.tenant.value)},
                                   {"palette_id", static_cast<long long>(palette.value)},
                                   {"share_id", static_cast<long long>(out.share.id.value)}});
  // Never the token itself (nor its hash).
  Audit(s_, ShareEvent(ctx, "share.created", out.share.id, palette));
  return out;
}

Result<std::vector<store::ShareLink>> Shares::List(const TenantContext& ctx, PaletteId palette) {
  PM_RETURN_IF_ERROR(RequireRole(ctx, auth::Capability::kRead, "you cannot read this workspace"));
  auto p = s_.store->GetPalette(ctx.tenant, palette);
  if (!p.ok()) {
    if (p.error().code == ErrorCode::kNotFound) return PaletteNotFound();
    return p.error();
  }
  return s_.store->ListShareLinks(ctx.tenant, palette);
}

Status Shares::Revoke(const TenantContext& ctx, PaletteId palette, ShareLinkId id) {
  PM_RETURN_IF_ERROR(RequireRole(ctx, auth::Capability::kEditPalettes, "your role in this workspace cannot revoke share links"));
  PM_RETURN_IF_ERROR(s_.store->RevokeShareLink(ctx.tenant, palette, id, s_.clock->NowMillis()));
  Audit(s_, ShareEvent(ctx, "share.revoked", id, palette));
  return Status::Ok();
}

Result<store::Palette> Shares::Open(std::string_view token) {
  // A token we could not have made is not looked up at all.
  if (!IsShareTokenShaped(token)) return NotValid();
  auto link = s_.store->FindShareLink(Sha256Hex(token));
  if (!link.ok()) {
    if (link.error().code == ErrorCode::kNotFound) return NotValid();
    return link.error();
  }
  // The link's own tenant and palette: the only palette this token reaches.
  auto palette = s_.store->GetPalette(link->tenant_id, link->palette_id);
  if (!palette.ok()) {
    if (palette.error().code == ErrorCode::kNotFound) return NotValid();  // deleted meanwhile
    return palette.error();
  }
  return palette;
}

Result<SharedImage> Shares::OpenImage(std::string_view token) {
  PM_ASSIGN_OR_RETURN(store::Palette palette, Open(token));
  auto reader = s_.objects->Open(palette.image.object_key);
  if (!reader.ok()) {
    if (reader.error().code == ErrorCode::kNotFound) {
      log::Error("palette row without object", {{"key", palette.image.object_key}});
      return MakeError(ErrorCode::kUnavailable, "the image is temporarily unavailable");
    }
    return reader.error();
  }
  return SharedImage{std::move(palette), std::move(reader).value()};
}

}  // namespace pm::app
