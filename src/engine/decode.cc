// DecodeImage: probe (limits) -> codec -> optional downscale -> orientation.
#include <algorithm>
#include <cmath>
#include <new>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/codecs.h"
#include "engine/image.h"

namespace pm::engine {
namespace {

using internal::RawImage;

// Wraps the RGBA buffer without copying.
cv::Mat View(RawImage& raw) { return cv::Mat(raw.height, raw.width, CV_8UC4, raw.rgba.data()); }

void Downscale(RawImage& raw, int max_dimension) {
  int w = 0, h = 0;
  internal::WorkingSize(raw.width, raw.height, max_dimension, &w, &h);
  if (w == raw.width && h == raw.height) return;
  std::vector<uint8_t> out(size_t(w) * h * 4);
  cv::Mat dst(h, w, CV_8UC4, out.data());
  // INTER_AREA averages whole source pixels: the right filter for large reductions (no
  // aliasing), and colours stay faithful for the palette.
  cv::resize(View(raw), dst, dst.size(), 0, 0, cv::INTER_AREA);
  raw.rgba = std::move(out);
  raw.width = w;
  raw.height = h;
}

// Exif/TIFF orientation: how the stored pixels must be turned to display upright.
void Orient(RawImage& raw) {
  const int o = raw.orientation;
  if (o <= 1 || o > 8) return;
  const bool swap = o >= 5;
  const int w = swap ? raw.height : raw.width;
  const int h = swap ? raw.width : raw.height;
  std::vector<uint8_t> out(raw.rgba.size());
  cv::Mat src = View(raw);
  cv::Mat dst(h, w, CV_8UC4, out.data());
  switch (o) {
    case 2: cv::flip(src, dst, 1); break;    // mirror left-right
    case 3: cv::flip(src, dst, -1); break;   // rotate 180
    case 4: cv::flip(src, dst, 0); break;    // mirror top-bottom
    case 5: cv::transpose(src, dst); break;  // mirror along the main diagonal
    case 6: cv::rotate(src, dst, cv::ROTATE_90_CLOCKWISE); break;
    case 7: {                                // mirror along the anti-diagonal
      cv::Mat t;
      cv::transpose(src, t);
      cv::flip(t, dst, -1);
      break;
    }
    case 8: cv::rotate(src, dst, cv::ROTATE_90_COUNTERCLOCKWISE); break;
  }
  raw.rgba = std::move(out);
  raw.width = w;
  raw.height = h;
  raw.orientation = 1;
}

Result<RawImage> DecodeRaw(ImageFormat format, std::span<const uint8_t> bytes, int max_dimension) {
  switch (format) {
    case ImageFormat::kJpeg: return internal::DecodeJpeg(bytes, max_dimension);
    case ImageFormat::kPng: return internal::DecodePng(bytes);
    case ImageFormat::kWebp: return internal::DecodeWebp(bytes, max_dimension);
    case ImageFormat::kGif: return internal::DecodeGif(bytes);
    case ImageFormat::kTiff: return internal::DecodeTiff(bytes);
    case ImageFormat::kAvif: return internal::DecodeAvif(bytes);
    case ImageFormat::kUnknown: break;
  }
  return MakeError(ErrorCode::kUnsupportedMediaType, "not a supported image format");
}

// The decoder must deliver what the header promised (the limits were checked on the header):
// exactly the stored size, or no larger when it may scale while decoding. Each codec already
// sizes its output from the header it parsed; this is the net under all of them, so a codec
// that ever trusts its pixel data over its header cannot slip a larger image past the limits.
bool SizeMatchesHeader(const RawImage& raw, const ImageInfo& info, int max_dimension) {
  const bool swap = raw.orientation >= 5 && raw.orientation <= 8;
  const int stored_w = swap ? info.height : info.width;
  const int stored_h = swap ? info.width : info.height;
  if (raw.width == stored_w && raw.height == stored_h) return true;
  const bool may_scale =
      max_dimension > 0 && (info.format == ImageFormat::kJpeg || info.format == ImageFormat::kWebp);
  return may_scale && raw.width <= stored_w && raw.height <= stored_h;
}

}  // namespace

namespace internal {

void WorkingSize(int width, int height, int max_dimension, int* out_width, int* out_height) {
  *out_width = width;
  *out_height = height;
  const int longest = std::max(width, height);
  if (max_dimension <= 0 || longest <= max_dimension) return;
  const double scale = static_cast<double>(max_dimension) / longest;
  *out_width = std::max(1, static_cast<int>(std::lround(width * scale)));
  *out_height = std::max(1, static_cast<int>(std::lround(height * scale)));
}

}  // namespace internal

Result<Image> DecodeImage(std::span<const uint8_t> bytes, const DecodeLimits& limits,
                          int max_dimension) {
  if (max_dimension < 0) return MakeError(ErrorCode::kInvalidArgument, "max_dimension < 0");
  PM_ASSIGN_OR_RETURN(ImageInfo info, ProbeImage(bytes, limits));
  try {
    PM_ASSIGN_OR_RETURN(RawImage raw, DecodeRaw(info.format, bytes, max_dimension));
    if (raw.width <= 0 || raw.height <= 0 ||
        raw.rgba.size() != size_t(raw.width) * raw.height * 4) {
      return MakeError(ErrorCode::kInternal, "decoder returned an inconsistent image");
    }
    if (!SizeMatchesHeader(raw, info, max_dimension)) {
      return internal::InvalidImage(std::string(FormatName(info.format)) + ": decoded size " +
                                    std::to_string(raw.width) + "x" + std::to_string(raw.height) +
                                    " does not match the header");
    }
    Downscale(raw, max_dimension);  // before rotating: less to move
    Orient(raw);
    Image image;
    image.width = raw.width;
    image.height = raw.height;
    image.rgba = std::move(raw.rgba);
    image.source_width = info.width;
    image.source_height = info.height;
    return image;
  } catch (const cv::Exception& e) {
    return MakeError(ErrorCode::kInternal, std::string("image transform failed: ") + e.what());
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kUnavailable, "out of memory while decoding the image");
  }
}

}  // namespace pm::engine
