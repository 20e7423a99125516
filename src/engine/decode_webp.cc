// WebP decoding with libwebp (still images) and libwebpdemux (first frame of an animation).
#include <cstring>
#include <string>

#include <webp/decode.h>
#include <webp/demux.h>

#include "engine/codecs.h"

namespace pm::engine::internal {
namespace {

std::string StatusText(VP8StatusCode s) {
  switch (s) {
    case VP8_STATUS_OK: return "ok";
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_SUSPENDED: return "suspended";
    case VP8_STATUS_USER_ABORT: return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "truncated data";
  }
  return "unknown error";
}

Result<RawImage> DecodeAnimatedFirstFrame(std::span<const uint8_t> bytes) {
  WebPData data{bytes.data(), bytes.size()};
  WebPAnimDecoderOptions options;
  if (!WebPAnimDecoderOptionsInit(&options)) return InvalidImage("webp: libwebp version mismatch");
  options.color_mode = MODE_RGBA;
  options.use_threads = 0;
  WebPAnimDecoder* dec = WebPAnimDecoderNew(&data, &options);
  if (dec == nullptr) return InvalidImage("webp: corrupt animation");
  RawImage image;
  WebPAnimInfo info;
  uint8_t* frame = nullptr;
  int timestamp = 0;
  bool ok = WebPAnimDecoderGetInfo(dec, &info) && info.frame_count > 0 &&
            WebPAnimDecoderGetNext(dec, &frame, &timestamp) && frame != nullptr;
  if (ok) {
    image.width = static_cast<int>(info.canvas_width);
    image.height = static_cast<int>(info.canvas_height);
    image.rgba.assign(frame, frame + size_t{info.canvas_width} * info.canvas_height * 4);
  }
  WebPAnimDecoderDelete(dec);  // owns `frame`
  if (!ok) return InvalidImage("webp: cannot decode the first frame");
  return image;
}

}  // namespace

Result<HeaderInfo> ProbeWebp(std::span<const uint8_t> b) {
  // WebPGetFeatures parses only the RIFF/VP8/VP8L/VP8X headers, never the bitstream.
  WebPBitstreamFeatures f;
  VP8StatusCode s = WebPGetFeatures(b.data(), b.size(), &f);
  if (s != VP8_STATUS_OK) return InvalidImage("webp: " + StatusText(s));
  return HeaderInfo{f.width, f.height, 1};
}

Result<RawImage> DecodeWebp(std::span<const uint8_t> bytes, int max_dimension) {
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) return InvalidImage("webp: libwebp version mismatch");
  VP8StatusCode s = WebPGetFeatures(bytes.data(), bytes.size(), &config.input);
  if (s != VP8_STATUS_OK) return InvalidImage("webp: " + StatusText(s));
  // WebPAnimDecoder composes frames on a full-size canvas and cannot scale: animations decode at
  // full size and DecodeImage shrinks them afterwards.
  if (config.input.has_animation) return DecodeAnimatedFirstFrame(bytes);

  RawImage image;
  WorkingSize(config.input.width, config.input.height, max_dimension, &image.width, &image.height);
  if (image.width != config.input.width || image.height != config.input.height) {
    // libwebp's rescaler area-averages each output pixel over the source pixels it covers (with
    // alpha premultiplied while it does), like the INTER_AREA resize DecodeImage would apply
    // after a full decode, but without ever holding the full-size image: peak memory is the
    // working image plus a few source rows.
    config.options.use_scaling = 1;
    config.options.scaled_width = image.width;
    config.options.scaled_height = image.height;
  }
  image.rgba.resize(size_t(image.width) * image.height * 4);
  // Decode straight into our buffer (external memory), so nothing needs freeing.
  config.output.colorspace = MODE_RGBA;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = image.rgba.data();
  config.output.u.RGBA.stride = image.width * 4;
  config.output.u.RGBA.size = image.rgba.size();
  s = WebPDecode(bytes.data(), bytes.size(), &config);
  WebPFreeDecBuffer(&config.output);
  if (s != VP8_STATUS_OK) return InvalidImage("webp: " + StatusText(s));
  return image;
}

}  // namespace pm::engine::internal
