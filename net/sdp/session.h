// The SDP model (RFC 8866): one Session with its media sections, as parsed from an RTSP
// ANNOUNCE / DESCRIBE body or a WebRTC offer, or as built for our own answers.
//
// The model keeps everything a description carried so that egress can reproduce it: every
// attribute, known or not, in its original order (repeated ones included), every b=/c=/e=/p=
// line, and numbers the way they were written where RFC 8866 leaves them free-form (the o=
// session id, format names). Lines whose relative order SDP fixes (v o s i u e p c b t r z k a,
// then m i c b k a per section) are stored by kind, and WriteSdp() emits them in that order.
//
// The typed helpers (RtpMaps(), Fmtp(), RtcpFeedback(), ...) read the attribute list on each
// call and return views into it: they are valid while the Session is alive and unchanged.
// Plain value types with no shared state; any thread may use its own copies.
#ifndef RINGCAST_NET_SDP_SESSION_H_
#define RINGCAST_NET_SDP_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringcast::net::sdp {

// a=<name>[:<value>] (RFC 8866 §5.13). A property attribute ("a=rtcp-mux") has an empty
// value; "a=x:" and "a=x" are not told apart.
struct Attribute {
  std::string name;
  std::string value;
  bool operator==(const Attribute&) const = default;
};

// c=<nettype> <addrtype> <connection-address> (§5.7). Fields are kept as written; cameras send
// incomplete lines ("c=IN"), whose missing fields stay empty.
struct Connection {
  std::string net_type;   // "IN"
  std::string addr_type;  // "IP4" / "IP6"
  std::string address;    // "0.0.0.0", "224.2.1.1/127"
  bool operator==(const Connection&) const = default;
};

// b=<bwtype>:<bandwidth> (§5.8), e.g. AS:2048 (kbit/s) or TIAS:64000 (bit/s).
struct Bandwidth {
  std::string type;
  uint64_t value = 0;
  bool operator==(const Bandwidth&) const = default;
};

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (§5.2). The ids
// are strings: browsers send 64-bit values and some cameras send more tokens than six (the
// extra ones are kept in session_version, space-separated) or fewer (trailing fields empty).
struct Origin {
  std::string username = "-";
  std::string session_id = "0";
  std::string session_version = "0";
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "0.0.0.0";
  bool operator==(const Origin&) const = default;
};

// t=<start-time> <stop-time> (§5.9) with the r= lines that follow it (§5.10), kept raw.
struct Timing {
  uint64_t start = 0;
  uint64_t stop = 0;
  std::vector<std::string> repeats;
  bool operator==(const Timing&) const = default;
};

enum class MediaDirection { kSendRecv, kSendOnly, kRecvOnly, kInactive };
std::string_view MediaDirectionName(MediaDirection direction);

// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (§6.6).
struct RtpMap {
  int payload_type = 0;
  std::string_view encoding;  // as written: "H264", "opus", "MPEG4-GENERIC"
  uint32_t clock_rate = 0;
  int channels = 0;  // audio encoding parameter; 0 when absent
};

// One key=value of an a=fmtp parameter list (RFC 8866 §6.15, the ';'-separated form every
// RTP payload format uses). A parameter without '=' ("0-15", "111/111") has an empty value.
struct FmtpParameter {
  std::string_view key;
  std::string_view value;
};

// a=fmtp:<format> <parameters>.
struct Fmtp {
  std::string_view format;
  std::string_view raw;  // everything after "<format> ", kept for egress
  std::vector<FmtpParameter> parameters;
  // The value of `key` (compared ASCII case-insensitively); the first one when repeated.
  std::optional<std::string_view> Get(std::string_view key) const;
  // Splits an a=fmtp value; the result views into `value`.
  static Fmtp Parse(std::string_view value);
};

// a=rtcp-fb:<payload type or *> <type> [<parameter>] (RFC 4585 §4.2), e.g. "96 nack pli".
struct RtcpFeedback {
  std::string_view format;     // "96" or "*"
  std::string_view type;       // "nack", "ccm", "goog-remb", "transport-cc"
  std::string_view parameter;  // "pli", "fir", or empty
};

// a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 §4.1), e.g. "1234 cname:abc".
struct SsrcLine {
  uint32_t ssrc = 0;
  std::string_view attribute;
  std::string_view value;
};

