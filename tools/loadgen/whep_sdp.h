// The SDP side of a WHEP viewer: the offer the load generator POSTs (shaped like Chrome's
// recvonly offer: H.264 payload types 102/108/... with their profile-level-ids, rtcp-mux,
// a=setup:active because the load generator is the DTLS client) and what it needs from the
// answer (ICE credentials, the host candidate, the DTLS fingerprint, the chosen payload type and
// the server's SSRC), read with net/sdp's parser. Set-up code: Status on error; any thread.
#ifndef RINGCAST_TOOLS_LOADGEN_WHEP_SDP_H_
#define RINGCAST_TOOLS_LOADGEN_WHEP_SDP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ringcast::loadgen {

struct OfferParams {
  std::string ice_ufrag;    // ours: 4+ ice-chars
  std::string ice_pwd;      // ours: 22+ ice-chars
  std::string fingerprint;  // sha-256 of our certificate, "AB:01:..."
  uint64_t session_id = 1;  // o= line
};

// The H.264 payload types offered, as Chrome numbers them: 102 (42e01f, constrained baseline),
// 108 (42001f baseline), 112 (4d001f main) and 123 (640032 high) — all
// packetization-mode=1 with level-asymmetry-allowed=1.
std::string BuildOffer(const OfferParams& params);

struct WhepAnswer {
  std::string ice_ufrag;
  std::string ice_pwd;
  std::string fingerprint_hash;  // "sha-256"
  std::string fingerprint;
  std::string setup;         // "passive" expected
  std::string candidate_ip;  // first UDP IPv4 host candidate
  uint16_t candidate_port = 0;
  int payload_type = -1;  // the answered H.264 payload type
  uint32_t ssrc = 0;      // the server's video SSRC (0 when the answer has no a=ssrc)
  std::string profile_level_id;
};

// Reads an answer. Errors say what is missing ("answer: no a=candidate with a UDP IPv4
// address"), so they can be counted by reason.
absl::StatusOr<WhepAnswer> ParseAnswer(std::string_view sdp);

// The answer to a Janus streaming offer (Janus is the offerer there): its first video section
// with H.264 accepted recvonly on the offered payload type (fmtp copied), BUNDLEd alone, our ICE
// credentials and fingerprint, a=setup:active, and our host candidate `ip`:`port` (Janus, a full
// ICE agent, checks it; it would learn us as peer-reflexive anyway). Other sections are rejected
// (port 0). Errors when the offer has no H.264 video.
absl::StatusOr<std::string> BuildJanusAnswer(std::string_view offer, const OfferParams& ours,
                                             const std::string& ip, uint16_t port);

// `length` random characters from the ICE alphabet (RFC 8839 §5.4: ALPHA / DIGIT / "+" / "/").
std::string RandomIceString(size_t length);

}  // namespace ringcast::loadgen

#endif  // RINGCAST_TOOLS_LOADGEN_WHEP_SDP_H_
