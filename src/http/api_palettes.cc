// Palette endpoints under /api/v1/t/{ws}/palettes. The tenant gate has already run (Access::
// kTenant), so every handler works inside call.tenant only.
#include <charconv>

#include "app/palettes.h"
#include "app/thumbnails.h"
#include "app/app_metrics.h"
#include "app/url_upload.h"
#include "common/log.h"
#include "http/api.h"
#include "http/json_io.h"

namespace pm::http {
namespace {

constexpr int kDefaultPageSize = 50;
// Multipart framing (boundaries, part headers) on top of the file itself.
constexpr int64_t kMaxTextFieldBytes = 1024;

// params.regions (the parameters of the last region detection), or null. Only palettes that
// had regions detected pay for parsing their params.
void AppendRegionsParams(std::string& out, const std::string& params_json) {
  if (params_json.find("\"regions\"") != std::string::npos) {
    nlohmann::json params = nlohmann::json::parse(params_json, nullptr, /*allow_exceptions=*/false);
    if (params.is_object() && params.contains("regions") && params["regions"].is_object()) {
      out += params["regions"].dump();
      return;
    }
  }
  out += "null";
}

// Palette JSON is built by hand: the list endpoint is the hot path, and the stored JSON columns
// were written by us, so they are spliced in verbatim instead of being parsed and re-encoded.
void AppendPalette(std::string& out, const store::Palette& p, const std::string& slug) {
  auto str = [&](std::string_view s) {
    out += '"';
    log::AppendJsonEscaped(out, s);
    out += '"';
  };
  auto num = [&](int64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
  };
  out += "{\"id\":";
  num(p.id.value);
  out += ",\"name\":";
  str(p.name);
  out += ",\"created_at\":\"";
  AppendIsoTime(out, p.created_at);
  out += "\",\"updated_at\":\"";
  AppendIsoTime(out, p.updated_at);
  out += "\",\"image\":{\"format\":";
  str(p.image.format);
  out += ",\"mime\":";
  str(p.image.mime);
  out += ",\"width\":";
  num(p.image.width);
  out += ",\"height\":";
  num(p.image.height);
  out += ",\"bytes\":";
  num(p.image.bytes);
  out += ",\"sha256\":";
  str(p.image.sha256);
  out += "},\"image_url\":\"/api/v1/t/";
  log::AppendJsonEscaped(out, slug);
  out += "/palettes/";
  num(p.id.value);
  out += "/image\",\"thumbnail_url\":\"/api/v1/t/";
  log::AppendJsonEscaped(out, slug);
  out += "/palettes/";
  num(p.id.value);
  out += "/thumbnail\",\"colors\":";
  out += p.colors_json;
  out += ",\"labels\":";
  out += p.labels_json;
  out += ",\"coverage\":";
  out += p.coverage_json;
  out += ",\"regions\":";
  out += p.regions_json;
  out += ",\"region_colors\":";
  out += p.region_colors_json;
  out += ",\"region_labels\":";
  out += p.region_labels_json;
  out += ",\"background\":";
  if (p.background_index) {
    num(*p.background_index);
  } else {
    out += "null";
  }
  out += ",\"params\":";
  out += p.params_json;
  out += ",\"regions_params\":";
  AppendRegionsParams(out, p.params_json);
  out += '}';
}

void SendPalette(Call& call, int status, const store::Palette& p) {
  std::string out = "{\"palette\":";
  AppendPalette(out, p, call.tenant->slug);
  out += "}";
  call.ex.SetStatus(status);
  call.ex.SetBody(std::move(out), "application/json");
}

// Ids that cannot exist are simply not found (no 400: it tells nothing either way).
Result<PaletteId> ParseId(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) {
    return MakeError(ErrorCode::kNotFound, "palette not found");
  }
  return PaletteId(v);
}

Result<int> ParseLimit(Exchange& ex) {
  if (!ex.HasQuery("limit")) return kDefaultPageSize;
  std::string s = ex.Query("limit");
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 100) {
    return MakeError(ErrorCode::kInvalidArgument, "limit must be an integer from 1 to 100");
  }
  return v;
}

