// Built instead of decode_avif.cc when PM_ENGINE_AVIF is OFF (libavif and dav1d ship only as
// shared libraries on Debian, so a fully static build leaves AVIF out).
#include "engine/codecs.h"

namespace pm::engine::internal {
namespace {
Error NoAvif() {
  return MakeError(ErrorCode::kUnsupportedMediaType, "avif: AVIF support is not compiled into this build");
}
}  // namespace

bool AvifAvailable() { return false; }
Result<HeaderInfo> ProbeAvif(std::span<const uint8_t>) { return NoAvif(); }
Result<RawImage> DecodeAvif(std::span<const uint8_t>) { return NoAvif(); }

}  // namespace pm::engine::internal
