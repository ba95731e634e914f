// rtsp:// and rtsps:// URLs (RFC 2326 §3.2, RFC 7826 §18.2, RFC 3986): parsing, the path name
// ringcast routes on, and a form that is safe to log.
//
// A camera source is configured as "rtsp://user:pass@10.0.0.7:554/Streaming/101?transport=tcp";
// a request line carries "rtsp://server:8554/cam1/trackID=0". ParseUrl splits either into parts;
// user and password are percent-decoded and kept only so the RTSP client can authenticate
// (net/http/auth.h). They never leave through FormatUrl / RequestUri, which are what logs, error
// messages and request lines use. Plain values: any thread, one at a time.
#ifndef RINGCAST_NET_RTSP_URL_H_
#define RINGCAST_NET_RTSP_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ringcast::net::rtsp {

inline constexpr uint16_t kDefaultRtspPort = 554;   // RFC 2326 §3.2
inline constexpr uint16_t kDefaultRtspsPort = 322;  // RFC 7826 §18.2

struct Url {
  bool secure = false;    // rtsps://
  bool has_user = false;  // the URL had a userinfo part ("user@" or "user:pass@")
  std::string user;       // percent-decoded; secret-adjacent: never log
  std::string password;   // percent-decoded; never log
  std::string host;       // "10.0.0.7", "cam.local", or "::1" (IPv6 without brackets)
  bool host_is_ipv6 = false;
  uint16_t port = kDefaultRtspPort;  // explicit, or the scheme's default
  bool port_explicit = false;
  std::string path;   // as received (still percent-encoded), "/" when the URL has none
  std::string query;  // after '?', without it; empty when there is none

  // "rtsp://host:port/path?query" without user or password: for logs, error messages, and the
  // request-target of an RTSP request (RFC 2326 §6.1 uses the absolute URI). The port is always
  // written out; an IPv6 host gets its brackets back.
  std::string RequestUri() const;
  // "host:port" / "[::1]:port", e.g. for connect() error messages.
  std::string HostPort() const;
};

// Parses an rtsp:// or rtsps:// URL. The scheme is case-insensitive. Rejected, with a reason
// that names the part (never the credentials): another scheme, an empty host, a malformed
// IPv6 literal, a port outside 1..65535, a bad percent escape, spaces or control bytes, a
// fragment. "rtsp://host" and "rtsp://host/" both give path "/".
absl::StatusOr<Url> ParseUrl(std::string_view url);

// The same as url.RequestUri(): a URL that is safe to log.
std::string FormatUrl(const Url& url);

// For logging a URL string that may not even parse: the parsed form without credentials when it
// parses, otherwise the input with any userinfo cut out ("rtsp://***@host/...") and control
// bytes replaced. Never returns a password.
std::string RedactUrl(std::string_view url);

// A path split into ringcast's path name and the per-track control suffix that clients append
// for SETUP (the SDP's a=control, RFC 2326 §C.1.1).
struct PathName {
  std::string name;     // "cam1", "live/cam1" (percent-decoded)
  std::string control;  // "trackID=0", "streamid=1", ... or empty
};

// "/cam1" → {"cam1", ""}; "/cam1/trackID=0" → {"cam1", "trackID=0"}; "/live/cam1/" →
// {"live/cam1", ""}. The last segment is a control suffix when it has the form key=value (what
// ringcast writes: trackID=N; ffmpeg's streamid=N and GStreamer's stream=N are the same shape).
// Accepts a path or a whole URL. Errors: an empty name, "." or ".." segments, an empty segment
// in the middle ("a//b"), a bad percent escape, a NUL or control byte.
absl::StatusOr<PathName> SplitPathName(std::string_view path_or_url);

// Percent-decodes `in` (RFC 3986 §2.1) into `out`; false on a truncated or non-hex escape.
bool PercentDecode(std::string_view in, std::string& out);

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_URL_H_
