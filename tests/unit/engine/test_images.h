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

// An opaque image filled by `pixel`.
Image MakeImage(int width, int height, const std::function<Rgb(int x, int y)>& pixel);

}  // namespace pm::engine::testing

namespace Catch {
template <>
struct StringMaker<pm::engine::Rgb> {
  static std::string convert(const pm::engine::Rgb& c) { return pm::engine::ToHex(c); }
};
}  // namespace Catch
