// Our decoders against independent ones: every test image must decode to the dimensions (and,
// where a reference decodes the pixels, to about the pixels) that another implementation reports.
//
// The reference is OpenCV's imgcodecs (linked into this test binary only, never into pm_engine).
// Where OpenCV 4.6 cannot help we use another independent source, chosen per format:
//   - JPEG, PNG, WebP, TIFF: cv::imdecode. IMREAD_COLOR applies Exif orientation (as we do) and
//     gives 8-bit BGR; IMREAD_UNCHANGED gives the alpha channel (and ignores Exif).
//   - TIFF with 64-bit float samples, which imdecode refuses: cv::imread through GDAL, a third
//     TIFF implementation.
//   - GIF (imgcodecs 4.6 has no GIF reader): the logical screen size read from the header bytes
//     by a few lines here, and the first frame's pixels from giflib's DGifSlurp, which reads the
//     whole file and de-interlaces on its own, independently of our row-by-row decoder.
//   - AVIF (no AVIF reader in 4.6 either): the PNG it was converted from (chelsea.avif from
//     chelsea.png); lossy, so a looser pixel tolerance.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gif_lib.h>
#include <png.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/image.h"
#include "test_images.h"

namespace pm::engine {
namespace {

using testing::ReadTestImage;

// 8-bit RGBA from an OpenCV image of 1, 2, 3 or 4 channels (BGR order), 8/16-bit or float.
Image ToImage(const cv::Mat& m) {
  cv::Mat eight;
  if (m.depth() == CV_8U) {
    eight = m;
  } else if (m.depth() == CV_16U) {
    m.convertTo(eight, CV_8U, 1.0 / 257.0);
  } else {
    m.convertTo(eight, CV_8U, 255.0);  // float images use 0..1
  }
  cv::Mat rgba;
  switch (eight.channels()) {
    case 1: cv::cvtColor(eight, rgba, cv::COLOR_GRAY2RGBA); break;
    case 3: cv::cvtColor(eight, rgba, cv::COLOR_BGR2RGBA); break;
    case 4: cv::cvtColor(eight, rgba, cv::COLOR_BGRA2RGBA); break;
    default: FAIL("unexpected channel count " << eight.channels());
  }
  Image image;
  image.width = rgba.cols;
  image.height = rgba.rows;
  image.rgba.assign(rgba.data, rgba.data + rgba.total() * 4);
  return image;
}

// Mean absolute difference over the colour channels (and alpha when `alpha`). Same size required.
double MeanAbsDiff(const Image& a, const Image& b, bool alpha) {
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  double sum = 0;
  size_t n = 0;
  for (size_t i = 0; i < a.rgba.size(); ++i) {
    if (i % 4 == 3 && !alpha) continue;
    sum += std::abs(int(a.rgba[i]) - int(b.rgba[i]));
    ++n;
  }
  return sum / double(n);
}

Image Decode(const std::vector<uint8_t>& bytes) {
  auto r = DecodeImage(bytes, DecodeLimits{});
  REQUIRE(r.ok());
  return std::move(r).value();
}

// The logical screen size from the GIF header: "GIF8?a", then width and height, little-endian.
std::pair<int, int> GifScreenSize(const std::vector<uint8_t>& b) {
  REQUIRE(b.size() >= 10);
  return {b[6] | (b[7] << 8), b[8] | (b[9] << 8)};
}

struct SlurpReader {
  const std::vector<uint8_t>* bytes;
  size_t pos = 0;
};

int SlurpRead(GifFileType* gif, GifByteType* out, int n) {
  auto* r = static_cast<SlurpReader*>(gif->UserData);
  const size_t take = std::min(size_t(n), r->bytes->size() - r->pos);
  std::memcpy(out, r->bytes->data() + r->pos, take);
  r->pos += take;
  return int(take);
}

// The first frame painted on a transparent canvas of the logical screen size, via DGifSlurp.
Image GifFirstFrame(const std::vector<uint8_t>& bytes) {
  SlurpReader reader{&bytes};
  int err = 0;
  GifFileType* gif = DGifOpen(&reader, SlurpRead, &err);
  REQUIRE(gif != nullptr);
  const bool slurped = DGifSlurp(gif) == GIF_OK && gif->ImageCount > 0;
  Image image;
  if (slurped) {
    image.width = gif->SWidth;
    image.height = gif->SHeight;
    image.rgba.assign(size_t(image.width) * image.height * 4, 0);
    const SavedImage& frame = gif->SavedImages[0];
    GraphicsControlBlock gcb;
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    DGifSavedExtensionToGCB(gif, 0, &gcb);
    const ColorMapObject* cmap =
        frame.ImageDesc.ColorMap != nullptr ? frame.ImageDesc.ColorMap : gif->SColorMap;
    const GifImageDesc& d = frame.ImageDesc;
    for (int row = 0; row < d.Height; ++row) {
      for (int col = 0; col < d.Width; ++col) {
        const int x = d.Left + col, y = d.Top + row;
        const int idx = frame.RasterBits[size_t(row) * d.Width + col];
        if (x >= image.width || y >= image.height || idx == gcb.TransparentColor ||
            idx >= cmap->ColorCount) {
          continue;
        }
        uint8_t* p = &image.rgba[(size_t(y) * image.width + x) * 4];
        p[0] = cmap->Colors[idx].Red, p[1] = cmap->Colors[idx].Green, p[2] = cmap->Colors[idx].Blue;
        p[3] = 255;
      }
    }
  }
  DGifCloseFile(gif, &err);
  REQUIRE(slurped);
  return image;
}

// Compares our decode of `bytes` with OpenCV's: dimensions (Exif applied on both sides) and
// pixels within `tolerance` (mean absolute difference, 0..255 scale).
void CheckAgainstOpenCv(const std::vector<uint8_t>& bytes, double tolerance) {
  auto info = ProbeImage(bytes, DecodeLimits{});
  REQUIRE(info.ok());
  const Image ours = Decode(bytes);
  const cv::Mat colour = cv::imdecode(bytes, cv::IMREAD_COLOR);
  REQUIRE_FALSE(colour.empty());
  CHECK(info->width == colour.cols);
  CHECK(info->height == colour.rows);
  const Image ref = ToImage(colour);
  CHECK(MeanAbsDiff(ours, ref, false) <= tolerance);
  // Alpha, from the unchanged decode (which skips Exif: only compare when it has our shape).
  const cv::Mat unchanged = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
  if (unchanged.channels() == 4 && unchanged.cols == ours.width && unchanged.rows == ours.height) {
    CHECK(MeanAbsDiff(ours, ToImage(unchanged), true) <= tolerance);
  }
}

TEST_CASE("Every test image decodes like an independent decoder", "[decode][reference]") {
  const std::filesystem::path dir = std::filesystem::path(PM_TESTDATA_DIR) / "images";
  int compared = 0;
  int refused = 0;  // AVIF files in a build without libavif
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "truncated.jpg") continue;  // the corrupt-data test file
    INFO(name);
    const auto bytes = ReadTestImage(name);
    auto info = ProbeImage(bytes, DecodeLimits{});
    if (SniffFormat(bytes) == ImageFormat::kAvif && !CanDecode(ImageFormat::kAvif)) {
      // Built without libavif (the static build): nothing to compare, a clear 415 instead.
      REQUIRE_FALSE(info.ok());
      CHECK(info.error().code == ErrorCode::kUnsupportedMediaType);
      ++refused;
      continue;
    }
    REQUIRE(info.ok());
    const Image ours = Decode(bytes);
    CHECK(ours.width == info->width);
    CHECK(ours.height == info->height);
    switch (info->format) {
      case ImageFormat::kJpeg:
      case ImageFormat::kPng:
      case ImageFormat::kWebp:
        CheckAgainstOpenCv(bytes, 1.0);
        break;
      case ImageFormat::kTiff: {
        if (!cv::imdecode(bytes, cv::IMREAD_COLOR).empty()) {
          CheckAgainstOpenCv(bytes, 1.0);
          break;
        }
        const cv::Mat gdal = cv::imread(entry.path().string(), cv::IMREAD_LOAD_GDAL |
                                                                   cv::IMREAD_ANYDEPTH |
                                                                   cv::IMREAD_ANYCOLOR);
        REQUIRE_FALSE(gdal.empty());
        CHECK(MeanAbsDiff(ours, ToImage(gdal), false) <= 1.0);
        break;
      }
      case ImageFormat::kGif: {
        const auto [w, h] = GifScreenSize(bytes);
        CHECK(ours.width == w);
        CHECK(ours.height == h);
        CHECK(MeanAbsDiff(ours, GifFirstFrame(bytes), true) == 0.0);
        break;
      }
      case ImageFormat::kAvif: {
        const std::string twin = entry.path().stem().string() + ".png";
        REQUIRE(std::filesystem::exists(dir / twin));
        const Image ref = ToImage(cv::imread((dir / twin).string(), cv::IMREAD_COLOR));
        CHECK(MeanAbsDiff(ours, ref, false) <= 6.0);
        break;
      }
      case ImageFormat::kUnknown:
        FAIL("not an image");
    }
    ++compared;
  }
  CHECK(compared + refused >= 15);
  CHECK(refused <= 1);  // only chelsea.avif
}

