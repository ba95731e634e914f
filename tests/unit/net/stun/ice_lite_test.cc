// Tests for net/stun/ice_lite: real requests from Chrome and aioice accepted with the right
// credentials and refused, with the right reason and response, when anything is off.
#include "net/stun/ice_lite.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

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

// tests/data/stun/README.md says where these come from.
constexpr std::string_view kChromeUfrag = "uO5si1ua7cY4t8MM";
constexpr std::string_view kChromePwd = "r89XhWC9k2kW4Pns75vmwHIa";
constexpr std::string_view kAioiceUfrag = "Rc4sUfrg";
constexpr std::string_view kAioicePwd = "RingcastServerPwd0123456789+/";

std::vector<uint8_t> ReadData(const std::string& name) {
  std::ifstream in(std::filesystem::path(RINGCAST_STUN_TEST_DATA) / name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

IceLiteAgent Agent(std::string_view ufrag, std::string_view pwd) {
  return IceLiteAgent(IceCredentials{std::string(ufrag), std::string(pwd)});
}

sockaddr_in Peer() {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(50123);
  inet_pton(AF_INET, "198.51.100.7", &sin.sin_addr);
  return sin;
}

// Builds a Binding request the way a browser does, with optional pieces left out.
std::vector<uint8_t> Request(std::string_view username, std::string_view pwd, bool integrity,
                             bool fingerprint) {
  std::array<uint8_t, 256> buf{};
  MessageWriter w(buf, MessageType(kMethodBinding, MessageClass::kRequest),
                  TransactionId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  if (!username.empty()) w.AddString(attr::kUsername, username);
  w.AddUint64(attr::kIceControlling, 42);
  w.AddUint32(attr::kPriority, 0x6e7f1eff);
  if (integrity) w.AddMessageIntegrity(pwd);
  if (fingerprint) w.AddFingerprint();
  EXPECT_TRUE(w.ok());
  return {w.bytes().begin(), w.bytes().end()};
}

TEST(IceLite, ChromeRequestAcceptedAndAnswered) {
  const std::vector<uint8_t> req = ReadData("chrome_binding_request.bin");
  const IceLiteAgent agent = Agent(kChromeUfrag, kChromePwd);
  const CheckResult r = agent.Check(req);
  ASSERT_TRUE(r.ok()) << CheckErrorName(r.error);
  EXPECT_EQ(r.peer_ufrag, "Lw8/0C1CrvhZC1gb");
  EXPECT_TRUE(r.use_candidate);
  EXPECT_EQ(r.priority, 0x6e7f1effu);
  EXPECT_TRUE(r.ice_controlling);

  const sockaddr_in peer = Peer();
  std::array<uint8_t, 128> out{};
  std::optional<size_t> n =
      agent.WriteResponse(r, reinterpret_cast<const sockaddr*>(&peer), sizeof(peer), out);
  ASSERT_TRUE(n);
  std::span<const uint8_t> resp(out.data(), *n);
  std::optional<Message> m = ParseMessage(resp);
  ASSERT_TRUE(m && m->xor_mapped_address);
  EXPECT_EQ(m->cls, MessageClass::kSuccessResponse);
  EXPECT_EQ(m->transaction_id, r.transaction_id);
  EXPECT_EQ(m->xor_mapped_address->port, 50123);
  EXPECT_EQ(std::memcmp(m->xor_mapped_address->ip.data(), &peer.sin_addr, 4), 0);
  EXPECT_TRUE(VerifyMessageIntegrity(resp, kChromePwd));
  EXPECT_TRUE(VerifyFingerprint(resp));
}

TEST(IceLite, AioiceRequests) {
  const IceLiteAgent agent = Agent(kAioiceUfrag, kAioicePwd);
  const std::vector<uint8_t> controlling = ReadData("aioice_controlling_request.bin");
  CheckResult r = agent.Check(controlling);
  ASSERT_TRUE(r.ok()) << CheckErrorName(r.error);
  EXPECT_EQ(r.peer_ufrag, "vntd");
  EXPECT_TRUE(r.use_candidate);  // aioice nominates aggressively

  // An aioice agent that is controlled itself conflicts with our (lite, controlled) role.
  const std::vector<uint8_t> controlled = ReadData("aioice_controlled_request.bin");
  r = agent.Check(controlled);
  EXPECT_EQ(r.error, CheckError::kRoleConflict);
  std::array<uint8_t, 128> out{};
  const sockaddr_in peer = Peer();
  std::optional<size_t> n =
      agent.WriteResponse(r, reinterpret_cast<const sockaddr*>(&peer), sizeof(peer), out);
  ASSERT_TRUE(n);
  std::optional<Message> m = ParseMessage(std::span(out).first(*n));
  ASSERT_TRUE(m && m->error_code);
  EXPECT_EQ(m->error_code->code, 487);
  EXPECT_TRUE(VerifyMessageIntegrity(std::span(out).first(*n), kAioicePwd));
}

TEST(IceLite, Rfc5769RequestPassesCredentialChecks) {
  // The RFC sample is ICE-CONTROLLED, so after the credentials verify it is a role conflict.
  const IceLiteAgent agent = Agent("evtj", testing::kRfc5769Password);
  EXPECT_EQ(agent.Check(testing::kRfc5769Request).error, CheckError::kRoleConflict);
  EXPECT_EQ(Agent("evtj", "wrong-password-wrong-pw").Check(testing::kRfc5769Request).error,
            CheckError::kBadIntegrity);
}

TEST(IceLite, WrongPasswordRejectedWith401) {
  const std::vector<uint8_t> req = ReadData("chrome_binding_request.bin");
  const IceLiteAgent agent = Agent(kChromeUfrag, "r89XhWC9k2kW4Pns75vmwHIb");
  const CheckResult r = agent.Check(req);
  EXPECT_EQ(r.error, CheckError::kBadIntegrity);
  EXPECT_TRUE(r.peer_ufrag.empty());
  EXPECT_EQ(ErrorResponseCode(r.error), 401);
  std::array<uint8_t, 128> out{};
  const sockaddr_in peer = Peer();
  std::optional<size_t> n =
      agent.WriteResponse(r, reinterpret_cast<const sockaddr*>(&peer), sizeof(peer), out);
  ASSERT_TRUE(n);
  std::optional<Message> m = ParseMessage(std::span(out).first(*n));
  ASSERT_TRUE(m && m->error_code);
  EXPECT_EQ(m->error_code->code, 401);
  EXPECT_FALSE(m->integrity_offset);  // the credentials failed: nothing to key it with
}

TEST(IceLite, WrongUfragRejected) {
  const std::vector<uint8_t> req = ReadData("chrome_binding_request.bin");
  EXPECT_EQ(Agent("uO5si1ua7cY4t8MX", kChromePwd).Check(req).error, CheckError::kWrongUsername);
  EXPECT_EQ(Agent("uO5si1ua7cY4t8M", kChromePwd).Check(req).error, CheckError::kWrongUsername);
  EXPECT_EQ(Agent("uO5si1ua7cY4t8MM:", kChromePwd).Check(req).error, CheckError::kWrongUsername);
  // Right pwd, but a USERNAME with no peer part.
  EXPECT_EQ(Agent("abcd", "pwpwpwpwpwpwpwpwpwpwpw")
                .Check(Request("abcd:", "pwpwpwpwpwpwpwpwpwpwpw", true, true))
                .error,
            CheckError::kWrongUsername);
}

TEST(IceLite, FingerprintRequiredAndChecked) {
  const IceLiteAgent agent = Agent("abcd", "pwpwpwpwpwpwpwpwpwpwpw");
  EXPECT_TRUE(agent.Check(Request("abcd:efgh", "pwpwpwpwpwpwpwpwpwpwpw", true, true)).ok());
  const CheckResult r = agent.Check(Request("abcd:efgh", "pwpwpwpwpwpwpwpwpwpwpw", true, false));
  EXPECT_EQ(r.error, CheckError::kNoFingerprint);
  std::array<uint8_t, 128> out{};
  const sockaddr_in peer = Peer();
  EXPECT_FALSE(agent.WriteResponse(r, reinterpret_cast<const sockaddr*>(&peer), sizeof(peer), out));

  std::vector<uint8_t> req = ReadData("chrome_binding_request.bin");
  req[req.size() - 2] ^= 0x10;
  EXPECT_EQ(Agent(kChromeUfrag, kChromePwd).Check(req).error, CheckError::kBadFingerprint);
}

TEST(IceLite, MissingUsernameOrIntegrityGets400) {
  const IceLiteAgent agent = Agent("abcd", "pwpwpwpwpwpwpwpwpwpwpw");
  CheckResult r = agent.Check(Request("", "pwpwpwpwpwpwpwpwpwpwpw", true, true));
  EXPECT_EQ(r.error, CheckError::kNoUsername);
  EXPECT_EQ(ErrorResponseCode(r.error), 400);
  r = agent.Check(Request("abcd:efgh", "", false, true));
  EXPECT_EQ(r.error, CheckError::kNoIntegrity);
  EXPECT_EQ(ErrorResponseCode(r.error), 400);
}

TEST(IceLite, MalformedRequestsDropped) {
  const IceLiteAgent agent = Agent(kChromeUfrag, kChromePwd);
  std::vector<uint8_t> req = ReadData("chrome_binding_request.bin");
  CheckResult r = agent.Check(std::span(req).first(req.size() - 4));
  EXPECT_EQ(r.error, CheckError::kMalformed);
  EXPECT_EQ(r.parse_error, ParseError::kBadLength);
  EXPECT_EQ(ErrorResponseCode(r.error), 0);

  req[22] = 0x01;  // USERNAME length 0x0121: past the end
  r = agent.Check(req);
  EXPECT_EQ(r.error, CheckError::kMalformed);
  EXPECT_EQ(r.parse_error, ParseError::kAttributeOverrun);

  // A success response is not a request.
  EXPECT_EQ(agent.Check(testing::kRfc5769Ipv4Response).error, CheckError::kNotBindingRequest);
}

TEST(IceLite, LocalUfragFromRequest) {
  EXPECT_EQ(LocalUfragFromRequest(ReadData("chrome_binding_request.bin")), kChromeUfrag);
  EXPECT_EQ(LocalUfragFromRequest(ReadData("aioice_controlling_request.bin")), kAioiceUfrag);
  EXPECT_EQ(LocalUfragFromRequest(testing::kRfc5769Request), "evtj");
  EXPECT_FALSE(LocalUfragFromRequest(testing::kRfc5769Ipv4Response));
  EXPECT_FALSE(LocalUfragFromRequest(Request(":efgh", "x", true, true)));
  EXPECT_FALSE(LocalUfragFromRequest(Request("abcd", "x", true, true)));
}

TEST(IceLite, GeneratedCredentials) {
  const IceCredentials a = GenerateIceCredentials();
  const IceCredentials b = GenerateIceCredentials();
  EXPECT_EQ(a.ufrag.size(), 8u);
  EXPECT_EQ(a.pwd.size(), 24u);
  EXPECT_TRUE(IsIceChars(a.ufrag));
  EXPECT_TRUE(IsIceChars(a.pwd));
  EXPECT_NE(a.pwd, b.pwd);
  const IceCredentials small = GenerateIceCredentials(1, 1);
  EXPECT_EQ(small.ufrag.size(), kMinUfragLength);
  EXPECT_EQ(small.pwd.size(), kMinPwdLength);
  EXPECT_FALSE(IsIceChars("ab:c"));
  // A generated agent accepts a request made with its own credentials.
  const IceLiteAgent agent(a);
  EXPECT_TRUE(agent.Check(Request(a.ufrag + ":peer", a.pwd, true, true)).ok());
}

}  // namespace
}  // namespace ringcast::net::stun
