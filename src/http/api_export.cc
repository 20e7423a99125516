// GET /api/v1/t/{ws}/palettes/{id}/export?format=...: the palette as a downloadable file
// (formatting in app/export.h). The tenant gate has already run; reading needs kRead only.
#include <charconv>

#include <nlohmann/json.hpp>

#include "app/audit.h"
#include "app/export.h"
#include "http/api.h"

namespace pm::http {

void AddExportRoutes(Router& router, const ApiContext& api) {
  router.Add(TenantRoute(
      "GET", "/api/v1/t/{ws}/palettes/{id}/export", auth::Capability::kRead,
      [api](Call& call) -> Status {
        // Validate the format first: a bad request says so whatever the id.
        std::string format = call.ex.Query("format");
        if (!app::IsExportFormat(format)) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "format must be one of: " + std::string(app::ExportFormatList()));
        }
        // Ids that cannot exist are simply not found (as in api_palettes.cc).
        const std::string s = call.ex.Param("id");
        int64_t v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size() || v <= 0) {
          return MakeError(ErrorCode::kNotFound, "palette not found");
        }
        PaletteId id(v);
        PM_ASSIGN_OR_RETURN(store::Palette p, api.palettes->Get(*call.tenant, id));
        PM_ASSIGN_OR_RETURN(app::ExportInput in, app::ExportInputFromPalette(p));
        PM_ASSIGN_OR_RETURN(app::ExportedFile file, app::ExportPalette(format, in));
        app::AuditEvent event = app::TenantEvent(*call.tenant, "palette.exported", "palette:" + s);
        event.details_json = nlohmann::json{{"format", format}}.dump();
        app::Audit(api.services, event);
        call.ex.SetHeader("Content-Disposition", "attachment; filename=\"" + app::ExportFileStem(p.name) + "." +
                                                     file.extension + "\"");
        call.ex.SetHeader("Cache-Control", "private, no-cache");
        // An exported SVG opened directly must not run anything (it has no scripts anyway).
        call.ex.SetHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
        call.ex.SetStatus(200);
        call.ex.SetBody(std::move(file.body), file.content_type);
        return Status::Ok();
      },
      "Download the palette as json, css, scss, tailwind, gpl, ase, svg or png (?format=)."));
}

}  // namespace pm::http
