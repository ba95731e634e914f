// The ICE-lite server side of one WebRTC session's connectivity checks (RFC 8445 §2.5, §7.3).
//
// ringcast is always the ICE-lite, controlled agent. A viewer's Binding request carries
// USERNAME "<ourUfrag>:<viewerUfrag>" and MESSAGE-INTEGRITY keyed with OUR ice-pwd (short-term
// credentials, RFC 8445 §7.2.2, RFC 5389 §10.1.2); the response is keyed the same way.
// IceLiteAgent::Check verifies FINGERPRINT, then USERNAME, then MESSAGE-INTEGRITY before
// trusting anything else, and reports why a request was refused.
//
// Because all sessions share one UDP port, LocalUfragFromRequest extracts our ufrag from an
// unverified request so the caller can find the session whose credentials verify it.
//
// An IceLiteAgent owns copies of its credentials (made at session creation); Check and
// WriteResponse allocate nothing. A CheckResult's peer_ufrag points into the checked datagram
// and is valid only while those bytes are. An agent belongs to the worker thread of its
// session; GenerateIceCredentials may be called from any thread.
#ifndef RINGCAST_NET_STUN_ICE_LITE_H_
#define RINGCAST_NET_STUN_ICE_LITE_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/stun/message.h"

namespace ringcast::net::stun {

// Why a Binding request was refused (for drop counters); kNone means accepted.
enum class CheckError : uint8_t {
  kNone = 0,
  kMalformed,          // ParseMessage refused it (see CheckResult::parse_error)
  kNotBindingRequest,  // a STUN message, but not a Binding request
  kNoFingerprint,
  kBadFingerprint,
  kNoUsername,
  kWrongUsername,  // not "<ourUfrag>:<peerUfrag>"
  kNoIntegrity,
  kBadIntegrity,  // HMAC does not match our ice-pwd
  kRoleConflict,  // peer claims to be controlled too (we are ICE-lite: controlled)
};
std::string_view CheckErrorName(CheckError error);

// The response a refused request gets (RFC 5389 §10.1.2, RFC 8445 §7.3.1.1): 400, 401 or
// 487; 0 means drop it silently (not a well-formed, fingerprinted Binding request).
uint16_t ErrorResponseCode(CheckError error);

struct CheckResult {
  CheckError error = CheckError::kNone;
  ParseError parse_error = ParseError::kNone;
  TransactionId transaction_id{};
  std::string_view peer_ufrag;  // view into the request; set only when accepted
  bool use_candidate = false;
  std::optional<uint32_t> priority;
  std::optional<uint64_t> ice_controlling;  // peer's tie-breaker

  bool ok() const { return error == CheckError::kNone; }
};

// A session's local ICE credentials (RFC 8839 §5.4: ufrag 4..256, pwd 22..256 ice-chars).
struct IceCredentials {
  std::string ufrag;
  std::string pwd;
};

inline constexpr size_t kMinUfragLength = 4;
inline constexpr size_t kMinPwdLength = 22;

// Random credentials from RAND_bytes over the 64 ice-chars (ALPHA / DIGIT / "+" / "/").
// Lengths below the minimums are raised to them.
IceCredentials GenerateIceCredentials(size_t ufrag_length = 8, size_t pwd_length = 24);

// True when every character is an ice-char.
bool IsIceChars(std::string_view s);

// Our ufrag from an unverified Binding request's USERNAME (the part before ':'); nullopt when
// the datagram is not a parseable Binding request with a "x:y" USERNAME. Trust nothing else
// in the message until IceLiteAgent::Check has accepted it.
std::optional<std::string_view> LocalUfragFromRequest(std::span<const uint8_t> bytes);

class IceLiteAgent {
 public:
  explicit IceLiteAgent(IceCredentials local);

  const IceCredentials& local() const { return local_; }

  // Checks a Binding request: well-formed, FINGERPRINT, USERNAME == "<ours>:<peer>",
  // MESSAGE-INTEGRITY keyed with our pwd, then the ICE role.
  CheckResult Check(std::span<const uint8_t> bytes) const;

  // Writes the answer to a checked request into `out`: a success response with the peer's
  // address when accepted, the error response of ErrorResponseCode otherwise (keyed with our
  // pwd only once the credentials verified). nullopt: send nothing (drop, or `out` too small).
  std::optional<size_t> WriteResponse(const CheckResult& result, const sockaddr* peer,
                                      socklen_t peer_len, std::span<uint8_t> out) const;

 private:
  IceCredentials local_;
};

}  // namespace ringcast::net::stun

#endif  // RINGCAST_NET_STUN_ICE_LITE_H_
