// HttpRequest: one HTTP/1.1 request and its response over a fresh TCP connection on the
// load generator's ring — WHEP's POST of an offer (and Janus's JSON API later).
//
// The connect is a blocking connect() to a loopback address (it completes in the kernel at once
// on 127/8); everything after it runs on the ring: the request leaves through
// net::StreamConnection, the response comes back through its multishot receive into
// net::http::Parser. The callback runs from a timer on the ring's loop, never from inside the
// connection's receive path, so the owner may destroy the HttpRequest from its callback. It runs
// exactly once: with the response (any status), or an error (connect refused, malformed
// response, peer closed early, timeout). Ring thread only.
#ifndef RINGCAST_TOOLS_LOADGEN_HTTP_REQUEST_H_
#define RINGCAST_TOOLS_LOADGEN_HTTP_REQUEST_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/buffer_ring.h"
#include "core/ring.h"
#include "core/status.h"
#include "net/http/message.h"
#include "net/http/parser.h"
#include "net/stream_server.h"

namespace ringcast::loadgen {

class HttpRequest {
 public:
  using Callback = std::function<void(absl::StatusOr<net::http::Message>)>;

  // Connects to host:port (numeric IPv4) and sends `request` (the whole wire text). An error
  // here (socket, connect) is returned and the callback never runs.
  static absl::StatusOr<std::unique_ptr<HttpRequest>> Start(core::Ring& ring,
                                                            core::BufferRing& buffers,
                                                            const std::string& host, uint16_t port,
                                                            std::string request, int64_t timeout_ns,
                                                            Callback callback);
  ~HttpRequest();  // closes the connection if it is still open
  HttpRequest(const HttpRequest&) = delete;
  HttpRequest& operator=(const HttpRequest&) = delete;

 private:
  class Session;
  HttpRequest(core::Ring& ring, Callback callback);
  void OnResponse(absl::StatusOr<net::http::Message> result);  // from the session or the timer
  void OnClosed(net::StreamConnection* closed);

  core::Ring& ring_;
  Callback callback_;
  std::unique_ptr<net::StreamConnection> connection_;
  std::optional<absl::StatusOr<net::http::Message>> result_;
  core::Timer timeout_;
  core::Timer deliver_;  // runs the callback from the loop
};

}  // namespace ringcast::loadgen

#endif  // RINGCAST_TOOLS_LOADGEN_HTTP_REQUEST_H_
