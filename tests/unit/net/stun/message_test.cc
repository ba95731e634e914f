// Tests for net/stun/message: RFC 5769 vectors byte for byte, a Chrome capture, and broken
// messages (truncated, overrunning attributes, corrupted integrity and fingerprint).
#include "net/stun/message.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/unit/net/stun/rfc5769_vectors.h"

namespace ringcast::net::stun {
namespace {

using testing::kRfc5769Ipv4Response;
using testing::kRfc5769Ipv6Response;
using testing::kRfc5769Password;
using testing::kRfc5769Request;
using testing::kRfc5769TransactionId;

std::vector<uint8_t> ReadData(const std::string& name) {
  std::ifstream in(std::filesystem::path(RINGCAST_STUN_TEST_DATA) / name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <typename Bytes>
std::vector<uint8_t> Copy(const Bytes& bytes) {
  return {bytes.begin(), bytes.end()};
}

sockaddr_in Ipv4(const char* ip, uint16_t port) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
  return sin;
}

sockaddr_in6 Ipv6(const char* ip, uint16_t port) {
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1);
  return sin6;
}

TEST(StunMessage, Crc32KnownValue) {
  const std::string_view check = "123456789";
  EXPECT_EQ(Crc32({reinterpret_cast<const uint8_t*>(check.data()), check.size()}), 0xCBF43926u);
}

TEST(StunMessage, MessageTypeEncoding) {
  EXPECT_EQ(MessageType(kMethodBinding, MessageClass::kRequest), 0x0001);
  EXPECT_EQ(MessageType(kMethodBinding, MessageClass::kIndication), 0x0011);
  EXPECT_EQ(MessageType(kMethodBinding, MessageClass::kSuccessResponse), 0x0101);
  EXPECT_EQ(MessageType(kMethodBinding, MessageClass::kErrorResponse), 0x0111);
}

TEST(StunMessage, IsStunFollowsRfc7983) {
  EXPECT_TRUE(IsStun(kRfc5769Request));
  std::vector<uint8_t> dtls = Copy(kRfc5769Request);
  dtls[0] = 22;  // DTLS handshake
  EXPECT_FALSE(IsStun(dtls));
  std::vector<uint8_t> rtp = Copy(kRfc5769Request);
  rtp[0] = 0x80;
  EXPECT_FALSE(IsStun(rtp));
  std::vector<uint8_t> no_cookie = Copy(kRfc5769Request);
  no_cookie[5] ^= 1;
  EXPECT_FALSE(IsStun(no_cookie));
  EXPECT_FALSE(IsStun(std::span(kRfc5769Request).first(19)));
}

TEST(StunMessage, Rfc5769SampleRequest) {
  std::optional<Message> m = ParseMessage(kRfc5769Request);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method, kMethodBinding);
  EXPECT_EQ(m->cls, MessageClass::kRequest);
  EXPECT_EQ(m->length, 0x58);
  EXPECT_EQ(m->transaction_id, kRfc5769TransactionId);
  EXPECT_EQ(m->software, "STUN test client");
  EXPECT_EQ(m->username, "evtj:h6vY");
  EXPECT_EQ(m->priority, 0x6e0001ffu);
  EXPECT_EQ(m->ice_controlled, 0x932ff9b151263b36u);
  EXPECT_FALSE(m->ice_controlling);
  EXPECT_FALSE(m->use_candidate);
  EXPECT_EQ(m->integrity_offset, 76u);
  EXPECT_EQ(m->fingerprint_offset, 100u);
  EXPECT_EQ(m->unknown_count, 0u);
  EXPECT_TRUE(VerifyMessageIntegrity(kRfc5769Request, kRfc5769Password));
  EXPECT_FALSE(VerifyMessageIntegrity(kRfc5769Request, "VOkJxbRl1RmTxUk/WvJxBT"));
  EXPECT_TRUE(VerifyFingerprint(kRfc5769Request));
}

TEST(StunMessage, Rfc5769Ipv4Response) {
  std::optional<Message> m = ParseMessage(kRfc5769Ipv4Response);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->cls, MessageClass::kSuccessResponse);
  EXPECT_EQ(m->software, "test vector");
  ASSERT_TRUE(m->xor_mapped_address);
  EXPECT_EQ(m->xor_mapped_address->family, 1);
  EXPECT_EQ(m->xor_mapped_address->port, 32853);
  sockaddr_storage ss;
  ASSERT_EQ(m->xor_mapped_address->ToSockaddr(ss), sizeof(sockaddr_in));
  char text[INET6_ADDRSTRLEN];
  ASSERT_TRUE(
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, text, sizeof(text)));
  EXPECT_STREQ(text, "192.0.2.1");
  EXPECT_TRUE(VerifyMessageIntegrity(kRfc5769Ipv4Response, kRfc5769Password));
  EXPECT_TRUE(VerifyFingerprint(kRfc5769Ipv4Response));
}

