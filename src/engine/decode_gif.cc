// GIF decoding with giflib: the first frame only, painted onto a transparent canvas of the
// logical screen size (as browsers show a still of an animated GIF).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <gif_lib.h>

#include "engine/codecs.h"

namespace pm::engine::internal {
namespace {

struct MemoryReader {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
};

int Read(GifFileType* gif, GifByteType* out, int n) {
  auto* r = static_cast<MemoryReader*>(gif->UserData);
  const size_t take = std::min(static_cast<size_t>(std::max(n, 0)), r->bytes.size() - r->pos);
  std::memcpy(out, r->bytes.data() + r->pos, take);
  r->pos += take;
  return static_cast<int>(take);
}

struct GifCloser {
  GifFileType* gif;
  ~GifCloser() {
    int err = 0;
    if (gif != nullptr) DGifCloseFile(gif, &err);
  }
};

// Walks the records after the first frame up to the trailer without decoding them (and without
// giflib, which keeps a copy of every frame descriptor). A file cut short in a later frame is
// truncated data and refused like any other; ending cleanly on a record boundary without the
// trailer byte is tolerated, as browsers do.
bool SkipSubBlocks(std::span<const uint8_t> b, size_t& pos) {
  for (;;) {
    if (pos >= b.size()) return false;
    const size_t len = b[pos++];
    if (len == 0) return true;
    pos += len;
    if (pos > b.size()) return false;
  }
}

bool TailComplete(std::span<const uint8_t> b, size_t pos) {
  while (pos < b.size()) {
    const uint8_t type = b[pos++];
    if (type == 0x3B) return true;  // trailer
    if (type == 0x21) {             // extension: label, then sub-blocks
      if (++pos > b.size() || !SkipSubBlocks(b, pos)) return false;
    } else if (type == 0x2C) {  // image: descriptor, local colour table, LZW size, sub-blocks
      if (pos + 9 > b.size()) return false;
      const uint8_t flags = b[pos + 8];
      pos += 9;
      if (flags & 0x80) pos += 3u << ((flags & 7) + 1);
      if (++pos > b.size() || !SkipSubBlocks(b, pos)) return false;
    } else {
      return false;
    }
  }
  return true;
}

Error GifError(const char* what, int code) {
  const char* detail = GifErrorString(code);
  return InvalidImage(std::string("gif: ") + what + ": " + (detail ? detail : "unknown error"));
}

}  // namespace

Result<HeaderInfo> ProbeGif(std::span<const uint8_t> b) {
  if (b.size() < 13) return InvalidImage("gif: truncated header");
  // Logical screen descriptor right after the 6-byte signature, little-endian.
  return HeaderInfo{static_cast<int>(Le16(b.data() + 6)), static_cast<int>(Le16(b.data() + 8)),
                    1};
}

Result<RawImage> DecodeGif(std::span<const uint8_t> bytes) {
  MemoryReader reader;
  reader.bytes = bytes;
  int err = 0;
  GifCloser closer{DGifOpen(&reader, Read, &err)};
  GifFileType* gif = closer.gif;
  if (gif == nullptr) return GifError("open", err);

  RawImage image;
  image.width = gif->SWidth;
  image.height = gif->SHeight;
  if (image.width <= 0 || image.height <= 0) return InvalidImage("gif: zero screen size");
  image.rgba.assign(size_t(image.width) * image.height * 4, 0);  // transparent canvas

  int transparent = NO_TRANSPARENT_COLOR;
  for (;;) {
    GifRecordType type;
    if (DGifGetRecordType(gif, &type) == GIF_ERROR) return GifError("record", gif->Error);
    if (type == TERMINATE_RECORD_TYPE) return InvalidImage("gif: no image in file");
    if (type == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType* ext = nullptr;
      if (DGifGetExtension(gif, &code, &ext) == GIF_ERROR) return GifError("extension", gif->Error);
      if (code == GRAPHICS_EXT_FUNC_CODE && ext != nullptr) {
        GraphicsControlBlock gcb;
        if (DGifExtensionToGCB(ext[0], ext + 1, &gcb) == GIF_OK) transparent = gcb.TransparentColor;
      }
      while (ext != nullptr) {
        if (DGifGetExtensionNext(gif, &ext) == GIF_ERROR) return GifError("extension", gif->Error);
      }
      continue;
    }
    if (type != IMAGE_DESC_RECORD_TYPE) continue;
    if (DGifGetImageDesc(gif) == GIF_ERROR) return GifError("image descriptor", gif->Error);
    break;
  }

  const GifImageDesc& desc = gif->Image;
  const ColorMapObject* cmap = desc.ColorMap != nullptr ? desc.ColorMap : gif->SColorMap;
  if (cmap == nullptr) return InvalidImage("gif: no colour map");
  if (desc.Width <= 0 || desc.Height <= 0) return InvalidImage("gif: empty frame");
  // The probe bounded the canvas, not the frame: a 65535x65535 frame on a small screen would
  // cost billions of LZW steps for pixels we then clip away. Browsers clip; we refuse the absurd.
  const int64_t canvas = int64_t{image.width} * image.height;
  if (int64_t{desc.Width} * desc.Height > 4 * canvas + (1 << 20)) {
    return InvalidImage("gif: first frame far larger than the logical screen");
  }

  // Interlaced frames arrive in four passes; rows outside the canvas are read and dropped.
  static constexpr int kStart[] = {0, 4, 2, 1};
  static constexpr int kStep[] = {8, 8, 4, 2};
  const int passes = desc.Interlace ? 4 : 1;
  std::vector<GifPixelType> line(static_cast<size_t>(desc.Width));
  for (int pass = 0; pass < passes; ++pass) {
    const int start = desc.Interlace ? kStart[pass] : 0;
    const int step = desc.Interlace ? kStep[pass] : 1;
    for (int row = start; row < desc.Height; row += step) {
      if (DGifGetLine(gif, line.data(), desc.Width) == GIF_ERROR) {
        return GifError("pixel data", gif->Error);
      }
      const int y = desc.Top + row;
      if (y < 0 || y >= image.height) continue;
      for (int col = 0; col < desc.Width; ++col) {
        const int x = desc.Left + col;
        const int idx = line[static_cast<size_t>(col)];
        if (x < 0 || x >= image.width || idx == transparent || idx >= cmap->ColorCount) continue;
        uint8_t* p = &image.rgba[(size_t(y) * image.width + x) * 4];
        const GifColorType& c = cmap->Colors[idx];
        p[0] = c.Red, p[1] = c.Green, p[2] = c.Blue, p[3] = 255;
      }
    }
  }
  // giflib has read exactly through the frame's block terminator (no read-ahead).
  if (!TailComplete(bytes, reader.pos)) return InvalidImage("gif: truncated after the first frame");
  return image;
}

}  // namespace pm::engine::internal
