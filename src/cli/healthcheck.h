// `palettemaker healthcheck`: one GET of /healthz, for container HEALTHCHECKs in an image without
// a shell or curl. Also used by `doctor` to tell "the listen port is taken by us" from "by
// someone else".
#pragma once

#include <string>

#include "common/result.h"

namespace pm::cli {

// http(s)://HOST[:PORT][/PATH] -> the URL to probe; no path means /healthz. kInvalidArgument
// (message says what is expected) for anything else.
Result<std::string> HealthUrl(const std::string& url);

// The /healthz URL of a server listening on `listen` (server.listen): a wildcard host (0.0.0.0,
// ::, empty) is probed on loopback. kInvalidArgument when the port is 0 (nothing to probe).
Result<std::string> HealthUrlForListen(const std::string& listen);

// GETs `url` (as HealthUrl returns it) with `timeout_s` for connecting and for reading. Ok only
// for a 200; otherwise kUnavailable with a one-line reason ("connection refused", "HTTP 503").
Status ProbeHealth(const std::string& url, int timeout_s);

}  // namespace pm::cli
