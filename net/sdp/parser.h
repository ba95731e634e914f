// SDP parser (RFC 8866) for descriptions from untrusted peers: RTSP ANNOUNCE bodies from
// publishers, DESCRIBE answers from cameras, WebRTC offers from browsers.
//
// ParseSdp() copies what it keeps into the returned Session; `text` need only stay valid during
// the call. It never crashes and never allocates more than a small multiple of `text` (itself
// capped by Limits), whatever the input. Any thread.
//
// What is accepted — strict where input is garbage, lenient where real devices deviate:
//  - lines end in CRLF or a bare LF; the last one may lack it; trailing spaces and tabs are
//    dropped; empty lines are skipped. Other control characters (NUL, a lone CR, ...) are
//    refused, so everything parsed can be written back.
//  - the first line is v=; o= and s= are single and may be missing (cameras omit them);
//    session-level lines may come in any order before the first m=, and i/c/b/k/a in any
//    order after it. Unknown line types are refused (RFC 8866 §5: a parser must not guess).
//  - o= takes 4 to N tokens (cameras send "o=- 1001 1 IN" and 7-token lines); c= 1 to 3.
//  - m= needs <media> <port>[/<count>] <proto> <fmt>...; formats are kept as strings, so
//    "m=application/tp-link 0 RTP/AVP smart/0/25000" parses.
//  - numbers (v=, ports, b=, t=) must be decimal and in range.
// Errors name the line: "sdp line 7: m= line needs <media> <port> <proto> <fmt>".
#ifndef RINGCAST_NET_SDP_PARSER_H_
#define RINGCAST_NET_SDP_PARSER_H_

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "net/sdp/session.h"

namespace ringcast::net::sdp {

struct Limits {
  size_t max_bytes = 64 * 1024;  // the whole description
  size_t max_media = 64;         // m= sections
  size_t max_attributes = 512;   // a= lines, session and media together
};

// InvalidArgument for malformed text, ResourceExhausted when a limit is exceeded.
absl::StatusOr<Session> ParseSdp(std::string_view text, const Limits& limits = {});

}  // namespace ringcast::net::sdp

#endif  // RINGCAST_NET_SDP_PARSER_H_
