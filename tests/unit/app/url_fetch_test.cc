// SSRF defences of app/url_fetch.h without any network: the address classifier on literal
// addresses, the URL checks, and host/redirect vetting with a fake resolver. (Real fetches from
// a loopback server are in tests/integration/url_upload.test.mjs.)
#include "app/url_fetch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <thread>
#include <vector>

using Catch::Matchers::Contains;
using pm::ErrorCode;
using pm::app::AddressClass;
using pm::app::ClassifyAddress;
using pm::app::FetchUrl;
using pm::app::IpAddress;
using pm::app::ParseFetchUrl;
using pm::app::ParseIpLiteral;
using pm::app::Resolver;
using pm::app::UrlFetchPolicy;
using pm::app::VetHop;

namespace {

const char* kInternalMessage = "this address points to a private or internal network and cannot be fetched";

AddressClass Classify(const char* literal) {
  auto ip = ParseIpLiteral(literal);
  REQUIRE(ip.has_value());
  return ClassifyAddress(*ip);
}

// Names -> literal addresses; any other name fails like DNS would. Counts lookups, so a test
// can show that literals and "localhost" never reach the resolver.
struct FakeDns {
  std::map<std::string, std::vector<std::string>> names;
  int lookups = 0;
  Resolver resolver() {
    return [this](const std::string& host) -> pm::Result<std::vector<IpAddress>> {
      ++lookups;
      auto it = names.find(host);
      if (it == names.end()) {
        return pm::MakeError(ErrorCode::kFetchFailed, "the host name \"" + host + "\" does not resolve");
      }
      std::vector<IpAddress> out;
      for (const std::string& a : it->second) out.push_back(*ParseIpLiteral(a));
      return out;
    };
  }
};

UrlFetchPolicy LoopbackPolicy() {
  UrlFetchPolicy p;
  p.allow_loopback = true;
  p.ports = {80, 443, 8080};
  return p;
}

}  // namespace

TEST_CASE("loopback addresses are loopback, in every IPv6 form that embeds 127/8", "[url_fetch]") {
  for (const char* a : {"127.0.0.1", "127.1.2.3", "127.255.255.255", "::1", "::ffff:127.0.0.1", "::ffff:7f00:1",
                        "64:ff9b::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "::127.0.0.1",
                        "::ffff:0:127.0.0.1"}) {
    CAPTURE(a);
    CHECK(Classify(a) == AddressClass::kLoopback);
  }
}

TEST_CASE("private, link-local and reserved addresses are internal", "[url_fetch]") {
  for (const char* a :
       {"0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.255", "224.0.0.1", "239.255.255.250",
        "240.0.0.1", "255.255.255.255", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.9",
        "::", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1", "100::1",
        "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "::ffff:0.0.0.0", "::ffff:192.168.0.1",
        "64:ff9b::10.1.2.3", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "2002:a00:1::", "2002:c0a8:101::1",
        "2002:a9fe:a9fe::", "2001::1", "2001:0:4136:e378::1", "2001:db8::1", "3fff::1", "::10.0.0.1"}) {
    CAPTURE(a);
    CHECK(Classify(a) == AddressClass::kInternal);
  }
}

TEST_CASE("ordinary global addresses are public", "[url_fetch]") {
  // Classified only: nothing here is ever contacted.
  for (const char* a : {"1.1.1.1", "8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "169.253.1.1",
                        "223.255.255.255", "2606:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8",
                        "64:ff9b::8.8.8.8", "2002:808:808::1"}) {
    CAPTURE(a);
    CHECK(Classify(a) == AddressClass::kPublic);
  }
}

