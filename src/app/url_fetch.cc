#include "app/url_fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace pm::app {
namespace {

constexpr size_t kMaxUrlBytes = 4096;

Error Refused(std::string_view why) { return MakeError(ErrorCode::kInvalidArgument, std::string(why)); }

Error InternalAddress(const std::string& host) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "this address points to a private or internal network and cannot be fetched (host \"" +
                       host + "\")");
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Owns a string curl_url_get returned.
struct CurlString {
  char* p = nullptr;
  ~CurlString() { curl_free(p); }
};

// The part, or nullopt when the URL has none (or curl cannot give it).
std::optional<std::string> UrlPart(CURLU* h, CURLUPart part, unsigned flags = 0) {
  CurlString s;
  if (curl_url_get(h, part, &s.p, flags) != CURLUE_OK || s.p == nullptr) return std::nullopt;
  return std::string(s.p);
}

uint32_t V4At(const std::array<uint8_t, 16>& b, int off) {
  return (uint32_t{b[off]} << 24) | (uint32_t{b[off + 1]} << 16) | (uint32_t{b[off + 2]} << 8) | b[off + 3];
}

AddressClass ClassifyV4(uint32_t a) {
  auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x7F000000, 8)) return AddressClass::kLoopback;  // 127.0.0.0/8
  if (in(0x00000000, 8) ||   // "this network"; connecting to 0.0.0.0 reaches this host on Linux
      in(0x0A000000, 8) ||   // 10/8 private
      in(0x64400000, 10) ||  // 100.64/10 CGNAT
      in(0xA9FE0000, 16) ||  // 169.254/16 link-local, cloud metadata 169.254.169.254
      in(0xAC100000, 12) ||  // 172.16/12 private
      in(0xC0000000, 24) ||  // 192.0.0/24 IETF protocol assignments
      in(0xC0000200, 24) ||  // 192.0.2/24 documentation
      in(0xC0586300, 24) ||  // 192.88.99/24 6to4 relay anycast
      in(0xC0A80000, 16) ||  // 192.168/16 private
      in(0xC6120000, 15) ||  // 198.18/15 benchmarking
      in(0xC6336400, 24) ||  // 198.51.100/24 documentation
      in(0xCB007100, 24) ||  // 203.0.113/24 documentation
      in(0xE0000000, 4) ||   // 224/4 multicast
      in(0xF0000000, 4)) {   // 240/4 reserved, 255.255.255.255 broadcast
    return AddressClass::kInternal;
  }
  return AddressClass::kPublic;
}

bool ZeroBytes(const std::array<uint8_t, 16>& b, int from, int to) {
  return std::all_of(b.begin() + from, b.begin() + to, [](uint8_t x) { return x == 0; });
}

// A host name that always means this machine (RFC 6761), whatever DNS says.
bool IsLocalhostName(std::string_view host) {
  std::string h = Lower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  return h == "localhost" || (h.size() > 10 && h.compare(h.size() - 10, 10, ".localhost") == 0);
}

bool IsHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

std::string PortList(const std::vector<int>& ports) {
  std::string out;
  for (size_t i = 0; i < ports.size(); ++i) {
    if (i) out += i + 1 == ports.size() ? " and " : ", ";
    out += std::to_string(ports[i]);
  }
  return out;
}

using Clock = std::chrono::steady_clock;

// State of one request of a fetch, shared with curl's callbacks.
struct Transfer {
  CURL* curl = nullptr;
  const FetchSink* sink = nullptr;
  IpAddress pinned;
  int port = 0;
  bool checked_status = false;
  bool body_wanted = false;
  bool socket_refused = false;
  Status sink_status;
  int64_t bytes = 0;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (!t->checked_status) {
    long code = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
    t->body_wanted = code >= 200 && code < 300;
    t->checked_status = true;
  }
  // Bodies of redirects and errors are never read: stop the transfer, the status says enough.
  if (!t->body_wanted) return 0;
  Status st = (*t->sink)(std::string_view(data, len));
  if (!st.ok()) {
    t->sink_status = st;
    return 0;
  }
  t->bytes += static_cast<int64_t>(len);
  return len;
}

