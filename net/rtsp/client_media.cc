// RtspClient: the connect completion, the connection's bytes (RTSP text and '$' frames), and the
// media paths over TCP and UDP. Per packet: no allocation, no Status; bad packets are counted.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "core/strings.h"
#include "net/rtsp/client.h"
#include "net/rtsp/drops.h"
#include "rtp/byte_io.h"
#include "rtp/rtcp/feedback.h"
#include "rtp/rtcp/report.h"
#include "rtp/rtp_packet.h"

namespace ringcast::net::rtsp {
namespace {

using core::StrCat;

// Whether a datagram from `from` comes from the server's host (any port: cameras send RTP from
// ports they do not always announce). Anyone else's datagrams are dropped.
bool FromServerHost(const sockaddr* from, socklen_t from_len, const SocketAddress& server) {
  if (from == nullptr || from->sa_family != server.family()) return false;
  if (from->sa_family == AF_INET && from_len >= sizeof(sockaddr_in)) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(from);
    const auto* b = reinterpret_cast<const sockaddr_in*>(&server.storage);
    return a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (from->sa_family == AF_INET6 && from_len >= sizeof(sockaddr_in6)) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(from);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(&server.storage);
    return std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(in6_addr)) == 0;
  }
  return false;
}

void SetPort(SocketAddress& address, uint16_t port) {
  if (address.family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&address.storage)->sin_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&address.storage)->sin6_port = htons(port);
  }
}