// a=extmap:<id>[/<direction>] <uri> [<extension attributes>] (RFC 8285 §8).
struct Extmap {
  int id = 0;
  std::string_view direction;  // empty unless given
  std::string_view uri;
  std::string_view attributes;
};

// a=fingerprint:<hash function> <fingerprint> (RFC 8122 §5).
struct Fingerprint {
  std::string_view hash_function;  // "sha-256"
  std::string_view value;          // "03:63:4B:..."
};

// What sessions and media sections have in common: an ordered attribute list and the lookups
// that may apply at either level (ICE and DTLS attributes sit at session level in Firefox's
// offers and at media level in Chrome's).
struct AttributeHolder {
  std::vector<Attribute> attributes;

  // The value of the first attribute called `name` (case-sensitive, as RFC 8866 §5.13 says).
  std::optional<std::string_view> Find(std::string_view name) const;
  // The values of every attribute called `name`, in order.
  std::vector<std::string_view> FindAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name).has_value(); }

  std::optional<std::string_view> Control() const { return Find("control"); }
  // The last of sendrecv / sendonly / recvonly / inactive present, or nullopt when none is.
  std::optional<MediaDirection> Direction() const;
  std::optional<std::string_view> IceUfrag() const { return Find("ice-ufrag"); }
  std::optional<std::string_view> IcePwd() const { return Find("ice-pwd"); }
  std::optional<sdp::Fingerprint> Fingerprint() const;
  std::optional<std::string_view> Setup() const { return Find("setup"); }  // actpass, ...
  std::vector<Extmap> Extmaps() const;

  bool operator==(const AttributeHolder&) const = default;
};

// m=<media> <port>[/<number of ports>] <proto> <fmt> ... and the lines after it (§5.14).
struct Media : AttributeHolder {
  enum class Kind { kVideo, kAudio, kApplication, kOther };

  std::string type;  // "video", "audio", "application", or anything a device sent
  uint16_t port = 0;
  uint32_t port_count = 0;                 // 0: no "/<number of ports>"
  std::string proto;                       // "RTP/AVP", "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP"
  std::vector<std::string> formats;        // payload types for RTP ("96"), as written
  std::optional<std::string> information;  // i=
  std::vector<Connection> connections;     // c= (several are legal for multicast, §5.7)
  std::vector<Bandwidth> bandwidths;       // b=
  std::optional<std::string> key;          // k= (obsolete, kept)

  Kind kind() const;
  // The formats that are RTP payload types (0-127), in m= line order.
  std::vector<int> PayloadTypes() const;
  std::vector<RtpMap> RtpMaps() const;
  std::optional<RtpMap> RtpMapFor(int payload_type) const;
  std::optional<sdp::Fmtp> Fmtp(int payload_type) const;
  std::optional<sdp::Fmtp> Fmtp(std::string_view format) const;
  // The rtcp-fb lines for `payload_type`, including the "*" ones that apply to every format.
  std::vector<RtcpFeedback> RtcpFeedbackFor(int payload_type) const;
  std::vector<RtcpFeedback> RtcpFeedbacks() const;
  std::vector<SsrcLine> Ssrcs() const;
  std::optional<std::string_view> Mid() const { return Find("mid"); }
  bool RtcpMux() const { return Has("rtcp-mux"); }

  bool operator==(const Media&) const = default;
};

struct Session : AttributeHolder {
  int version = 0;                         // v=
  std::optional<Origin> origin;            // o= (absent in some camera SDPs)
  std::string name;                        // s= ("-" when there is nothing to say)
  std::optional<std::string> information;  // i=
  std::optional<std::string> uri;          // u=
  std::vector<std::string> emails;         // e=
  std::vector<std::string> phones;         // p=
  std::vector<Connection> connections;     // c= (one per RFC 8866; kept as received)
  std::vector<Bandwidth> bandwidths;       // b=
  std::vector<Timing> timings;             // t= and r=
  std::optional<std::string> time_zones;   // z=
  std::optional<std::string> key;          // k=
  std::vector<Media> media;

  // The direction in force for `m` (one of this session's media): its own attribute, else the
  // session's, else sendrecv (RFC 8866 §6.7).
  MediaDirection DirectionOf(const Media& m) const;

  bool operator==(const Session&) const = default;
};

}  // namespace ringcast::net::sdp

#endif  // RINGCAST_NET_SDP_SESSION_H_