TEST_CASE("only http and https URLs without credentials, on allowed ports, are accepted", "[url_fetch]") {
  UrlFetchPolicy policy;
  auto refused = [&](const char* url, const char* why) {
    CAPTURE(url);
    auto r = ParseFetchUrl(url, policy);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(r.error().message, Contains(why));
  };
  refused("", "must not be empty");
  refused("ftp://example.com/a.png", "only http:// and https:// URLs can be fetched");
  refused("file:///etc/passwd", "only http:// and https://");
  refused("gopher://example.com/", "only http:// and https://");
  refused("javascript:alert(1)", "is not valid");
  refused("example.com/a.png", "is not valid");
  refused("http://user@example.com/", "must not contain a user name or password");
  refused("http://user:secret@example.com/", "must not contain a user name or password");
  refused("http://evil@127.0.0.1/", "must not contain a user name or password");
  refused("http://127.0.0.1\\@example.com/", "must not contain backslashes");
  refused("http://example.com/a b.png", "must not contain spaces or control characters");
  refused(" http://example.com/", "must not contain spaces");
  refused("http://example.com/\n", "control characters");
  refused("http://example.com:8080/", "names port 8080; only ports 80 and 443 can be fetched");
  refused("http://example.com:99999/", "is not valid");
  refused("http://exa mple.com/", "spaces");
  refused("http://ex\xc3\xa4mple.com/", "xn-- form");
  refused("http://[fe80::1%25eth0]/", kInternalMessage);
  refused(("http://example.com/" + std::string(5000, 'a')).c_str(), "longer than 4096 characters");

  auto ok = ParseFetchUrl("HTTPS://Example.com/images/Sunset%20Beach.JPG?size=2#frag", policy);
  REQUIRE(ok.ok());
  CHECK(ok->scheme() == "https");
  CHECK(ok->host() == "Example.com");
  CHECK(ok->port() == 443);
  CHECK(ok->last_segment() == "Sunset Beach.JPG");
  CHECK(ok->url() == "https://Example.com/images/Sunset%20Beach.JPG?size=2");
  auto root = ParseFetchUrl("http://example.com", policy);
  REQUIRE(root.ok());
  CHECK(root->last_segment().empty());
}

TEST_CASE("every spelling of loopback is refused, without a lookup for literals and localhost", "[url_fetch]") {
  FakeDns dns;
  dns.names["rebind.test"] = {"127.0.0.1"};
  dns.names["six.test"] = {"::1"};
  dns.names["metadata.test"] = {"169.254.169.254"};
  UrlFetchPolicy policy;
  for (const char* url :
       {"http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/",
        "http://0/", "http://0.0.0.0/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:0:0:1]/", "http://localhost/", "http://LOCALHOST./", "http://LocalHost/",
        "http://app.localhost/", "http://127.0.0.1#@example.com", "http://%31%32%37.0.0.1/",
        "https://127.0.0.1/", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/"}) {
    CAPTURE(url);
    auto r = VetHop(url, policy, dns.resolver());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(r.error().message, Contains(kInternalMessage));
  }
  CHECK(dns.lookups == 0);
  for (const char* url : {"http://rebind.test/", "http://six.test/a.png", "http://metadata.test/latest/"}) {
    CAPTURE(url);
    auto r = VetHop(url, policy, dns.resolver());
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains(kInternalMessage));
  }
}

TEST_CASE("a name is refused when any one of its addresses is internal", "[url_fetch]") {
  FakeDns dns;
  dns.names["mixed.test"] = {"93.184.216.34", "10.0.0.7"};
  dns.names["mixed6.test"] = {"2606:4700::1111", "fd00::1"};
  dns.names["public.test"] = {"93.184.216.34", "2606:4700::1111"};
  UrlFetchPolicy policy;
  CHECK_THAT(VetHop("http://mixed.test/", policy, dns.resolver()).error().message, Contains(kInternalMessage));
  CHECK_THAT(VetHop("http://mixed6.test/", policy, dns.resolver()).error().message, Contains(kInternalMessage));
  auto ok = VetHop("http://public.test/a.png", policy, dns.resolver());
  REQUIRE(ok.ok());
  CHECK(pm::app::FormatIp(ok->address) == "93.184.216.34");
}

