#include "app/export.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "engine/image.h"

using namespace pm;
using nlohmann::json;

namespace {

app::ExportInput Sample() {
  return app::ExportInput{"Summer Fruit!", {"#ff0000", "#00ff80", "#0a0b0c"}, {"Red", "Green"}};
}

std::string Export(std::string_view format, const app::ExportInput& in) {
  auto r = app::ExportPalette(format, in);
  REQUIRE(r.ok());
  return r->body;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream is(s);
  for (std::string line; std::getline(is, line);) out.push_back(line);
  return out;
}

// A minimal .ase reader, written from the format description (not from the writer).
struct AseSwatch {
  std::vector<uint16_t> name;  // without the terminating 0
  std::string model;
  float rgb[3];
  uint16_t type;
};
struct AseFile {
  uint16_t major, minor;
  std::vector<AseSwatch> swatches;
};

class AseReader {
 public:
  explicit AseReader(const std::string& b) : b_(b) {}
  uint16_t U16() {
    REQUIRE(pos_ + 2 <= b_.size());
    uint16_t v = static_cast<uint16_t>((static_cast<uint8_t>(b_[pos_]) << 8) | static_cast<uint8_t>(b_[pos_ + 1]));
    pos_ += 2;
    return v;
  }
  uint32_t U32() {
    uint32_t hi = U16();
    return (hi << 16) | U16();
  }
  float F32() {
    uint32_t bits = U32();
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  std::string Bytes(size_t n) {
    REQUIRE(pos_ + n <= b_.size());
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  size_t pos() const { return pos_; }
  bool done() const { return pos_ == b_.size(); }

 private:
  const std::string& b_;
  size_t pos_ = 0;
};

AseFile ParseAse(const std::string& bytes) {
  AseReader r(bytes);
  REQUIRE(r.Bytes(4) == "ASEF");
  AseFile f;
  f.major = r.U16();
  f.minor = r.U16();
  uint32_t blocks = r.U32();
  for (uint32_t i = 0; i < blocks; ++i) {
    uint16_t type = r.U16();
    uint32_t len = r.U32();
    size_t start = r.pos();
    if (type != 0x0001) {  // group start/end: skip
      r.Bytes(len);
      continue;
    }
    AseSwatch s;
    uint16_t name_len = r.U16();
    REQUIRE(name_len >= 1);
    for (uint16_t k = 0; k + 1 < name_len; ++k) s.name.push_back(r.U16());
    REQUIRE(r.U16() == 0);
    s.model = r.Bytes(4);
    for (float& c : s.rgb) c = r.F32();
    s.type = r.U16();
    REQUIRE(r.pos() - start == len);
    f.swatches.push_back(s);
  }
  REQUIRE(r.done());
  return f;
}

std::vector<uint16_t> Ascii16(std::string_view s) { return std::vector<uint16_t>(s.begin(), s.end()); }

}  // namespace

TEST_CASE("export json: exactly {name, colors}", "[app][export]") {
  json j = json::parse(Export("json", Sample()));
  CHECK(j == json{{"name", "Summer Fruit!"}, {"colors", {"#ff0000", "#00ff80", "#0a0b0c"}}});
  CHECK(app::ExportPalette("json", Sample())->content_type == "application/json");
}

TEST_CASE("export css, scss and tailwind use the slug and numbered colours", "[app][export]") {
  auto in = Sample();
  CHECK(Export("css", in) ==
        ":root {\n  --summer-fruit-1: #ff0000;\n  --summer-fruit-2: #00ff80;\n  --summer-fruit-3: #0a0b0c;\n}\n");
  auto scss = Lines(Export("scss", in));
  REQUIRE(scss.size() >= 4);
  CHECK(scss[0] == "$summer-fruit-1: #ff0000;");
  CHECK(scss[1] == "$summer-fruit-2: #00ff80;");
  CHECK(scss[2] == "$summer-fruit-3: #0a0b0c;");
  CHECK(scss[3] == "$summer-fruit: (");
  CHECK(scss.back() == ");");
  CHECK(Export("scss", in).find("  3: $summer-fruit-3\n") != std::string::npos);
  std::string tw = Export("tailwind", in);
  CHECK(tw.rfind("module.exports = {", 0) == 0);
  CHECK(tw.find("'summer-fruit': {") != std::string::npos);
  CHECK(tw.find("1: '#ff0000',") != std::string::npos);
  CHECK(tw.find("3: '#0a0b0c',") != std::string::npos);
  CHECK(app::ExportPalette("tailwind", in)->extension == "js");
}

TEST_CASE("export slug: lower-case, runs of other characters -> '-', trimmed, fallback", "[app][export]") {
  CHECK(app::ExportSlug("  Summer  Fruit!! ") == "summer-fruit");
  CHECK(app::ExportSlug("Été 2024") == "t-2024");
  CHECK(app::ExportSlug("🎨") == "palette");
  CHECK(app::ExportSlug("") == "palette");
}

TEST_CASE("export gpl: header, then right-aligned RGB, a tab and the label or hex", "[app][export]") {
  auto lines = Lines(Export("gpl", Sample()));
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] == "GIMP Palette");
  CHECK(lines[1] == "Name: Summer Fruit!");
  CHECK(lines[2] == "Columns: 3");
  CHECK(lines[3] == "#");
  std::regex row(R"(^([ \d]{3}) ([ \d]{3}) ([ \d]{3})\t(.+)$)");
  std::smatch m;
  REQUIRE(std::regex_match(lines[4], m, row));
  CHECK(m[1] == "255");
  CHECK(m[2] == "  0");
  CHECK(m[4] == "Red");
  REQUIRE(std::regex_match(lines[5], m, row));
  CHECK(m[2] == "255");
  CHECK(m[3] == "128");
  CHECK(m[4] == "Green");
  REQUIRE(std::regex_match(lines[6], m, row));
  CHECK(m[1] == " 10");
  CHECK(m[4] == "#0a0b0c");  // no label: the hex
  // A newline in the name cannot start a row.
  auto in = Sample();
  in.name = "a\nb";
  CHECK(Lines(Export("gpl", in))[1] == "Name: a b");
}

