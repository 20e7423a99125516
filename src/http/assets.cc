#include "http/assets.h"

#include <cctype>
#include <cstdlib>
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

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// The weight of one Accept-Encoding element's parameters ("q=0.5"); 1 without q, 0 when the q
// value is not a number from 0 to 1 (so a garbled preference never selects a coding).
double Weight(std::string_view params) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view param = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
    std::string value(Trim(param.substr(2)));
    char* end = nullptr;
    double q = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || !(q >= 0 && q <= 1)) return 0;
    return q;
  }
  return 1;
}

}  // namespace

ContentCoding ChooseCoding(std::string_view accept_encoding, bool have_br, bool have_gzip) {
  // -1: not named; the "*" weight applies then.
  double br = -1, gzip = -1, any = -1;
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    size_t semi = element.find(';');
    std::string_view name = Trim(element.substr(0, semi));
    double q = Weight(semi == std::string_view::npos ? std::string_view() : element.substr(semi + 1));
    if (EqualsIgnoreCase(name, "br")) {
      br = q;
    } else if (EqualsIgnoreCase(name, "gzip") || EqualsIgnoreCase(name, "x-gzip")) {
      gzip = q;
    } else if (name == "*") {
      any = q;
    }
  }
  if (br < 0) br = any;
  if (gzip < 0) gzip = any;
  if (!have_br) br = 0;
  if (!have_gzip) gzip = 0;
  if (br > 0 && br >= gzip) return ContentCoding::kBrotli;
  if (gzip > 0) return ContentCoding::kGzip;
  return ContentCoding::kIdentity;
}

}  // namespace pm::http
