// HTTP/1.x and RTSP/1.0 messages: the parsed model and the writers.
//
// RTSP/1.0 (RFC 2326) borrows HTTP/1.1's message syntax (RFC 9112), so one model serves both:
// a Message is a request (method, target) or a response (status, reason) with its header fields
// in the order received and a body that is already de-chunked. A Message owns all of its bytes;
// it holds no views into the buffer it was parsed from. Parser (net/http/parser.h) builds them;
// FormatResponse / FormatRequest turn one back into wire bytes. Plain values: any thread may use
// them, one thread at a time.
#ifndef RINGCAST_NET_HTTP_MESSAGE_H_
#define RINGCAST_NET_HTTP_MESSAGE_H_

#include <string>
#include <string_view>
#include <vector>

namespace ringcast::net::http {

// Which start line a message carries: "HTTP/1.x" or "RTSP/1.0".
enum class Protocol { kHttp, kRtsp };

// "HTTP" or "RTSP".
std::string_view ProtocolName(Protocol protocol);

// ASCII case-insensitive equality, the way field names and tokens compare (RFC 9110 §5.1).
bool HeaderNameEquals(std::string_view a, std::string_view b);

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" /
// "_" / "`" / "|" / "~" / DIGIT / ALPHA; a token is one or more of them (methods, field names,
// auth schemes and parameter names).
bool IsTchar(char c);
bool IsToken(std::string_view s);

struct Header {
  std::string name;   // as received (field names are case-insensitive, RFC 9110 §5.1)
  std::string value;  // leading and trailing whitespace removed
};

struct Message {
  Protocol protocol = Protocol::kHttp;
  // Requests.
  std::string method;
  std::string target;  // request-target as received: "/whep/cam1?x=1", "rtsp://h:554/cam1", "*"
  // Responses.
  int status = 0;
  std::string reason;

  int version_major = 1;
  int version_minor = 1;
  std::vector<Header> headers;
  std::string body;  // decoded: chunked framing already removed

  // The value of the first header named `name` (case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;

  // The path of the request-target, without query or fragment. For absolute-form targets
  // ("rtsp://host:port/cam1?x", as RTSP always sends) the scheme and authority are dropped too,
  // giving "/cam1" ("/" when the URI has no path). The view points into `target`.
  std::string_view Path() const;
  // What follows the first '?' of the request-target, up to any '#'; empty when there is none.
  std::string_view Query() const;

  // Whether the connection stays open after this message. HTTP/1.1 (and later 1.x): yes unless a
  // Connection header lists "close". HTTP/1.0: only when Connection lists "keep-alive" and not
  // "close" (RFC 9112 §9.3). RTSP: yes unless Connection lists "close" (RFC 2326 §12.10).
  bool KeepAlive() const;
};

// The usual reason phrase for `status` ("OK", "Not Found", "Session Not Found"), or "" for a code
// we have no phrase for. The few codes RTSP defines differently (451, 505, ...) follow `protocol`.
std::string_view DefaultReason(int status, Protocol protocol = Protocol::kHttp);

// Serializes a response: status line ("HTTP/1.1" or "RTSP/1.0"), `headers` in order, blank line,
// body. An empty `reason` means DefaultReason(status). Unless `headers` already has a
// Content-Length or Transfer-Encoding, a Content-Length is appended: for HTTP on every response
// that may carry a body (so a keep-alive peer knows where it ends, "Content-Length: 0" included);
// for RTSP only when the body is non-empty. 1xx, 204 and 304 responses get neither a
// Content-Length nor the body (RFC 9110 §6.4.1). CR, LF and NUL in the reason and the header
// fields are replaced by spaces, so a value taken from a peer cannot split the response.
std::string FormatResponse(Protocol protocol, int status, std::string_view reason,
                           const std::vector<Header>& headers, std::string_view body);

// Serializes a request: "METHOD target HTTP/1.1" (or RTSP/1.0), `headers` in order, blank line,
// body. Content-Length is appended when the body is non-empty and `headers` has none. Header
// bytes are sanitized as in FormatResponse.
std::string FormatRequest(Protocol protocol, std::string_view method, std::string_view target,
                          const std::vector<Header>& headers, std::string_view body);

}  // namespace ringcast::net::http

#endif  // RINGCAST_NET_HTTP_MESSAGE_H_
