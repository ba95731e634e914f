// Incremental parser for HTTP/1.x (RFC 9112) and RTSP/1.0 (RFC 2326) messages.
//
// One Parser reads one direction of one connection: requests on a server socket, responses on a
// client socket. Bytes are fed as they arrive, split anywhere; Feed() copies what it keeps into
// the Message being built (and a partial line into a small carry-over buffer), so `data` need
// only stay valid during the call. Feed() stops at the end of a message, so several pipelined
// messages in one buffer come out one per kComplete. Not thread-safe: the connection's worker
// owns its parsers.
//
//   size_t used = 0;
//   switch (parser.Feed(bytes, used)) {
//     case Parser::State::kComplete: Handle(parser.Take()); bytes.remove_prefix(used); ...
//     case Parser::State::kNeedMore:  // all of `bytes` was used, unless at_interleaved_frame()
//     case Parser::State::kError:     // reply parser.error_status(), then close
//   }
//
// What is accepted (strict where laxness enables request smuggling, RFC 9112 §11.2):
//  - start line "METHOD SP target SP HTTP/1.x" / "HTTP/1.x SP 3DIGIT [SP reason]" (RTSP/1.0 in
//    RTSP mode), single spaces; empty lines before it are skipped (RFC 9112 §2.2); lines may end
//    in CRLF or a bare LF. CTL bytes in the start line and non-token header names are rejected.
//  - obs-fold continuation lines: 400 in HTTP (RFC 9112 §5.2), joined with one SP in RTSP.
//  - body framing: Content-Length (duplicates must agree), or for HTTP "Transfer-Encoding:
//    chunked" alone (de-chunked, chunk extensions and trailers dropped). Other transfer codings
//    are 501; both headers at once, or Transfer-Encoding in HTTP/1.0, is 400. RTSP has
//    Content-Length only.
//  - a request without either header has no body. So does a response: reading an HTTP response
//    body until the connection closes is not supported, and neither are responses to HEAD (the
//    parser does not know the request). 1xx, 204 and 304 responses never have a body.
//  - an HTTP/1.1 request must carry exactly one Host header (RFC 9112 §3.2).
#ifndef RINGCAST_NET_HTTP_PARSER_H_
#define RINGCAST_NET_HTTP_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/http/message.h"

namespace ringcast::net::http {

struct Limits {
  size_t max_start_line = 8192;     // request or status line, with empty lines before it
  size_t max_header_bytes = 16384;  // header section after the start line (trailers likewise)
  size_t max_headers = 64;          // header fields (a folded RTSP line adds to its field)
  size_t max_body = 1 << 20;        // decoded body
};

class Parser {
 public:
  enum class Kind { kRequest, kResponse };
  enum class State { kNeedMore, kComplete, kError };

  Parser(Protocol protocol, Kind kind, Limits limits = {});

  // Consumes a prefix of `data` and sets `consumed` to its length.
  //  - kComplete: a message ended after `consumed` bytes; Take() it, then feed the rest.
  //  - kNeedMore: every byte was used, except when at_interleaved_frame() is set (RTSP only):
  //    then data[consumed] is a '$' starting an interleaved binary frame (RFC 2326 §10.12) that
  //    the caller demuxes before feeding what follows it.
  //  - kError: the input is not a valid message; see error_status() and error_reason(). The
  //    error is sticky until Reset(); the stream cannot be resynchronized, so close it.
  // Calling Feed() again after kComplete without Take() returns kComplete and consumes nothing.
  State Feed(std::string_view data, size_t& consumed);

  // Moves out the message that Feed() completed and starts on the next one. (Called at any
  // other time it returns what was parsed so far, and still starts over.)
  Message Take();

  // Drops any partial message and error, and starts over.
  void Reset();

  // After kError: the status to answer a request with. 400 malformed, 413 body over max_body,
  // 414 request line over max_start_line, 431 header section over max_header_bytes or
  // max_headers, 501 unsupported transfer coding, 505 unsupported protocol version.
  int error_status() const { return error_status_; }
  // After kError: what was wrong, for logs, e.g. "malformed header line 3: no ':'". Lines are
  // numbered from the start line (1).
  std::string_view error_reason() const { return error_reason_; }

  // Whether part of a message has been read (a start line begun, headers, a body): a client
  // that leaves it there is slow or gone (the connection's request timeout).
  bool in_message() const { return phase_ != Phase::kStartLine || !line_.empty(); }

  // Set by the last Feed() when it stopped at an interleaved frame; see Feed().
  bool at_interleaved_frame() const { return at_interleaved_frame_; }

 private:
  enum class Phase {
    kStartLine,
    kHeaders,
    kBody,          // Content-Length bytes
    kChunkSize,     // chunk-size [chunk-ext] CRLF
    kChunkData,     // chunk-data
    kChunkDataEnd,  // the CRLF after chunk-data
    kTrailers,      // trailer section, skipped
    kDone,
    kError,
  };

  void ProcessLine(std::string_view line);
  void ProcessStartLine(std::string_view line);
  void ProcessRequestLine(std::string_view line);
  void ProcessStatusLine(std::string_view line);
  // Parses "HTTP/1.1" / "RTSP/1.0" into message_; false (with the error set) when it is not.
  bool ProcessVersion(std::string_view version);
  void ProcessHeaderLine(std::string_view line);
  void EndHeaders();
  void ProcessChunkSizeLine(std::string_view line);
  // Bytes of a line that may still be accepted in the current phase (terminator included).
  size_t LineBudget() const;
  void LineTooLong();
  void Fail(int status, std::string reason);

  const Protocol protocol_;
  const Kind kind_;
  const Limits limits_;

  Phase phase_ = Phase::kStartLine;
  Message message_;
  std::string line_;         // a line split across Feed() calls, without its terminator
  size_t start_bytes_ = 0;   // empty lines before the start line
  size_t header_bytes_ = 0;  // header (or trailer) section bytes so far
  size_t line_number_ = 0;   // of the line being processed; the start line is 1
  uint64_t remaining_ = 0;   // body or chunk bytes still to read
  bool at_interleaved_frame_ = false;
  int error_status_ = 0;
  std::string error_reason_;
};

}  // namespace ringcast::net::http

#endif  // RINGCAST_NET_HTTP_PARSER_H_
