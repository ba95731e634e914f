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

class HttpSession;

}  // namespace

// Lives as long as someone may still reply; the session clears it when it goes. Touched only on
// the server's ring thread (HttpReply posts there).
struct HttpReply::Target {
  HttpSession* session = nullptr;
};

namespace {

class HttpSession final : public StreamSession {
 public:
  HttpSession(StreamConnection& connection, HttpServer& server)
      : connection_(connection),
        server_(server),
        parser_(Protocol::kHttp, Parser::Kind::kRequest) {}
  ~HttpSession() override {
    if (waiting_ != nullptr) waiting_->session = nullptr;
  }

  void OnBytes(std::span<const uint8_t> bytes) override {
    std::string_view data(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (waiting_ != nullptr) {  // a reply is outstanding: the next requests wait their turn
      held_.append(data);
      return;
    }
    Parse(data);
  }

  std::optional<uint64_t> PendingMessage() const override {
    if (waiting_ != nullptr || !parser_.in_message()) return std::nullopt;
    return requests_;
  }

  // The reply to the request being answered.
  void Respond(HttpResponse response) {
    waiting_->session = nullptr;
    waiting_.reset();
    bool keep_alive = keep_alive_;
    if (!keep_alive) response.headers.push_back({"Connection", "close"});
    std::string_view body = head_ ? std::string_view() : response.body;
    std::vector<Header> headers = std::move(response.headers);
    if (head_) headers.push_back({"Content-Length", StrCat(response.body.size())});
    connection_.Send(FormatResponse(Protocol::kHttp, response.status, "", headers, body));
    if (!keep_alive) {
      connection_.CloseAfterSend();
      return;
    }
    std::string held = std::move(held_);
    held_.clear();
    Parse(held);
  }

 private:
  void Parse(std::string_view data) {
    while (!data.empty() && waiting_ == nullptr) {
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
      ++requests_;
      keep_alive_ = request.KeepAlive();
      head_ = request.method == "HEAD";
      waiting_ = std::make_shared<HttpReply::Target>();
      waiting_->session = this;
      // Bytes after this request wait for its reply (most handlers reply before returning).
      held_.append(data);
      data = {};
      std::shared_ptr<HttpReply::Target> target = waiting_;
      server_.Dispatch(request, connection_.peer(), HttpReply(server_.ring(), target));
      if (connection_.closing()) return;
    }
  }

  StreamConnection& connection_;
  HttpServer& server_;
  Parser parser_;
  std::shared_ptr<HttpReply::Target> waiting_;  // the request being answered
  std::string held_;                            // bytes of later requests, meanwhile
  bool keep_alive_ = true;
  bool head_ = false;
  uint64_t requests_ = 0;  // parsed on this connection
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
                                                              std::string name,
                                                              const HttpServerOptions& limits) {
  ASSIGN_OR_RETURN(SocketAddress address, ParseSocketAddress(listen_address));
  absl::StatusOr<Fd> fd = ListenTcp(address, 512, limits.reuse_port);
  if (!fd.ok()) {
    return absl::Status(fd.status().code(), StrCat(name, ": cannot listen on ", listen_address,
                                                   ": ", core::ToStd(fd.status().message())));
  }
  std::unique_ptr<HttpServer> http(new HttpServer(ring));
  http->name_ = std::move(name);
  ASSIGN_OR_RETURN(http->port_, LocalPort(fd->get()));
  StreamServerOptions options;
  options.name = http->name_;
  options.max_connections = limits.max_connections;
  options.max_connections_per_ip = limits.max_connections_per_ip;
  options.request_timeout_ns = limits.request_timeout_ns;
  options.idle_timeout_ns = limits.idle_timeout_ns;
  options.allow = limits.allow;
  HttpServer* raw = http.get();
  http->server_ = std::make_unique<StreamServer>(
      ring, buffers, std::move(fd).value(), options, [raw](StreamConnection& connection) {
        return std::make_unique<HttpSession>(connection, *raw);
      });
  http->server_->Start();
  LOG_INFO("%s: HTTP on %s (port %d)", http->name_, listen_address, http->port_);
  return http;
}

HttpServer::~HttpServer() {
  server_->CloseAll();  // sessions (and replies still due to them) go with the server
  ring_.Retire(std::move(server_));
}

void HttpReply::operator()(HttpResponse response) const {
  // Through the ring even on its own thread: the session may be inside the handler's caller.
  ring_->Post([target = target_, response = std::move(response)]() mutable {
    if (target->session != nullptr) target->session->Respond(std::move(response));
  });
}

void HttpServer::Handle(std::string prefix, HttpHandler handler) {
  routes_.emplace_back(std::move(prefix), [handler = std::move(handler)](
                                              const Message& request, const std::string& peer,
                                              HttpReply reply) { reply(handler(request, peer)); });
}

void HttpServer::HandleAsync(std::string prefix, AsyncHttpHandler handler) {
  routes_.emplace_back(std::move(prefix), std::move(handler));
}

void HttpServer::Dispatch(const Message& request, const std::string& peer, HttpReply reply) {
  ++requests_;
  std::string_view path = request.Path();
  const AsyncHttpHandler* best = nullptr;
  size_t best_length = 0;
  for (const auto& [prefix, handler] : routes_) {
    bool matches = prefix == "/" || (path.substr(0, prefix.size()) == prefix &&
                                     (path.size() == prefix.size() || path[prefix.size()] == '/'));
    if (matches && (best == nullptr || prefix.size() > best_length)) {
      best = &handler;
      best_length = prefix.size();
    }
  }
  if (best == nullptr) {
    reply(TextResponse(404, StrCat("no such resource: ", path, "\n")));
    return;
  }
  (*best)(request, peer, std::move(reply));
}

}  // namespace ringcast::net::http
