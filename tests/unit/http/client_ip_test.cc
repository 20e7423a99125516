// ClientIpFromForwardedFor: the client IP behind server.trusted_proxy_hops reverse proxies.
#include <catch2/catch.hpp>

#include "http/exchange.h"

using pm::http::ClientIpFromForwardedFor;

TEST_CASE("without trusted hops the peer address is the client, whatever the header says", "[http][xff]") {
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "1.2.3.4", 0) == "10.0.0.9");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "", 0) == "10.0.0.9");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "1.2.3.4", -1) == "10.0.0.9");
}

TEST_CASE("the entry that many hops from the right is the client", "[http][xff]") {
  // One proxy: it appended the address it saw, the rightmost; whatever the client sent is left
  // of it and is ignored.
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "203.0.113.7", 1) == "203.0.113.7");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "6.6.6.6, 203.0.113.7", 1) == "203.0.113.7");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "6.6.6.6,203.0.113.7", 1) == "203.0.113.7");
  // Two proxies (CDN, then nginx): nginx appended the CDN's address.
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "6.6.6.6, 203.0.113.7, 198.51.100.2", 2) == "203.0.113.7");
  // Several headers arrive joined with ','.
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "6.6.6.6,203.0.113.7, 198.51.100.2", 2) == "203.0.113.7");
  // Fewer entries than hops: the leftmost, which a trusted proxy still wrote.
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "203.0.113.7", 3) == "203.0.113.7");
  // Empty entries are skipped.
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "203.0.113.7, ,", 1) == "203.0.113.7");
}

TEST_CASE("ports and brackets are dropped; IPv6 works", "[http][xff]") {
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "203.0.113.7:4711", 1) == "203.0.113.7");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "2001:db8::1", 1) == "2001:db8::1");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "[2001:db8::1]:443", 1) == "2001:db8::1");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "[2001:db8::1]", 1) == "2001:db8::1");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "::ffff:192.0.2.1", 1) == "::ffff:192.0.2.1");
}

TEST_CASE("a missing or malformed entry falls back to the peer", "[http][xff]") {
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "", 1) == "10.0.0.9");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", " , ", 1) == "10.0.0.9");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "unknown", 1) == "10.0.0.9");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "1.2.3", 1) == "10.0.0.9");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "1.2.3.4; drop table", 1) == "10.0.0.9");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "[::1", 1) == "10.0.0.9");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "[::1]x", 1) == "10.0.0.9");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", std::string(100, '1'), 1) == "10.0.0.9");
  CHECK(ClientIpFromForwardedFor("10.0.0.9", "1.2.3.4, bogus", 1) == "10.0.0.9");
}
