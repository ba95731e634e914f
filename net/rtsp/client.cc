// RtspClient: attempts, backoff, and the RTSP request/response sequence. The connection bytes,
// the connect completion and the media paths are in client_media.cc.
#include "net/rtsp/client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "core/clock.h"
#include "core/strings.h"
#include "net/rtsp/transport.h"
#include "net/sdp/parser.h"

namespace ringcast::net::rtsp {
namespace {

using core::StrCat;
using http::Header;
using http::Message;

constexpr int64_t kDefaultKeepAliveNs = 30 * core::kNsPerSec;
constexpr int64_t kMinKeepAliveNs = 1 * core::kNsPerSec;
// A session that played this long was healthy: the next failure starts the backoff over.
constexpr int64_t kHealthyPlayNs = 10 * core::kNsPerSec;

// "0.2", "30", "0.05": seconds for log lines.
std::string Seconds(int64_t ns) {
  return absl::StrFormat("%.2g", static_cast<double>(ns) / core::kNsPerSec);
}

// "Connection refused" → "connection refused".
std::string ErrnoText(int error) {
  std::string text = strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Resolves `url`'s host and port. See the header on host names.
absl::StatusOr<SocketAddress> Resolve(const Url& url) {
  std::string host = url.host == "localhost" ? "127.0.0.1" : url.host;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* result = nullptr;
  const std::string port = StrCat(url.port);
  int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &result);
  if (rc == EAI_NONAME) {
    hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &result);  // blocks: see the header
  }
  if (rc != 0 || result == nullptr) {
    return absl::UnavailableError(StrCat("cannot resolve ", host, ": ", gai_strerror(rc)));
  }
  SocketAddress address;
  std::memcpy(&address.storage, result->ai_addr, result->ai_addrlen);
  address.length = result->ai_addrlen;
  freeaddrinfo(result);
  return address;
}

// "12345678;timeout=60" → id and timeout (0 when absent).
void ParseSessionHeader(std::string_view value, std::string& id, int64_t& timeout_s) {
  const size_t semicolon = value.find(';');
  id = std::string(value.substr(0, semicolon));
  while (!id.empty() && id.back() == ' ') id.pop_back();
  timeout_s = 0;
  if (semicolon == std::string_view::npos) return;
  std::string_view params = value.substr(semicolon + 1);
  const size_t at = params.find("timeout=");
  if (at == std::string_view::npos) return;
  std::string_view number = params.substr(at + 8);
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), parsed);
  if (ec == std::errc() && parsed > 0 && parsed < 86400) timeout_s = parsed;
}

bool ListsMethod(std::string_view public_header, std::string_view method) {
  size_t start = 0;
  while (start <= public_header.size()) {
    size_t comma = public_header.find(',', start);
    if (comma == std::string_view::npos) comma = public_header.size();
    std::string_view token = public_header.substr(start, comma - start);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (http::HeaderNameEquals(token, method)) return true;
    start = comma + 1;
  }
  return false;
}

std::string StatusText(const Message& response) {
  return StrCat(response.status, " ",
                response.reason.empty()
                    ? std::string(http::DefaultReason(response.status, http::Protocol::kRtsp))
                    : response.reason);
}

}  // namespace

std::string_view ClientStateName(ClientState state) {
  switch (state) {
    case ClientState::kIdle:
      return "idle";
    case ClientState::kConnecting:
      return "connecting";
    case ClientState::kDescribing:
      return "describing";
    case ClientState::kSettingUp:
      return "setting up";
    case ClientState::kPlaying:
      return "playing";
    case ClientState::kWaitingToRetry:
      return "waiting to retry";
    case ClientState::kStopped:
      return "stopped";
  }
  return "?";
}

RtspClient::RtspClient(core::Ring& ring, core::BufferRing& buffers, RtspClientOptions options,
                       rtp::SourceObserver& observer)
    : ring_(ring),
      buffers_(buffers),
      options_(std::move(options)),
      observer_(observer),
      url_(ParseUrl(options_.url)),
      url_text_(RedactUrl(options_.url)),
      use_tcp_(options_.transport == PullTransport::kTcp),
      random_(std::random_device{}()),
      response_parser_(http::Protocol::kRtsp, http::Parser::Kind::kResponse),
      request_parser_(http::Protocol::kRtsp, http::Parser::Kind::kRequest),
      connect_timer_(
          ring,
          [this] {
            Fail(StrCat("no connection within ", Seconds(options_.connect_timeout_ns), " s"));
          }),
      response_timer_(ring, [this] { OnResponseTimeout(); }),
      media_timer_(ring, [this] { OnMediaCheck(); }),
      keepalive_timer_(ring, [this] { SendKeepAlive(); }),
      retry_timer_(ring, [this] { Connect(); }) {
  channel_track_.fill(-1);
}

