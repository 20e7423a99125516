#include "common/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace pm {

bool SdNotify(std::string_view state, std::string* error) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return true;
  auto fail = [&](std::string what) {
    if (error) *error = std::move(what);
    return false;
  };
  size_t len = std::strlen(path);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // "/run/systemd/notify" (a path) or "@name" (the abstract namespace: a leading NUL byte).
  if ((path[0] != '/' && path[0] != '@') || len >= sizeof addr.sun_path) {
    return fail("NOTIFY_SOCKET is not an absolute path or @abstract name");
  }
  std::memcpy(addr.sun_path, path, len);
  if (path[0] == '@') addr.sun_path[0] = '\0';
  socklen_t addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(std::string("socket: ") + std::strerror(errno));
  ssize_t sent = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr),
                        addr_len);
  int saved = errno;
  close(fd);
  if (sent < 0) return fail(std::string("sendto ") + path + ": " + std::strerror(saved));
  if (static_cast<size_t>(sent) != state.size()) return fail("short write to NOTIFY_SOCKET");
  return true;
}

}  // namespace pm
