#include "tools/loadgen/http_request.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "core/strings.h"
#include "net/socket.h"

namespace ringcast::loadgen {

using core::StrCat;

// Feeds the connection's bytes to a response parser and reports the first complete message.
class HttpRequest::Session final : public net::StreamSession {
 public:
  explicit Session(HttpRequest& owner) : owner_(owner) {}

  void OnBytes(std::span<const uint8_t> bytes) override {
    if (done_) return;
    std::string_view data(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    size_t used = 0;
    switch (parser_.Feed(data, used)) {
      case net::http::Parser::State::kComplete:
        done_ = true;
        owner_.OnResponse(parser_.Take());  // closes the connection: `this` is gone
        return;
      case net::http::Parser::State::kError:
        done_ = true;
        owner_.OnResponse(absl::InvalidArgumentError(
            StrCat("malformed HTTP response: ", parser_.error_reason())));
        return;
      case net::http::Parser::State::kNeedMore:
        return;
    }
  }

 private:
  HttpRequest& owner_;
  net::http::Parser parser_{net::http::Protocol::kHttp, net::http::Parser::Kind::kResponse};
  bool done_ = false;
};

HttpRequest::HttpRequest(core::Ring& ring, Callback callback)
    : ring_(ring),
      callback_(std::move(callback)),
      timeout_(ring, [this] { OnResponse(absl::DeadlineExceededError("HTTP request timed out")); }),
      deliver_(ring, [this] {
        // The owner may destroy us from the callback: touch nothing after it.
        Callback callback = std::move(callback_);
        absl::StatusOr<net::http::Message> result = std::move(*result_);
        callback(std::move(result));
      }) {}

HttpRequest::~HttpRequest() {
  if (connection_) connection_->Close();  // → OnClosed retires it
}

absl::StatusOr<std::unique_ptr<HttpRequest>> HttpRequest::Start(
    core::Ring& ring, core::BufferRing& buffers, const std::string& host, uint16_t port,
    std::string request, int64_t timeout_ns, Callback callback) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(StrCat("bad IPv4 address ", host));
  }
  net::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return core::ErrnoStatus(errno, "socket");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return core::ErrnoStatus(errno, StrCat("connect ", host, ":", port));
  }
  std::unique_ptr<HttpRequest> r(new HttpRequest(ring, std::move(callback)));
  HttpRequest* self = r.get();
  r->connection_ = std::make_unique<net::StreamConnection>(
      ring, buffers, std::move(fd), StrCat(host, ":", port),
      net::StreamServerOptions{.name = "http-client"},
      [self](net::StreamConnection* closed) { self->OnClosed(closed); });
  r->connection_->Start(std::make_unique<Session>(*r));
  r->connection_->Send(std::move(request));
  r->timeout_.ArmAfter(timeout_ns);
  return r;
}

void HttpRequest::OnResponse(absl::StatusOr<net::http::Message> result) {
  if (result_) return;
  result_ = std::move(result);
  timeout_.Disarm();
  if (connection_) connection_->Close();
  deliver_.ArmAfter(0);
}

void HttpRequest::OnClosed(net::StreamConnection* closed) {
  if (connection_.get() != closed) return;
  ring_.Retire(std::move(connection_));
  if (!result_) OnResponse(absl::UnavailableError("connection closed before the response"));
}

}  // namespace ringcast::loadgen
