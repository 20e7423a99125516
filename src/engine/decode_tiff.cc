// TIFF decoding with libtiff's RGBA interface on an in-memory stream: first page only, any
// photometric/bit depth libtiff supports, orientation tag reported (applied by DecodeImage).
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <tiffio.h>

#include "engine/codecs.h"

namespace pm::engine::internal {
namespace {

// Largest single buffer a tag value may make us (or libtiff) allocate.
constexpr uint64_t kMaxAlloc = uint64_t{1} << 30;

struct MemoryStream {
  std::span<const uint8_t> bytes;
  uint64_t pos = 0;
  std::string error;  // first libtiff error, for the message
};

tmsize_t ReadProc(thandle_t h, void* buf, tmsize_t n) {
  auto* s = static_cast<MemoryStream*>(h);
  if (n <= 0 || s->pos >= s->bytes.size()) return 0;
  const uint64_t take = std::min<uint64_t>(static_cast<uint64_t>(n), s->bytes.size() - s->pos);
  std::memcpy(buf, s->bytes.data() + s->pos, take);
  s->pos += take;
  return static_cast<tmsize_t>(take);
}
tmsize_t WriteProc(thandle_t, void*, tmsize_t) { return 0; }
toff_t SeekProc(thandle_t h, toff_t off, int whence) {
  auto* s = static_cast<MemoryStream*>(h);
  uint64_t base = whence == SEEK_CUR ? s->pos : whence == SEEK_END ? s->bytes.size() : 0;
  s->pos = base + off;
  return s->pos;
}
int CloseProc(thandle_t) { return 0; }
toff_t SizeProc(thandle_t h) { return static_cast<MemoryStream*>(h)->bytes.size(); }
int MapProc(thandle_t h, void** base, toff_t* size) {
  auto* s = static_cast<MemoryStream*>(h);
  *base = const_cast<uint8_t*>(s->bytes.data());  // libtiff only reads a read-only mapping
  *size = s->bytes.size();
  return 1;
}
void UnmapProc(thandle_t, void*, toff_t) {}

// Per-open handlers (libtiff >= 4.5) keep messages off stderr without touching global state.
int OnError(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  auto* s = static_cast<MemoryStream*>(user);
  if (s->error.empty()) {
    char buf[256];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    s->error = std::string(module ? module : "tiff") + ": " + buf;
  }
  return 1;
}
int OnWarning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

struct TiffHandle {
  TIFF* tif = nullptr;
  ~TiffHandle() {
    if (tif != nullptr) TIFFClose(tif);
  }
};

TIFF* Open(MemoryStream* stream) {
  TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(opts, OnError, stream);
  TIFFOpenOptionsSetWarningHandlerExtR(opts, OnWarning, stream);
  // Bounds any single allocation driven by tag values (strip tables and the like).
  TIFFOpenOptionsSetMaxSingleMemAlloc(opts, static_cast<tmsize_t>(kMaxAlloc));
  TIFF* tif = TIFFClientOpenExt("memory", "r", stream, ReadProc, WriteProc, SeekProc, CloseProc,
                                SizeProc, MapProc, UnmapProc, opts);
  TIFFOpenOptionsFree(opts);
  return tif;
}

Error TiffError(const MemoryStream& s, const char* fallback) {
  return InvalidImage("tiff: " + (s.error.empty() ? std::string(fallback) : s.error));
}

Error Unsupported(const std::string& what) {
  return MakeError(ErrorCode::kUnsupportedMediaType, "tiff: unsupported variant: " + what);
}

// One sample normalised to 0..1. libtiff has already converted strips to native byte order.
double Sample(const uint8_t* p, int bits, int format) {
  if (format == SAMPLEFORMAT_IEEEFP) {
    double v;
    if (bits == 32) {
      float f;
      std::memcpy(&f, p, 4);
      v = f;
    } else {
      std::memcpy(&v, p, 8);
    }
    return v != v ? 0.0 : std::clamp(v, 0.0, 1.0);  // NaN -> 0; float images use 0..1
  }
  switch (bits) {
    case 8: return *p / 255.0;
    case 16: { uint16_t v; std::memcpy(&v, p, 2); return v / 65535.0; }
    default: { uint32_t v; std::memcpy(&v, p, 4); return v / 4294967295.0; }
  }
}

// The sample layouts libtiff's RGBA interface refuses but scientific tools (tifffile, ImageJ)
// write: 32-bit integer and 32/64-bit float samples, grey or RGB (+ alpha), contiguous or
// planar, in strips.
Result<RawImage> DecodeSamples(TIFF* tif, const MemoryStream& stream, int orientation) {
  uint32_t w = 0, h = 0, rows_per_strip = 0;
  uint16_t spp = 1, bps = 1, format = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG, photo = 0;
  TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
  if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo)) photo = PHOTOMETRIC_MINISBLACK;
  if (TIFFIsTiled(tif)) return Unsupported("tiled high-bit-depth image");
  if (photo != PHOTOMETRIC_MINISBLACK && photo != PHOTOMETRIC_MINISWHITE &&
      photo != PHOTOMETRIC_RGB) {
    return Unsupported("photometric " + std::to_string(photo));
  }
  const bool ok_format = (format == SAMPLEFORMAT_UINT && (bps == 8 || bps == 16 || bps == 32)) ||
                         (format == SAMPLEFORMAT_IEEEFP && (bps == 32 || bps == 64));
  if (!ok_format) return Unsupported(std::to_string(bps) + "-bit samples of format " +
                                     std::to_string(format));
  const int colour = photo == PHOTOMETRIC_RGB ? 3 : 1;
  if (spp < colour) return InvalidImage("tiff: too few samples per pixel");
  const bool has_alpha = spp > colour;
  const bool separate = planar == PLANARCONFIG_SEPARATE;
  const int planes = separate ? spp : 1;
  const size_t per_pixel = separate ? 1 : spp;
  const size_t bytes = bps / 8;
  rows_per_strip = std::clamp<uint32_t>(rows_per_strip, 1, h);