Result<store::Palette> ReceiveUpload(const ApiContext& api, Call& call) {
  Exchange& ex = call.ex;
  if (!ex.IsMultipart()) {
    std::string type = ex.Header("Content-Type");
    if (type.rfind("application/json", 0) == 0) {
      PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(ex, api.config->server.max_json_bytes));
      PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"url", "name"}));
      PM_ASSIGN_OR_RETURN(auto url, StringField(body, "url", true));
      PM_ASSIGN_OR_RETURN(auto name, StringField(body, "name", false));
      // Blocks this worker for the fetch (uploads.url_timeout_s at most), like a slow file upload.
      return app::UploadFromUrl(*api.palettes, *api.config, *call.tenant, *url, std::move(name));
    }
    return MakeError(ErrorCode::kUnsupportedMediaType,
                     "upload an image as multipart/form-data with the field \"file\"");
  }
  std::unique_ptr<app::Upload> upload;
  std::string current;  // field name of the part being read
  std::optional<std::string> name;
  bool saw_file = false;
  Status read = ex.ReadMultipart(
      [&](const std::string& field, const std::string& filename, const std::string&) -> Status {
        current = field;
        if (field == "file") {
          if (saw_file) return MakeError(ErrorCode::kInvalidArgument, "send one \"file\" per upload");
          saw_file = true;
          PM_ASSIGN_OR_RETURN(upload, api.palettes->BeginUpload(*call.tenant, filename));
        } else if (field == "name") {
          name = std::string();
        } else {
          return MakeError(ErrorCode::kInvalidArgument, "unknown multipart field \"" + field + "\"");
        }
        return Status::Ok();
      },
      [&](std::string_view chunk) -> Status {
        if (current == "file") return upload->Write(chunk);
        if (name->size() + chunk.size() > kMaxTextFieldBytes) {
          return MakeError(ErrorCode::kInvalidArgument, "name is too long");
        }
        name->append(chunk);
        return Status::Ok();
      });
  PM_RETURN_IF_ERROR(read);
  if (!upload) return MakeError(ErrorCode::kInvalidArgument, "the multipart field \"file\" is required");
  return upload->Finish(name);
}

// Every upload, by file or by URL, counts once in palettemaker_uploads_total{result}.
Status Upload(const ApiContext& api, Call& call) {
  Result<store::Palette> palette = ReceiveUpload(api, call);
  if (!palette.ok()) {
    app::CountUpload(call.tenant->slug, ErrorCodeName(palette.error().code), 0);
    return palette.error();
  }
  app::CountUpload(call.tenant->slug, "ok", palette->image.bytes);
  SendPalette(call, 201, *palette);
  return Status::Ok();
}

}  // namespace

