// HttpServer: a small HTTP/1.1 server on a Ring — /metrics now, WHEP and the player page later.
//
// Requests on a connection are handled one at a time, in order (pipelined requests wait their
// turn), by the handler registered for the longest matching path prefix. Handlers answer
// synchronously with an HttpResponse. A malformed request gets a 4xx with the parser's reason,
// one rate-limited log line naming the peer, a drop count, and the connection is closed.
// Ring thread only.
#ifndef RINGCAST_NET_HTTP_SERVER_H_
#define RINGCAST_NET_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/http/message.h"
#include "net/http/parser.h"
#include "net/stream_server.h"

namespace ringcast::net::http {

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const Message& request, const std::string& peer)>;

class HttpServer {
 public:
  // `name` prefixes log lines ("metrics", "webrtc").
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(core::Ring& ring,
                                                           core::BufferRing& buffers,
                                                           const std::string& listen_address,
                                                           std::string name);
  ~HttpServer();

  // `prefix` "/metrics" matches "/metrics" and "/metrics/…"; "/" matches everything.
  void Handle(std::string prefix, HttpHandler handler);
  int port() const { return port_; }
  uint64_t requests() const { return requests_; }

  // Used by the sessions.
  HttpResponse Dispatch(const Message& request, const std::string& peer);

 private:
  explicit HttpServer(core::Ring& ring) : ring_(ring) {}

  core::Ring& ring_;
  std::string name_;
  int port_ = 0;
  uint64_t requests_ = 0;
  std::vector<std::pair<std::string, HttpHandler>> routes_;
  std::unique_ptr<StreamServer> server_;
};

// A plain-text response ("404 Not Found\n" style bodies and the like).
HttpResponse TextResponse(int status, std::string body,
                          std::string content_type = "text/plain; charset=utf-8");

}  // namespace ringcast::net::http

#endif  // RINGCAST_NET_HTTP_SERVER_H_
