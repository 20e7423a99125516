// JPEG decoding with libjpeg-turbo: DCT scaling for reduced-size decodes, corrupt-data warnings
// turned into errors, and errors reported through longjmp instead of libjpeg's exit().
#include <algorithm>
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE and size_t declared first
#include <string>

#include <jpeglib.h>
#include <jerror.h>

#include "engine/codecs.h"

namespace pm::engine::internal {
namespace {

// Progressive JPEGs can carry thousands of tiny scans, each a full pass over the coefficients
// (a known CPU-exhaustion trick). Real encoders emit about 10.
constexpr int kMaxScans = 500;

struct ErrorMgr {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void OnError(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorMgr*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  longjmp(err->jump, 1);
}

// libjpeg only warns (and pads with grey) on truncated or corrupt entropy data. We refuse such
// images instead: a half-grey picture would give a wrong palette. Warnings that do not mean
// missing pixels stay warnings.
void OnMessage(j_common_ptr cinfo, int level) {
  if (level != -1) return;  // trace messages
  switch (cinfo->err->msg_code) {
    case JWRN_JFIF_MAJOR:       // unknown JFIF revision: the data decodes fine
    case JWRN_ADOBE_XFORM:      // unknown Adobe transform: colours may be off, pixels complete
    case JWRN_EXTRANEOUS_DATA:  // stray bytes between segments, common from cameras
    case JWRN_BOGUS_ICC:        // we ignore ICC profiles anyway
      return;
    default:
      OnError(cinfo);
  }
}

void OnProgress(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxScans) {
    auto* err = reinterpret_cast<ErrorMgr*>(cinfo->err);
    std::snprintf(err->message, sizeof err->message, "more than %d progressive scans", kMaxScans);
    longjmp(err->jump, 1);
  }
}

// The two functions below hold only C structs in their frames, so a longjmp out of libjpeg
// skips no C++ destructor; the caller owns every C++ object.
bool StartDecode(jpeg_decompress_struct* cinfo, ErrorMgr* err, jpeg_progress_mgr* progress,
                 std::span<const uint8_t> bytes, int max_dimension) {
  if (setjmp(err->jump)) return false;
  jpeg_create_decompress(cinfo);
  cinfo->progress = progress;
  jpeg_mem_src(cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(cinfo, TRUE);
  if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK) {
    cinfo->out_color_space = JCS_CMYK;
  } else {
    cinfo->out_color_space = JCS_EXT_RGBA;  // also expands greyscale
  }
  cinfo->scale_num = 1;
  cinfo->scale_denom = 1;
  if (max_dimension > 0) {
    const unsigned longest = std::max(cinfo->image_width, cinfo->image_height);
    for (unsigned denom : {8u, 4u, 2u}) {
      if ((longest + denom - 1) / denom >= static_cast<unsigned>(max_dimension)) {
        cinfo->scale_denom = denom;
        break;
      }
    }
  }
  jpeg_start_decompress(cinfo);
  return true;
}

bool ReadPixels(jpeg_decompress_struct* cinfo, ErrorMgr* err, uint8_t* out, size_t stride) {
  if (setjmp(err->jump)) return false;
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = out + stride * cinfo->output_scanline;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

struct DecompressGuard {
  jpeg_decompress_struct* cinfo;
  ~DecompressGuard() { jpeg_destroy_decompress(cinfo); }
};

}  // namespace

Result<RawImage> DecodeJpeg(std::span<const uint8_t> bytes, int max_dimension) {
  PM_ASSIGN_OR_RETURN(HeaderInfo header, ProbeJpeg(bytes));
  jpeg_decompress_struct cinfo{};
  ErrorMgr err{};
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = OnError;
  err.pub.emit_message = OnMessage;
  jpeg_progress_mgr progress{};
  progress.progress_monitor = OnProgress;
  DecompressGuard guard{&cinfo};  // jpeg_destroy is safe on a zeroed or half-created struct

  if (!StartDecode(&cinfo, &err, &progress, bytes, max_dimension)) {
    return InvalidImage(std::string("jpeg: ") + err.message);
  }
  RawImage image;
  image.width = static_cast<int>(cinfo.output_width);
  image.height = static_cast<int>(cinfo.output_height);
  image.orientation = header.orientation;
  if (cinfo.output_components != 4) return InvalidImage("jpeg: unexpected component count");
  image.rgba.resize(size_t{cinfo.output_width} * cinfo.output_height * 4);
  if (!ReadPixels(&cinfo, &err, image.rgba.data(), size_t{cinfo.output_width} * 4)) {
    return InvalidImage(std::string("jpeg: ") + err.message);
  }
  if (cinfo.out_color_space == JCS_CMYK) {
    // Photoshop writes CMYK JPEGs inverted (Adobe marker); the plain form is rare. Naive
    // CMYK -> RGB without a colour profile is what browsers without CMS do too.
    const bool inverted = cinfo.saw_Adobe_marker;
    for (size_t i = 0; i < image.rgba.size(); i += 4) {
      uint8_t* p = &image.rgba[i];
      int c = p[0], m = p[1], y = p[2], k = p[3];
      if (!inverted) c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
      p[0] = static_cast<uint8_t>((c * k + 127) / 255);
      p[1] = static_cast<uint8_t>((m * k + 127) / 255);
      p[2] = static_cast<uint8_t>((y * k + 127) / 255);
      p[3] = 255;
    }
  }
  return image;
}

}  // namespace pm::engine::internal