// Last line of defence: whatever curl resolved or was told, it may open a connection to the
// vetted address and port only.
curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* a) {
  auto* t = static_cast<Transfer*>(user);
  IpAddress got;
  int port = -1;
  if (purpose == CURLSOCKTYPE_IPCXN && a->family == AF_INET && a->addrlen >= sizeof(sockaddr_in)) {
    sockaddr_in sin;
    std::memcpy(&sin, &a->addr, sizeof sin);
    std::memcpy(got.bytes.data(), &sin.sin_addr, 4);
    port = ntohs(sin.sin_port);
  } else if (purpose == CURLSOCKTYPE_IPCXN && a->family == AF_INET6 && a->addrlen >= sizeof(sockaddr_in6)) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, &a->addr, sizeof sin6);
    got.v6 = true;
    std::memcpy(got.bytes.data(), &sin6.sin6_addr, 16);
    port = ntohs(sin6.sin6_port);
  }
  if (port != t->port || !(got == t->pinned)) {
    t->socket_refused = true;
    return CURL_SOCKET_BAD;
  }
  return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

Error TransferError(CURLcode rc, const char* errbuf, const FetchTarget& target, int timeout_s) {
  std::string where = target.host();
  std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return MakeError(ErrorCode::kFetchFailed, "fetching the image from " + where + " timed out (the limit is " +
                                                    std::to_string(timeout_s) + " s)");
    case CURLE_COULDNT_CONNECT:
      return MakeError(ErrorCode::kFetchFailed, "could not connect to " + where + " on port " +
                                                    std::to_string(target.port()) + " (connection refused or unreachable)");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return MakeError(ErrorCode::kFetchFailed, "the secure connection to " + where + " failed: " + detail);
    default:
      return MakeError(ErrorCode::kFetchFailed, "fetching the image from " + where + " failed: " + detail);
  }
}

}  // namespace

std::optional<IpAddress> ParseIpLiteral(std::string_view text) {
  std::string s(text);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  ip.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

std::string FormatIp(const IpAddress& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(ip.v6 ? AF_INET6 : AF_INET, ip.bytes.data(), buf, sizeof buf);
  return buf;
}

AddressClass ClassifyAddress(const IpAddress& ip) {
  const auto& b = ip.bytes;
  if (!ip.v6) return ClassifyV4(V4At(b, 0));
  if (ZeroBytes(b, 0, 16)) return AddressClass::kInternal;                          // ::
  if (ZeroBytes(b, 0, 15) && b[15] == 1) return AddressClass::kLoopback;            // ::1
  if (ZeroBytes(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) return ClassifyV4(V4At(b, 12));  // ::ffff:a.b.c.d
  if (ZeroBytes(b, 0, 12)) return ClassifyV4(V4At(b, 12));                          // ::a.b.c.d (compatible)
  if (ZeroBytes(b, 0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0) {
    return ClassifyV4(V4At(b, 12));                                                 // ::ffff:0:a.b.c.d
  }
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
    if (ZeroBytes(b, 4, 12)) return ClassifyV4(V4At(b, 12));                        // 64:ff9b::/96 NAT64
    return AddressClass::kInternal;                                                 // 64:ff9b:1::/48 local NAT64
  }
  if (b[0] == 0x20 && b[1] == 0x02) return ClassifyV4(V4At(b, 2));                  // 2002::/16 6to4
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02) return AddressClass::kInternal;  // 2001::/23 incl. Teredo
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return AddressClass::kInternal;  // doc
  if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0) return AddressClass::kInternal;  // 3fff::/20 doc
  // Only global unicast (2000::/3) is public: this refuses fc00::/7 (unique local), fe80::/10
  // (link-local), fec0::/10, ff00::/8 (multicast), 100::/64 and the rest of ::/8.
  if ((b[0] & 0xe0) != 0x20) return AddressClass::kInternal;
  return AddressClass::kPublic;
}

Result<std::vector<IpAddress>> SystemResolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0) {
    if (rc == EAI_NONAME || rc == EAI_NODATA) {
      return MakeError(ErrorCode::kFetchFailed, "the host name \"" + host + "\" does not resolve");
    }
    return MakeError(ErrorCode::kFetchFailed,
                     "looking up the host name \"" + host + "\" failed: " + gai_strerror(rc));
  }
  std::vector<IpAddress> out;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    IpAddress ip;
    if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(sockaddr_in)) {
      sockaddr_in sin;
      std::memcpy(&sin, ai->ai_addr, sizeof sin);
      std::memcpy(ip.bytes.data(), &sin.sin_addr, 4);
    } else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(sockaddr_in6)) {
      sockaddr_in6 sin6;
      std::memcpy(&sin6, ai->ai_addr, sizeof sin6);
      ip.v6 = true;
      std::memcpy(ip.bytes.data(), &sin6.sin6_addr, 16);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(ip);
  }
  freeaddrinfo(res);
  if (out.empty()) return MakeError(ErrorCode::kFetchFailed, "the host name \"" + host + "\" does not resolve");
  return out;
}

