#include "app/url_upload.h"

#include "app/text.h"
#include "common/log.h"

namespace pm::app {

UrlFetchPolicy UrlFetchPolicyFrom(const config::Config& config) {
  UrlFetchPolicy policy;
  policy.allow_loopback = config.uploads.url_allow_loopback;
  // Validated when the configuration was loaded.
  auto ports = config::ParsePortList(config.uploads.url_ports);
  if (ports.ok()) policy.ports = *ports;
  policy.timeout_s = config.uploads.url_timeout_s;
  policy.connect_timeout_s = config.uploads.url_connect_timeout_s;
  return policy;
}

Result<store::Palette> UploadFromUrl(Palettes& palettes, const config::Config& config, const TenantContext& ctx,
                                     std::string_view url, std::optional<std::string> name,
                                     const Resolver& resolver) {
  if (!config.uploads.url_fetch) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "this server does not upload images from a URL; download the image and upload the file instead");
  }
  UrlFetchPolicy policy = UrlFetchPolicyFrom(config);
  // Checked before the role and quota checks only because it is cheap and touches nothing.
  PM_ASSIGN_OR_RETURN(FetchTarget target, ParseFetchUrl(url, policy));
  // The file name the palette name defaults to; without a path segment, the host as a whole
  // (passed as the name, since "example.com" would lose ".com" as an "extension").
  std::string filename = target.last_segment();
  if ((!name || Trim(*name).empty()) && filename.empty()) name = target.host();
  PM_ASSIGN_OR_RETURN(std::unique_ptr<Upload> upload, palettes.BeginUpload(ctx, filename));
  auto fetched = FetchUrl(target.url(), policy, [&](std::string_view chunk) { return upload->Write(chunk); },
                          resolver);
  if (!fetched.ok()) {
    log::Info("url upload refused or failed",
              {{"tenant", std::to_string(ctx.tenant.value)}, {"code", ErrorCodeName(fetched.error().code)},
               {"error", fetched.error().message}});
    return fetched.error();
  }
  return upload->Finish(std::move(name));
}

}  // namespace pm::app
