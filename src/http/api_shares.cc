// Share links. Under /api/v1/t/{ws}/palettes/{id}/shares (the tenant gate has run): create,
// list, revoke. Public, under /api/v1/shared/{token}: the shared palette, its image and its
// exports, for anyone holding the token; a session changes nothing there (the routes are kPublic
// and never look at credentials), and every link that does not open is the same 404.
#include <charconv>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/export.h"
#include "app/shares.h"
#include "http/api.h"
#include "http/json_io.h"

namespace pm::http {
namespace {

using auth::Capability;

// Ids that cannot exist are simply not found (as in api_palettes.cc).
Result<int64_t> ParsePathId(const std::string& s, const char* what) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) {
    return MakeError(ErrorCode::kNotFound, std::string(what) + " not found");
  }
  return v;
}

nlohmann::json ShareJson(const store::ShareLink& s) {
  nlohmann::json j = {{"id", s.id.value}, {"palette_id", s.palette_id.value}, {"created_at", IsoTime(s.created_at)}};
  j["created_by"] = s.created_by.value ? nlohmann::json{{"id", s.created_by.value}, {"name", s.created_by_name}}
                                       : nlohmann::json(nullptr);
  return j;
}

// server.public_url when set, else the origin the request came to (as invitation links do).
std::string ShareUrl(const Exchange& ex, const config::Config& config, const std::string& token) {
  if (!config.server.public_url.empty()) return config.PublicUrl() + "/s/" + token;
  std::string host = ex.Header("Host");
  if (host.empty()) return "/s/" + token;
  return std::string(ex.IsHttps() ? "https://" : "http://") + host + "/s/" + token;
}

// A stored JSON column (written by us); null if it somehow is not JSON.
nlohmann::json Column(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

// What a link shows: the palette's content, never an id, a workspace or a user.
nlohmann::json SharedPaletteJson(const store::Palette& p) {
  return {{"name", p.name},
          {"colors", Column(p.colors_json)},
          {"labels", Column(p.labels_json)},
          {"background", p.background_index ? nlohmann::json(*p.background_index) : nlohmann::json(nullptr)},
          {"coverage", Column(p.coverage_json)},
          {"regions", Column(p.regions_json)},
          {"region_labels", Column(p.region_labels_json)},
          {"region_colors", Column(p.region_colors_json)},
          {"image", {{"width", p.image.width}, {"height", p.image.height}, {"mime", p.image.mime}}},
          {"created_at", IsoTime(p.created_at)},
          {"updated_at", IsoTime(p.updated_at)}};
}

// Private data behind an unguessable link: never stored by a cache (every API answer already
// carries Cache-Control: no-store, set by the server before the handler; these routes keep it),
// never indexed.
void PublicHeaders(Exchange& ex) { ex.SetHeader("X-Robots-Tag", "noindex, nofollow"); }

}  // namespace

