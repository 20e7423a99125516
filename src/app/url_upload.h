// Uploading an image by URL: the server fetches it (app/url_fetch.h, SSRF defences) and streams
// the bytes into the same Upload as a file upload, so roles, quotas, size and format checks,
// storage and metering are exactly those of POST .../palettes with a file. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "app/palettes.h"
#include "app/url_fetch.h"

namespace pm::app {

// The fetch policy the configuration (uploads.*) describes.
UrlFetchPolicy UrlFetchPolicyFrom(const config::Config& config);

// Fetches `url` and makes a palette of it. `name` unset or blank: the URL's last path segment
// without its extension, or the host when the path has none.
// Errors: kInvalidArgument when uploads.url_fetch is off or the URL/address is refused (the
// message says why); kFetchFailed for the remote side; otherwise those of Upload::Write/Finish
// (kPayloadTooLarge as soon as the body passes the upload limit, kUnsupportedMediaType, ...).
Result<store::Palette> UploadFromUrl(Palettes& palettes, const config::Config& config, const TenantContext& ctx,
                                     std::string_view url, std::optional<std::string> name,
                                     const Resolver& resolver = SystemResolve);

}  // namespace pm::app
