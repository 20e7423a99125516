// GET /api/v1/t/{ws}/palettes/{id}/export?format=...: the palette as a downloadable file
// (formatting in app/export.h). The tenant gate has already run; reading needs kRead only.
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "app/audit.h"
#include "app/export.h"
#include "app/tenant_archive.h"
#include "http/api.h"

namespace pm::http {
namespace {

// An anonymous read-write temp file in $TMPDIR (or /tmp), gone when closed. Not std::tmpfile():
// glibc's ignores TMPDIR and always uses /tmp, which the container image does not have (serve
// points TMPDIR at <data.dir>/tmp, cli/cli.cc).
std::FILE* AnonymousTempFile() {
  const char* env = std::getenv("TMPDIR");
  const std::string dir = env != nullptr && *env != '\0' ? env : "/tmp";
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {  // file systems without O_TMPFILE: a named file, unlinked at once
    std::string path = dir + "/pm-export-XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(path.c_str());
  }
  if (fd < 0) return nullptr;
  std::FILE* file = ::fdopen(fd, "w+b");
  if (file == nullptr) ::close(fd);
  return file;
}

// The finished archive, read back from its anonymous temp file (gone when closed).
class TempFileReader final : public objects::ObjectReader {
 public:
  TempFileReader(std::FILE* file, int64_t size) : file_(file), size_(size) {}
  ~TempFileReader() override { std::fclose(file_); }
  Result<size_t> Read(char* buf, size_t n) override {
    size_t got = std::fread(buf, 1, n, file_);
    if (got == 0 && std::ferror(file_)) return MakeError(ErrorCode::kUnavailable, "reading the export failed");
    return got;
  }
  int64_t size() const override { return size_; }

 private:
  std::FILE* file_;
  int64_t size_;
};

}  // namespace

void AddExportRoutes(Router& router, const ApiContext& api) {
  // The whole workspace as a tenant-export archive (app/tenant_archive.h). Written to an
  // anonymous temp file first, so a failure half-way is an error answer, not a cut-off download.
  router.Add(TenantRoute(
      "GET", "/api/v1/t/{ws}/export", auth::Capability::kOwnWorkspace,
      [api](Call& call) -> Status {
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(AnonymousTempFile(), &std::fclose);
        if (!file) return MakeError(ErrorCode::kUnavailable, "cannot create a temporary file for the export");
        PM_ASSIGN_OR_RETURN(app::TenantExportSummary summary,
                            app::ExportTenant(api.services, call.tenant->workspace, file.get(), PM_VERSION));
        if (std::fflush(file.get()) != 0 || std::fseek(file.get(), 0, SEEK_SET) != 0) {
          return MakeError(ErrorCode::kUnavailable, "writing the export failed");
        }
        app::AuditEvent event = app::TenantEvent(*call.tenant, "workspace.exported",
                                                 "workspace:" + std::to_string(call.tenant->tenant.value));
        event.details_json = nlohmann::json{{"palettes", summary.palettes}, {"objects", summary.objects},
                                            {"bytes", summary.archive_bytes}}
                                 .dump();
        app::Audit(api.services, event);
        call.ex.SetHeader("Content-Disposition",
                          "attachment; filename=\"" +
                              app::TenantExportFileName(call.tenant->slug, api.services.clock->NowMillis()) + "\"");
        call.ex.SetHeader("Cache-Control", "private, no-store");
        call.ex.SetStatus(200);
        const int64_t size = summary.archive_bytes;
        call.ex.StreamBody(size, "application/x-tar", std::make_unique<TempFileReader>(file.release(), size));
        return Status::Ok();
      },
      "Download the whole workspace (palettes, members, settings, images) as a tar archive that "
      "`palettemaker import-tenant` recreates in another deployment (owner only)."));

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
