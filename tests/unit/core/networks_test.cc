#include "core/networks.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "gtest/gtest.h"

namespace ringcast::core {
namespace {

TEST(NetworkListTest, EmptyAllowsEveryone) {
  NetworkList list = *NetworkList::Parse(" , ");
  EXPECT_TRUE(list.empty());
  EXPECT_TRUE(list.Allows("192.0.2.7"));
  EXPECT_TRUE(list.Allows("not an address"));
}

TEST(NetworkListTest, PrefixesAndSingleAddressesOfBothFamilies) {
  NetworkList list = *NetworkList::Parse("10.0.0.0/8, 192.0.2.7, 2001:db8::/32 ,::1");
  EXPECT_EQ(list.ToString(), "10.0.0.0/8,192.0.2.7/32,2001:db8::/32,::1/128");
  EXPECT_TRUE(list.Allows("10.255.1.2"));
  EXPECT_FALSE(list.Allows("11.0.0.1"));
  EXPECT_TRUE(list.Allows("192.0.2.7"));
  EXPECT_FALSE(list.Allows("192.0.2.8"));
  EXPECT_TRUE(list.Allows("2001:db8:ffff::1"));
  EXPECT_FALSE(list.Allows("2001:db9::1"));
  EXPECT_TRUE(list.Allows("::1"));
  EXPECT_FALSE(list.Allows("::2"));
  // An IPv4-mapped IPv6 peer is its IPv4 address; text that is no address is not allowed.
  EXPECT_TRUE(list.Allows("::ffff:10.1.2.3"));
  EXPECT_FALSE(list.Allows("::ffff:11.1.2.3"));
  EXPECT_FALSE(list.Allows(""));
  EXPECT_FALSE(list.Allows("localhost"));
}

TEST(NetworkListTest, OddPrefixLengths) {
  NetworkList list = *NetworkList::Parse("192.0.2.128/25, 0.0.0.0/0");
  EXPECT_TRUE(list.Allows("203.0.113.1"));  // /0 is everyone of the family
  EXPECT_FALSE(list.Allows("2001:db8::1"));
  NetworkList narrow = *NetworkList::Parse("192.0.2.128/25");
  EXPECT_TRUE(narrow.Allows("192.0.2.200"));
  EXPECT_FALSE(narrow.Allows("192.0.2.127"));
}

TEST(NetworkListTest, SocketAddresses) {
  NetworkList list = *NetworkList::Parse("127.0.0.0/8");
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.9", &in.sin_addr);
  EXPECT_TRUE(list.Allows(reinterpret_cast<const sockaddr*>(&in), sizeof(in)));
  inet_pton(AF_INET, "128.0.0.9", &in.sin_addr);
  EXPECT_FALSE(list.Allows(reinterpret_cast<const sockaddr*>(&in), sizeof(in)));
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
  EXPECT_TRUE(list.Allows(reinterpret_cast<const sockaddr*>(&in6), sizeof(in6)));
  EXPECT_FALSE(list.Allows(nullptr, 0));
}

TEST(NetworkListTest, ErrorsNameTheItemAndTheReason) {
  auto error = [](std::string_view text) {
    return std::string(NetworkList::Parse(text).status().message());
  };
  EXPECT_EQ(error("10.0.0.0/8, 10.0.0.0/33"), "10.0.0.0/33: prefix over 32");
  EXPECT_EQ(error("2001:db8::/129"), "2001:db8::/129: prefix over 128");
  EXPECT_EQ(error("192.0.2.7/24"), "192.0.2.7/24: host bits set under the /24 prefix");
  EXPECT_EQ(error("camera.local"), "camera.local: not a numeric IPv4 or IPv6 address");
  EXPECT_EQ(error("10.0.0.0/"), "10.0.0.0/: the prefix length is not a number");
  EXPECT_EQ(error("10.0.0.0/8x"), "10.0.0.0/8x: the prefix length is not a number");
  EXPECT_TRUE(NetworkList::CheckItem(" 10.0.0.0/8 ").ok());
}

}  // namespace
}  // namespace ringcast::core
