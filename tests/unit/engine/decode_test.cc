#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <random>

#include <png.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/image.h"
#include "test_images.h"

namespace pm::engine {
namespace {

using testing::ReadTestImage;

const std::map<std::string, ImageFormat>& TestFiles() {
  static const std::map<std::string, ImageFormat> files = {
      {"astronaut.png", ImageFormat::kPng},   {"baboon.jpg", ImageFormat::kJpeg},
      {"board.jpg", ImageFormat::kJpeg},      {"building.jpg", ImageFormat::kJpeg},
      {"chelsea.avif", ImageFormat::kAvif},   {"chelsea.png", ImageFormat::kPng},
      {"coins.png", ImageFormat::kPng},       {"fruits.jpg", ImageFormat::kJpeg},
      {"fruits.webp", ImageFormat::kWebp},    {"logo.png", ImageFormat::kPng},
      {"multipage_rgb.tif", ImageFormat::kTiff},
      {"no_time_for_that_tiny.gif", ImageFormat::kGif},
      {"rocket.jpg", ImageFormat::kJpeg},     {"smarties.png", ImageFormat::kPng},
      {"starry_night.jpg", ImageFormat::kJpeg}, {"truncated.jpg", ImageFormat::kJpeg},
  };
  return files;
}

TEST_CASE("SniffFormat recognises every test image", "[decode]") {
  for (const auto& [name, format] : TestFiles()) {
    INFO(name);
    CHECK(SniffFormat(ReadTestImage(name)) == format);
  }
}

TEST_CASE("Format names and MIME types", "[decode]") {
  CHECK(std::string(FormatName(ImageFormat::kWebp)) == "webp");
  CHECK(std::string(MimeType(ImageFormat::kAvif)) == "image/avif");
  CHECK(std::string(MimeType(ImageFormat::kJpeg)) == "image/jpeg");
  CHECK(std::string(FormatName(ImageFormat::kUnknown)) == "unknown");
}

TEST_CASE("Every valid test image probes and decodes to matching RGBA", "[decode]") {
  for (const auto& [name, format] : TestFiles()) {
    if (name == "truncated.jpg") continue;
#ifndef PM_TEST_AVIF
    if (format == ImageFormat::kAvif) continue;  // "Alpha, greyscale, WebP and AVIF" checks it
#endif
    INFO(name);
    const auto bytes = ReadTestImage(name);
    auto info = ProbeImage(bytes, DecodeLimits{});
    REQUIRE(info.ok());
    CHECK(info->format == format);
    auto image = DecodeImage(bytes, DecodeLimits{});
    REQUIRE(image.ok());
    CHECK(image->width == info->width);
    CHECK(image->height == info->height);
    CHECK(image->source_width == info->width);
    CHECK(image->source_height == info->height);
    CHECK(image->rgba.size() == size_t(image->width) * image->height * 4);
  }
}

TEST_CASE("Alpha, greyscale, WebP and AVIF decode faithfully", "[decode]") {
  auto decode = [](const std::string& name) {
    auto r = DecodeImage(ReadTestImage(name), DecodeLimits{});
    REQUIRE(r.ok());
    return std::move(r).value();
  };
  SECTION("logo.png is RGBA (opaque everywhere in this file)") {
    const Image logo = decode("logo.png");
    size_t opaque = 0;
    for (size_t i = 3; i < logo.rgba.size(); i += 4) opaque += logo.rgba[i] == 255;
    CHECK(opaque == logo.rgba.size() / 4);
  }
  SECTION("PNG transparency, 16-bit, palette and grey variants") {
    // RGBA with a transparent half.
    std::vector<uint8_t> rgba(8 * 4 * 4);
    for (int i = 0; i < 32; ++i) {
      uint8_t* p = &rgba[size_t(i) * 4];
      p[0] = 10, p[1] = 200, p[2] = 30, p[3] = i % 8 < 4 ? 255 : 0;
    }
    auto a = DecodeImage(testing::EncodePng(8, 4, PNG_FORMAT_RGBA, rgba.data()), DecodeLimits{});
    REQUIRE(a.ok());
    CHECK(a->rgba[3] == 255);
    CHECK(a->rgba[4 * 4 + 3] == 0);
    CHECK(a->rgba[1] == 200);
    // 16-bit linear RGBA: mid-grey in linear light is sRGB ~188.
    std::vector<uint16_t> wide(8 * 4 * 4);
    for (size_t i = 0; i < wide.size(); i += 4) wide[i] = wide[i + 1] = wide[i + 2] = 32768, wide[i + 3] = 65535;
    auto b = DecodeImage(testing::EncodePng(8, 4, PNG_FORMAT_LINEAR_RGB_ALPHA, wide.data()),
                         DecodeLimits{});
    REQUIRE(b.ok());
    CHECK(std::abs(int(b->rgba[0]) - 188) <= 3);
    CHECK(b->rgba[3] == 255);
    // Palette with two entries.
    const uint8_t cmap[] = {255, 0, 0, 0, 0, 255};
    std::vector<uint8_t> idx(32);
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i % 2;
    auto c = DecodeImage(testing::EncodePng(8, 4, PNG_FORMAT_RGB_COLORMAP, idx.data(), cmap, 2),
                         DecodeLimits{});
    REQUIRE(c.ok());
    CHECK(c->rgba[0] == 255);
    CHECK(c->rgba[4 + 2] == 255);
    // Grey.
    std::vector<uint8_t> grey(32, 77);
    auto d = DecodeImage(testing::EncodePng(8, 4, PNG_FORMAT_GRAY, grey.data()), DecodeLimits{});
    REQUIRE(d.ok());
    CHECK((d->rgba[0] == 77 && d->rgba[1] == 77 && d->rgba[2] == 77 && d->rgba[3] == 255));
  }
  SECTION("multipage_rgb.tif: first page of 64-bit float planar RGB") {
    const Image tif = decode("multipage_rgb.tif");
    CHECK(tif.width == 10);
    CHECK(tif.height == 10);
    // First samples of the three planes: 0.12229, 0.15320, 0.75164.
    CHECK(int(tif.rgba[0]) == 31);
    CHECK(int(tif.rgba[1]) == 39);
    CHECK(int(tif.rgba[2]) == 192);
    CHECK(int(tif.rgba[3]) == 255);
  }
  SECTION("coins.png is grey: R == G == B, opaque") {
    const Image coins = decode("coins.png");
    bool grey = true;
    for (size_t i = 0; i < coins.rgba.size(); i += 4) {
      grey = grey && coins.rgba[i] == coins.rgba[i + 1] && coins.rgba[i] == coins.rgba[i + 2] &&
             coins.rgba[i + 3] == 255;
    }
    CHECK(grey);
  }
  SECTION("AVIF and WebP look like their PNG/JPEG twins") {
    auto mean = [](const Image& im) {
      double s[3] = {0, 0, 0};
      for (size_t i = 0; i < im.rgba.size(); i += 4) {
        for (int c = 0; c < 3; ++c) s[c] += im.rgba[i + c];
      }
      const double n = im.rgba.size() / 4.0;
      return std::array<double, 3>{s[0] / n, s[1] / n, s[2] / n};
    };
    std::vector<std::pair<const char*, const char*>> twins = {{"fruits.webp", "fruits.jpg"}};
#ifdef PM_TEST_AVIF
    twins.push_back({"chelsea.avif", "chelsea.png"});
#else
    // Built without libavif (the static build): AVIF is a clear "unsupported", never a crash.
    auto avif = DecodeImage(ReadTestImage("chelsea.avif"), DecodeLimits{});
    REQUIRE_FALSE(avif.ok());
    CHECK(avif.error().code == ErrorCode::kUnsupportedMediaType);
    CHECK(avif.error().message == "avif: AVIF support is not compiled into this build");
#endif
    for (auto [a, b] : twins) {
      INFO(a << " vs " << b);
      const Image x = decode(a), y = decode(b);
      REQUIRE(x.width == y.width);
      REQUIRE(x.height == y.height);
      const auto mx = mean(x), my = mean(y);
      for (int c = 0; c < 3; ++c) CHECK(std::abs(mx[c] - my[c]) < 6.0);
    }
  }
}

TEST_CASE("Truncated or corrupt data is kInvalidImage, never a partial image", "[decode]") {
  SECTION("truncated.jpg from the test data") {
    auto r = DecodeImage(ReadTestImage("truncated.jpg"), DecodeLimits{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidImage);
  }
  SECTION("every format cut short") {
    for (const char* name : {"fruits.jpg", "astronaut.png", "fruits.webp", "chelsea.avif",
                             "multipage_rgb.tif", "no_time_for_that_tiny.gif", "coins.png"}) {
      const auto full = ReadTestImage(name);
      for (double keep : {0.6, 0.9}) {
        INFO(name << " cut to " << keep);
        std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<long>(full.size() * keep));
        auto r = DecodeImage(cut, DecodeLimits{});
        REQUIRE_FALSE(r.ok());
        // Without libavif, AVIF is refused as unsupported before any data is read.
        const bool avif_absent = SniffFormat(full) == ImageFormat::kAvif && !CanDecode(ImageFormat::kAvif);
        CHECK(r.error().code == (avif_absent ? ErrorCode::kUnsupportedMediaType : ErrorCode::kInvalidImage));
      }
    }
  }
  SECTION("corrupt headers") {
    for (std::vector<uint8_t> bytes :
         {std::vector<uint8_t>{0xFF, 0xD8, 0xFF, 0x00, 0x01, 0x02},
          std::vector<uint8_t>{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2, 3},
          std::vector<uint8_t>{'G', 'I', 'F', '8', '9', 'a', 1},
          std::vector<uint8_t>{'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P'},
          std::vector<uint8_t>{'I', 'I', '*', 0, 0xFF, 0xFF, 0xFF, 0x7F}}) {
      auto r = ProbeImage(bytes, DecodeLimits{});
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == ErrorCode::kInvalidImage);
    }
  }
  SECTION("JPEG entropy data overwritten") {
    auto bytes = ReadTestImage("fruits.jpg");
    for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 4000; ++i) bytes[i] = 0xFF;
    auto r = DecodeImage(bytes, DecodeLimits{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidImage);
  }
}

TEST_CASE("Unknown bytes are kUnsupportedMediaType", "[decode]") {
  std::vector<uint8_t> empty;
  CHECK(SniffFormat(empty) == ImageFormat::kUnknown);
  // Zero bytes are a bad request rather than a format (see decode_hostile_test.cc).
  auto r = DecodeImage(empty, DecodeLimits{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidArgument);

  std::mt19937 rng(42);
  std::vector<uint8_t> noise(4096);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  noise[0] = 0x00;  // make sure no magic matches by chance
  auto probe = ProbeImage(noise, DecodeLimits{});
  REQUIRE_FALSE(probe.ok());
  CHECK(probe.error().code == ErrorCode::kUnsupportedMediaType);
  auto decode = DecodeImage(noise, DecodeLimits{});
  REQUIRE_FALSE(decode.ok());
  CHECK(decode.error().code == ErrorCode::kUnsupportedMediaType);

  const std::string text = "<html><body>not an image</body></html>";
  CHECK(SniffFormat(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())) ==
        ImageFormat::kUnknown);
}

TEST_CASE("max_dimension decodes at working scale and records the source size", "[decode]") {
  for (const char* name : {"fruits.jpg", "astronaut.png", "fruits.webp", "baboon.jpg"}) {
    INFO(name);
    const auto bytes = ReadTestImage(name);
    auto full = DecodeImage(bytes, DecodeLimits{});
    auto small = DecodeImage(bytes, DecodeLimits{}, 100);
    REQUIRE(full.ok());
    REQUIRE(small.ok());
    CHECK(std::max(small->width, small->height) == 100);
    CHECK(small->source_width == full->width);
    CHECK(small->source_height == full->height);
    // Aspect ratio kept to within a pixel.
    CHECK(std::abs(double(small->width) / small->height - double(full->width) / full->height) <
          0.02);
  }
  // Never upscales.
  auto tiny = DecodeImage(ReadTestImage("no_time_for_that_tiny.gif"), DecodeLimits{}, 100000);
  REQUIRE(tiny.ok());
  CHECK(tiny->width == tiny->source_width);

  auto negative = DecodeImage(ReadTestImage("fruits.jpg"), DecodeLimits{}, -1);
  REQUIRE_FALSE(negative.ok());
  CHECK(negative.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("WebP decodes straight to the working size, like a full decode then INTER_AREA", "[decode]") {
  // A lossless WebP with detail at every scale (and some translucency), so a wrong filter or an
  // off-by-one in the scaled size shows.
  const int w = 1203, h = 701;
  std::vector<uint8_t> rgba(size_t(w) * h * 4);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &rgba[(size_t(y) * w + x) * 4];
      p[0] = uint8_t((x * 255) / w), p[1] = uint8_t((x / 7 + y / 5) % 2 ? 230 : 20);
      p[2] = uint8_t((y * 255) / h), p[3] = 255;
    }
  }
  const auto lossless = testing::EncodeWebp(w, h, rgba.data(), true);
  for (const auto& bytes : {lossless, testing::ReadTestImage("fruits.webp")}) {
    for (int max_dimension : {512, 300, 97}) {
      INFO("max_dimension " << max_dimension);
      auto full = DecodeImage(bytes, DecodeLimits{});
      auto small = DecodeImage(bytes, DecodeLimits{}, max_dimension);
      REQUIRE(full.ok());
      REQUIRE(small.ok());
      CHECK(std::max(small->width, small->height) == max_dimension);
      CHECK(small->source_width == full->width);
      CHECK(small->source_height == full->height);
      cv::Mat src(full->height, full->width, CV_8UC4, full->rgba.data());
      cv::Mat expected;
      cv::resize(src, expected, cv::Size(small->width, small->height), 0, 0, cv::INTER_AREA);
      const cv::Mat got(small->height, small->width, CV_8UC4, small->rgba.data());
      cv::Mat diff;
      cv::absdiff(got, expected, diff);
      const cv::Scalar mean = cv::mean(diff);
      double worst = 0;
      cv::minMaxLoc(diff.reshape(1), nullptr, &worst);
      INFO("mean abs diff " << mean << ", max " << worst);
      for (int c = 0; c < 4; ++c) CHECK(mean[c] < 1.5);
      CHECK(worst <= 24);
    }
  }
}

}  // namespace
}  // namespace pm::engine
