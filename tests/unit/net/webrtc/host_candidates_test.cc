// HostCandidates: which addresses the answer offers for the UDP port as it is bound.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "net/socket.h"
#include "net/webrtc/server.h"

namespace ringcast::net::webrtc {
namespace {

SocketAddress Parse(const std::string& text) {
  absl::StatusOr<SocketAddress> address = ParseSocketAddress(text);
  EXPECT_TRUE(address.ok()) << address.status();
  return address.ok() ? *address : SocketAddress{};
}

bool IsIpv6(const std::string& address) { return address.find(':') != std::string::npos; }

TEST(HostCandidates, ASocketBoundToOneAddressOffersThatAddress) {
  EXPECT_EQ(HostCandidates(Parse("127.0.0.1:0")), std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(HostCandidates(Parse("[::1]:0")), std::vector<std::string>{"::1"});
  EXPECT_EQ(HostCandidates(Parse("[2001:db8::10]:0")), std::vector<std::string>{"2001:db8::10"});
  EXPECT_EQ(HostCandidates(Parse("[::ffff:192.0.2.7]:0")), std::vector<std::string>{"192.0.2.7"});
}

TEST(HostCandidates, AnIpv4WildcardOffersIpv4Only) {
  std::vector<std::string> candidates = HostCandidates(Parse("0.0.0.0:0"));
  ASSERT_FALSE(candidates.empty());
  for (const std::string& c : candidates) EXPECT_FALSE(IsIpv6(c)) << c;
}

TEST(HostCandidates, ADualStackWildcardOffersIpv4FirstAndNoLinkLocal) {
  std::vector<std::string> candidates = HostCandidates(Parse(":0"));
  ASSERT_FALSE(candidates.empty());
  bool seen_v6 = false;
  for (const std::string& c : candidates) {
    if (IsIpv6(c)) {
      seen_v6 = true;
      in6_addr address{};
      ASSERT_EQ(inet_pton(AF_INET6, c.c_str(), &address), 1) << c;
      EXPECT_FALSE(IN6_IS_ADDR_LINKLOCAL(&address)) << c;
    } else {
      EXPECT_FALSE(seen_v6) << "IPv4 candidate " << c << " after an IPv6 one";
    }
  }
  // This machine's loopback ::1 is offered only when nothing but loopback is up; either way no
  // address appears twice.
  for (size_t i = 0; i < candidates.size(); ++i) {
    for (size_t j = i + 1; j < candidates.size(); ++j) EXPECT_NE(candidates[i], candidates[j]);
  }
}

}  // namespace
}  // namespace ringcast::net::webrtc