RtspClient::~RtspClient() { Stop(); }

std::string RtspClient::LogText(std::string_view what) const {
  if (options_.log_name.empty()) return StrCat("rtsp: ", url_text_, ": ", what);
  return StrCat("rtsp: ", options_.log_name, ": ", url_text_, ": ", what);
}

std::vector<uint16_t> RtspClient::udp_client_ports() const {
  std::vector<uint16_t> ports;
  for (const TrackIo& io : track_io_) {
    if (io.rtp_port != 0) ports.push_back(io.rtp_port);
  }
  return ports;
}

void RtspClient::Start() {
  if (state_ != ClientState::kIdle && state_ != ClientState::kStopped) return;
  absl::Status problem = url_.status();
  if (problem.ok() && url_->secure) {
    problem = absl::InvalidArgumentError("rtsps:// (RTSP over TLS) is not supported");
  }
  if (!problem.ok()) {
    last_error_ = StrCat("bad URL: ", core::ToStd(problem.message()));
    LOG_ERROR("%s", LogText(StrCat(last_error_, "; not pulling")));
    state_ = ClientState::kStopped;
    return;
  }
  if (options_.transport == PullTransport::kUdp) use_tcp_ = false;
  if (options_.transport == PullTransport::kAuto) use_tcp_ = false;
  consecutive_failures_ = 0;
  Connect();
}

void RtspClient::Stop() {
  if (state_ == ClientState::kStopped) return;
  const bool was_active = state_ != ClientState::kIdle;
  SendTeardownNow();
  CloseAttempt();
  retry_timer_.Disarm();
  state_ = ClientState::kStopped;
  if (was_active) LOG_INFO("%s", LogText("stopped"));
}