// 16-bit PNG written with libpng's low-level API and no gAMA/sRGB chunk, as most tools write
// them (OpenCV, ImageMagick without -define): the samples are sRGB-encoded.
std::vector<uint8_t> Png16(int width, int height, int colour_type, const std::vector<uint16_t>& v) {
  std::vector<uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(
      png, &out,
      [](png_structp p, png_bytep data, size_t n) {
        auto* o = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(p));
        o->insert(o->end(), data, data + n);
      },
      nullptr);
  png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 16, colour_type,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_set_swap(png);  // our samples are native (little-endian) uint16
  const size_t per_row = v.size() / size_t(height);
  for (int y = 0; y < height; ++y) {
    png_write_row(png, reinterpret_cast<png_const_bytep>(v.data() + per_row * size_t(y)));
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return out;
}

TEST_CASE("16-bit PNGs without gamma information decode as sRGB, like OpenCV", "[decode][reference]") {
  // libpng's simplified API assumes such samples are linear unless told otherwise, which made
  // mid-grey 0x8080 come out as 188 instead of 128.
  SECTION("RGB") {
    std::vector<uint16_t> v;
    for (int y = 0; y < 16; ++y) {
      for (int x = 0; x < 16; ++x) {
        for (int c = 0; c < 3; ++c) v.push_back(uint16_t((x * 4096 + y * 256 + c * 9000) & 0xFFFF));
      }
    }
    const auto bytes = Png16(16, 16, PNG_COLOR_TYPE_RGB, v);
    CheckAgainstOpenCv(bytes, 1.0);
    const Image ours = Decode(bytes);
    CHECK(std::abs(int(ours.rgba[(16 * 8 + 8) * 4]) - (8 * 4096 + 8 * 256) / 257) <= 1);
  }
  SECTION("grey + alpha") {
    std::vector<uint16_t> v;
    for (int i = 0; i < 64; ++i) {
      v.push_back(0x8080);                             // grey 128
      v.push_back(i % 2 ? uint16_t(65535) : uint16_t(0x4040));  // alpha 255 or 64
    }
    const auto bytes = Png16(8, 8, PNG_COLOR_TYPE_GRAY_ALPHA, v);
    CheckAgainstOpenCv(bytes, 1.0);
    const Image ours = Decode(bytes);
    CHECK(int(ours.rgba[4 + 0]) == 128);  // opaque pixel: exactly the high byte
    CHECK(int(ours.rgba[4 + 3]) == 255);
    CHECK(std::abs(int(ours.rgba[0]) - 128) <= 1);
    CHECK(int(ours.rgba[3]) == 64);
  }
}

