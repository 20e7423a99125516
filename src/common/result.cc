#include "common/result.h"

namespace pm {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kCsrfFailed: return "csrf_failed";
    case ErrorCode::kWorkspaceSuspended: return "workspace_suspended";
    case ErrorCode::kMfaRequired: return "mfa_required";
    case ErrorCode::kMfaSetupRequired: return "mfa_setup_required";
    case ErrorCode::kQuotaExceeded: return "quota_exceeded";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kLengthRequired: return "length_required";
    case ErrorCode::kPayloadTooLarge: return "payload_too_large";
    case ErrorCode::kUnsupportedMediaType: return "unsupported_media_type";
    case ErrorCode::kInvalidImage: return "invalid_image";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kFetchFailed: return "fetch_failed";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace pm
