#include "net/http/server.h"

#include "core/clock.h"
#include "core/drop_counter.h"
#include "core/log.h"
#include "core/strings.h"

namespace ringcast::net::http {
namespace {

const core::DropCounter kBadRequestDrops(
    "http_bad_request", "malformed HTTP request (answered 4xx, connection closed)");

using core::StrCat;

class HttpSession final : public StreamSession {
 public:
  HttpSession(StreamConnection& connection, HttpServer& server)
      : connection_(connection),
        server_(server),
        parser_(Protocol::kHttp, Parser::Kind::kRequest) {}

  void OnBytes(std::span<const uint8_t> bytes) override {
    std::string_view data(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    while (!data.empty()) {
      size_t used = 0;
      Parser::State state = parser_.Feed(data, used);
      data.remove_prefix(used);
      if (state == Parser::State::kNeedMore) return;
      if (state == Parser::State::kError) {
        kBadRequestDrops.Count();
        LOG_EVERY_SEC(Warn, "http: bad request from %s: %s", connection_.peer(),
                      parser_.error_reason());
        HttpResponse response =
            TextResponse(parser_.error_status(), StrCat(parser_.error_reason(), "\n"));
        response.headers.push_back({"Connection", "close"});
        connection_.Send(
            FormatResponse(Protocol::kHttp, response.status, "", response.headers, response.body));
        connection_.CloseAfterSend();
        return;
      }
      Message request = parser_.Take();
      HttpResponse response = server_.Dispatch(request, connection_.peer());
      bool keep_alive = request.KeepAlive();
      if (!keep_alive) response.headers.push_back({"Connection", "close"});
      std::string_view body = request.method == "HEAD" ? std::string_view() : response.body;
      std::vector<Header> headers = std::move(response.headers);
      if (request.method == "HEAD") {
        headers.push_back({"Content-Length", StrCat(response.body.size())});
      }
      connection_.Send(FormatResponse(Protocol::kHttp, response.status, "", headers, body));
      if (!keep_alive) {
        connection_.CloseAfterSend();
        return;
      }
    }
  }

 private:
  StreamConnection& connection_;
  HttpServer& server_;
  Parser parser_;
};

}  // namespace

HttpResponse TextResponse(int status, std::string body, std::string content_type) {
  HttpResponse response;
  response.status = status;
  response.headers.push_back({"Content-Type", std::move(content_type)});
  response.body = std::move(body);
  return response;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(core::Ring& ring,
                                                              core::BufferRing& buffers,
                                                              const std::string& listen_address,
                                                              std::string name) {
  ASSIGN_OR_RETURN(SocketAddress address, ParseSocketAddress(listen_address));
  absl::StatusOr<Fd> fd = ListenTcp(address);
  if (!fd.ok()) {
    return absl::Status(fd.status().code(), StrCat(name, ": cannot listen on ", listen_address,
                                                   ": ", core::ToStd(fd.status().message())));
  }
  std::unique_ptr<HttpServer> http(new HttpServer(ring));
  http->name_ = std::move(name);
  ASSIGN_OR_RETURN(http->port_, LocalPort(fd->get()));
  StreamServerOptions options;
  options.name = http->name_;
  options.max_connections = 1024;
  options.idle_timeout_ns = 60 * core::kNsPerSec;
  HttpServer* raw = http.get();
  http->server_ = std::make_unique<StreamServer>(
      ring, buffers, std::move(fd).value(), options, [raw](StreamConnection& connection) {
        return std::make_unique<HttpSession>(connection, *raw);
      });
  http->server_->Start();
  LOG_INFO("%s: HTTP on %s (port %d)", http->name_, listen_address, http->port_);
  return http;
}

HttpServer::~HttpServer() { ring_.Retire(std::move(server_)); }

void HttpServer::Handle(std::string prefix, HttpHandler handler) {
  routes_.emplace_back(std::move(prefix), std::move(handler));
}

HttpResponse HttpServer::Dispatch(const Message& request, const std::string& peer) {
  ++requests_;
  std::string_view path = request.Path();
  const HttpHandler* best = nullptr;
  size_t best_length = 0;
  for (const auto& [prefix, handler] : routes_) {
    bool matches = prefix == "/" || (path.substr(0, prefix.size()) == prefix &&
                                     (path.size() == prefix.size() || path[prefix.size()] == '/'));
    if (matches && (best == nullptr || prefix.size() > best_length)) {
      best = &handler;
      best_length = prefix.size();
    }
  }
  if (best == nullptr) return TextResponse(404, StrCat("no such resource: ", path, "\n"));
  return (*best)(request, peer);
}

}  // namespace ringcast::net::http
