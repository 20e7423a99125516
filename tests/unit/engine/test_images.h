// Helpers shared by the engine tests: reading testdata, encoding small JPEGs with libjpeg,
// building synthetic images.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/image.h"
#include "engine/palette.h"

namespace pm::engine::testing {

std::string TestImagePath(const std::string& name);  // PM_TESTDATA_DIR/images/<name>
std::vector<uint8_t> ReadTestImage(const std::string& name);

// Encodes an RGB image as a baseline JPEG (quality 95). `orientation` 0 writes no Exif;
// 1..8 writes an APP1 Exif segment holding only the Orientation tag.
std::vector<uint8_t> EncodeJpeg(int width, int height, const std::function<Rgb(int x, int y)>& pixel,
                                int orientation = 0);

// Encodes with libpng's simplified writer. `format` is a PNG_FORMAT_* value; `pixels` holds
// width*height samples of that format (16-bit formats: native-endian uint16 pairs).
std::vector<uint8_t> EncodePng(int width, int height, unsigned format, const void* pixels,
                               const void* colormap = nullptr, int colormap_entries = 0);

// Encodes raw samples as a baseline JPEG (quality 95): `components` 1 (greyscale), 3 (RGB) or 4
// (CMYK, written with libjpeg's Adobe marker, so values are stored as given: 255 = no ink in the
// Adobe convention the decoder assumes).
std::vector<uint8_t> EncodeJpegSamples(int width, int height, int components,
                                       const uint8_t* samples);

// Encodes RGBA pixels as WebP with libwebp (lossless, or lossy at quality 90).
std::vector<uint8_t> EncodeWebp(int width, int height, const uint8_t* rgba, bool lossless);

// Encodes palette indices as a single-frame GIF89a with giflib. `palette` is padded to a power of
// two; `transparent` >= 0 adds a graphics control extension naming that index transparent;
// `interlace` writes the rows in the four-pass order.
std::vector<uint8_t> EncodeGif(int width, int height, const std::vector<Rgb>& palette,
                               const uint8_t* indices, int transparent = -1,
                               bool interlace = false);

// Encodes an uncompressed (or deflate) TIFF with libtiff: `samples` 1 or 2 (grey, grey+alpha)
// or 3 or 4 (RGB, RGBA), `bits` 8 or 16 (native-endian uint16 samples), one strip per
// `rows_per_strip` rows; `orientation` is written as the Orientation tag.
std::vector<uint8_t> EncodeTiff(int width, int height, int samples, int bits, const void* pixels,
                                int orientation = 1, bool deflate = false, int rows_per_strip = 8);

#ifdef PM_TEST_AVIF
// Encodes 8-bit RGBA as AVIF (libavif with whatever AV1 encoder it has, lossless-ish quality).
std::vector<uint8_t> EncodeAvif(int width, int height, const uint8_t* rgba);
#endif

// An opaque image filled by `pixel`.
Image MakeImage(int width, int height, const std::function<Rgb(int x, int y)>& pixel);

}  // namespace pm::engine::testing

namespace Catch {
template <>
struct StringMaker<pm::engine::Rgb> {
  static std::string convert(const pm::engine::Rgb& c) { return pm::engine::ToHex(c); }
};
}  // namespace Catch
