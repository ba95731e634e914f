// What the answers to a WHEP offer (answer.h) and to a WHIP offer (publish_answer.h) share: the
// offer's ICE and DTLS parameters, its BUNDLE group, which sections can carry media, and the
// transport lines, candidates and rejected sections of the answer. Internal to
// ringcast_webrtc_answer. Pure functions, any thread.
#ifndef RINGCAST_NET_WEBRTC_ANSWER_PARTS_H_
#define RINGCAST_NET_WEBRTC_ANSWER_PARTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "net/sdp/codec_params.h"
#include "net/sdp/session.h"
#include "net/webrtc/answer.h"

namespace ringcast::net::webrtc::answer_parts {

// InvalidArgument "webrtc offer: <why>".
absl::Status Invalid(std::string_view why);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// "42e01f".
std::string H264Hex(const sdp::H264ProfileLevelId& id);
// "video has VP8, VP9, H264 (42001f, 42e01f)", for the error that nothing matched.
std::string OfferSummary(const sdp::Media& section);

// The offerer's ICE credentials and DTLS fingerprint, and our DTLS role; InvalidArgument when they
// are missing or malformed.
absl::StatusOr<RemoteTransport> ReadRemoteTransport(const sdp::Session& offer);

// The mids of the offer's first BUNDLE group (RFC 8843 §7.1), nullopt without one.
std::optional<std::vector<std::string>> BundleGroup(const sdp::Session& offer);

// Why `section` cannot carry media the way the answer wants it, or nullopt when it can.
// `we_send`: we send on it (WHEP: the offer must be recvonly or sendrecv); else we receive on
// it (WHIP: sendonly or sendrecv).
std::optional<std::string> Unusable(const sdp::Session& offer, const sdp::Media& section,
                                    const std::optional<std::vector<std::string>>& bundle,
                                    bool we_send);

// An accepted section's first lines: m= from the offer's type and proto with `formats`, c=,
// a=rtcp, our ICE credentials, fingerprint and DTLS role, and the offer's mid.
sdp::Media AcceptedSectionStart(const sdp::Media& offered, std::vector<std::string> formats,
                                const LocalDescription& local, AnswerSetup setup);
// Our host candidates and a=end-of-candidates.
void AddCandidates(sdp::Media& m, const LocalDescription& local);
// RFC 8843 §7.3.3 / RFC 3264 §6: port 0, same proto, one of the offered formats, the mid kept.
sdp::Media RejectedSection(const sdp::Media& offered);
// v=, o= (a stable id per session), s=, t= of an answer.
sdp::Session AnswerSession(const LocalDescription& local);

}  // namespace ringcast::net::webrtc::answer_parts

#endif  // RINGCAST_NET_WEBRTC_ANSWER_PARTS_H_
