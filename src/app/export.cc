#include "app/export.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

#include "app/app_metrics.h"
#include "engine/encode.h"

namespace pm::app {
namespace {

struct Rgb {
  int r, g, b;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::vector<Rgb>> ParseColors(const std::vector<std::string>& colors) {
  std::vector<Rgb> out;
  out.reserve(colors.size());
  for (const std::string& c : colors) {
    int v[6];
    bool ok = c.size() == 7 && c[0] == '#';
    for (int i = 0; ok && i < 6; ++i) ok = (v[i] = HexDigit(c[i + 1])) >= 0;
    if (!ok) return MakeError(ErrorCode::kInternal, "stored colour is not #rrggbb: " + c);
    out.push_back({v[0] * 16 + v[1], v[2] * 16 + v[3], v[4] * 16 + v[5]});
  }
  return out;
}

std::string LowerHex(const Rgb& c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

// A label, or the colour's hex when the palette has no label for it.
std::string NameOf(const ExportInput& in, size_t i, const Rgb& c) {
  if (i < in.labels.size() && !in.labels[i].empty()) return in.labels[i];
  return LowerHex(c);
}

// One line of text: control characters (newlines would start a new .gpl row) become spaces.
std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = ' ';
  }
  return out;
}

std::string Json(const ExportInput& in, const std::vector<Rgb>& rgb) {
  nlohmann::ordered_json j;
  j["name"] = in.name;
  j["colors"] = nlohmann::ordered_json::array();
  for (const Rgb& c : rgb) j["colors"].push_back(LowerHex(c));
  // Replace invalid UTF-8 rather than throw: names are validated on write, but be safe.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string Css(const std::string& slug, const std::vector<Rgb>& rgb) {
  std::string out = ":root {\n";
  for (size_t i = 0; i < rgb.size(); ++i) {
    out += "  --" + slug + "-" + std::to_string(i + 1) + ": " + LowerHex(rgb[i]) + ";\n";
  }
  out += "}\n";
  return out;
}

std::string Scss(const std::string& slug, const std::vector<Rgb>& rgb) {
  std::string out;
  for (size_t i = 0; i < rgb.size(); ++i) {
    out += "$" + slug + "-" + std::to_string(i + 1) + ": " + LowerHex(rgb[i]) + ";\n";
  }
  out += "$" + slug + ": (\n";
  for (size_t i = 0; i < rgb.size(); ++i) {
    out += "  " + std::to_string(i + 1) + ": $" + slug + "-" + std::to_string(i + 1) +
           (i + 1 < rgb.size() ? ",\n" : "\n");
  }
  out += ");\n";
  return out;
}

std::string Tailwind(const std::string& slug, const std::vector<Rgb>& rgb) {
  std::string out = "module.exports = {\n  theme: {\n    extend: {\n      colors: {\n        '" + slug + "': {\n";
  for (size_t i = 0; i < rgb.size(); ++i) {
    out += "          " + std::to_string(i + 1) + ": '" + LowerHex(rgb[i]) + "',\n";
  }
  out += "        },\n      },\n    },\n  },\n};\n";
  return out;
}

std::string Gpl(const ExportInput& in, const std::vector<Rgb>& rgb) {
  std::string out = "GIMP Palette\nName: " + OneLine(in.name) + "\nColumns: " +
                    std::to_string(rgb.size()) + "\n#\n";
  for (size_t i = 0; i < rgb.size(); ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%3d %3d %3d\t", rgb[i].r, rgb[i].g, rgb[i].b);
    out += buf;
    out += OneLine(NameOf(in, i, rgb[i]));
    out += '\n';
  }
  return out;
}

// UTF-8 -> UTF-16 code units; malformed sequences become U+FFFD.
std::vector<uint16_t> Utf16(std::string_view s) {
  std::vector<uint16_t> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0xFFFD;
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      ++i;
    } else {
      cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      bool ok = true;
      for (int k = 1; k < len; ++k) {
        unsigned char cc = static_cast<unsigned char>(s[i + k]);
        if ((cc >> 6) != 2) ok = false;
        cp = (cp << 6) | (cc & 0x3F);
      }
      static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      if (!ok || cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        cp = 0xFFFD;
        i += 1;
      } else {
        i += len;
      }
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<uint16_t>(cp));
    }
  }
  return out;
}

void Put16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xFF);
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v & 0xFFFF));
}
void PutFloat(std::string& out, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  Put32(out, bits);
}

