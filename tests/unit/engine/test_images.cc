#include "test_images.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <unistd.h>

#include <gif_lib.h>
#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>
#include <webp/encode.h>
#ifdef PM_TEST_AVIF
#include <avif/avif.h>
#endif

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

std::vector<uint8_t> EncodeJpegSamples(int width, int height, int components,
                                       const uint8_t* samples) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* out = nullptr;
  unsigned long out_size = 0;
  jpeg_mem_dest(&cinfo, &out, &out_size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = components;
  cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 4 ? JCS_CMYK : JCS_RGB;
  jpeg_set_defaults(&cinfo);  // CMYK in -> CMYK out with an Adobe marker
  jpeg_set_quality(&cinfo, 95, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  const size_t stride = size_t(width) * components;
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(samples + stride * cinfo.next_scanline);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::vector<uint8_t> bytes(out, out + out_size);
  free(out);
  return bytes;
}

std::vector<uint8_t> EncodeWebp(int width, int height, const uint8_t* rgba, bool lossless) {
  uint8_t* out = nullptr;
  const size_t size = lossless ? WebPEncodeLosslessRGBA(rgba, width, height, width * 4, &out)
                               : WebPEncodeRGBA(rgba, width, height, width * 4, 90, &out);
  if (size == 0) throw std::runtime_error("webp encode failed");
  std::vector<uint8_t> bytes(out, out + size);
  WebPFree(out);
  return bytes;
}

namespace {

int GifWrite(GifFileType* gif, const GifByteType* data, int n) {
  auto* out = static_cast<std::vector<uint8_t>*>(gif->UserData);
  out->insert(out->end(), data, data + n);
  return n;
}

}  // namespace

std::vector<uint8_t> EncodeGif(int width, int height, const std::vector<Rgb>& palette,
                               const uint8_t* indices, int transparent, bool interlace) {
  std::vector<uint8_t> out;
  int err = 0;
  GifFileType* gif = EGifOpen(&out, GifWrite, &err);
  if (gif == nullptr) throw std::runtime_error("EGifOpen failed");
  int entries = 2;
  while (entries < static_cast<int>(palette.size())) entries *= 2;
  std::vector<GifColorType> colors(static_cast<size_t>(entries), GifColorType{0, 0, 0});
  for (size_t i = 0; i < palette.size(); ++i) {
    colors[i] = GifColorType{palette[i].r, palette[i].g, palette[i].b};
  }
  ColorMapObject* cmap = GifMakeMapObject(entries, colors.data());
  EGifSetGifVersion(gif, true);
  bool ok = cmap != nullptr &&
            EGifPutScreenDesc(gif, width, height, cmap->BitsPerPixel, 0, cmap) == GIF_OK;
  if (ok && transparent >= 0) {
    GraphicsControlBlock gcb{DISPOSAL_UNSPECIFIED, false, 0, transparent};
    GifByteType ext[4];
    EGifGCBToExtension(&gcb, ext);
    ok = EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, ext) == GIF_OK;
  }
  ok = ok && EGifPutImageDesc(gif, 0, 0, width, height, interlace, nullptr) == GIF_OK;
  static constexpr int kStart[] = {0, 4, 2, 1};
  static constexpr int kStep[] = {8, 8, 4, 2};
  for (int pass = 0; ok && pass < (interlace ? 4 : 1); ++pass) {
    for (int y = interlace ? kStart[pass] : 0; ok && y < height; y += interlace ? kStep[pass] : 1) {
      ok = EGifPutLine(gif, const_cast<GifPixelType*>(indices + size_t(y) * width), width) ==
           GIF_OK;
    }
  }
  ok = EGifCloseFile(gif, &err) == GIF_OK && ok;
  GifFreeMapObject(cmap);
  if (!ok) throw std::runtime_error("gif encode failed");
  return out;
}

std::vector<uint8_t> EncodeTiff(int width, int height, int samples, int bits, const void* pixels,
                                int orientation, bool deflate, int rows_per_strip) {
  // libtiff writes through a seekable file; a temporary one is simplest.
  char path[] = "/tmp/pm_test_tiff_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  TIFF* tif = TIFFFdOpen(fd, path, "w");
  if (tif == nullptr) {
    close(fd);
    unlink(path);
    throw std::runtime_error("TIFFFdOpen failed");
  }
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(width));
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(height));
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, static_cast<uint16_t>(samples));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, static_cast<uint16_t>(bits));
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, deflate ? COMPRESSION_ADOBE_DEFLATE : COMPRESSION_NONE);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, static_cast<uint32_t>(rows_per_strip));
  TIFFSetField(tif, TIFFTAG_ORIENTATION, static_cast<uint16_t>(orientation));
  if (samples == 2 || samples == 4) {
    const uint16_t extra[] = {EXTRASAMPLE_UNASSALPHA};
    TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, extra);
  }
  const size_t row_bytes = size_t(width) * samples * (bits / 8);
  bool ok = true;
  for (int y = 0; ok && y < height; ++y) {
    auto* row = const_cast<uint8_t*>(static_cast<const uint8_t*>(pixels) + row_bytes * y);
    ok = TIFFWriteScanline(tif, row, static_cast<uint32_t>(y), 0) == 1;
  }
  TIFFClose(tif);  // closes fd
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  unlink(path);
  if (!ok || bytes.empty()) throw std::runtime_error("tiff encode failed");
  return bytes;
}

#ifdef PM_TEST_AVIF
std::vector<uint8_t> EncodeAvif(int width, int height, const uint8_t* rgba) {
  avifImage* image = avifImageCreate(static_cast<uint32_t>(width), static_cast<uint32_t>(height),
                                     8, AVIF_PIXEL_FORMAT_YUV444);
  avifRGBImage rgb;
  avifRGBImageSetDefaults(&rgb, image);
  rgb.format = AVIF_RGB_FORMAT_RGBA;
  rgb.depth = 8;
  rgb.pixels = const_cast<uint8_t*>(rgba);
  rgb.rowBytes = static_cast<uint32_t>(width) * 4;
  avifEncoder* encoder = avifEncoderCreate();
  encoder->maxThreads = 1;
  encoder->speed = AVIF_SPEED_FASTEST;
  encoder->minQuantizer = encoder->maxQuantizer = 4;  // near-lossless: pixels stay comparable
  encoder->minQuantizerAlpha = encoder->maxQuantizerAlpha = AVIF_QUANTIZER_LOSSLESS;
  avifRWData out = AVIF_DATA_EMPTY;
  const bool ok = avifImageRGBToYUV(image, &rgb) == AVIF_RESULT_OK &&
                  avifEncoderWrite(encoder, image, &out) == AVIF_RESULT_OK;
  std::vector<uint8_t> bytes;
  if (ok) bytes.assign(out.data, out.data + out.size);
  avifRWDataFree(&out);
  avifEncoderDestroy(encoder);
  avifImageDestroy(image);
  if (!ok) throw std::runtime_error("avif encode failed");
  return bytes;
}
#endif

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
