// Fetching an image from a URL a user gave us, without letting that user aim the server at
// itself or at the network behind it (SSRF). The defences, in order:
//
//   1. The URL is parsed by libcurl's URL API (the same parser that later connects), then
//      refused unless it is http or https, names no user/password, has an ASCII host and a port
//      from the policy. Spaces, control characters and backslashes are refused outright.
//   2. The host is resolved here (getaddrinfo, or the injected Resolver) and refused when ANY of
//      its addresses is not public: loopback, unspecified, private, CGNAT, link-local (cloud
//      metadata), multicast, reserved, documentation, and the IPv6 forms that embed such an IPv4
//      address (mapped, compatible, NAT64, 6to4). "localhost" and *.localhost are refused by name.
//   3. curl connects only to the vetted address: CURLOPT_CONNECT_TO pins every connection of the
//      transfer to it, and the open-socket callback refuses any other address (so DNS rebinding
//      between our lookup and curl's cannot swap it).
//   4. Redirects are not followed by curl: each Location is resolved against the current URL and
//      goes through 1-3 again, at most `max_redirects` times.
//   5. One deadline for the whole fetch, a connect timeout, no proxy from the environment,
//      protocols limited to http and https, only a 2xx final answer's body reaches the sink,
//      and the sink's error (e.g. too large) aborts the transfer at once.
//
// Errors: kInvalidArgument for a URL or address we refuse (the message says why);
// kFetchFailed for what the remote side did (DNS failure, refused connection, timeout, TLS,
// non-2xx, too many redirects); whatever the sink returned, unchanged.
//
// Thread-safe: no shared state besides curl_global_init (run once).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pm::app {

struct UrlFetchPolicy {
  bool allow_loopback = false;  // testing only: admit 127.0.0.0/8 and ::1, nothing else
  std::vector<int> ports = {80, 443};
  int max_redirects = 3;
  int timeout_s = 15;          // the whole fetch, redirects and name lookups included
  int connect_timeout_s = 5;   // each connection
};

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4
  bool operator==(const IpAddress&) const = default;
};

// A numeric address in its canonical spelling (inet_pton: dotted quad or IPv6), else nullopt.
std::optional<IpAddress> ParseIpLiteral(std::string_view text);
std::string FormatIp(const IpAddress& ip);  // "127.0.0.1", "::1"

enum class AddressClass {
  kPublic,    // may be fetched
  kLoopback,  // 127.0.0.0/8, ::1 (and IPv6 forms embedding 127/8): only with allow_loopback
  kInternal,  // everything else that is not public: never fetched
};
AddressClass ClassifyAddress(const IpAddress& ip);

// Resolves a host name to its addresses; kFetchFailed when the name does not resolve.
using Resolver = std::function<Result<std::vector<IpAddress>>(const std::string& host)>;
Result<std::vector<IpAddress>> SystemResolve(const std::string& host);

// A parsed, checked URL (step 1). Move-only: owns a CURLU handle.
class FetchTarget {
 public:
  FetchTarget();
  FetchTarget(FetchTarget&&) noexcept;
  FetchTarget& operator=(FetchTarget&&) noexcept;
  ~FetchTarget();

  const std::string& url() const { return url_; }        // normalised by curl
  const std::string& scheme() const { return scheme_; }  // "http" | "https"
  const std::string& host() const { return host_; }      // without IPv6 brackets
  int port() const { return port_; }
  // The last path segment, percent-decoded ("" for "/" or a trailing slash).
  const std::string& last_segment() const { return last_segment_; }
  void* curlu() const { return curlu_; }  // the CURLU*, for CURLOPT_CURLU

 private:
  friend Result<FetchTarget> ParseFetchUrl(std::string_view, const UrlFetchPolicy&, const FetchTarget*);
  void* curlu_ = nullptr;
  std::string url_, scheme_, host_, last_segment_;
  int port_ = 0;
};

// Step 1. With `base`, `url` is a redirect's Location, resolved against base (relative forms
// allowed). kInvalidArgument saying what is wrong.
Result<FetchTarget> ParseFetchUrl(std::string_view url, const UrlFetchPolicy& policy,
                                  const FetchTarget* base = nullptr);

// Step 2: the one address to connect to. kInvalidArgument when the host or any of its addresses
// is refused; the resolver's error (kFetchFailed) when it does not resolve.
Result<IpAddress> VetHost(const FetchTarget& target, const UrlFetchPolicy& policy, const Resolver& resolver);

// One hop of a fetch, vetted: ParseFetchUrl then VetHost. Used for the first URL and for every
// redirect, and by tests to check redirect targets without any network.
struct VettedHop {
  FetchTarget target;
  IpAddress address;
};
Result<VettedHop> VetHop(std::string_view url, const UrlFetchPolicy& policy, const Resolver& resolver,
                         const FetchTarget* base = nullptr);

// Receives the body of the final 2xx answer in pieces; an error aborts the transfer and is
// returned by FetchUrl unchanged.
using FetchSink = std::function<Status(std::string_view chunk)>;

struct FetchOutcome {
  std::string final_url;
  int redirects = 0;
  int64_t bytes = 0;
};

// Steps 1-5. Blocks for up to policy.timeout_s (plus name lookups).
Result<FetchOutcome> FetchUrl(std::string_view url, const UrlFetchPolicy& policy, const FetchSink& sink,
                              const Resolver& resolver = SystemResolve);

}  // namespace pm::app
