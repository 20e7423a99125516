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

}  // namespace pm::http
