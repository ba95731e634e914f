// HttpServer: a small HTTP/1.1 server on a Ring — /metrics, WHEP, the pages and /api.
//
// Requests on a connection are handled one at a time, in order (pipelined requests wait their
// turn), by the handler registered for the longest matching path prefix. A handler answers at
// once with an HttpResponse, or later through an HttpReply (a request another worker must
// answer: the connection reads no further request until the reply has been sent). A malformed
// request gets a 4xx with the parser's reason, one rate-limited log line naming the peer, a drop
// count, and the connection is closed. Ring thread only, except HttpReply.
#ifndef RINGCAST_NET_HTTP_SERVER_H_
#define RINGCAST_NET_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
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

// The answer to one request, to be given later. Copyable; any thread may call it (the response
// is posted to the server's ring), once. A reply to a connection that has closed meanwhile is
// dropped.
class HttpReply {
 public:
  struct Target;  // the waiting session, as seen from its ring's thread
  HttpReply(core::Ring& ring, std::shared_ptr<Target> target)
      : ring_(&ring), target_(std::move(target)) {}
  void operator()(HttpResponse response) const;

 private:
  core::Ring* ring_;
  std::shared_ptr<Target> target_;
};
using AsyncHttpHandler =
    std::function<void(const Message& request, const std::string& peer, HttpReply reply)>;

struct HttpServerOptions {
  bool reuse_port = false;  // every worker listens on the same port (SO_REUSEPORT)
  size_t max_connections = 1024;
  size_t max_connections_per_ip = 0;  // 0: no limit
  // A request (head and body) begun must be complete within this: slow clients are cut off.
  int64_t request_timeout_ns = 10'000'000'000;
  int64_t idle_timeout_ns = 60'000'000'000;  // a keep-alive connection idle this long is closed
  core::NetworkList allow;                   // who may connect (empty: anyone)
};

class HttpServer {
 public:
  // `name` prefixes log lines ("metrics", "webrtc").
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(core::Ring& ring,
                                                           core::BufferRing& buffers,
                                                           const std::string& listen_address,
                                                           std::string name,
                                                           const HttpServerOptions& options = {});
  ~HttpServer();

  // `prefix` "/metrics" matches "/metrics" and "/metrics/…"; "/" matches everything.
  void Handle(std::string prefix, HttpHandler handler);
  void HandleAsync(std::string prefix, AsyncHttpHandler handler);
  int port() const { return port_; }
  uint64_t requests() const { return requests_; }

  // Used by the sessions.
  void Dispatch(const Message& request, const std::string& peer, HttpReply reply);
  core::Ring& ring() { return ring_; }

 private:
  explicit HttpServer(core::Ring& ring) : ring_(ring) {}

  core::Ring& ring_;
  std::string name_;
  int port_ = 0;
  uint64_t requests_ = 0;
  std::vector<std::pair<std::string, AsyncHttpHandler>> routes_;
  std::unique_ptr<StreamServer> server_;
};

// A plain-text response ("404 Not Found\n" style bodies and the like).
HttpResponse TextResponse(int status, std::string body,
                          std::string content_type = "text/plain; charset=utf-8");

}  // namespace ringcast::net::http

#endif  // RINGCAST_NET_HTTP_SERVER_H_