void RtspClient::Connect() {
  ++attempt_;
  ++stats_.attempts;
  state_ = ClientState::kConnecting;
  // Per-attempt state starts over; the connection's parsers when it is up (OnConnectDone).
  auth_.reset();
  if (url_->has_user) auth_.emplace(url_->user, url_->password);
  pending_.reset();
  server_has_get_parameter_ = false;
  base_url_.clear();
  aggregate_url_.clear();
  tracks_ = {};
  session_id_.clear();
  session_timeout_s_ = 0;
  source_ready_ = false;
  setting_up_ = 0;
  channel_track_.fill(-1);

  absl::StatusOr<SocketAddress> address = Resolve(*url_);
  if (!address.ok()) {
    Fail(std::string(core::ToStd(address.status().message())));
    return;
  }
  server_address_ = *address;
  Fd fd(::socket(server_address_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    Fail(StrCat("socket: ", ErrnoText(errno)));
    return;
  }
  int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  LOG_DEBUG("%s", LogText(StrCat("connecting over ", transport_in_use())));
  connector_ = std::make_unique<Connector>(*this, std::move(fd), server_address_);
  connector_->Submit(ring_);
  connect_timer_.ArmAfter(options_.connect_timeout_ns);
}

void RtspClient::OnConnectDone(int result) {
  connect_timer_.Disarm();
  std::unique_ptr<Connector> connector = std::move(connector_);
  Fd fd = connector->TakeFd();
  ring_.Retire(std::move(connector));  // its CQE is being handled: deleted after this batch
  if (result < 0) {
    Fail(ErrnoText(-result));
    return;
  }
  // A fresh byte stream: nothing of the last connection's parsing state may carry over.
  demuxer_.Reset();
  demuxer_.AllowAllChannels();
  response_parser_.Reset();
  request_parser_.Reset();
  reading_ = nullptr;
  pending_r_ = false;
  StreamServerOptions connection_options;
  connection_options.name = "rtsp client";
  connection_ = std::make_unique<StreamConnection>(
      ring_, buffers_, std::move(fd), url_->HostPort(), connection_options,
      [this](StreamConnection* closed) { OnConnectionClosed(closed); });
  connection_->Start(std::make_unique<Link>(*this));
  state_ = ClientState::kDescribing;
  SendRequest(Step::kOptions, "OPTIONS", url_->RequestUri());
}

void RtspClient::OnConnectionClosed(StreamConnection* closed) {
  if (connection_.get() != closed) return;  // not ours: cannot happen, but never free it twice
  ring_.Retire(std::move(connection_));     // its send may still be in flight
  if (!closing_connection_) Fail("connection closed by the server");
}

void RtspClient::CloseAttempt() {
  connect_timer_.Disarm();
  response_timer_.Disarm();
  media_timer_.Disarm();
  keepalive_timer_.Disarm();
  if (connector_ != nullptr) {
    connector_->Detach();
    ring_.Retire(std::move(connector_));  // cancels the connect
  }
  if (connection_ != nullptr) {
    closing_connection_ = true;
    connection_->Close();  // → OnConnectionClosed, which retires it
    closing_connection_ = false;
  }
  CloseTracks();
  pending_.reset();
  session_id_.clear();
  source_ready_ = false;
}

void RtspClient::CloseTracks() {
  for (TrackIo& io : track_io_) {
    // The kernel holds its own reference to a socket while an operation on it is in flight, so
    // the descriptors may close before the cancelled receives drain.
    for (auto* receiver : {&io.rtp_receiver, &io.rtcp_receiver}) {
      if (*receiver == nullptr) continue;
      (*receiver)->Detach();
      ring_.Retire(std::move(*receiver));
    }
  }
  track_io_.clear();
  channel_track_.fill(-1);
}

int64_t RtspClient::NextRetryDelay() {
  int64_t delay = std::max<int64_t>(options_.backoff_initial_ns, 1);
  for (int i = 0; i < consecutive_failures_ && delay < options_.backoff_max_ns; ++i) delay *= 2;
  delay = std::min(delay, std::max(options_.backoff_max_ns, int64_t{1}));
  ++consecutive_failures_;
  // Jitter in [0.8, 1]: reconnecting cameras spread out, and each delay still exceeds the one
  // before it until the cap.
  std::uniform_int_distribution<int64_t> jitter(delay * 4 / 5, delay);
  return jitter(random_);
}

void RtspClient::Fail(std::string reason) {
  if (state_ == ClientState::kStopped || state_ == ClientState::kWaitingToRetry ||
      state_ == ClientState::kIdle) {
    return;
  }
  const bool was_playing = state_ == ClientState::kPlaying;
  const bool tell_observer = source_ready_;
  if (was_playing && core::NowNs() - playing_since_ns_ >= kHealthyPlayNs) {
    consecutive_failures_ = 0;
  }
  CloseAttempt();
  last_error_ = reason;
  retry_delay_ns_ = NextRetryDelay();
  state_ = ClientState::kWaitingToRetry;
  retry_timer_.ArmAfter(retry_delay_ns_);
  LOG_WARN("%s", LogText(StrCat(reason, "; retrying in ", Seconds(retry_delay_ns_), " s")));
  if (tell_observer) observer_.OnSourceLost(reason);  // last: it may Stop() us
}

// --- requests ------------------------------------------------------------------------------

void RtspClient::SendRequest(Step step, std::string method, std::string uri,
                             std::vector<Header> headers) {
  pending_ = PendingRequest{.step = step,
                            .method = std::move(method),
                            .uri = std::move(uri),
                            .headers = std::move(headers)};
  Resend();
}

void RtspClient::Resend() {
  PendingRequest& request = *pending_;
  request.cseq = next_cseq_++;
  std::vector<Header> headers = {{"CSeq", StrCat(request.cseq)}, {"User-Agent", "ringcast"}};
  if (auth_.has_value() && auth_->HasChallenge()) {
    headers.push_back({"Authorization", auth_->Authorization(request.method, request.uri)});
  }
  if (!session_id_.empty()) headers.push_back({"Session", session_id_});
  headers.insert(headers.end(), request.headers.begin(), request.headers.end());
  connection_->Send(
      http::FormatRequest(http::Protocol::kRtsp, request.method, request.uri, headers, ""));
  response_timer_.ArmAfter(options_.response_timeout_ns);
}

void RtspClient::OnResponseTimeout() {
  if (!pending_.has_value()) return;
  const std::string what = StrCat("no answer to ", pending_->method, " within ",
                                  Seconds(options_.response_timeout_ns), " s");
  if (pending_->step == Step::kKeepAlive) {
    // Not fatal: the media watchdog decides whether the session is still alive.
    LOG_RATE_LIMITED(log_limiter_, Warn, "%s", LogText(what));
    pending_.reset();
    return;
  }
  Fail(what);
}

void RtspClient::OnResponse(Message response) {
  if (!pending_.has_value()) {
    LOG_DEBUG("%s", LogText("ignoring an answer to no request"));
    return;
  }
  const std::string* cseq = response.FindHeader("CSeq");
  int number = -1;
  if (cseq != nullptr) std::from_chars(cseq->data(), cseq->data() + cseq->size(), number);
  if (cseq != nullptr && number != pending_->cseq) {
    LOG_DEBUG("%s", LogText(StrCat("ignoring an answer with CSeq ", *cseq, ", waiting for ",
                                   pending_->cseq)));
    return;
  }
  response_timer_.Disarm();
  if (response.status == 401) {
    OnUnauthorized(response);
    return;
  }
  const Step step = pending_->step;
  if (step != Step::kKeepAlive && step != Step::kOptions &&
      (response.status < 200 || response.status > 299) &&
      !(step == Step::kSetup && response.status == 461)) {
    Fail(StrCat(pending_->method, ": ", StatusText(response)));
    return;
  }
  switch (step) {
    case Step::kOptions:
      OnOptionsResponse(response);
      break;
    case Step::kDescribe:
      OnDescribeResponse(response);
      break;
    case Step::kSetup:
      OnSetupResponse(response);
      break;
    case Step::kPlay:
      OnPlayResponse(response);
      break;
    case Step::kKeepAlive:
      OnKeepAliveResponse(response);
      break;
  }
}

void RtspClient::OnUnauthorized(const Message& response) {
  const std::string what = StrCat(pending_->method, ": ", StatusText(response), ": ");
  if (!auth_.has_value()) {
    Fail(StrCat(what, "the server wants credentials and the URL has none"));
    return;
  }
  if (pending_->retried_with_auth) {
    Fail(StrCat(what, "wrong credentials"));
    return;
  }
  const bool had_challenge = auth_->HasChallenge();
  if (absl::Status status = auth_->OnChallenge(response); !status.ok()) {
    // http::ClientAuth refuses a challenge whose nonce it has answered already: wrong credentials.
    Fail(StrCat(what, had_challenge ? "wrong credentials" : core::ToStd(status.message())));
    return;
  }
  pending_->retried_with_auth = true;
  Resend();
}

void RtspClient::OnOptionsResponse(const Message& response) {
  // OPTIONS only tells us what the server supports; some cameras answer it with an error and
  // serve DESCRIBE fine, so its status does not matter.
  if (const std::string* methods = response.FindHeader("Public")) {
    server_has_get_parameter_ = ListsMethod(*methods, "GET_PARAMETER");
  }
  pending_.reset();
  SendRequest(Step::kDescribe, "DESCRIBE", url_->RequestUri(), {{"Accept", "application/sdp"}});
}

void RtspClient::OnDescribeResponse(const Message& response) {
  const std::string request_uri = pending_->uri;
  pending_.reset();
  absl::StatusOr<sdp::Session> session = sdp::ParseSdp(response.body);
  if (!session.ok()) {
    Fail(StrCat("DESCRIBE: bad SDP: ", core::ToStd(session.status().message())));
    return;
  }
  absl::StatusOr<SourceTracks> tracks = TracksFromSdp(*session);
  if (!tracks.ok()) {
    Fail(StrCat("DESCRIBE: ", core::ToStd(tracks.status().message())));
    return;
  }
  tracks_ = *std::move(tracks);
  // RFC 2326 §C.1.1: relative controls resolve against Content-Base, then Content-Location,
  // then the request URL.
  if (const std::string* base = response.FindHeader("Content-Base")) {
    base_url_ = *base;
  } else if (const std::string* location = response.FindHeader("Content-Location")) {
    base_url_ = *location;
  } else {
    base_url_ = request_uri;
  }
  // The session-level a=control names the aggregate (PLAY, keep-alives, TEARDOWN); "*" or
  // none means the base itself.
  aggregate_url_ = ResolveControl(base_url_, session->Control().value_or(""));
  state_ = ClientState::kSettingUp;
  CloseTracks();
  track_io_.resize(tracks_.tracks.size());
  SetupTrack(0);
}

void RtspClient::SetupTrack(size_t index) {
  setting_up_ = index;
  TrackIo& io = track_io_[index];
  TransportSpec spec;
  spec.delivery = Delivery::kUnicast;
  if (use_tcp_) {
    spec.lower = LowerTransport::kTcp;
    spec.interleaved =
        ChannelPair{static_cast<uint8_t>(2 * index), static_cast<uint8_t>(2 * index + 1)};
  } else {
    if (absl::Status status = OpenUdpPorts(io, index); !status.ok()) {
      Fail(StrCat("SETUP: ", core::ToStd(status.message())));
      return;
    }
    spec.lower = LowerTransport::kUdp;
    spec.client_port = PortPair{io.rtp_port, static_cast<uint16_t>(io.rtp_port + 1)};
  }
  SendRequest(Step::kSetup, "SETUP", ResolveControl(base_url_, tracks_.controls[index]),
              {{"Transport", FormatTransportSpec(spec)}});
}

void RtspClient::OnSetupResponse(const Message& response) {
  pending_.reset();
  if (response.status == 461) {
    if (options_.transport != PullTransport::kAuto || use_tcp_) {
      Fail(StrCat("SETUP: ", StatusText(response)));
      return;
    }
    use_tcp_ = true;  // for this attempt and every later one
    LOG_INFO("%s", LogText("the server refuses UDP (461); switching to TCP"));
    if (setting_up_ != 0 || !session_id_.empty()) {
      Fail("SETUP over UDP refused (461); falling back to TCP");
      return;
    }
    CloseTracks();  // track 0's UDP ports
    track_io_.resize(tracks_.tracks.size());
    SetupTrack(0);
    return;
  }
  const std::string* session = response.FindHeader("Session");
  if (session == nullptr && session_id_.empty()) {
    Fail("SETUP: the answer has no Session header");
    return;
  }
  if (session != nullptr) ParseSessionHeader(*session, session_id_, session_timeout_s_);
  TrackIo& io = track_io_[setting_up_];
  std::optional<TransportSpec> reply;
  if (const std::string* transport = response.FindHeader("Transport")) {
    absl::StatusOr<std::vector<TransportSpec>> specs = ParseTransport(*transport);
    if (specs.ok() && !specs->empty()) reply = specs->front();
  }
  if (use_tcp_) {
    if (reply.has_value() && reply->lower != LowerTransport::kTcp) {
      Fail("SETUP: the server answered TCP with another transport");
      return;
    }
    // The server may pick other channels than we offered (RFC 2326 §12.39).
    io.rtp_channel = reply.has_value() && reply->interleaved.has_value()
                         ? reply->interleaved->rtp
                         : static_cast<uint8_t>(2 * setting_up_);
    if (channel_track_[io.rtp_channel] >= 0) {
      Fail(StrCat("SETUP: the server put two tracks on channel ", io.rtp_channel));
      return;
    }
    channel_track_[io.rtp_channel] = static_cast<int16_t>(setting_up_);
  } else if (reply.has_value() && reply->lower != LowerTransport::kUdp) {
    Fail("SETUP: the server answered UDP with another transport");
    return;
  }
  if (setting_up_ + 1 < tracks_.tracks.size()) {
    SetupTrack(setting_up_ + 1);
    return;
  }
  SendRequest(Step::kPlay, "PLAY", aggregate_url_, {{"Range", "npt=0.000-"}});
}

void RtspClient::OnPlayResponse(const Message& response) {
  (void)response;
  pending_.reset();
  state_ = ClientState::kPlaying;
  playing_since_ns_ = core::NowNs();
  if (ever_played_) ++stats_.reconnects;
  ever_played_ = true;
  packets_at_check_ = stats_.rtp_packets;
  media_timer_.ArmAfter(options_.no_media_timeout_ns);
  const int64_t keepalive_ns =
      session_timeout_s_ > 0 ? std::max(kMinKeepAliveNs, session_timeout_s_ * core::kNsPerSec / 2)
                             : kDefaultKeepAliveNs;
  keepalive_timer_.ArmAfter(keepalive_ns);
  const size_t count = tracks_.tracks.size();
  LOG_INFO("%s", LogText(StrCat("playing over ", transport_in_use(), " (", count,
                                count == 1 ? " track)" : " tracks)")));
  source_ready_ = true;
  observer_.OnSourceReady(tracks_.tracks);
}

void RtspClient::SendKeepAlive() {
  if (state_ != ClientState::kPlaying) return;
  const int64_t period = session_timeout_s_ > 0
                             ? std::max(kMinKeepAliveNs, session_timeout_s_ * core::kNsPerSec / 2)
                             : kDefaultKeepAliveNs;
  keepalive_timer_.ArmAfter(period);
  if (pending_.has_value()) return;  // the last one is still unanswered
  ++stats_.keepalives;
  if (server_has_get_parameter_) {
    SendRequest(Step::kKeepAlive, "GET_PARAMETER", aggregate_url_);
  } else {
    SendRequest(Step::kKeepAlive, "OPTIONS", aggregate_url_);
  }
}

void RtspClient::OnKeepAliveResponse(const Message& response) {
  const std::string method = pending_->method;
  pending_.reset();
  if (response.status == 454) {  // Session Not Found: the server forgot us
    Fail(StrCat(method, ": ", StatusText(response)));
    return;
  }
  if (response.status >= 300 && method == "GET_PARAMETER") {
    server_has_get_parameter_ = false;  // OPTIONS from now on
  }
}

void RtspClient::OnMediaCheck() {
  if (state_ != ClientState::kPlaying) return;
  if (stats_.rtp_packets != packets_at_check_) {
    packets_at_check_ = stats_.rtp_packets;
    media_timer_.ArmAfter(options_.no_media_timeout_ns);
    return;
  }
  const std::string what = StrCat("no media over ", transport_in_use(), " for ",
                                  Seconds(options_.no_media_timeout_ns), " s");
  if (options_.transport == PullTransport::kAuto && !use_tcp_) {
    use_tcp_ = true;  // for every later attempt
    Fail(StrCat(what, "; falling back to TCP"));
    return;
  }
  Fail(what);
}

void RtspClient::OnServerRequest(const Message& request) {
  ++stats_.server_requests;
  const bool known = request.method == "OPTIONS" || request.method == "GET_PARAMETER";
  // Some cameras send these periodically: not worth more than a debug line.
  LOG_DEBUG("%s", LogText(StrCat("the server sent ", request.method, "; answering ",
                                 known ? "200" : "501")));
  std::vector<Header> headers;
  if (const std::string* cseq = request.FindHeader("CSeq")) headers.push_back({"CSeq", *cseq});
  if (request.method == "OPTIONS") headers.push_back({"Public", "OPTIONS, GET_PARAMETER"});
  connection_->Send(
      http::FormatResponse(http::Protocol::kRtsp, known ? 200 : 501, "", headers, ""));
}

void RtspClient::SendTeardownNow() {
  if (connection_ == nullptr || session_id_.empty() || aggregate_url_.empty()) return;
  // Stop() closes the connection at once, which would drop a queued request, so TEARDOWN is
  // written with one non-blocking send(2) — only when nothing else is queued, so it cannot cut
  // into another message. Best effort: the server times the session out otherwise.
  if (connection_->queued_bytes() != 0) return;
  std::vector<Header> headers = {{"CSeq", StrCat(next_cseq_++)}, {"User-Agent", "ringcast"}};
  if (auth_.has_value() && auth_->HasChallenge()) {
    headers.push_back({"Authorization", auth_->Authorization("TEARDOWN", aggregate_url_)});
  }
  headers.push_back({"Session", session_id_});
  const std::string bytes =
      http::FormatRequest(http::Protocol::kRtsp, "TEARDOWN", aggregate_url_, headers, "");
  const ssize_t sent =
      ::send(connection_->fd(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent != static_cast<ssize_t>(bytes.size())) {
    LOG_DEBUG("%s", LogText("TEARDOWN could not be sent"));
  }
}

}  // namespace ringcast::net::rtsp
