#include "tools/loadgen/publisher.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "net/rtsp/transport.h"

namespace ringcast::loadgen {
namespace {

using core::StrCat;

constexpr int64_t kKeepaliveNs = 15 * core::kNsPerSec;
constexpr size_t kMaxQueuedBytes = 8 << 20;  // a server that stops reading: drop, don't grow

// The server's RTP port from a SETUP reply's Transport header. Only the first number of
// server_port matters to a publisher, so this does not insist on a well-formed pair (a server
// bound to two arbitrary ports, e.g. rtsp.rtp_port = rtsp.rtcp_port = 0, answers
// "server_port=59634-51747", which net::rtsp::ParseTransportSpec rightly refuses as a pair).
std::optional<uint16_t> ServerRtpPort(std::string_view transport) {
  const size_t at = transport.find("server_port=");
  if (at == std::string_view::npos) return std::nullopt;
  uint32_t port = 0;
  size_t i = at + 12;
  for (; i < transport.size() && transport[i] >= '0' && transport[i] <= '9'; ++i) {
    port = port * 10 + static_cast<uint32_t>(transport[i] - '0');
    if (port > 65535) return std::nullopt;
  }
  if (i == at + 12 || port == 0) return std::nullopt;
  return static_cast<uint16_t>(port);
}

}  // namespace

const char* PublisherStateName(Publisher::State state) {
  switch (state) {
    case Publisher::State::kIdle:
      return "idle";
    case Publisher::State::kConnecting:
      return "connecting";
    case Publisher::State::kAnnounce:
      return "announce";
    case Publisher::State::kSetup:
      return "setup";
    case Publisher::State::kRecord:
      return "record";
    case Publisher::State::kStreaming:
      return "streaming";
    case Publisher::State::kFailed:
      return "failed";
  }
  return "?";
}

// The RTSP connection's bytes go to the publisher's demuxer ('$' frames from the server, e.g.
// RTCP receiver reports, are skipped).
class Publisher::Session final : public net::StreamSession {
 public:
  explicit Session(Publisher& owner) : owner_(owner) {}
  void OnBytes(std::span<const uint8_t> bytes) override { owner_.OnConnectionBytes(bytes); }

 private:
  Publisher& owner_;
};

Publisher::Publisher(core::Ring& ring, core::BufferRing& buffers, PublisherConfig config)
    : ring_(ring), buffers_(buffers), config_(std::move(config)), keepalive_(ring, [this] {
        if (state_ != State::kStreaming) return;
        SendRequest("OPTIONS", config_.url, {{"Session", session_id_}});
        keepalive_.ArmAfter(kKeepaliveNs);
      }) {}

Publisher::~Publisher() { Stop(); }

void Publisher::Fail(std::string reason) {
  if (state_ == State::kFailed) return;
  LOG_WARN("loadgen: publisher %d (%s): %s", config_.index, config_.url, reason);
  error_ = std::move(reason);
  state_ = State::kFailed;
  if (source_) source_->Stop();
  keepalive_.Disarm();
  if (connection_) connection_->Close();
}

void Publisher::Stop() {
  if (source_) source_->Stop();
  keepalive_.Disarm();
  if (connection_) connection_->Close();  // → OnClosed retires it
}

void Publisher::Start() {
  absl::StatusOr<std::unique_ptr<rtp::DemoSource>> source =
      rtp::DemoSource::Create(ring_, config_.clip, *this,
                              {.fps = config_.fps,
                               .max_payload = 1200,
                               .ssrc = 0x4C470000u + static_cast<uint32_t>(config_.index)});
  if (!source.ok()) return Fail(std::string(core::ToStd(source.status().message())));
  source_ = std::move(*source);

  if (config_.kind == PublisherConfig::Kind::kRtp) {
    if (absl::Status s = OpenUdp(); !s.ok()) return Fail(std::string(core::ToStd(s.message())));
    udp_peer_.sin_port = htons(config_.port);
    return StartMedia();
  }

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(config_.port);
  ::inet_pton(AF_INET, config_.host.c_str(), &addr.sin_addr);
  net::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Fail(StrCat("socket: ", std::strerror(errno)));
  state_ = State::kConnecting;
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Fail(StrCat("connect: ", std::strerror(errno)));
  }
  connection_ = std::make_unique<net::StreamConnection>(
      ring_, buffers_, std::move(fd), StrCat(config_.host, ":", config_.port),
      net::StreamServerOptions{.name = "rtsp-publisher", .max_queued_bytes = kMaxQueuedBytes * 2},
      [this](net::StreamConnection* closed) { OnClosed(closed); });
  connection_->Start(std::make_unique<Session>(*this));

