// IP networks in CIDR notation ("127.0.0.0/8", "::1/128", "10.1.2.3" = one host) and matching a
// textual address against a list of them. Used by the /metrics access rule (metrics.allow_networks).
// Parsing and matching are by inet_pton on fixed-size bytes; IPv4-mapped IPv6 addresses
// (::ffff:127.0.0.1, what a dual-stack socket reports for an IPv4 peer) match IPv4 networks.
// Thread safety: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pm {

struct Cidr {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4
  int prefix = 0;                   // 0..32 or 0..128
};

// One network. kInvalidArgument naming the text when it is not an address with an optional
// /prefix in range, or has host bits set beyond the prefix (a likely typo: 10.0.0.1/8).
Result<Cidr> ParseCidr(std::string_view text);
// Comma-separated networks, spaces allowed; "" is the empty list.
Result<std::vector<Cidr>> ParseCidrList(std::string_view text);
// True when `address` (textual IPv4 or IPv6, optionally in brackets) is inside any network.
// An unparsable address matches nothing.
bool CidrContains(const std::vector<Cidr>& networks, std::string_view address);

}  // namespace pm