TEST_CASE("a name that does not resolve is a fetch failure (502), not a refusal", "[url_fetch]") {
  FakeDns dns;
  auto r = VetHop("http://no-such-host.test/", UrlFetchPolicy{}, dns.resolver());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kFetchFailed);
  CHECK_THAT(r.error().message, Contains("does not resolve"));
}

TEST_CASE("url_allow_loopback admits 127/8 and ::1 only, never private or link-local", "[url_fetch]") {
  FakeDns dns;
  dns.names["localhost"] = {"127.0.0.1", "::1"};
  dns.names["private.test"] = {"192.168.0.10"};
  UrlFetchPolicy policy = LoopbackPolicy();
  for (const char* url : {"http://127.0.0.1:8080/a.png", "http://[::1]:8080/", "http://127.1/", "http://localhost/"}) {
    CAPTURE(url);
    CHECK(VetHop(url, policy, dns.resolver()).ok());
  }
  for (const char* url : {"http://10.0.0.1/", "http://169.254.169.254/", "http://[fe80::1]/", "http://[fd00::1]/",
                          "http://0.0.0.0:8080/", "http://[::]/", "http://[::ffff:192.168.0.1]/",
                          "http://private.test/", "http://100.64.0.1/", "http://224.0.0.1/"}) {
    CAPTURE(url);
    auto r = VetHop(url, policy, dns.resolver());
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Contains(kInternalMessage));
  }
}

TEST_CASE("redirect targets are resolved against the current URL and vetted like the first", "[url_fetch]") {
  FakeDns dns;
  dns.names["images.test"] = {"93.184.216.34"};
  dns.names["rebind.test"] = {"127.0.0.1"};
  UrlFetchPolicy policy;
  auto base = ParseFetchUrl("https://images.test/gallery/a.jpg", policy);
  REQUIRE(base.ok());

  auto rel = VetHop("b.png", policy, dns.resolver(), &*base);
  REQUIRE(rel.ok());
  CHECK(rel->target.url() == "https://images.test/gallery/b.png");
  auto abs = VetHop("/other/c.webp", policy, dns.resolver(), &*base);
  REQUIRE(abs.ok());
  CHECK(abs->target.url() == "https://images.test/other/c.webp");

  // To loopback in any spelling, to another scheme, or with credentials: refused.
  for (const char* loc : {"http://127.0.0.1/", "http://localhost/x.png", "//127.1/x.png", "http://[::1]/",
                          "http://2130706433/", "http://rebind.test/", "http://[::ffff:127.0.0.1]/",
                          "http://169.254.169.254/latest/meta-data/"}) {
    CAPTURE(loc);
    auto r = VetHop(loc, policy, dns.resolver(), &*base);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(r.error().message, Contains(kInternalMessage));
  }
  auto ftp = VetHop("ftp://images.test/a.jpg", policy, dns.resolver(), &*base);
  REQUIRE_FALSE(ftp.ok());
  CHECK_THAT(ftp.error().message, Contains("redirected to a ftp: address; only http and https can be fetched"));
  auto file = VetHop("file:///etc/passwd", policy, dns.resolver(), &*base);
  REQUIRE_FALSE(file.ok());
  CHECK_THAT(file.error().message, Contains("only http and https"));
  auto creds = VetHop("http://a:b@images.test/", policy, dns.resolver(), &*base);
  REQUIRE_FALSE(creds.ok());
  CHECK_THAT(creds.error().message, Contains("must not contain a user name or password"));
  auto port = VetHop("http://images.test:22/", policy, dns.resolver(), &*base);
  REQUIRE_FALSE(port.ok());
  CHECK_THAT(port.error().message, Contains("port 22"));
}