  if (config_.kind == PublisherConfig::Kind::kRtspUdp) {
    if (absl::Status s = OpenUdp(); !s.ok()) return Fail(std::string(core::ToStd(s.message())));
  }
  const rtp::TrackInfo& track = source_->track_info();
  const std::string sdp = StrCat(
      "v=0\r\no=- ", config_.index, " 1 IN IP4 ", config_.host,
      "\r\ns=ringcast-loadgen\r\nc=IN IP4 ", config_.host, "\r\nt=0 0\r\nm=video 0 RTP/AVP ",
      track.payload_type, "\r\na=rtpmap:", track.payload_type,
      " H264/90000\r\na=fmtp:", track.payload_type, " ", track.fmtp, "\r\na=control:trackID=0\r\n");
  state_ = State::kAnnounce;
  SendRequest("ANNOUNCE", config_.url, {{"Content-Type", "application/sdp"}}, sdp);
}

absl::Status Publisher::OpenUdp() {
  net::Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return core::ErrnoStatus(errno, "udp socket");
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, config_.host.c_str(), &udp_peer_.sin_addr);
  udp_peer_.sin_family = AF_INET;
  // Bind on the address we send to when it is loopback, so the source address is predictable.
  local.sin_addr.s_addr = (ntohl(udp_peer_.sin_addr.s_addr) >> 24) == 127
                              ? udp_peer_.sin_addr.s_addr
                              : htonl(INADDR_ANY);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0) {
    return core::ErrnoStatus(errno, "udp bind");
  }
  const int sndbuf = 1 << 20;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  ASSIGN_OR_RETURN(const int port, net::LocalPort(fd.get()));
  udp_local_port_ = static_cast<uint16_t>(port);
  udp_ = std::move(fd);
  return absl::OkStatus();
}

void Publisher::SendRequest(std::string_view method, std::string_view url,
                            std::vector<net::http::Header> headers, std::string_view body) {
  if (!connection_) return;
  headers.insert(headers.begin(), {"CSeq", StrCat(++cseq_)});
  headers.push_back({"User-Agent", "ringcast-loadgen"});
  connection_->Send(
      net::http::FormatRequest(net::http::Protocol::kRtsp, method, url, headers, body));
}

void Publisher::OnConnectionBytes(std::span<const uint8_t> bytes) {
  if (state_ == State::kFailed) return;
  demuxer_.Feed(bytes);
  // Frames from the server (RTCP receiver reports) are read past; only the answers matter.
  while (std::optional<net::rtsp::Demuxer::Item> item = demuxer_.Next()) {
    if (item->kind == net::rtsp::Demuxer::Item::kText &&
        !demuxer_.ConsumeText(ParseText(item->text))) {
      break;
    }
  }
  if (demuxer_.stopped() && state_ != State::kFailed) {
    Fail(StrCat("malformed RTSP response: ", parser_.error_reason()));
  }
}

size_t Publisher::ParseText(std::string_view text) {
  size_t offset = 0;
  while (offset < text.size()) {
    size_t used = 0;
    const net::http::Parser::State s = parser_.Feed(text.substr(offset), used);
    offset += used;
    if (s == net::http::Parser::State::kError) return net::rtsp::Demuxer::kStopFeeding;
    if (s == net::http::Parser::State::kComplete) {
      OnResponse(parser_.Take());
      if (state_ == State::kFailed) return net::rtsp::Demuxer::kStopFeeding;
      continue;
    }
    if (parser_.at_interleaved_frame()) return offset;
    break;
  }
  return text.size();
}

