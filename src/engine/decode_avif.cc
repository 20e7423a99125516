// AVIF decoding with libavif (first image of a sequence), with the irot/imir transforms mapped
// onto the same orientation codes as Exif so DecodeImage applies them like any other rotation.
#include <cstdint>
#include <string>

#include <avif/avif.h>

#include "engine/codecs.h"

namespace pm::engine::internal {
namespace {

struct DecoderHandle {
  avifDecoder* dec = avifDecoderCreate();
  ~DecoderHandle() {
    if (dec != nullptr) avifDecoderDestroy(dec);
  }
};

Error AvifError(const char* step, avifResult r) {
  return InvalidImage(std::string("avif: ") + step + ": " + avifResultToString(r));
}

// HEIF applies rotation (irot, anti-clockwise quarter turns) before mirroring (imir). The
// composition is one of the eight Exif orientations.
int Orientation(const avifImage* image) {
  int angle = (image->transformFlags & AVIF_TRANSFORM_IROT) ? image->irot.angle & 3 : 0;
  int mirror = 0;  // 0 none, 1 top-bottom (imir mode 0), 2 left-right (imir mode 1)
  if (image->transformFlags & AVIF_TRANSFORM_IMIR) mirror = image->imir.mode == 0 ? 1 : 2;
  static constexpr int kTable[4][3] = {{1, 4, 2}, {8, 5, 7}, {3, 2, 4}, {6, 7, 5}};
  return kTable[angle][mirror];
}

Result<avifDecoder*> Parse(DecoderHandle& h, std::span<const uint8_t> bytes) {
  if (h.dec == nullptr) return MakeError(ErrorCode::kInternal, "avif: out of memory");
  h.dec->maxThreads = 1;  // the server parallelises across requests
  h.dec->ignoreExif = AVIF_TRUE;
  h.dec->ignoreXMP = AVIF_TRUE;
  avifResult r = avifDecoderSetIOMemory(h.dec, bytes.data(), bytes.size());
  if (r != AVIF_RESULT_OK) return AvifError("io", r);
  r = avifDecoderParse(h.dec);
  if (r != AVIF_RESULT_OK) return AvifError("parse", r);
  return h.dec;
}

}  // namespace

Result<HeaderInfo> ProbeAvif(std::span<const uint8_t> bytes) {
  // avifDecoderParse reads the container boxes only; no AV1 data is decoded.
  DecoderHandle h;
  PM_ASSIGN_OR_RETURN(avifDecoder * dec, Parse(h, bytes));
  return HeaderInfo{static_cast<int>(dec->image->width), static_cast<int>(dec->image->height),
                    Orientation(dec->image)};
}

Result<RawImage> DecodeAvif(std::span<const uint8_t> bytes) {
  DecoderHandle h;
  PM_ASSIGN_OR_RETURN(avifDecoder * dec, Parse(h, bytes));
  // The limits were checked on the container's 'ispe' size, and libavif delivers exactly that
  // size: an AV1 frame of another size is rescaled to it. That leniency would let a file declare
  // 1x1 and carry a 16384x16384 frame, which dav1d would decode in full before the rescale. Hold
  // the AV1 decoder to the declared pixel count instead (dav1d takes its frame size limit from
  // here when it starts), so such a frame is refused before its planes are allocated.
  const uint64_t declared = uint64_t{dec->image->width} * dec->image->height;
  if (declared > 0 && declared < dec->imageSizeLimit) {
    dec->imageSizeLimit = static_cast<uint32_t>(declared);
  }
  avifResult r = avifDecoderNextImage(dec);
  if (r != AVIF_RESULT_OK) return AvifError("decode", r);
  RawImage image;
  image.width = static_cast<int>(dec->image->width);
  image.height = static_cast<int>(dec->image->height);
  image.orientation = Orientation(dec->image);
  image.rgba.resize(size_t(image.width) * image.height * 4);
  avifRGBImage rgb;
  avifRGBImageSetDefaults(&rgb, dec->image);
  rgb.format = AVIF_RGB_FORMAT_RGBA;
  rgb.depth = 8;
  rgb.pixels = image.rgba.data();
  rgb.rowBytes = static_cast<uint32_t>(image.width) * 4;
  r = avifImageYUVToRGB(dec->image, &rgb);
  if (r != AVIF_RESULT_OK) return AvifError("colour conversion", r);
  return image;
}

bool AvifAvailable() { return true; }

}  // namespace pm::engine::internal