TEST_CASE("Synthetic images of every kind agree with OpenCV", "[decode][reference]") {
  // A gradient with a transparent stripe, so colour and alpha both matter.
  const int w = 37, h = 23;
  std::vector<uint8_t> rgba(size_t(w) * h * 4);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &rgba[(size_t(y) * w + x) * 4];
      p[0] = uint8_t(x * 6), p[1] = uint8_t(y * 10), p[2] = uint8_t(200 - x * 3);
      p[3] = x % 9 == 0 ? 0 : 255;
    }
  }
  std::vector<uint8_t> rgb, grey;
  for (size_t i = 0; i < rgba.size(); i += 4) {
    rgb.insert(rgb.end(), {rgba[i], rgba[i + 1], rgba[i + 2]});
    grey.push_back(rgba[i + 1]);
  }
  SECTION("greyscale JPEG") { CheckAgainstOpenCv(testing::EncodeJpegSamples(w, h, 1, grey.data()), 1.0); }
  SECTION("RGB JPEG with Exif orientation 6 (OpenCV's IMREAD_COLOR applies it too)") {
    CheckAgainstOpenCv(testing::EncodeJpeg(w, h, [](int x, int y) {
      return Rgb{uint8_t(x * 6), uint8_t(y * 10), 90};
    }, 6), 1.0);
  }
  SECTION("RGBA PNG") {
    CheckAgainstOpenCv(testing::EncodePng(w, h, PNG_FORMAT_RGBA, rgba.data()), 0.0);
  }
  SECTION("palette PNG with tRNS") {
    const uint8_t cmap[] = {255, 0, 0, 255, 0, 0, 255, 128, 0, 255, 0, 0};
    std::vector<uint8_t> idx(size_t(w) * h);
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = uint8_t(i % 3);
    CheckAgainstOpenCv(testing::EncodePng(w, h, PNG_FORMAT_RGBA_COLORMAP, idx.data(), cmap, 3), 0.0);
  }
  SECTION("lossless WebP with alpha") {
    CheckAgainstOpenCv(testing::EncodeWebp(w, h, rgba.data(), true), 0.0);
  }
  SECTION("lossy WebP") { CheckAgainstOpenCv(testing::EncodeWebp(w, h, rgba.data(), false), 1.0); }
  SECTION("8-bit RGBA TIFF, deflate") {
    CheckAgainstOpenCv(testing::EncodeTiff(w, h, 4, 8, rgba.data(), 1, true), 0.0);
  }
  SECTION("16-bit RGB TIFF") {
    std::vector<uint16_t> wide(rgb.size());
    for (size_t i = 0; i < rgb.size(); ++i) wide[i] = uint16_t(rgb[i] * 257);
    CheckAgainstOpenCv(testing::EncodeTiff(w, h, 3, 16, wide.data()), 0.0);
  }
  SECTION("greyscale TIFF") { CheckAgainstOpenCv(testing::EncodeTiff(w, h, 1, 8, grey.data()), 0.0); }
}

}  // namespace
}  // namespace pm::engine
