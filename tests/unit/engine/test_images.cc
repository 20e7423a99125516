#include "test_images.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <jpeglib.h>
#include <png.h>

namespace pm::engine::testing {

std::string TestImagePath(const std::string& name) {
  return std::string(PM_TESTDATA_DIR) + "/images/" + name;
}

std::vector<uint8_t> ReadTestImage(const std::string& name) {
  std::ifstream in(TestImagePath(name), std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + TestImagePath(name));
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<uint8_t> EncodeJpeg(int width, int height, const std::function<Rgb(int, int)>& pixel,
                                int orientation) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);  // test input is well-formed; default handler is fine
  jpeg_create_compress(&cinfo);
  unsigned char* out = nullptr;
  unsigned long out_size = 0;
  jpeg_mem_dest(&cinfo, &out, &out_size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 95, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  if (orientation > 0) {
    // "Exif\0\0" + big-endian TIFF header + IFD0 with one entry (Orientation, SHORT, 1).
    const uint8_t exif[] = {'E', 'x', 'i', 'f', 0, 0,
                            'M', 'M', 0, 42, 0, 0, 0, 8,  // header, IFD0 at offset 8
                            0, 1,                          // one entry
                            0x01, 0x12, 0, 3, 0, 0, 0, 1,  // tag 0x0112, SHORT, count 1
                            0, static_cast<uint8_t>(orientation), 0, 0,
                            0, 0, 0, 0};                   // no next IFD
    jpeg_write_marker(&cinfo, JPEG_APP0 + 1, exif, sizeof exif);
  }
  std::vector<uint8_t> row(static_cast<size_t>(width) * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const Rgb c = pixel(x, y);
      row[size_t(x) * 3] = c.r, row[size_t(x) * 3 + 1] = c.g, row[size_t(x) * 3 + 2] = c.b;
    }
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&cinfo, &r, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::vector<uint8_t> bytes(out, out + out_size);
  free(out);
  return bytes;
}

std::vector<uint8_t> EncodePng(int width, int height, unsigned format, const void* pixels,
                               const void* colormap, int colormap_entries) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(width);
  png.height = static_cast<png_uint_32>(height);
  png.format = format;
  png.colormap_entries = static_cast<png_uint_32>(colormap_entries);
  png_alloc_size_t size = 0;
  if (!png_image_write_get_memory_size(png, size, 0, pixels, 0, colormap)) {
    throw std::runtime_error(std::string("png size: ") + png.message);
  }
  std::vector<uint8_t> out(size);
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, pixels, 0, colormap)) {
    throw std::runtime_error(std::string("png write: ") + png.message);
  }
  out.resize(size);
  return out;
}

Image MakeImage(int width, int height, const std::function<Rgb(int, int)>& pixel) {
  Image image;
  image.width = width;
  image.height = height;
  image.rgba.resize(size_t(width) * height * 4);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const Rgb c = pixel(x, y);
      uint8_t* p = &image.rgba[(size_t(y) * width + x) * 4];
      p[0] = c.r, p[1] = c.g, p[2] = c.b, p[3] = 255;
    }
  }
  return image;
}

}  // namespace pm::engine::testing
