// The RTSP Transport header (RFC 2326 §12.39): parse what a client offers in SETUP, pick one
// alternative, and format what the server answers (or what our RTSP client offers).
//
//   Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record
//   Transport: RTP/AVP;unicast;client_port=5000-5001, RTP/AVP/TCP;unicast;interleaved=0-1
//
// A header value is a comma-separated list of transport-specs in the client's order of
// preference; the server answers with exactly one. Parameters ringcast does not know are
// ignored, as RFC 2326 §12.39 requires. Multicast specs and non-AVP profiles parse (so the reply
// can say why they are refused) but CheckSupported rejects them. Errors are absl::Status with a
// reason a user can act on ("Transport: client_port needs two ports"). Plain values; any thread.
#ifndef RINGCAST_NET_RTSP_TRANSPORT_H_
#define RINGCAST_NET_RTSP_TRANSPORT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ringcast::net::rtsp {

enum class LowerTransport { kUdp, kTcp };
// RFC 2326 makes multicast the default when neither is given; every real client says which,
// and ringcast treats "unspecified" as unicast (see CheckSupported).
enum class Delivery { kUnspecified, kUnicast, kMulticast };
enum class TransportMode { kPlay, kRecord };

// An RTP/RTCP pair of ports or interleaved channels. "client_port=5000" (one value) means
// {5000, 5001}: RTCP on the next port (RFC 3550 §11).
struct PortPair {
  uint16_t rtp = 0;
  uint16_t rtcp = 0;
  friend bool operator==(const PortPair&, const PortPair&) = default;
};
struct ChannelPair {
  uint8_t rtp = 0;
  uint8_t rtcp = 0;
  friend bool operator==(const ChannelPair&, const ChannelPair&) = default;
};

struct TransportSpec {
  std::string profile = "AVP";  // the part after "RTP/": AVP, AVPF, SAVP, SAVPF (upper-cased)
  LowerTransport lower = LowerTransport::kUdp;  // "RTP/AVP" and "RTP/AVP/UDP" are UDP
  Delivery delivery = Delivery::kUnspecified;
  std::optional<ChannelPair> interleaved;  // TCP: the '$' channels (RFC 2326 §10.12)
  std::optional<PortPair> client_port;     // UDP unicast
  std::optional<PortPair> server_port;     // UDP unicast, in the reply
  std::optional<PortPair> port;            // multicast
  std::optional<uint32_t> ssrc;            // 8 hex digits on the wire
  std::optional<uint8_t> ttl;              // multicast
  std::optional<TransportMode> mode;       // absent means PLAY
  std::string destination;                 // as given; empty when absent
  std::string source;
  bool append = false;

  TransportMode EffectiveMode() const { return mode.value_or(TransportMode::kPlay); }
  friend bool operator==(const TransportSpec&, const TransportSpec&) = default;
};

// Parses one transport-spec ("RTP/AVP/TCP;unicast;interleaved=0-1"). Tokens and parameter names
// are case-insensitive; mode may be quoted ("mode=\"RECORD\"") or not ("mode=record"), and
// "receive" is taken as RECORD (RFC 2326 §12.39 lists it as the older name). Errors: not
// RTP/<profile>[/<lower>], an unknown lower transport, a malformed or out-of-range number
// (ports 1..65535, channels 0..255, ssrc 1 to 8 hex digits), a pair whose second value is not
// above the first or cannot be inferred ("client_port=65535"), both unicast and multicast, a
// parameter given twice, a destination or source with quotes, commas or semicolons.
absl::StatusOr<TransportSpec> ParseTransportSpec(std::string_view spec);

// Parses a whole header value: every comma-separated alternative (commas inside quotes are not
// separators). Any malformed alternative fails the whole list; ChooseTransport is the lenient
// path for a server.
absl::StatusOr<std::vector<TransportSpec>> ParseTransport(std::string_view header_value);

// Formats one spec in the canonical order: protocol, delivery, destination, source,
// interleaved, client_port, server_port, port, ttl, ssrc, mode, append. Mode is written as
// "mode=record" / "mode=play" (unquoted, as ffmpeg and live555 send and accept).
std::string FormatTransportSpec(const TransportSpec& spec);
// Alternatives joined with ",".
std::string FormatTransport(std::span<const TransportSpec> specs);

// Whether ringcast can serve `spec`: RTP/AVP, unicast (or unspecified), and for UDP a
// client_port (or, in a reply, server_port) pair. TCP needs no interleaved= pair: without one
// the server assigns the channels (RFC 7826 §18.54), so the caller must fill them in. The error
// says what is not supported, e.g. "Transport: multicast delivery is not supported".
absl::Status CheckSupported(const TransportSpec& spec);

// What a server accepts in SETUP (rtsp.transports).
struct TransportPolicy {
  bool allow_udp = true;
  bool allow_tcp = true;
};

// The server side of SETUP: the first alternative in the client's order that parses, passes
// CheckSupported and is allowed by `policy`. When none does, the error gives the reason the
// first alternative was refused (a 461 Unsupported Transport reason).
absl::StatusOr<TransportSpec> ChooseTransport(std::string_view header_value,
                                              const TransportPolicy& policy);

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_TRANSPORT_H_
