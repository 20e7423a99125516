// systemd readiness notification (sd_notify protocol) without libsystemd: one datagram to the
// AF_UNIX socket named by $NOTIFY_SOCKET. A no-op when the variable is unset (not under systemd
// with Type=notify). Written by hand because the protocol is one sendto() and linking
// libsystemd would add a shared dependency to the static release binary.
#pragma once

#include <string>
#include <string_view>

namespace pm {

// Sends `state` (e.g. "READY=1\nSTATUS=listening on ...") to $NOTIFY_SOCKET. Returns false
// with `error` set when the variable is set but the message could not be sent; true otherwise
// (also when there is nothing to notify).
bool SdNotify(std::string_view state, std::string* error = nullptr);

}  // namespace pm
