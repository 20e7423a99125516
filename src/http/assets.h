// The web app, embedded at build time (tools/embedgen turns web/dist into a table).
#pragma once

#include <cstddef>
#include <string_view>

namespace pm::http {

struct EmbeddedAsset {
  const char* path;  // "/index.html", "/assets/index-3f9a.js"
  const unsigned char* data;
  size_t size;
};

extern const EmbeddedAsset kEmbeddedAssets[];
extern const size_t kEmbeddedAssetCount;

const EmbeddedAsset* FindAsset(std::string_view path);
const char* ContentTypeFor(std::string_view path);

// Text assets are embedded a second and third time, Brotli- and gzip-compressed, as
// "<path>.br" and "<path>.gz" (web/scripts/compress.mjs).
enum class ContentCoding { kIdentity, kBrotli, kGzip };

// The coding to send for an Accept-Encoding header value, given which compressed copies exist:
// the acceptable one (q > 0, named or through "*") with the highest q, Brotli on a tie;
// identity when neither is acceptable or the header is empty.
ContentCoding ChooseCoding(std::string_view accept_encoding, bool have_br, bool have_gzip);

}  // namespace pm::http
