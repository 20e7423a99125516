#include "http/assets.h"

#include <string>
#include <unordered_map>

namespace pm::http {

const EmbeddedAsset* FindAsset(std::string_view path) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const EmbeddedAsset*>();
    for (size_t i = 0; i < kEmbeddedAssetCount; ++i) (*m)[kEmbeddedAssets[i].path] = &kEmbeddedAssets[i];
    return m;
  }();
  auto it = index->find(path);
  return it == index->end() ? nullptr : it->second;
}

const char* ContentTypeFor(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".json") || ends(".map")) return "application/json";
  if (ends(".webmanifest")) return "application/manifest+json";
  if (ends(".woff2")) return "font/woff2";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace pm::http