// Adobe Swatch Exchange 1.0: "ASEF", version 1.0, block count, then one colour entry block
// (0x0001) per colour, all big-endian. No group blocks: every reader accepts a flat list.
std::string Ase(const ExportInput& in, const std::vector<Rgb>& rgb) {
  std::string out = "ASEF";
  Put16(out, 1);
  Put16(out, 0);
  Put32(out, static_cast<uint32_t>(rgb.size()));
  for (size_t i = 0; i < rgb.size(); ++i) {
    std::vector<uint16_t> name = Utf16(NameOf(in, i, rgb[i]));
    name.push_back(0);
    std::string block;
    Put16(block, static_cast<uint16_t>(name.size()));
    for (uint16_t u : name) Put16(block, u);
    block += "RGB ";
    PutFloat(block, static_cast<float>(rgb[i].r / 255.0));
    PutFloat(block, static_cast<float>(rgb[i].g / 255.0));
    PutFloat(block, static_cast<float>(rgb[i].b / 255.0));
    Put16(block, 2);  // colour type: normal
    Put16(out, 0x0001);
    Put32(out, static_cast<uint32_t>(block.size()));
    out += block;
  }
  return out;
}

std::string XmlEscaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters other than tab/newline are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

constexpr int kSwatch = 100;
constexpr int kPngSwatch = 120;

std::string Svg(const ExportInput& in, const std::vector<Rgb>& rgb) {
  std::string w = std::to_string(kSwatch * rgb.size());
  std::string h = std::to_string(kSwatch);
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h +
                    "\" viewBox=\"0 0 " + w + " " + h + "\">\n  <title>" + XmlEscaped(in.name) + "</title>\n";
  for (size_t i = 0; i < rgb.size(); ++i) {
    out += "  <rect x=\"" + std::to_string(kSwatch * i) + "\" y=\"0\" width=\"" + h + "\" height=\"" + h +
           "\" fill=\"" + LowerHex(rgb[i]) + "\"/>\n";
  }
  out += "</svg>\n";
  return out;
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string_view ExportFormatList() { return "json, css, scss, tailwind, gpl, ase, svg, png"; }

bool IsExportFormat(std::string_view f) {
  return f == "json" || f == "css" || f == "scss" || f == "tailwind" || f == "gpl" || f == "ase" || f == "svg" ||
         f == "png";
}

std::string ExportFileStem(std::string_view name) {
  std::string out;
  bool any = false;
  for (char c : name) {
    bool keep = IsAsciiAlnum(c) || c == '-' || c == '_';
    out += keep ? c : '-';
    any = any || (keep && c != '-');
  }
  return any ? out : "palette";
}

std::string ExportSlug(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (IsAsciiAlnum(c)) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "palette" : out;
}

Result<ExportInput> ExportInputFromPalette(const store::Palette& p) {
  ExportInput in;
  in.name = p.name;
  auto strings = [](const std::string& text, std::vector<std::string>& out) -> bool {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_array()) return false;
    for (const auto& v : j) {
      if (!v.is_string()) return false;
      out.push_back(v.get<std::string>());
    }
    return true;
  };
  if (!strings(p.colors_json, in.colors) || !strings(p.labels_json, in.labels)) {
    return MakeError(ErrorCode::kInternal, "stored palette colours or labels are malformed");
  }
  return in;
}

Result<ExportedFile> ExportPalette(std::string_view format, const ExportInput& in) {
  PM_ASSIGN_OR_RETURN(std::vector<Rgb> rgb, ParseColors(in.colors));
  std::string slug = ExportSlug(in.name);
  if (format == "json") return ExportedFile{Json(in, rgb), "application/json", "json"};
  if (format == "css") return ExportedFile{Css(slug, rgb), "text/css; charset=utf-8", "css"};
  if (format == "scss") return ExportedFile{Scss(slug, rgb), "text/x-scss; charset=utf-8", "scss"};
  if (format == "tailwind") {
    return ExportedFile{Tailwind(slug, rgb), "application/javascript; charset=utf-8", "js"};
  }
  if (format == "gpl") return ExportedFile{Gpl(in, rgb), "application/x-gimp-palette", "gpl"};
  if (format == "ase") return ExportedFile{Ase(in, rgb), "application/octet-stream", "ase"};
  if (format == "svg") return ExportedFile{Svg(in, rgb), "image/svg+xml", "svg"};
  if (format == "png") {
    // One horizontal strip of kPngSwatch-px squares, in palette order.
    std::vector<std::array<uint8_t, 3>> colors;
    for (const Rgb& c : rgb) colors.push_back({uint8_t(c.r), uint8_t(c.g), uint8_t(c.b)});
    Result<engine::EncodedImage> encoded = [&] {
      EngineTimer timer("export_png");
      return engine::SwatchStripPng(colors, kPngSwatch);
    }();
    PM_ASSIGN_OR_RETURN(engine::EncodedImage png, std::move(encoded));
    return ExportedFile{std::move(png.bytes), "image/png", "png"};
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "format must be one of: " + std::string(ExportFormatList()));
}

}  // namespace pm::app