TEST_CASE("export ase parses back: signature, version, blocks, names, RGB floats", "[app][export]") {
  AseFile f = ParseAse(Export("ase", Sample()));
  CHECK(f.major == 1);
  CHECK(f.minor == 0);
  REQUIRE(f.swatches.size() == 3);
  const float want[3][3] = {{255, 0, 0}, {0, 255, 128}, {10, 11, 12}};
  const char* names[3] = {"Red", "Green", "#0a0b0c"};
  for (int i = 0; i < 3; ++i) {
    CHECK(f.swatches[i].name == Ascii16(names[i]));
    CHECK(f.swatches[i].model == "RGB ");
    CHECK(f.swatches[i].type == 2);
    for (int c = 0; c < 3; ++c) CHECK(std::abs(f.swatches[i].rgb[c] - want[i][c] / 255.0) < 1e-6);
  }
}

TEST_CASE("export ase: non-ASCII names as UTF-16 with surrogate pairs", "[app][export]") {
  app::ExportInput in{"x", {"#123456", "#abcdef"}, {"🎨", "é"}};
  AseFile f = ParseAse(Export("ase", in));
  REQUIRE(f.swatches.size() == 2);
  CHECK(f.swatches[0].name == std::vector<uint16_t>{0xD83C, 0xDFA8});
  CHECK(f.swatches[1].name == std::vector<uint16_t>{0x00E9});
  // Empty palette: header only.
  CHECK(ParseAse(Export("ase", app::ExportInput{"e", {}, {}})).swatches.empty());
}

TEST_CASE("export svg: one rect per colour, escaped title, no script", "[app][export]") {
  auto in = Sample();
  in.name = "<b>&\"x\"";
  std::string svg = Export("svg", in);
  CHECK(svg.find("<title>&lt;b&gt;&amp;&quot;x&quot;</title>") != std::string::npos);
  CHECK(svg.find("<b>") == std::string::npos);
  CHECK(svg.find("width=\"300\"") != std::string::npos);
  std::regex rect(R"re(<rect [^>]*fill="(#[0-9a-f]{6})")re");
  std::vector<std::string> fills;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), rect); it != std::sregex_iterator(); ++it) {
    fills.push_back((*it)[1]);
  }
  CHECK(fills == std::vector<std::string>{"#ff0000", "#00ff80", "#0a0b0c"});
  CHECK(svg.find("script") == std::string::npos);
  CHECK(app::ExportPalette("svg", in)->content_type == "image/svg+xml");
}

TEST_CASE("export png: a strip of 120 px blocks in palette order", "[app][export]") {
  auto file = app::ExportPalette("png", Sample());
  REQUIRE(file.ok());
  CHECK(file->content_type == "image/png");
  CHECK(file->extension == "png");
  // Decoded back with the engine's own PNG decoder (libpng).
  auto span = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file->body.data()), file->body.size());
  auto image = engine::DecodeImage(span, engine::DecodeLimits{});
  REQUIRE(image.ok());
  CHECK(image->width == 360);
  CHECK(image->height == 120);
  const uint8_t want[3][3] = {{0xff, 0x00, 0x00}, {0x00, 0xff, 0x80}, {0x0a, 0x0b, 0x0c}};
  for (int i = 0; i < 3; ++i) {
    INFO(i);
    const uint8_t* px = &image->rgba[(size_t(60) * image->width + i * 120 + 60) * 4];
    CHECK(px[0] == want[i][0]);
    CHECK(px[1] == want[i][1]);
    CHECK(px[2] == want[i][2]);
    CHECK(px[3] == 255);
  }
  // A palette without colours has no strip to draw.
  auto empty = app::ExportPalette("png", app::ExportInput{"e", {}, {}});
  REQUIRE(!empty.ok());
  CHECK(empty.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("export: unknown format is invalid and names the formats", "[app][export]") {
  for (std::string_view f : {"", "pdf", "JSON"}) {
    auto r = app::ExportPalette(f, Sample());
    REQUIRE(!r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find("json, css, scss, tailwind, gpl, ase, svg, png") != std::string::npos);
  }
  CHECK(app::IsExportFormat("ase"));
  CHECK(!app::IsExportFormat("xml"));
}

TEST_CASE("export file stem: ASCII letters, digits, '-', '_', others '-', fallback", "[app][export]") {
  CHECK(app::ExportFileStem("Summer_fruit-2") == "Summer_fruit-2");
  CHECK(app::ExportFileStem("a b/\"c\".jpg") == "a-b--c--jpg");
  CHECK(app::ExportFileStem("é") == "palette");  // nothing but dashes left
  CHECK(app::ExportFileStem("Été") == "--t--");  // each byte
  CHECK(app::ExportFileStem("") == "palette");
  CHECK(app::ExportFileStem("🎨") == "palette");
}

TEST_CASE("export input from a stored palette", "[app][export]") {
  store::Palette p;
  p.name = "n";
  p.colors_json = R"(["#010203"])";
  p.labels_json = R"(["A"])";
  auto in = app::ExportInputFromPalette(p);
  REQUIRE(in.ok());
  CHECK(in->colors == std::vector<std::string>{"#010203"});
  CHECK(in->labels == std::vector<std::string>{"A"});
  p.colors_json = "{}";
  CHECK(!app::ExportInputFromPalette(p).ok());
}
