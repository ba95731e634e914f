// Fuzz target for net/stun: ParseMessage, both integrity checks, the ICE-lite check and the
// writer.
//
// Each input is classified (IsStun), parsed, checked for FINGERPRINT and for MESSAGE-INTEGRITY
// with a fixed key, and run through an IceLiteAgent with fixed credentials, whose response (if
// any) must itself parse and carry a valid FINGERPRINT. Properties checked: every view points
// inside the input; the whole-message and parsed-message variants of each check agree; when a
// message parses, writing back everything the writer can write (with MESSAGE-INTEGRITY and
// FINGERPRINT) gives a message that parses to the same fields and verifies. Seeds (corpus/stun)
// are the RFC 5769 vectors and the captures of tests/data/stun.
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/stun/ice_lite.h"
#include "net/stun/message.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ringcast::net::stun::Address;
using ringcast::net::stun::CheckResult;
using ringcast::net::stun::IceCredentials;
using ringcast::net::stun::IceLiteAgent;
using ringcast::net::stun::Message;
using ringcast::net::stun::MessageWriter;
using ringcast::net::stun::ParseError;
using ringcast::net::stun::ParseMessage;
namespace attr = ringcast::net::stun::attr;
namespace stun = ringcast::net::stun;

constexpr std::string_view kKey = "VOkJxbRl1RmTxUk/WvJxBt";  // RFC 5769's password

bool Inside(std::string_view s, std::span<const uint8_t> outer) {
  if (s.empty()) return true;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  return p >= outer.data() && p + s.size() <= outer.data() + outer.size();
}

void CheckViews(const Message& m, std::span<const uint8_t> in) {
  if (m.username) FUZZ_CHECK(Inside(*m.username, in));
  if (m.software) FUZZ_CHECK(Inside(*m.software, in));
  if (m.error_code) FUZZ_CHECK(Inside(m.error_code->reason, in));
  FUZZ_CHECK(m.unknown_count <= m.unknown.size() && m.unknown_count <= m.unknown_total);
  for (const auto& a : m.unknown_attributes()) {
    FUZZ_CHECK(a.offset + size_t{a.length} <= in.size());
  }
  if (m.integrity_offset) FUZZ_CHECK(*m.integrity_offset + 24 <= in.size());
  if (m.fingerprint_offset) FUZZ_CHECK(*m.fingerprint_offset + 8 == in.size());
}

// Writes back what the writer can express and checks it parses to the same fields.
void RoundTrip(const Message& m, std::span<const uint8_t> in) {
  static std::array<uint8_t, 70000> buf;
  MessageWriter w(buf, m.type, m.transaction_id);
  if (m.username) w.AddString(attr::kUsername, *m.username);
  if (m.software) w.AddString(attr::kSoftware, *m.software);
  if (m.xor_mapped_address) w.AddXorMappedAddress(*m.xor_mapped_address);
  if (m.priority) w.AddUint32(attr::kPriority, *m.priority);
  if (m.use_candidate) w.AddAttribute(attr::kUseCandidate, {});
  if (m.ice_controlled) w.AddUint64(attr::kIceControlled, *m.ice_controlled);
  if (m.ice_controlling) w.AddUint64(attr::kIceControlling, *m.ice_controlling);
  if (m.error_code) w.AddErrorCode(m.error_code->code, m.error_code->reason);
  for (const auto& a : m.unknown_attributes())
    w.AddAttribute(a.type, in.subspan(a.offset, a.length));
  w.AddMessageIntegrity(kKey);
  w.AddFingerprint();
  if (!w.ok()) {
    // Only an input near the 64 KiB length limit leaves no room for the two trailers.
    FUZZ_CHECK(m.length > 65535 - 64);
    return;
  }
  const std::span<const uint8_t> out = w.bytes();
  ParseError error = ParseError::kNone;
  std::optional<Message> back = ParseMessage(out, &error);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(back->type == m.type && back->transaction_id == m.transaction_id);
  FUZZ_CHECK(back->method == m.method && back->cls == m.cls);
  FUZZ_CHECK(back->username == m.username && back->software == m.software);
  FUZZ_CHECK(back->priority == m.priority && back->use_candidate == m.use_candidate);
  FUZZ_CHECK(back->ice_controlled == m.ice_controlled);
  FUZZ_CHECK(back->ice_controlling == m.ice_controlling);
  FUZZ_CHECK(back->xor_mapped_address.has_value() == m.xor_mapped_address.has_value());
  if (m.xor_mapped_address) {
    FUZZ_CHECK(back->xor_mapped_address->family == m.xor_mapped_address->family);
    FUZZ_CHECK(back->xor_mapped_address->port == m.xor_mapped_address->port);
    FUZZ_CHECK(back->xor_mapped_address->ip == m.xor_mapped_address->ip);
  }
  FUZZ_CHECK(back->error_code.has_value() == m.error_code.has_value());
  if (m.error_code) {
    FUZZ_CHECK(back->error_code->code == m.error_code->code);
    FUZZ_CHECK(back->error_code->reason == m.error_code->reason);
  }
  FUZZ_CHECK(back->unknown_count == m.unknown_count);
  FUZZ_CHECK(stun::VerifyMessageIntegrity(out, kKey));
  FUZZ_CHECK(stun::VerifyFingerprint(out));
}

void CheckAgent(std::span<const uint8_t> in) {
  static const IceLiteAgent agent(IceCredentials{"evtj", std::string(kKey)});
  const CheckResult r = agent.Check(in);
  if (r.ok()) FUZZ_CHECK(Inside(r.peer_ufrag, in) && !r.peer_ufrag.empty());
  std::optional<std::string_view> ufrag = stun::LocalUfragFromRequest(in);
  if (ufrag) FUZZ_CHECK(Inside(*ufrag, in) && !ufrag->empty());
  if (r.ok()) FUZZ_CHECK(ufrag == "evtj");

  Address peer;
  peer.family = 1;
  peer.ip = {192, 0, 2, 1};
  peer.port = 32853;
  sockaddr_storage ss;
  const socklen_t len = peer.ToSockaddr(ss);
  std::array<uint8_t, 256> out;
  std::optional<size_t> n =
      agent.WriteResponse(r, reinterpret_cast<const sockaddr*>(&ss), len, out);
  FUZZ_CHECK(n.has_value() == (r.ok() || stun::ErrorResponseCode(r.error) != 0));
  if (!n) return;
  const std::span<const uint8_t> resp(out.data(), *n);
  std::optional<Message> m = ParseMessage(resp);
  FUZZ_CHECK(m.has_value());
  FUZZ_CHECK(m->transaction_id == r.transaction_id);
  FUZZ_CHECK(stun::VerifyFingerprint(resp));
  if (r.ok()) FUZZ_CHECK(stun::VerifyMessageIntegrity(resp, kKey));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  (void)stun::IsStun(in);
  ParseError error = ParseError::kNone;
  std::optional<Message> m = ParseMessage(in, &error);
  FUZZ_CHECK(m.has_value() == (error == ParseError::kNone));
  FUZZ_CHECK(!stun::ParseErrorName(error).empty());
  const bool fingerprint = stun::VerifyFingerprint(in);
  const bool integrity = stun::VerifyMessageIntegrity(in, kKey);
  if (m) {
    CheckViews(*m, in);
    FUZZ_CHECK(fingerprint == stun::VerifyFingerprint(in, *m));
    FUZZ_CHECK(integrity == stun::VerifyMessageIntegrity(in, *m, kKey));
    RoundTrip(*m, in);
  } else {
    FUZZ_CHECK(!fingerprint && !integrity);
  }
  CheckAgent(in);
  return 0;
}
