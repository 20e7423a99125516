#include "common/cidr.h"

#include <arpa/inet.h>

#include <cstring>

namespace pm {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses an address into `out`; IPv4-mapped IPv6 becomes IPv4.
bool ParseAddress(std::string_view text, Cidr* out) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 45) return false;
  std::string s(text);
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out->v6 = false;
    out->bytes = {};
    std::memcpy(out->bytes.data(), &v4, 4);
    return true;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return false;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6.s6_addr, kMapped, 12) == 0) {
    out->v6 = false;
    out->bytes = {};
    std::memcpy(out->bytes.data(), v6.s6_addr + 12, 4);
    return true;
  }
  out->v6 = true;
  std::memcpy(out->bytes.data(), v6.s6_addr, 16);
  return true;
}

bool PrefixMatches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int prefix) {
  int full = prefix / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

Result<Cidr> ParseCidr(std::string_view text) {
  text = Trim(text);
  auto bad = [&](const char* why) {
    return MakeError(ErrorCode::kInvalidArgument, "\"" + std::string(text) + "\" is not a network: " + why);
  };
  size_t slash = text.find('/');
  Cidr out;
  if (!ParseAddress(text.substr(0, slash), &out)) return bad("expected an IPv4 or IPv6 address like 10.0.0.0/8");
  const int max = out.v6 ? 128 : 32;
  out.prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3) return bad("the prefix length must be a number");
    int v = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return bad("the prefix length must be a number");
      v = v * 10 + (c - '0');
    }
    if (v > max) return bad(out.v6 ? "an IPv6 prefix length is at most 128" : "an IPv4 prefix length is at most 32");
    out.prefix = v;
  }
  // Host bits set beyond the prefix: compare with itself masked.
  Cidr masked = out;
  for (int bit = out.prefix; bit < max; ++bit) masked.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  if (masked.bytes != out.bytes) return bad("address bits are set beyond the prefix length");
  return out;
}

Result<std::vector<Cidr>> ParseCidrList(std::string_view text) {
  std::vector<Cidr> out;
  if (Trim(text).empty()) return out;
  while (true) {
    size_t comma = text.find(',');
    PM_ASSIGN_OR_RETURN(Cidr c, ParseCidr(text.substr(0, comma)));
    out.push_back(c);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool CidrContains(const std::vector<Cidr>& networks, std::string_view address) {
  Cidr a;
  if (!ParseAddress(Trim(address), &a)) return false;
  for (const Cidr& n : networks) {
    if (n.v6 == a.v6 && PrefixMatches(n.bytes, a.bytes, n.prefix)) return true;
  }
  return false;
}

}  // namespace pm