void Publisher::OnResponse(const net::http::Message& response) {
  auto refuse = [&](std::string_view step) {
    Fail(StrCat(step, ": RTSP ", response.status, " ", response.reason));
  };
  switch (state_) {
    case State::kAnnounce: {
      if (response.status != 200) return refuse("ANNOUNCE");
      net::rtsp::TransportSpec spec;
      spec.delivery = net::rtsp::Delivery::kUnicast;
      spec.mode = net::rtsp::TransportMode::kRecord;
      if (config_.kind == PublisherConfig::Kind::kRtspTcp) {
        spec.lower = net::rtsp::LowerTransport::kTcp;
        spec.interleaved = net::rtsp::ChannelPair{0, 1};
      } else {
        spec.client_port =
            net::rtsp::PortPair{udp_local_port_, static_cast<uint16_t>(udp_local_port_ + 1)};
      }
      state_ = State::kSetup;
      SendRequest("SETUP", StrCat(config_.url, "/trackID=0"),
                  {{"Transport", net::rtsp::FormatTransportSpec(spec)}});
      return;
    }
    case State::kSetup: {
      if (response.status != 200) return refuse("SETUP");
      const std::string* session = response.FindHeader("Session");
      if (session == nullptr) return Fail("SETUP: no Session header in the reply");
      session_id_ = session->substr(0, session->find(';'));
      if (config_.kind == PublisherConfig::Kind::kRtspUdp) {
        const std::string* transport = response.FindHeader("Transport");
        const std::optional<uint16_t> port =
            transport ? ServerRtpPort(*transport) : std::optional<uint16_t>();
        if (!port) {
          return Fail(StrCat("SETUP: no server_port in the reply (Transport: ",
                             transport ? *transport : std::string("none"), ")"));
        }
        udp_peer_.sin_port = htons(*port);
      }
      state_ = State::kRecord;
      SendRequest("RECORD", config_.url, {{"Session", session_id_}, {"Range", "npt=0.000-"}});
      return;
    }
    case State::kRecord:
      if (response.status != 200) return refuse("RECORD");
      StartMedia();
      return;
    default:
      return;  // keep-alive replies
  }
}

void Publisher::StartMedia() {
  state_ = State::kStreaming;
  if (connection_) keepalive_.ArmAfter(kKeepaliveNs);
  source_->Start();
}

void Publisher::OnClosed(net::StreamConnection* closed) {
  if (connection_.get() != closed) return;
  ring_.Retire(std::move(connection_));
  if (state_ != State::kFailed && state_ != State::kIdle) {
    if (source_ && source_->running()) Fail("the server closed the RTSP connection");
  }
}

void Publisher::OnSourcePacket(size_t /*track*/, const rtp::RtpView& packet) {
  const std::span<const uint8_t> bytes = packet.packet();
  if (config_.kind == PublisherConfig::Kind::kRtspTcp) {
    if (!connection_) return;
    const uint8_t header[4] = {'$', 0, static_cast<uint8_t>(bytes.size() >> 8),
                               static_cast<uint8_t>(bytes.size())};
    frame_buffer_.append(reinterpret_cast<const char*>(header), 4);
    frame_buffer_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    ++packets_sent_;
    bytes_sent_ += bytes.size();
    if (packet.marker()) {  // the access unit is complete: one send
      if (connection_->queued_bytes() > kMaxQueuedBytes) {
        ++send_errors_;
      } else {
        connection_->Send(std::move(frame_buffer_));
      }
      frame_buffer_ = std::string();
      frame_buffer_.reserve(64 << 10);
    }
    return;
  }
  const ssize_t n = ::sendto(udp_.get(), bytes.data(), bytes.size(), 0,
                             reinterpret_cast<const sockaddr*>(&udp_peer_), sizeof(udp_peer_));
  if (n < 0) {
    ++send_errors_;
    return;
  }
  ++packets_sent_;
  bytes_sent_ += bytes.size();
}

}  // namespace ringcast::loadgen