FetchTarget::FetchTarget() = default;
FetchTarget::FetchTarget(FetchTarget&& o) noexcept { *this = std::move(o); }
FetchTarget& FetchTarget::operator=(FetchTarget&& o) noexcept {
  if (this != &o) {
    curl_url_cleanup(static_cast<CURLU*>(curlu_));
    curlu_ = o.curlu_;
    o.curlu_ = nullptr;
    url_ = std::move(o.url_);
    scheme_ = std::move(o.scheme_);
    host_ = std::move(o.host_);
    last_segment_ = std::move(o.last_segment_);
    port_ = o.port_;
  }
  return *this;
}
FetchTarget::~FetchTarget() { curl_url_cleanup(static_cast<CURLU*>(curlu_)); }

Result<FetchTarget> ParseFetchUrl(std::string_view url, const UrlFetchPolicy& policy, const FetchTarget* base) {
  InitCurlOnce();
  const char* what = base ? "the URL redirected to an address that" : "the URL";
  if (url.empty()) return Refused(base ? "the URL redirected without saying where to" : "url must not be empty");
  if (url.size() > kMaxUrlBytes) {
    return Refused(std::string(what) + " is longer than " + std::to_string(kMaxUrlBytes) + " characters");
  }
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return Refused(std::string(what) + " must not contain spaces or control characters");
    if (c == '\\') return Refused(std::string(what) + " must not contain backslashes");
  }
  FetchTarget t;
  t.curlu_ = base ? curl_url_dup(static_cast<CURLU*>(base->curlu_)) : curl_url();
  if (t.curlu_ == nullptr) return MakeError(ErrorCode::kInternal, "curl_url failed");
  auto* h = static_cast<CURLU*>(t.curlu_);
  std::string text(url);
  CURLUcode rc = curl_url_set(h, CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    std::string why = Lower(curl_url_strerror(rc));
    return Refused(std::string(base ? "the URL redirected to an invalid address" : "the URL is not valid") + " (" +
                   why + ")");
  }
  t.scheme_ = Lower(UrlPart(h, CURLUPART_SCHEME).value_or(""));
  if (t.scheme_ != "http" && t.scheme_ != "https") {
    if (base) return Refused("the URL redirected to a " + t.scheme_ + ": address; only http and https can be fetched");
    return Refused("only http:// and https:// URLs can be fetched");
  }
  if (UrlPart(h, CURLUPART_USER) || UrlPart(h, CURLUPART_PASSWORD) || UrlPart(h, CURLUPART_OPTIONS)) {
    return Refused(std::string(what) + " must not contain a user name or password");
  }
  std::string host = UrlPart(h, CURLUPART_HOST).value_or("");
  bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  if (host.empty()) return Refused(std::string(what) + " has no host name");
  if (UrlPart(h, CURLUPART_ZONEID)) return InternalAddress(host);  // fe80::1%eth0: link-local by nature
  if (!bracketed && !std::all_of(host.begin(), host.end(), IsHostNameChar)) {
    return Refused(std::string(what) +
                   " must have a host name of ASCII letters, digits, dots and hyphens (write an international name "
                   "in its xn-- form)");
  }
  t.host_ = host;
  std::string port = UrlPart(h, CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or("0");
  t.port_ = std::atoi(port.c_str());
  if (std::find(policy.ports.begin(), policy.ports.end(), t.port_) == policy.ports.end()) {
    return Refused(std::string(what) + " names port " + port + "; only port" + (policy.ports.size() > 1 ? "s " : " ") +
                   PortList(policy.ports) + " can be fetched");
  }
  // The fragment never goes on the wire; drop it so the URL we report is the one fetched.
  curl_url_set(h, CURLUPART_FRAGMENT, nullptr, 0);
  t.url_ = UrlPart(h, CURLUPART_URL).value_or(text);
  std::string path = UrlPart(h, CURLUPART_PATH, CURLU_URLDECODE).value_or(UrlPart(h, CURLUPART_PATH).value_or("/"));
  size_t slash = path.rfind('/');
  t.last_segment_ = slash == std::string::npos ? path : path.substr(slash + 1);
  return t;
}

