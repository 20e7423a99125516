// `palettemaker serve` under systemd Type=notify: READY=1 arrives on $NOTIFY_SOCKET only once
// /healthz answers, and SIGTERM is announced with STOPPING=1 before the process exits 0.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace fs = std::filesystem;

namespace {

std::string Receive(int fd, int timeout_s) {
  timeval tv{timeout_s, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[1024];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

// GET path on 127.0.0.1:port; returns the status line or "" when nothing answers.
std::string HttpStatus(int port, const char* path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string status;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string req = std::string("GET ") + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
      char buf[256];
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n > 0) status.assign(buf, static_cast<size_t>(n));
      status = status.substr(0, status.find("\r\n"));
    }
  }
  close(fd);
  return status;
}

}  // namespace

TEST_CASE("serve sends READY=1 once listening and STOPPING=1 on SIGTERM", "[packaging][systemd]") {
  fs::path dir = fs::temp_directory_path() / ("pm-notify-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "data");
  fs::path sock = dir / "notify";
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(sock.string().size() < sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock.c_str());
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  fs::path out = dir / "stdout";

  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setenv("NOTIFY_SOCKET", sock.c_str(), 1);
    setenv("PALETTEMAKER_SERVER_LISTEN", "127.0.0.1:0", 1);
    setenv("PALETTEMAKER_DATA_DIR", (dir / "data").c_str(), 1);
    setenv("PALETTEMAKER_SERVER_DRAIN_GRACE_S", "0", 1);
    FILE* f = std::freopen(out.c_str(), "w", stdout);
    (void)f;
    execl(PM_BIN, PM_BIN, "serve", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string ready = Receive(fd, 30);
  INFO("notification: " << ready);
  REQUIRE(ready.rfind("READY=1\n", 0) == 0);
  std::smatch m;
  REQUIRE(std::regex_search(ready, m, std::regex(R"(STATUS=listening on http://127\.0\.0\.1:(\d+))")));
  int port = std::stoi(m[1]);
  // Ready means ready: the very next request is answered.
  CHECK(HttpStatus(port, "/healthz") == "HTTP/1.1 200 OK");

  REQUIRE(kill(pid, SIGTERM) == 0);
  CHECK(Receive(fd, 10).rfind("STOPPING=1", 0) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  close(fd);
  fs::remove_all(dir);
}