void AddShareRoutes(Router& router, const ApiContext& api) {
  // Stateless beyond Services, so the routes own their use-case object.
  auto shares = std::make_shared<app::Shares>(api.services);
  const config::Config* config = api.config;
  const int64_t max_json = api.config->server.max_json_bytes;
  const std::string base = "/api/v1/t/{ws}/palettes/{id}/shares";

  router.Add(TenantRoute(
      "POST", base, Capability::kEditPalettes,
      [shares, config, max_json](Call& call) -> Status {
        PM_ASSIGN_OR_RETURN(int64_t id, ParsePathId(call.ex.Param("id"), "palette"));
        PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, max_json, /*allow_empty=*/true));
        PM_RETURN_IF_ERROR(RejectUnknownFields(body, {}));
        PM_ASSIGN_OR_RETURN(app::NewShareResult r, shares->Create(*call.tenant, PaletteId(id)));
        nlohmann::json j = ShareJson(r.share);
        j["token"] = r.token;
        j["url"] = ShareUrl(call.ex, *config, r.token);
        SendJson(call.ex, 201, {{"share", j}});
        return Status::Ok();
      },
      "Create a read-only share link to the palette; its token and url are shown once."));
  router.Add(TenantRoute(
      "GET", base, Capability::kRead,
      [shares](Call& call) -> Status {
        PM_ASSIGN_OR_RETURN(int64_t id, ParsePathId(call.ex.Param("id"), "palette"));
        PM_ASSIGN_OR_RETURN(auto list, shares->List(*call.tenant, PaletteId(id)));
        nlohmann::json out = nlohmann::json::array();
        for (const auto& s : list) out.push_back(ShareJson(s));
        SendJson(call.ex, 200, {{"shares", out}});
        return Status::Ok();
      },
      "The palette's active share links, newest first (never their tokens)."));
  router.Add(TenantRoute(
      "DELETE", base + "/{share_id}", Capability::kEditPalettes,
      [shares](Call& call) -> Status {
        PM_ASSIGN_OR_RETURN(int64_t id, ParsePathId(call.ex.Param("id"), "palette"));
        PM_ASSIGN_OR_RETURN(int64_t share_id, ParsePathId(call.ex.Param("share_id"), "share link"));
        PM_RETURN_IF_ERROR(shares->Revoke(*call.tenant, PaletteId(id), ShareLinkId(share_id)));
        call.ex.SetStatus(204);
        return Status::Ok();
      },
      "Revoke a share link: it stops opening at once."));

  router.Add({"GET", "/api/v1/shared/{token}", Access::kPublic,
              [shares](Call& call) -> Status {
                PublicHeaders(call.ex);
                PM_ASSIGN_OR_RETURN(store::Palette p, shares->Open(call.ex.Param("token")));
                SendJson(call.ex, 200, {{"palette", SharedPaletteJson(p)}});
                return Status::Ok();
              },
              "A shared palette (no sign-in): name, colours, labels, regions, image size."});
  router.Add({"GET", "/api/v1/shared/{token}/image", Access::kPublic,
              [shares](Call& call) -> Status {
                PublicHeaders(call.ex);
                PM_ASSIGN_OR_RETURN(app::SharedImage img, shares->OpenImage(call.ex.Param("token")));
                std::string etag = "\"" + img.palette.image.sha256 + "\"";
                call.ex.SetHeader("ETag", etag);
                // Stored bytes are user content: never let a browser run them as a document.
                call.ex.SetHeader("Content-Security-Policy", "default-src 'none'; sandbox");
                std::string inm = call.ex.Header("If-None-Match");
                if (!inm.empty() && (inm == etag || inm == "*" || inm.find(etag) != std::string::npos)) {
                  call.ex.SetStatus(304);
                  return Status::Ok();
                }
                call.ex.SetStatus(200);
                int64_t size = img.reader->size();
                call.ex.StreamBody(size, img.palette.image.mime, std::move(img.reader));
                return Status::Ok();
              },
              "A shared palette's image bytes (no sign-in; ETag, If-None-Match)."});
  router.Add({"GET", "/api/v1/shared/{token}/export", Access::kPublic,
              [shares](Call& call) -> Status {
                PublicHeaders(call.ex);
                // The link first: a revoked link is not found whatever the format.
                PM_ASSIGN_OR_RETURN(store::Palette p, shares->Open(call.ex.Param("token")));
                std::string format = call.ex.Query("format");
                if (!app::IsExportFormat(format)) {
                  return MakeError(ErrorCode::kInvalidArgument,
                                   "format must be one of: " + std::string(app::ExportFormatList()));
                }
                PM_ASSIGN_OR_RETURN(app::ExportInput in, app::ExportInputFromPalette(p));
                PM_ASSIGN_OR_RETURN(app::ExportedFile file, app::ExportPalette(format, in));
                call.ex.SetHeader("Content-Disposition", "attachment; filename=\"" + app::ExportFileStem(p.name) +
                                                             "." + file.extension + "\"");
                // An exported SVG opened directly must not run anything (it has no scripts anyway).
                call.ex.SetHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
                call.ex.SetStatus(200);
                call.ex.SetBody(std::move(file.body), file.content_type);
                return Status::Ok();
              },
              "A shared palette as a file (no sign-in; ?format= as for the workspace export)."});
}

}  // namespace pm::http
