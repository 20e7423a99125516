#include "common/cidr.h"

#include <catch2/catch.hpp>

namespace pm {
namespace {

std::vector<Cidr> List(std::string_view text) {
  auto r = ParseCidrList(text);
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("CIDR lists match IPv4, IPv6 and IPv4-mapped addresses") {
  auto nets = List("127.0.0.0/8, ::1/128,10.20.0.0/16");
  CHECK(CidrContains(nets, "127.0.0.1"));
  CHECK(CidrContains(nets, "127.255.3.4"));
  CHECK(CidrContains(nets, "::1"));
  CHECK(CidrContains(nets, "[::1]"));
  CHECK(CidrContains(nets, "::ffff:127.0.0.1"));  // dual-stack socket, IPv4 peer
  CHECK(CidrContains(nets, "10.20.255.1"));
  CHECK_FALSE(CidrContains(nets, "10.21.0.1"));
  CHECK_FALSE(CidrContains(nets, "128.0.0.1"));
  CHECK_FALSE(CidrContains(nets, "::2"));
  CHECK_FALSE(CidrContains(nets, "not an address"));
  CHECK_FALSE(CidrContains(nets, ""));
}

TEST_CASE("prefix lengths that are not whole bytes") {
  auto nets = List("192.0.2.64/26,2001:db8::/33");
  CHECK(CidrContains(nets, "192.0.2.64"));
  CHECK(CidrContains(nets, "192.0.2.127"));
  CHECK_FALSE(CidrContains(nets, "192.0.2.128"));
  CHECK_FALSE(CidrContains(nets, "192.0.2.63"));
  CHECK(CidrContains(nets, "2001:db8:7fff::1"));
  CHECK_FALSE(CidrContains(nets, "2001:db8:8000::1"));
}

TEST_CASE("a bare address is one host; /0 is everything of its family") {
  CHECK(CidrContains(List("203.0.113.7"), "203.0.113.7"));
  CHECK_FALSE(CidrContains(List("203.0.113.7"), "203.0.113.8"));
  CHECK(CidrContains(List("0.0.0.0/0"), "8.8.8.8"));
  CHECK_FALSE(CidrContains(List("0.0.0.0/0"), "2001:db8::1"));
  CHECK(List("").empty());
  CHECK(List("  ").empty());
}

TEST_CASE("bad networks are refused with the offending text") {
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.1/8", "300.1.1.1", "10.0.0.0/", "10.0.0.0/x",
                          "localhost", "10.0.0.0/8,", "fe80::/10/1"}) {
    auto r = ParseCidrList(bad);
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find("is not a network") != std::string::npos);
  }
}

}  // namespace
}  // namespace pm
