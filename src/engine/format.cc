// Format sniffing and header-only probing with limit checks (see image.h).
#include <cstring>
#include <string>

#include "engine/codecs.h"
#include "engine/image.h"

namespace pm::engine {
namespace {

bool StartsWith(std::span<const uint8_t> b, size_t at, const char* magic, size_t n) {
  return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
}

// ISO BMFF: the first box must be 'ftyp'; AVIF when the major brand or one of the compatible
// brands is 'avif' (still) or 'avis' (sequence). HEIC etc. share the container but not the brand.
bool IsAvif(std::span<const uint8_t> b) {
  if (!StartsWith(b, 4, "ftyp", 4) || b.size() < 16) return false;
  size_t box = internal::Be32(b.data());
  if (box < 16 || box > 4096) return false;
  if (box > b.size()) box = b.size();
  for (size_t at = 8; at + 4 <= box; at += 4) {
    if (at == 12) continue;  // minor_version, not a brand
    if (StartsWith(b, at, "avif", 4) || StartsWith(b, at, "avis", 4)) return true;
  }
  return false;
}

}  // namespace

const char* FormatName(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg: return "jpeg";
    case ImageFormat::kPng: return "png";
    case ImageFormat::kWebp: return "webp";
    case ImageFormat::kGif: return "gif";
    case ImageFormat::kTiff: return "tiff";
    case ImageFormat::kAvif: return "avif";
    case ImageFormat::kUnknown: break;
  }
  return "unknown";
}

const char* MimeType(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg: return "image/jpeg";
    case ImageFormat::kPng: return "image/png";
    case ImageFormat::kWebp: return "image/webp";
    case ImageFormat::kGif: return "image/gif";
    case ImageFormat::kTiff: return "image/tiff";
    case ImageFormat::kAvif: return "image/avif";
    case ImageFormat::kUnknown: break;
  }
  return "application/octet-stream";
}

bool CanDecode(ImageFormat f) {
  if (f == ImageFormat::kUnknown) return false;
  return f != ImageFormat::kAvif || internal::AvifAvailable();
}

ImageFormat SniffFormat(std::span<const uint8_t> b) {
  if (StartsWith(b, 0, "\xFF\xD8\xFF", 3)) return ImageFormat::kJpeg;
  if (StartsWith(b, 0, "\x89PNG\r\n\x1A\n", 8)) return ImageFormat::kPng;
  if (StartsWith(b, 0, "GIF87a", 6) || StartsWith(b, 0, "GIF89a", 6)) return ImageFormat::kGif;
  if (StartsWith(b, 0, "RIFF", 4) && StartsWith(b, 8, "WEBP", 4)) return ImageFormat::kWebp;
  // Classic TIFF ("*" = 42) and BigTIFF ("+" = 43), both byte orders.
  if (StartsWith(b, 0, "II*\0", 4) || StartsWith(b, 0, "MM\0*", 4) ||
      StartsWith(b, 0, "II+\0", 4) || StartsWith(b, 0, "MM\0+", 4)) {
    return ImageFormat::kTiff;
  }
  if (IsAvif(b)) return ImageFormat::kAvif;
  return ImageFormat::kUnknown;
}

Result<ImageInfo> ProbeImage(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  // Same code as app/palettes.cc gives an empty upload: nothing was sent, which is a bad
  // request rather than a file of the wrong type.
  if (bytes.empty()) return MakeError(ErrorCode::kInvalidArgument, "the image is empty (0 bytes)");
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return MakeError(ErrorCode::kPayloadTooLarge,
                     "image is " + std::to_string(bytes.size()) + " bytes, limit is " +
                         std::to_string(limits.max_bytes));
  }
  ImageFormat format = SniffFormat(bytes);
  Result<internal::HeaderInfo> header = MakeError(ErrorCode::kInternal, "unreachable");
  switch (format) {
    case ImageFormat::kJpeg: header = internal::ProbeJpeg(bytes); break;
    case ImageFormat::kPng: header = internal::ProbePng(bytes); break;
    case ImageFormat::kWebp: header = internal::ProbeWebp(bytes); break;
    case ImageFormat::kGif: header = internal::ProbeGif(bytes); break;
    case ImageFormat::kTiff: header = internal::ProbeTiff(bytes); break;
    case ImageFormat::kAvif: header = internal::ProbeAvif(bytes); break;
    case ImageFormat::kUnknown:
      return MakeError(ErrorCode::kUnsupportedMediaType,
                       "not a supported image format (JPEG, PNG, WebP, GIF, TIFF, AVIF)");
  }
  if (!header.ok()) return header.error();
  if (header->width <= 0 || header->height <= 0) {
    return internal::InvalidImage(std::string(FormatName(format)) + ": zero image size");
  }
  ImageInfo info;
  info.format = format;
  const bool swap = header->orientation >= 5 && header->orientation <= 8;
  info.width = swap ? header->height : header->width;
  info.height = swap ? header->width : header->height;
  if (info.width > limits.max_width || info.height > limits.max_height ||
      int64_t{info.width} * info.height > limits.max_pixels) {
    return MakeError(ErrorCode::kPayloadTooLarge,
                     std::string(FormatName(format)) + " image is " + std::to_string(info.width) +
                         "x" + std::to_string(info.height) +
                         ", limit is " + std::to_string(limits.max_width) + "x" +
                         std::to_string(limits.max_height) + " and " +
                         std::to_string(limits.max_pixels) + " pixels");
  }
  return info;
}

}  // namespace pm::engine