TEST(StunMessage, Rfc5769Ipv6Response) {
  std::optional<Message> m = ParseMessage(kRfc5769Ipv6Response);
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->xor_mapped_address);
  EXPECT_EQ(m->xor_mapped_address->family, 2);
  EXPECT_EQ(m->xor_mapped_address->port, 32853);
  sockaddr_storage ss;
  ASSERT_EQ(m->xor_mapped_address->ToSockaddr(ss), sizeof(sockaddr_in6));
  char text[INET6_ADDRSTRLEN];
  ASSERT_TRUE(
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, text, sizeof(text)));
  EXPECT_STREQ(text, "2001:db8:1234:5678:11:2233:4455:6677");
  EXPECT_TRUE(VerifyMessageIntegrity(kRfc5769Ipv6Response, kRfc5769Password));
  EXPECT_TRUE(VerifyFingerprint(kRfc5769Ipv6Response));
}

// RFC 5769's sample response for `peer`: SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and
// FINGERPRINT, padded with spaces as the RFC pads.
std::vector<uint8_t> WriteSampleResponse(const sockaddr* peer, socklen_t length) {
  std::array<uint8_t, 128> buf{};
  MessageWriter w(buf, MessageType(kMethodBinding, MessageClass::kSuccessResponse),
                  kRfc5769TransactionId);
  w.set_padding_byte(0x20);
  EXPECT_TRUE(w.AddString(attr::kSoftware, "test vector"));
  EXPECT_TRUE(w.AddXorMappedAddress(peer, length));
  EXPECT_TRUE(w.AddMessageIntegrity(kRfc5769Password));
  EXPECT_TRUE(w.AddFingerprint());
  EXPECT_TRUE(w.ok());
  return Copy(w.bytes());
}

TEST(StunMessage, WriterReproducesRfc5769Ipv4Response) {
  const sockaddr_in peer = Ipv4("192.0.2.1", 32853);
  EXPECT_EQ(WriteSampleResponse(reinterpret_cast<const sockaddr*>(&peer), sizeof(peer)),
            Copy(kRfc5769Ipv4Response));
}

// A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; the peer knows itself by its IPv4
// address, so that is what XOR-MAPPED-ADDRESS says: byte for byte the RFC's IPv4 response.
TEST(StunMessage, WriterAnswersAV4MappedPeerWithItsIpv4Address) {
  const sockaddr_in6 peer = Ipv6("::ffff:192.0.2.1", 32853);
  EXPECT_EQ(WriteSampleResponse(reinterpret_cast<const sockaddr*>(&peer), sizeof(peer)),
            Copy(kRfc5769Ipv4Response));
}

TEST(StunMessage, WriterReproducesRfc5769Ipv6Response) {
  const sockaddr_in6 peer = Ipv6("2001:db8:1234:5678:11:2233:4455:6677", 32853);
  EXPECT_EQ(WriteSampleResponse(reinterpret_cast<const sockaddr*>(&peer), sizeof(peer)),
            Copy(kRfc5769Ipv6Response));
}

// ICE passwords may be up to 256 characters (RFC 8839 §5.4), longer than SHA-1's 64-byte block:
// the key is hashed first (RFC 2104 §2). The TLS library's own one-shot HMAC is the oracle.
TEST(StunMessage, MessageIntegrityWithPasswordsLongerThanTheBlock) {
  for (size_t length : {22u, 64u, 65u, 256u}) {
    std::string password(length, 'p');
    for (size_t i = 0; i < length; ++i) password[i] = static_cast<char>('a' + i % 26);
    std::array<uint8_t, 128> buf{};
    MessageWriter w(buf, MessageType(kMethodBinding, MessageClass::kRequest),
                    kRfc5769TransactionId);
    ASSERT_TRUE(w.AddString(attr::kUsername, "abcd:efgh"));
    const size_t before_integrity = w.size();
    ASSERT_TRUE(w.AddMessageIntegrity(password));
    ASSERT_TRUE(w.ok());
    std::vector<uint8_t> message = Copy(w.bytes());
    // The HMAC input: the message up to MESSAGE-INTEGRITY, its header length counting it.
    uint8_t expected[EVP_MAX_MD_SIZE];
    unsigned expected_length = 0;
    ASSERT_NE(HMAC(EVP_sha1(), password.data(), static_cast<int>(password.size()), message.data(),
                   before_integrity, expected, &expected_length),
              nullptr);
    ASSERT_EQ(expected_length, 20u);
    EXPECT_EQ(std::vector<uint8_t>(message.begin() + before_integrity + 4, message.end()),
              std::vector<uint8_t>(expected, expected + 20))
        << "password of " << length;
    EXPECT_TRUE(VerifyMessageIntegrity(message, password)) << length;
    EXPECT_FALSE(VerifyMessageIntegrity(message, password + "x")) << length;
  }
}