  RawImage image;
  image.width = static_cast<int>(w);
  image.height = static_cast<int>(h);
  image.orientation = orientation;
  image.rgba.assign(size_t{w} * h * 4, 255);
  // The strip buffer is sized from tag values (rows per strip x width x samples x bytes), not
  // from the pixel count the probe checked: 60000 samples per pixel in a small image would ask
  // for gigabytes. Hold it to libtiff's own single-allocation cap (see Open).
  const uint64_t strip_bytes = TIFFStripSize64(tif);
  if (strip_bytes == 0) return TiffError(stream, "bad strip size");
  if (strip_bytes > kMaxAlloc) {
    return MakeError(ErrorCode::kPayloadTooLarge,
                     "tiff: a strip of " + std::to_string(strip_bytes) + " bytes is over the " +
                         std::to_string(kMaxAlloc) + "-byte limit");
  }
  std::vector<uint8_t> strip(static_cast<size_t>(strip_bytes));
  for (int plane = 0; plane < planes; ++plane) {
    for (uint32_t row0 = 0; row0 < h; row0 += rows_per_strip) {
      const uint32_t rows = std::min(rows_per_strip, h - row0);
      const tmsize_t got = TIFFReadEncodedStrip(
          tif, TIFFComputeStrip(tif, row0, static_cast<uint16_t>(plane)), strip.data(),
          static_cast<tmsize_t>(strip.size()));
      if (got < 0 || static_cast<size_t>(got) < size_t{rows} * w * per_pixel * bytes) {
        return TiffError(stream, "truncated strip");
      }
      for (uint32_t r = 0; r < rows; ++r) {
        for (uint32_t x = 0; x < w; ++x) {
          uint8_t* out = &image.rgba[((size_t{row0} + r) * w + x) * 4];
          const uint8_t* in = &strip[((size_t{r} * w + x) * per_pixel) * bytes];
          for (size_t i = 0; i < per_pixel; ++i) {
            const int s = separate ? plane : static_cast<int>(i);
            double v = Sample(in + i * bytes, bps, format);
            if (s < colour && photo == PHOTOMETRIC_MINISWHITE) v = 1.0 - v;
            const auto b = static_cast<uint8_t>(std::lround(v * 255.0));
            if (s < colour && colour == 3) out[s] = b;
            if (s == 0 && colour == 1) out[0] = out[1] = out[2] = b;
            if (s == colour && has_alpha) out[3] = b;  // first extra sample as alpha
          }
        }
      }
    }
  }
  return image;
}

// Only the first page is shown, but a file cut short in a later page is still truncated data
// and refused like any other: walk the remaining directories (headers only) and check that every
// strip or tile they reference lies inside the file. Bounded by kMaxPages.
bool LaterPagesComplete(TIFF* tif, const MemoryStream& stream) {
  constexpr int kMaxPages = 1000;
  for (int page = 1; page < kMaxPages && TIFFReadDirectory(tif); ++page) {
    const uint32_t n = TIFFIsTiled(tif) ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    for (uint32_t i = 0; i < n; ++i) {
      int err = 0;
      const uint64_t end = TIFFGetStrileOffsetWithErr(tif, i, &err) +
                           TIFFGetStrileByteCountWithErr(tif, i, &err);
      if (err || end > stream.bytes.size()) return false;
    }
  }
  return stream.error.empty();
}

}  // namespace