TEST_CASE("FetchUrl refuses before connecting: the sink never runs", "[url_fetch]") {
  FakeDns dns;
  dns.names["rebind.test"] = {"127.0.0.1"};
  int chunks = 0;
  auto sink = [&](std::string_view) {
    ++chunks;
    return pm::Status::Ok();
  };
  for (const char* url : {"http://127.0.0.1/", "http://rebind.test/", "http://localhost/", "ftp://127.0.0.1/"}) {
    CAPTURE(url);
    auto r = FetchUrl(url, UrlFetchPolicy{}, sink, dns.resolver());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  auto dead = FetchUrl("http://nowhere.test/", UrlFetchPolicy{}, sink, dns.resolver());
  REQUIRE_FALSE(dead.ok());
  CHECK(dead.error().code == ErrorCode::kFetchFailed);
  CHECK(chunks == 0);
}

namespace {

// A one-shot HTTP server on 127.0.0.1: answers one request with `response` and keeps the
// request it read.
class OneShotServer {
 public:
  explicit OneShotServer(std::string response) : response_(std::move(response)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd_, 1) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      while (request_.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        request_.append(buf, static_cast<size_t>(n));
      }
      (void)!write(c, response_.data(), response_.size());
      close(c);
    });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  // Only after the fetch returned (the server thread has written its answer by then).
  const std::string& request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("curl connects to the address we vetted, not to what it would resolve itself", "[url_fetch]") {
  // "pinned.test" exists only in the fake resolver: the system cannot resolve it, so the fetch
  // succeeds only if curl used our address (CURLOPT_CONNECT_TO) and kept the Host header.
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  FakeDns dns;
  dns.names["pinned.test"] = {"127.0.0.1"};
  UrlFetchPolicy policy;
  policy.allow_loopback = true;
  policy.ports = {server.port()};
  std::string body;
  auto r = FetchUrl("http://pinned.test:" + std::to_string(server.port()) + "/a.png", policy,
                    [&](std::string_view chunk) {
                      body.append(chunk);
                      return pm::Status::Ok();
                    },
                    dns.resolver());
  REQUIRE(r.ok());
  CHECK(body == "hello");
  CHECK(dns.lookups == 1);
  CHECK_THAT(server.request(), Contains("GET /a.png HTTP/1.1\r\n"));
  CHECK_THAT(server.request(), Contains("Host: pinned.test:" + std::to_string(server.port()) + "\r\n"));
}

TEST_CASE("a redirect from an allowed server to loopback is refused when loopback is not allowed", "[url_fetch]") {
  // The first hop is admitted only through the fake resolver's answer being vetted with
  // loopback allowed; the redirect is then vetted under a policy without it, as in production.
  OneShotServer server("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1/secret\r\nContent-Length: 0\r\n\r\n");
  FakeDns dns;
  dns.names["images.test"] = {"127.0.0.1"};
  UrlFetchPolicy first;
  first.allow_loopback = true;
  first.ports = {80, server.port()};
  auto hop = VetHop("http://images.test:" + std::to_string(server.port()) + "/a.png", first, dns.resolver());
  REQUIRE(hop.ok());
  UrlFetchPolicy strict;
  strict.ports = {80, server.port()};
  auto next = VetHop("http://127.0.0.1/secret", strict, dns.resolver(), &hop->target);
  REQUIRE_FALSE(next.ok());
  CHECK_THAT(next.error().message, Contains(kInternalMessage));
  // And the whole fetch with loopback allowed follows it to a port that is not allowed: refused
  // before connecting, with the reason.
  UrlFetchPolicy loopback_only_that_port = first;
  loopback_only_that_port.ports = {server.port()};
  auto fetched = FetchUrl("http://images.test:" + std::to_string(server.port()) + "/a.png", loopback_only_that_port,
                          [](std::string_view) { return pm::Status::Ok(); }, dns.resolver());
  REQUIRE_FALSE(fetched.ok());
  CHECK(fetched.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(fetched.error().message, Contains("redirected to an address that names port 80"));
}