TEST(StunMessage, WriteBindingSuccessMatchesRfcApartFromPadding) {
  const sockaddr_in peer = Ipv4("192.0.2.1", 32853);
  std::array<uint8_t, 128> buf{};
  std::optional<size_t> n =
      WriteBindingSuccess(buf, kRfc5769TransactionId, reinterpret_cast<const sockaddr*>(&peer),
                          sizeof(peer), kRfc5769Password, "test vector");
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, kRfc5769Ipv4Response.size());
  std::vector<uint8_t> expected = Copy(kRfc5769Ipv4Response);
  std::vector<uint8_t> got(buf.begin(), buf.begin() + *n);
  // Up to the SOFTWARE padding byte (0x20 in the RFC, 0 here) the bytes are the RFC's.
  EXPECT_TRUE(std::equal(got.begin(), got.begin() + 35, expected.begin()));
  EXPECT_EQ(got[35], 0);
  EXPECT_TRUE(std::equal(got.begin() + 36, got.begin() + 48, expected.begin() + 36));
  EXPECT_TRUE(VerifyMessageIntegrity(got, kRfc5769Password));
  EXPECT_TRUE(VerifyFingerprint(got));
  std::optional<Message> m = ParseMessage(got);
  ASSERT_TRUE(m && m->xor_mapped_address);
  EXPECT_EQ(m->xor_mapped_address->port, 32853);
}

TEST(StunMessage, WriterFailsOnSmallBuffer) {
  const sockaddr_in peer = Ipv4("192.0.2.1", 32853);
  std::array<uint8_t, 64> buf{};
  for (size_t size : {0, 19, 20, 32, 56, 60, 63}) {
    EXPECT_FALSE(WriteBindingSuccess(std::span(buf).first(size), kRfc5769TransactionId,
                                     reinterpret_cast<const sockaddr*>(&peer), sizeof(peer),
                                     kRfc5769Password))
        << size;
  }
  EXPECT_TRUE(WriteBindingSuccess(buf, kRfc5769TransactionId,
                                  reinterpret_cast<const sockaddr*>(&peer), sizeof(peer),
                                  kRfc5769Password));
  sockaddr unix_addr{};
  unix_addr.sa_family = AF_UNIX;
  EXPECT_FALSE(WriteBindingSuccess(buf, kRfc5769TransactionId, &unix_addr, sizeof(unix_addr),
                                   kRfc5769Password));
}

TEST(StunMessage, ErrorResponses) {
  std::array<uint8_t, 128> buf{};
  std::optional<size_t> n = WriteBindingError(buf, kRfc5769TransactionId, 401);
  ASSERT_TRUE(n);
  std::span<const uint8_t> bytes(buf.data(), *n);
  std::optional<Message> m = ParseMessage(bytes);
  ASSERT_TRUE(m && m->error_code);
  EXPECT_EQ(m->cls, MessageClass::kErrorResponse);
  EXPECT_EQ(m->error_code->code, 401);
  EXPECT_EQ(m->error_code->reason, "Unauthorized");
  EXPECT_FALSE(m->integrity_offset);
  EXPECT_TRUE(VerifyFingerprint(bytes));

  n = WriteBindingError(buf, kRfc5769TransactionId, 487, "pwd");
  ASSERT_TRUE(n);
  bytes = {buf.data(), *n};
  m = ParseMessage(bytes);
  ASSERT_TRUE(m && m->error_code);
  EXPECT_EQ(m->error_code->code, 487);
  EXPECT_TRUE(VerifyMessageIntegrity(bytes, "pwd"));
  EXPECT_TRUE(VerifyFingerprint(bytes));
  EXPECT_FALSE(WriteBindingError(buf, kRfc5769TransactionId, 200));
}

TEST(StunMessage, ChromeBindingRequest) {
  const std::vector<uint8_t> req = ReadData("chrome_binding_request.bin");
  ASSERT_EQ(req.size(), 116u);
  std::optional<Message> m = ParseMessage(req);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->cls, MessageClass::kRequest);
  EXPECT_EQ(m->username, "uO5si1ua7cY4t8MM:Lw8/0C1CrvhZC1gb");
  EXPECT_TRUE(m->ice_controlling);
  EXPECT_TRUE(m->use_candidate);
  EXPECT_EQ(m->priority, 0x6e7f1effu);
  EXPECT_TRUE(VerifyMessageIntegrity(req, "r89XhWC9k2kW4Pns75vmwHIa"));
  EXPECT_TRUE(VerifyFingerprint(req));
}