Result<HeaderInfo> ProbeTiff(std::span<const uint8_t> bytes) {
  MemoryStream stream;
  stream.bytes = bytes;
  TiffHandle h{Open(&stream)};
  if (h.tif == nullptr) return TiffError(stream, "cannot read the header");
  uint32_t w = 0, len = 0;
  uint16_t orientation = ORIENTATION_TOPLEFT;
  if (!TIFFGetField(h.tif, TIFFTAG_IMAGEWIDTH, &w) ||
      !TIFFGetField(h.tif, TIFFTAG_IMAGELENGTH, &len)) {
    return TiffError(stream, "missing image size");
  }
  TIFFGetFieldDefaulted(h.tif, TIFFTAG_ORIENTATION, &orientation);
  if (w == 0 || len == 0 || w > 0x7FFFFFFFu || len > 0x7FFFFFFFu) {
    return InvalidImage("tiff: bad dimensions");
  }
  HeaderInfo info{static_cast<int>(w), static_cast<int>(len), 1};
  if (orientation >= 1 && orientation <= 8) info.orientation = orientation;
  return info;
}

Result<RawImage> DecodeTiff(std::span<const uint8_t> bytes) {
  MemoryStream stream;
  stream.bytes = bytes;
  TiffHandle h{Open(&stream)};
  if (h.tif == nullptr) return TiffError(stream, "cannot read the header");
  char emsg[1024] = "";
  uint16_t bps = 8, format = SAMPLEFORMAT_UINT, orientation = ORIENTATION_TOPLEFT;
  TIFFGetFieldDefaulted(h.tif, TIFFTAG_BITSPERSAMPLE, &bps);
  TIFFGetFieldDefaulted(h.tif, TIFFTAG_SAMPLEFORMAT, &format);
  if (bps > 16 || format == SAMPLEFORMAT_IEEEFP) {
    TIFFGetFieldDefaulted(h.tif, TIFFTAG_ORIENTATION, &orientation);
    auto image = DecodeSamples(h.tif, stream, orientation >= 1 && orientation <= 8 ? orientation : 1);
    if (image.ok() && !LaterPagesComplete(h.tif, stream)) return TiffError(stream, "truncated file");
    return image;
  }
  TIFFRGBAImage img;
  if (!TIFFRGBAImageOK(h.tif, emsg) || !TIFFRGBAImageBegin(&img, h.tif, 1, emsg)) {
    return InvalidImage(std::string("tiff: ") + emsg);
  }
  // Ask for the stored row order (no flips); DecodeImage applies the orientation, the same
  // code path as JPEG Exif, including the transposing orientations libtiff does not handle.
  img.req_orientation = img.orientation;
  RawImage image;
  image.width = static_cast<int>(img.width);
  image.height = static_cast<int>(img.height);
  if (img.orientation >= 1 && img.orientation <= 8) image.orientation = img.orientation;
  std::vector<uint32_t> raster(size_t{img.width} * img.height);
  const int ok = TIFFRGBAImageGet(&img, raster.data(), img.width, img.height);
  TIFFRGBAImageEnd(&img);
  if (!ok || !stream.error.empty()) return TiffError(stream, "corrupt image data");
  if (!LaterPagesComplete(h.tif, stream)) return TiffError(stream, "truncated file");

  // libtiff hands out associated (premultiplied) alpha; we store straight alpha.
  image.rgba.resize(raster.size() * 4);
  for (size_t i = 0; i < raster.size(); ++i) {
    const uint32_t px = raster[i];
    uint32_t r = TIFFGetR(px), g = TIFFGetG(px), b = TIFFGetB(px), a = TIFFGetA(px);
    if (a != 0 && a != 255) {
      r = std::min(255u, (r * 255 + a / 2) / a);
      g = std::min(255u, (g * 255 + a / 2) / a);
      b = std::min(255u, (b * 255 + a / 2) / a);
    }
    uint8_t* p = &image.rgba[i * 4];
    p[0] = static_cast<uint8_t>(r), p[1] = static_cast<uint8_t>(g), p[2] = static_cast<uint8_t>(b);
    p[3] = static_cast<uint8_t>(a);
  }
  return image;
}

}  // namespace pm::engine::internal