void AddPaletteRoutes(Router& router, const ApiContext& api) {
  const std::string base = "/api/v1/t/{ws}/palettes";
  router.Add(TenantRoute("GET", base, auth::Capability::kRead, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(int limit, ParseLimit(call.ex));
                PM_ASSIGN_OR_RETURN(store::PalettePage page,
                                    api.palettes->List(*call.tenant, call.ex.Query("cursor"), limit));
                std::string out;
                out.reserve(64 + page.items.size() * 700);
                out += "{\"palettes\":[";
                for (size_t i = 0; i < page.items.size(); ++i) {
                  if (i) out += ',';
                  AppendPalette(out, page.items[i], call.tenant->slug);
                }
                out += "],\"next_cursor\":";
                out += page.next ? "\"" + app::Palettes::EncodeCursor(*page.next) + "\"" : "null";
                out += "}";
                call.ex.SetStatus(200);
                call.ex.SetBody(std::move(out), "application/json");
                return Status::Ok();
              },
              "List palettes, newest first (cursor pagination)."));
  router.Add(TenantRoute("POST", base, auth::Capability::kEditPalettes, [api](Call& call) { return Upload(api, call); },
              "Upload an image (multipart field \"file\", or JSON {url, name?} to fetch it) and extract its palette."));
  router.Add(TenantRoute("GET", base + "/{id}", auth::Capability::kRead, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(PaletteId id, ParseId(call.ex.Param("id")));
                PM_ASSIGN_OR_RETURN(store::Palette p, api.palettes->Get(*call.tenant, id));
                SendPalette(call, 200, p);
                return Status::Ok();
              },
              "One palette."));
  router.Add(TenantRoute("PATCH", base + "/{id}", auth::Capability::kEditPalettes, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(PaletteId id, ParseId(call.ex.Param("id")));
                PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, api.config->server.max_json_bytes));
                PM_ASSIGN_OR_RETURN(app::PaletteEdit edit, app::PaletteEditFromJson(body));
                PM_ASSIGN_OR_RETURN(store::Palette p, api.palettes->Edit(*call.tenant, id, edit));
                SendPalette(call, 200, p);
                return Status::Ok();
              },
              "Edit a palette: name, colors, labels, regions, region_labels, background (all or nothing)."));
  router.Add(TenantRoute("DELETE", base + "/{id}", auth::Capability::kEditPalettes, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(PaletteId id, ParseId(call.ex.Param("id")));
                PM_RETURN_IF_ERROR(api.palettes->Delete(*call.tenant, id));
                call.ex.SetStatus(204);
                return Status::Ok();
              },
              "Delete a palette and its image."));
  router.Add(TenantRoute("GET", base + "/{id}/image", auth::Capability::kRead, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(PaletteId id, ParseId(call.ex.Param("id")));
                PM_ASSIGN_OR_RETURN(app::ImageDownload dl, api.palettes->OpenImage(*call.tenant, id));
                std::string etag = "\"" + dl.palette.image.sha256 + "\"";
                call.ex.SetHeader("ETag", etag);
                call.ex.SetHeader("Cache-Control", "private, no-cache");
                // Stored bytes are user content: never let a browser run them as a document.
                call.ex.SetHeader("Content-Security-Policy", "default-src 'none'; sandbox");
                std::string inm = call.ex.Header("If-None-Match");
                if (!inm.empty() && (inm == etag || inm == "*" || inm.find(etag) != std::string::npos)) {
                  call.ex.SetStatus(304);
                  return Status::Ok();
                }
                call.ex.SetStatus(200);
                int64_t size = dl.reader->size();
                call.ex.StreamBody(size, dl.palette.image.mime, std::move(dl.reader));
                return Status::Ok();
              },
              "The original image bytes (ETag, If-None-Match)."));
  router.Add(TenantRoute("GET", base + "/{id}/thumbnail", auth::Capability::kRead, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(PaletteId id, ParseId(call.ex.Param("id")));
                PM_ASSIGN_OR_RETURN(store::Palette p, api.palettes->Get(*call.tenant, id));
                // A palette's image never changes, so neither does its thumbnail: the image's
                // hash (and the size, should it ever change) names it.
                std::string etag = "\"t" + std::to_string(app::kThumbnailSide) + "-" + p.image.sha256 + "\"";
                call.ex.SetHeader("ETag", etag);
                call.ex.SetHeader("Cache-Control", "private, max-age=86400");
                call.ex.SetHeader("Content-Security-Policy", "default-src 'none'; sandbox");
                std::string inm = call.ex.Header("If-None-Match");
                if (!inm.empty() && (inm == "*" || inm.find(etag) != std::string::npos)) {
                  call.ex.SetStatus(304);
                  return Status::Ok();
                }
                PM_ASSIGN_OR_RETURN(std::string webp, api.palettes->Thumbnail(*call.tenant, p));
                call.ex.SetStatus(200);
                call.ex.SetBody(std::move(webp), "image/webp");
                return Status::Ok();
              },
              "A WebP thumbnail of the image, longest side at most 320 px (ETag, If-None-Match)."));
  router.Add(TenantRoute("POST", base + "/{id}/extract", auth::Capability::kEditPalettes, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(PaletteId id, ParseId(call.ex.Param("id")));
                PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, api.config->server.max_json_bytes, true));
                PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"k", "use_regions"}));
                PM_ASSIGN_OR_RETURN(auto k, IntField(body, "k"));
                bool use_regions = false;
                if (auto it = body.find("use_regions"); it != body.end() && !it->is_null()) {
                  if (!it->is_boolean()) {
                    return MakeError(ErrorCode::kInvalidArgument, "use_regions must be true or false");
                  }
                  use_regions = it->get<bool>();
                }
                if (k && (*k < 2 || *k > 20)) {
                  return MakeError(ErrorCode::kInvalidArgument, "k must be an integer from 2 to 20");
                }
                std::optional<int> kk;
                if (k) kk = static_cast<int>(*k);
                PM_ASSIGN_OR_RETURN(store::Palette p, api.palettes->Extract(*call.tenant, id, kk, use_regions));
                std::string out = "{\"colors\":" + p.colors_json + ",\"labels\":" + p.labels_json +
                                  ",\"coverage\":" + p.coverage_json + ",\"region_colors\":" + p.region_colors_json +
                                  ",\"palette\":";
                AppendPalette(out, p, call.tenant->slug);
                out += "}";
                call.ex.SetStatus(200);
                call.ex.SetBody(std::move(out), "application/json");
                return Status::Ok();
              },
              "Re-extract the palette with k colours (2-20), optionally from the regions only."));
  router.Add(TenantRoute("POST", base + "/{id}/regions", auth::Capability::kEditPalettes, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(PaletteId id, ParseId(call.ex.Param("id")));
                PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, api.config->server.max_json_bytes, true));
                PM_ASSIGN_OR_RETURN(engine::RegionRequest request, app::RegionRequestFromJson(body));
                PM_ASSIGN_OR_RETURN(app::RegionDetection d, api.palettes->DetectRegions(*call.tenant, id, request));
                const store::Palette& p = d.palette;
                std::string out = "{\"regions\":" + p.regions_json + ",\"region_labels\":" +
                                  p.region_labels_json + ",\"region_colors\":" + p.region_colors_json +
                                  ",\"strategy\":" + nlohmann::json(d.result.strategy).dump() +
                                  ",\"used\":" + nlohmann::json(d.result.used).dump() +
                                  ",\"params\":" + d.region_params["params"].dump() + ",\"palette\":";
                AppendPalette(out, p, call.tenant->slug);
                out += "}";
                call.ex.SetStatus(200);
                call.ex.SetBody(std::move(out), "application/json");
                return Status::Ok();
              },
              "Detect regions {strategy, params, template_box}; stores regions, labels and region colours."));
  router.Add(TenantRoute("POST", base + "/{id}/duplicate", auth::Capability::kEditPalettes, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(PaletteId id, ParseId(call.ex.Param("id")));
                PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, api.config->server.max_json_bytes, true));
                PM_RETURN_IF_ERROR(RejectUnknownFields(body, {}));
                PM_ASSIGN_OR_RETURN(store::Palette p, api.palettes->Duplicate(*call.tenant, id));
                SendPalette(call, 201, p);
                return Status::Ok();
              },
              "Copy a palette (sharing its image) as \"Name (2)\", \"Name (3)\", ... on top of the list."));
  router.Add(TenantRoute("POST", base + "/{id}/move", auth::Capability::kEditPalettes, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(PaletteId id, ParseId(call.ex.Param("id")));
                PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, api.config->server.max_json_bytes));
                PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"to"}));
                PM_ASSIGN_OR_RETURN(auto to, StringField(body, "to", true));
                store::PaletteMove move;
                if (*to == "top") {
                  move = store::PaletteMove::kTop;
                } else if (*to == "bottom") {
                  move = store::PaletteMove::kBottom;
                } else if (*to == "up") {
                  move = store::PaletteMove::kUp;
                } else if (*to == "down") {
                  move = store::PaletteMove::kDown;
                } else {
                  return MakeError(ErrorCode::kInvalidArgument, "to must be \"top\", \"bottom\", \"up\" or \"down\"");
                }
                PM_ASSIGN_OR_RETURN(store::Palette p, api.palettes->Move(*call.tenant, id, move));
                SendPalette(call, 200, p);
                return Status::Ok();
              },
              "Move a palette in the list: {to: top|bottom|up|down}."));
  router.Add(TenantRoute("PUT", base + "/order", auth::Capability::kEditPalettes, [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(auto body, ReadJsonObject(call.ex, api.config->server.max_json_bytes));
                PM_RETURN_IF_ERROR(RejectUnknownFields(body, {"ids"}));
                auto it = body.find("ids");
                if (it == body.end() || !it->is_array()) {
                  return MakeError(ErrorCode::kInvalidArgument, "ids must be an array of palette ids, top first");
                }
                if (it->size() > app::Palettes::kMaxReorder) {
                  return MakeError(ErrorCode::kInvalidArgument, "ids may hold at most " +
                                                                    std::to_string(app::Palettes::kMaxReorder) +
                                                                    " palette ids");
                }
                std::vector<PaletteId> ids;
                ids.reserve(it->size());
                for (size_t i = 0; i < it->size(); ++i) {
                  const auto& v = (*it)[i];
                  if (!v.is_number_integer()) {
                    return MakeError(ErrorCode::kInvalidArgument,
                                     "ids[" + std::to_string(i) + "] must be an integer palette id");
                  }
                  ids.emplace_back(v.get<int64_t>());
                }
                PM_RETURN_IF_ERROR(api.palettes->Reorder(*call.tenant, ids));
                call.ex.SetStatus(204);
                return Status::Ok();
              },
              "Reorder the palette list: {ids: [...]} (every palette id of the workspace, top first)."));
}

}  // namespace pm::http