Result<IpAddress> VetHost(const FetchTarget& target, const UrlFetchPolicy& policy, const Resolver& resolver) {
  std::vector<IpAddress> addresses;
  if (auto literal = ParseIpLiteral(target.host())) {
    addresses.push_back(*literal);
  } else {
    if (IsLocalhostName(target.host()) && !policy.allow_loopback) return InternalAddress(target.host());
    PM_ASSIGN_OR_RETURN(addresses, resolver(target.host()));
    if (addresses.empty()) {
      return MakeError(ErrorCode::kFetchFailed, "the host name \"" + target.host() + "\" does not resolve");
    }
  }
  // Every address must pass, not just the one we would use: a name with one public and one
  // private address is refused.
  for (const IpAddress& ip : addresses) {
    AddressClass c = ClassifyAddress(ip);
    if (c == AddressClass::kInternal || (c == AddressClass::kLoopback && !policy.allow_loopback)) {
      return InternalAddress(target.host());
    }
  }
  return addresses.front();
}

Result<VettedHop> VetHop(std::string_view url, const UrlFetchPolicy& policy, const Resolver& resolver,
                         const FetchTarget* base) {
  PM_ASSIGN_OR_RETURN(FetchTarget target, ParseFetchUrl(url, policy, base));
  PM_ASSIGN_OR_RETURN(IpAddress address, VetHost(target, policy, resolver));
  return VettedHop{std::move(target), address};
}

Result<FetchOutcome> FetchUrl(std::string_view url, const UrlFetchPolicy& policy, const FetchSink& sink,
                              const Resolver& resolver) {
  InitCurlOnce();
  const auto deadline = Clock::now() + std::chrono::seconds(policy.timeout_s);
  auto timed_out = [&](const FetchTarget& t) {
    return MakeError(ErrorCode::kFetchFailed, "fetching the image from " + t.host() + " timed out (the limit is " +
                                                  std::to_string(policy.timeout_s) + " s)");
  };
  PM_ASSIGN_OR_RETURN(VettedHop hop, VetHop(url, policy, resolver));
  FetchOutcome outcome;
  for (;;) {
    auto left_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left_ms <= 0) return timed_out(hop.target);

    Transfer t;
    t.sink = &sink;
    t.pinned = hop.address;
    t.port = hop.target.port();
    std::string ip = FormatIp(hop.address);
    // "::ADDR:PORT": every host and port of this transfer connects to the vetted address.
    std::string connect_to = "::" + (hop.address.v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(t.port);
    // Declared before the handle, so they outlive it.
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> pin(curl_slist_append(nullptr, connect_to.c_str()),
                                                                     curl_slist_free_all);
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
        curl_slist_append(nullptr, "Accept: image/*, */*;q=0.5"), curl_slist_free_all);
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl || !pin || !headers) {
      return MakeError(ErrorCode::kUnavailable, "could not start fetching the URL (out of memory)");
    }
    CURL* c = curl.get();
    t.curl = c;
    char errbuf[CURL_ERROR_SIZE] = {};
    long connect_ms = std::min<long>(static_cast<long>(policy.connect_timeout_s) * 1000, static_cast<long>(left_ms));
    curl_easy_setopt(c, CURLOPT_CURLU, hop.target.curlu());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 0L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");    // never a proxy from http_proxy / HTTPS_PROXY
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
    curl_easy_setopt(c, CURLOPT_CONNECT_TO, pin.get());
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OnOpenSocket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "palettemaker-url-upload/1");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(left_ms));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c);

    if (!t.sink_status.ok()) return t.sink_status.error();
    if (t.socket_refused) return InternalAddress(hop.target.host());
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (code == 0) return TransferError(rc, errbuf, hop.target, policy.timeout_s);
    if (code >= 300 && code < 400) {
      curl_header* location = nullptr;
      if (curl_easy_header(c, "Location", 0, CURLH_HEADER, -1, &location) != CURLHE_OK || location == nullptr) {
        return MakeError(ErrorCode::kFetchFailed, "the server at " + hop.target.host() + " answered " +
                                                      std::to_string(code) + " without a Location to follow");
      }
      if (outcome.redirects >= policy.max_redirects) {
        return MakeError(ErrorCode::kFetchFailed, "the URL redirected more than " +
                                                      std::to_string(policy.max_redirects) + " times");
      }
      std::string next(location->value);
      PM_ASSIGN_OR_RETURN(VettedHop next_hop, VetHop(next, policy, resolver, &hop.target));
      curl.reset();  // it still points at hop.target's URL handle
      hop = std::move(next_hop);
      ++outcome.redirects;
      continue;
    }
    if (code < 200 || code >= 300) {
      return MakeError(ErrorCode::kFetchFailed,
                       "the server at " + hop.target.host() + " answered " + std::to_string(code) + " instead of the image");
    }
    if (rc != CURLE_OK) return TransferError(rc, errbuf, hop.target, policy.timeout_s);
    outcome.final_url = hop.target.url();
    outcome.bytes = t.bytes;
    return outcome;
  }
}

}  // namespace pm::app
