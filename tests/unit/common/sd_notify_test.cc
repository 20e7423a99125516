// sd_notify: the datagram reaches a socket bound like systemd's (path and abstract), errors named.
#include <catch2/catch.hpp>

#include "common/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace {

// A datagram socket bound like systemd's notify socket; `name` starting with '@' is abstract.
struct Listener {
  int fd = -1;
  explicit Listener(const std::string& name) {
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    if (name[0] == '@') addr.sun_path[0] = '\0';
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Listener() { close(fd); }
  std::string Receive() const {
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    return n < 0 ? std::string("<nothing>") : std::string(buf, static_cast<size_t>(n));
  }
};

}  // namespace

TEST_CASE("SdNotify: no NOTIFY_SOCKET means nothing to do", "[common][sd_notify]") {
  unsetenv("NOTIFY_SOCKET");
  std::string error;
  CHECK(pm::SdNotify("READY=1", &error));
  CHECK(error.empty());
}

TEST_CASE("SdNotify: the state reaches a socket named by path", "[common][sd_notify]") {
  auto path = std::filesystem::temp_directory_path() / ("pm-notify-" + std::to_string(getpid()));
  std::filesystem::remove(path);
  Listener listener(path.string());
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  REQUIRE(pm::SdNotify("READY=1\nSTATUS=listening"));
  CHECK(listener.Receive() == "READY=1\nSTATUS=listening");
  unsetenv("NOTIFY_SOCKET");
  std::filesystem::remove(path);
}

TEST_CASE("SdNotify: abstract-namespace sockets (@name)", "[common][sd_notify]") {
  std::string name = "@pm-notify-test-" + std::to_string(getpid());
  Listener listener(name);
  setenv("NOTIFY_SOCKET", name.c_str(), 1);
  REQUIRE(pm::SdNotify("STOPPING=1"));
  CHECK(listener.Receive() == "STOPPING=1");
  unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("SdNotify: a socket nobody listens on, or a bad name, is reported", "[common][sd_notify]") {
  std::string error;
  setenv("NOTIFY_SOCKET", "/nonexistent-dir/notify", 1);
  CHECK_FALSE(pm::SdNotify("READY=1", &error));
  CHECK(error.find("/nonexistent-dir/notify") != std::string::npos);
  setenv("NOTIFY_SOCKET", "relative/path", 1);
  CHECK_FALSE(pm::SdNotify("READY=1", &error));
  CHECK(error.find("absolute") != std::string::npos);
  unsetenv("NOTIFY_SOCKET");
}