absl::StatusOr<Fd> BindDatagram(const SocketAddress& address) {
  Fd fd(::socket(address.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return core::ErrnoStatus(errno, "udp socket");
  if (::bind(fd.get(), address.get(), address.length) != 0) {
    return core::ErrnoStatus(errno, "udp bind");
  }
  return fd;
}

}  // namespace

// --- connect -------------------------------------------------------------------------------

void RtspClient::Connector::Submit(core::Ring& ring) {
  io_uring_prep_connect(ring.GetSqe(this), fd_.get(), address_.get(), address_.length);
}

void RtspClient::Connector::OnCompletion(const io_uring_cqe& cqe) {
  if (client_ != nullptr) client_->OnConnectDone(cqe.res);
}

// --- connection bytes ----------------------------------------------------------------------

void RtspClient::OnConnectionBytes(std::span<const uint8_t> bytes) {
  demuxer_.Feed(bytes);
  while (std::optional<Demuxer::Item> item = demuxer_.Next()) {
    if (item->kind == Demuxer::Item::kFrame) {
      OnFrame(item->channel, item->payload);
    } else if (!demuxer_.ConsumeText(ParseText(item->text))) {
      break;
    }
  }
  if (demuxer_.stopped() && connection_ != nullptr) {
    // The text broke off without ending the attempt: only a contract slip gets here.
    Fail("unreadable data from the server");
  }
}

size_t RtspClient::ParseText(std::string_view text) {
  const uint64_t attempt = attempt_;
  size_t pos = 0;
  while (pos < text.size()) {
    if (reading_ == nullptr) {
      // A message boundary. Blank lines are skipped (RFC 9112 §2.2), '$' starts a frame, and
      // the first two bytes tell a response ("RTSP/1.0 ...") from a request the server sends
      // us: no method starts with "RT".
      if (!pending_r_) {
        while (pos < text.size() && (text[pos] == '\r' || text[pos] == '\n')) ++pos;
        if (pos == text.size()) break;
        if (text[pos] == '$') return pos;
        if (text[pos] == 'R' && pos + 1 == text.size()) {
          pending_r_ = true;  // decided by the next chunk's first byte
          return text.size();
        }
      }
      const bool response =
          pending_r_ ? text[pos] == 'T' : (text[pos] == 'R' && text[pos + 1] == 'T');
      reading_ = response ? &response_parser_ : &request_parser_;
      if (pending_r_) {
        size_t used = 0;
        (void)reading_->Feed("R", used);  // one byte of a start line: kNeedMore
        pending_r_ = false;
      }
    }
    size_t used = 0;
    const http::Parser::State state = reading_->Feed(text.substr(pos), used);
    pos += used;
    if (state == http::Parser::State::kError) {
      std::string reason =
          StrCat(reading_ == &response_parser_ ? "malformed answer from the server: "
                                               : "malformed request from the server: ",
                 reading_->error_reason());
      Fail(std::move(reason));
      return Demuxer::kStopFeeding;
    }
    if (state == http::Parser::State::kNeedMore) {
      if (!reading_->at_interleaved_frame()) return text.size();
      reading_ = nullptr;  // the parser saw only blank lines, then a frame
      return pos;
    }
    http::Parser* parser = reading_;
    reading_ = nullptr;
    if (parser == &response_parser_) {
      OnResponse(parser->Take());
    } else {
      OnServerRequest(parser->Take());
    }
    // The message may have ended the attempt (an error answer) or the observer stopped us.
    if (attempt != attempt_ || connection_ == nullptr) return Demuxer::kStopFeeding;
  }
  return text.size();
}

void RtspClient::OnFrame(uint8_t channel, std::span<const uint8_t> payload) {
  if (connection_ == nullptr) return;  // the attempt ended earlier in this chunk
  const int16_t track = channel_track_[channel];
  if (track < 0) {
    // RTCP on the odd channel of a track (sender reports), or a channel nobody set up.
    if (rtp::LooksLikeRtcp(payload)) ++stats_.rtcp_packets;
    return;
  }
  if (state_ != ClientState::kPlaying) {
    ++stats_.early_packets;
    return;
  }
  OnRtp(static_cast<size_t>(track), payload);
}

// Both transports end here: one RTP packet of `track`, in place in a ring buffer (or the
// Demuxer's stitch buffer), valid during this call.
void RtspClient::OnRtp(size_t track, std::span<const uint8_t> packet) {
  if (rtp::LooksLikeRtcp(packet)) {
    ++stats_.rtcp_packets;
    return;
  }
  std::optional<rtp::RtpView> view = rtp::RtpView::Parse(packet);
  if (!view) {
    ++stats_.invalid_packets;
    kRtpInvalidDrops.Count();
    LOG_RATE_LIMITED(log_limiter_, Warn, "%s",
                     LogText(StrCat("dropped an invalid RTP packet of track ", track)));
    return;
  }
  ++stats_.rtp_packets;
  stats_.rtp_bytes += packet.size();
  if (track < track_io_.size()) track_io_[track].media_ssrc = view->ssrc();
  observer_.OnSourcePacket(track, *view);
}

bool RtspClient::RequestKeyframe(size_t track) {
  if (state_ != ClientState::kPlaying || connection_ == nullptr || track >= track_io_.size()) {
    return false;
  }
  TrackIo& io = track_io_[track];
  if (io.media_ssrc == 0) return false;
  // A compound packet starts with a report (RFC 3550 §6.1): an empty RR, then the PLI.
  uint8_t rtcp[4 + 8 + 12];
  uint32_t sender = 0x52430000 | static_cast<uint32_t>(track);  // "RC", per track
  size_t size =
      rtp::rtcp::WriteReceiverReport(std::span<uint8_t>(rtcp + 4, sizeof(rtcp) - 4), sender, {});
  size += rtp::rtcp::WritePli(std::span<uint8_t>(rtcp + 4 + size, sizeof(rtcp) - 4 - size), sender,
                              io.media_ssrc);
  if (io.rtp_fd.valid()) {
    if (io.server_rtcp.length == 0) return false;
    return ::sendto(io.rtcp_fd.get(), rtcp + 4, size, MSG_DONTWAIT, io.server_rtcp.get(),
                    io.server_rtcp.length) == static_cast<ssize_t>(size);
  }
  rtcp[0] = '$';
  rtcp[1] = static_cast<uint8_t>(io.rtp_channel + 1);
  rtp::StoreBe16(rtcp + 2, static_cast<uint16_t>(size));
  connection_->Send(std::string(reinterpret_cast<const char*>(rtcp), size + 4));
  return true;
}

// --- UDP -----------------------------------------------------------------------------------

void RtspClient::UdpPort::OnReceive(std::span<uint8_t> bytes, const sockaddr* from,
                                    socklen_t from_len, uint16_t bid) {
  core::BufferRing& buffers = buffers_;  // OnDatagram may end the attempt and delete us
  client_.OnDatagram(track_, rtcp_, bytes, from, from_len);
  buffers.Recycle(bid);
}

void RtspClient::UdpPort::OnReceiveEnd(int error) {
  client_.Fail(StrCat("UDP receive failed: ", strerror(-error)));  // deletes us
}

void RtspClient::OnDatagram(size_t track, bool rtcp, std::span<const uint8_t> bytes,
                            const sockaddr* from, socklen_t from_len) {
  if (!FromServerHost(from, from_len, server_address_)) {
    ++stats_.foreign_datagrams;
    return;
  }
  if (rtcp) {
    ++stats_.rtcp_packets;
    if (track < track_io_.size()) {  // keyframe requests go back where reports come from
      memcpy(&track_io_[track].server_rtcp.storage, from, from_len);
      track_io_[track].server_rtcp.length = from_len;
    }
    return;
  }
  if (state_ != ClientState::kPlaying) {
    // The server starts sending when it gets PLAY; its answer may be read after the first
    // datagrams. Those are dropped: OnSourceReady comes before any packet.
    ++stats_.early_packets;
    return;
  }
  OnRtp(track, bytes);
}

absl::Status RtspClient::OpenUdpPorts(TrackIo& io, size_t index) {
  // Bind where the RTSP connection is bound: the address the server reaches us at.
  SocketAddress local;
  local.length = sizeof(local.storage);
  if (::getsockname(connection_->fd(), reinterpret_cast<sockaddr*>(&local.storage),
                    &local.length) != 0) {
    return core::ErrnoStatus(errno, "getsockname");
  }
  // RFC 3550 §11: RTP on an even port, RTCP on the next one. Take any free port and try its
  // partner; a few tries find a pair.
  for (int attempt = 0; attempt < 64; ++attempt) {
    SetPort(local, 0);
    absl::StatusOr<Fd> first = BindDatagram(local);
    if (!first.ok()) return first.status();
    absl::StatusOr<int> port = LocalPort(first->get());
    if (!port.ok()) return port.status();
    const int partner = (*port % 2 == 0) ? *port + 1 : *port - 1;
    if (partner < 1024 || partner > 65535) continue;
    SetPort(local, static_cast<uint16_t>(partner));
    absl::StatusOr<Fd> second = BindDatagram(local);
    if (!second.ok()) continue;  // taken: try another pair
    const bool first_is_rtp = *port % 2 == 0;
    io.rtp_fd = std::move(first_is_rtp ? *first : *second);
    io.rtcp_fd = std::move(first_is_rtp ? *second : *first);
    io.rtp_port = static_cast<uint16_t>(first_is_rtp ? *port : partner);
    // A keyframe arrives as a burst of datagrams: give the kernel room to hold one.
    int bytes = 1 << 20;
    setsockopt(io.rtp_fd.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));

    io.rtp_handler = std::make_unique<UdpPort>(*this, buffers_, index, false);
    io.rtcp_handler = std::make_unique<UdpPort>(*this, buffers_, index, true);
    io.rtp_receiver = std::make_unique<core::Receiver>(
        ring_, buffers_, io.rtp_fd.get(), core::Receiver::Mode::kDatagram, *io.rtp_handler);
    io.rtcp_receiver = std::make_unique<core::Receiver>(
        ring_, buffers_, io.rtcp_fd.get(), core::Receiver::Mode::kDatagram, *io.rtcp_handler);
    io.rtp_receiver->Start();
    io.rtcp_receiver->Start();
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError("no free even/odd UDP port pair for RTP and RTCP");
}

}  // namespace ringcast::net::rtsp