TEST(StunMessage, CorruptionIsDetected) {
  std::vector<uint8_t> bad = Copy(kRfc5769Request);
  bad[30] ^= 0x01;  // inside SOFTWARE: covered by both
  EXPECT_FALSE(VerifyMessageIntegrity(bad, kRfc5769Password));
  EXPECT_FALSE(VerifyFingerprint(bad));
  bad = Copy(kRfc5769Request);
  bad[bad.size() - 1] ^= 0x80;  // the CRC itself
  EXPECT_TRUE(VerifyMessageIntegrity(bad, kRfc5769Password));
  EXPECT_FALSE(VerifyFingerprint(bad));
  bad = Copy(kRfc5769Request);
  bad[90] ^= 0x01;  // the HMAC
  EXPECT_FALSE(VerifyMessageIntegrity(bad, kRfc5769Password));
}

TEST(StunMessage, RejectsTruncatedAndOverrunning) {
  ParseError error = ParseError::kNone;
  EXPECT_FALSE(ParseMessage(std::span(kRfc5769Request).first(10), &error));
  EXPECT_EQ(error, ParseError::kTooShort);
  EXPECT_FALSE(ParseMessage(std::span(kRfc5769Request).first(104), &error));
  EXPECT_EQ(error, ParseError::kBadLength);

  std::vector<uint8_t> bad = Copy(kRfc5769Request);
  bad[3] = 0x57;  // length not a multiple of 4
  EXPECT_FALSE(ParseMessage(bad, &error));
  EXPECT_EQ(error, ParseError::kBadLength);

  bad = Copy(kRfc5769Request);
  bad[62] = 0x01;  // USERNAME length 0x0109: past the end of the message
  EXPECT_FALSE(ParseMessage(bad, &error));
  EXPECT_EQ(error, ParseError::kAttributeOverrun);

  // A header that claims less than the datagram holds: the tail is refused, not ignored.
  bad = Copy(kRfc5769Request);
  bad.push_back(0);
  bad.push_back(0);
  bad.push_back(0);
  bad.push_back(0);
  EXPECT_FALSE(ParseMessage(bad, &error));
  EXPECT_EQ(error, ParseError::kBadLength);

  bad = Copy(kRfc5769Request);
  bad[4] = 0;  // cookie
  EXPECT_FALSE(ParseMessage(bad, &error));
  EXPECT_EQ(error, ParseError::kNotStun);
}

TEST(StunMessage, RejectsBadKnownAttributes) {
  std::vector<uint8_t> bad = Copy(kRfc5769Ipv4Response);
  bad[41] = 3;  // XOR-MAPPED-ADDRESS family 3
  ParseError error = ParseError::kNone;
  EXPECT_FALSE(ParseMessage(bad, &error));
  EXPECT_EQ(error, ParseError::kBadAttribute);
}

TEST(StunMessage, UnknownAttributesAndOrderingRules) {
  std::array<uint8_t, 256> buf{};
  MessageWriter w(buf, MessageType(kMethodBinding, MessageClass::kRequest), kRfc5769TransactionId);
  const std::array<uint8_t, 3> value = {1, 2, 3};
  w.AddAttribute(0xC057, value);
  w.AddString(attr::kUsername, "a:b");
  w.AddMessageIntegrity("key");
  w.AddString(attr::kSoftware, "after integrity");  // ignored by receivers (§15.4)
  w.AddFingerprint();
  ASSERT_TRUE(w.ok());
  std::optional<Message> m = ParseMessage(w.bytes());
  ASSERT_TRUE(m);
  ASSERT_EQ(m->unknown_attributes().size(), 1u);
  EXPECT_EQ(m->unknown_attributes()[0].type, 0xC057);
  EXPECT_EQ(m->unknown_attributes()[0].offset, 24u);
  EXPECT_EQ(m->unknown_attributes()[0].length, 3u);
  EXPECT_FALSE(m->software);
  EXPECT_TRUE(VerifyMessageIntegrity(w.bytes(), "key"));
  EXPECT_TRUE(VerifyFingerprint(w.bytes()));

  // Nothing may follow FINGERPRINT.
  MessageWriter w2(buf, MessageType(kMethodBinding, MessageClass::kRequest), kRfc5769TransactionId);
  w2.AddFingerprint();
  w2.AddUint32(attr::kPriority, 1);
  ASSERT_TRUE(w2.ok());
  ParseError error = ParseError::kNone;
  EXPECT_FALSE(ParseMessage(w2.bytes(), &error));
  EXPECT_EQ(error, ParseError::kAfterFingerprint);
}

}  // namespace
}  // namespace ringcast::net::stun
