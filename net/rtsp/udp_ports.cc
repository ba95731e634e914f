#include "net/rtsp/udp_ports.h"

#include <sys/socket.h>

#include <cstring>

#include "core/log.h"
#include "core/strings.h"
#include "net/rtsp/drops.h"
#include "rtp/rtp_packet.h"

namespace ringcast::net::rtsp {

struct UdpMediaPorts::Steered final : core::ReceiveHandler {
  Steered(core::BufferRing& buffers, UdpRtpSink* sink, size_t track)
      : buffers(buffers), sink(sink), track(track) {}
  void OnReceive(std::span<uint8_t> bytes, const sockaddr*, socklen_t, uint16_t bid) override {
    bool rtcp = bytes.size() >= 2 && bytes[1] >= 192 && bytes[1] <= 223;
    if (!rtcp) sink->OnUdpRtp(track, bytes);
    buffers.Recycle(bid);
  }
  void OnReceiveEnd(int error) override {
    LOG_WARN("rtsp: a publisher's UDP receive ended: %s", strerror(-error));
  }
  core::BufferRing& buffers;
  UdpRtpSink* sink;
  size_t track;
  Fd fd;
  std::unique_ptr<core::Receiver> receiver;
};

UdpMediaPorts::UdpMediaPorts(core::Ring& ring, core::BufferRing& buffers)
    : ring_(ring), buffers_(buffers) {}

absl::StatusOr<std::unique_ptr<UdpMediaPorts>> UdpMediaPorts::Open(core::Ring& ring,
                                                                   core::BufferRing& buffers,
                                                                   const std::string& host,
                                                                   int rtp_port, int rtcp_port,
                                                                   bool shared) {
  std::unique_ptr<UdpMediaPorts> ports(new UdpMediaPorts(ring, buffers));
  ports->shared_ = shared;
  ports->host_ = host;
  for (auto [port, fd, out_port] : {std::tuple{rtp_port, &ports->rtp_fd_, &ports->rtp_port_},
                                    std::tuple{rtcp_port, &ports->rtcp_fd_, &ports->rtcp_port_}}) {
    ASSIGN_OR_RETURN(SocketAddress address, ParseSocketAddress(core::StrCat(host, ":", port)));
    absl::StatusOr<Fd> bound = BindUdp(address, shared);
    if (!bound.ok()) {
      return absl::Status(
          bound.status().code(),
          core::StrCat("rtsp: UDP port ", port, ": ", core::ToStd(bound.status().message())));
    }
    int big = 4 << 20;  // a burst of a few cameras' keyframes must not overflow the socket
    setsockopt(bound->get(), SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    ASSIGN_OR_RETURN(*out_port, LocalPort(bound->get()));
    *fd = std::move(bound).value();
  }
  ports->rtp_receiver_ = std::make_unique<core::Receiver>(
      ring, buffers, ports->rtp_fd_.get(), core::Receiver::Mode::kDatagram,
      static_cast<core::ReceiveHandler&>(*ports));
  ports->rtcp_receiver_ = std::make_unique<core::Receiver>(
      ring, buffers, ports->rtcp_fd_.get(), core::Receiver::Mode::kDatagram,
      static_cast<core::ReceiveHandler&>(*ports));
  ports->rtp_receiver_->Start();
  ports->rtcp_receiver_->Start();
  LOG_INFO("rtsp: RTP over UDP on ports %d (RTP) and %d (RTCP)", ports->rtp_port_,
           ports->rtcp_port_);
  return ports;
}

UdpMediaPorts::~UdpMediaPorts() {
  for (std::unique_ptr<Steered>& steered : steered_) {
    steered->receiver->Detach();
    ring_.Retire(std::move(steered->receiver));
  }
  for (auto* receiver : {&rtp_receiver_, &rtcp_receiver_}) {
    if (*receiver == nullptr) continue;
    (*receiver)->Detach();
    ring_.Retire(std::move(*receiver));
  }
}

void UdpMediaPorts::Register(const SocketAddress& from, UdpRtpSink* sink, size_t track) {
  routes_[FormatSocketAddress(from.get(), from.length)] = {sink, track};
  if (!shared_) return;
  absl::StatusOr<SocketAddress> local = ParseSocketAddress(core::StrCat(host_, ":", rtp_port_));
  absl::StatusOr<Fd> fd = local.ok() ? ConnectedUdp(*local, from) : local.status();
  if (!fd.ok()) {  // its datagrams still arrive when the kernel picks this worker's socket
    LOG_WARN("rtsp: no socket of its own for the publisher at %s: %s",
             FormatSocketAddress(from.get(), from.length), core::ToStd(fd.status().message()));
    return;
  }
  auto steered = std::make_unique<Steered>(buffers_, sink, track);
  steered->fd = std::move(fd).value();
  int big = 4 << 20;
  setsockopt(steered->fd.get(), SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
  steered->receiver = std::make_unique<core::Receiver>(ring_, buffers_, steered->fd.get(),
                                                       core::Receiver::Mode::kDatagram, *steered);
  steered->receiver->Start();
  steered_.push_back(std::move(steered));
}

void UdpMediaPorts::Unregister(UdpRtpSink* sink) {
  std::erase_if(routes_, [sink](const auto& route) { return route.second.first == sink; });
  std::erase_if(steered_, [this, sink](std::unique_ptr<Steered>& steered) {
    if (steered->sink != sink) return false;
    steered->receiver->Detach();
    ring_.Retire(std::move(steered->receiver));
    return true;  // the socket closes; the retired receive drains on its own
  });
}

bool UdpMediaPorts::SendRtp(const SocketAddress& to, std::span<const uint8_t> packet) {
  ssize_t sent =
      ::sendto(rtp_fd_.get(), packet.data(), packet.size(), MSG_DONTWAIT, to.get(), to.length);
  if (sent == static_cast<ssize_t>(packet.size())) return true;
  ++send_errors_;
  return false;
}

void UdpMediaPorts::OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                              uint16_t bid) {
  // Both receivers share this handler; the RTCP one is told apart by nothing but routing, so
  // look at the RTP/RTCP packet type (RFC 5761 §4) to count RTCP wherever it arrives.
  bool rtcp = bytes.size() >= 2 && bytes[1] >= 192 && bytes[1] <= 223;
  if (rtcp) {
    ++rtcp_in_;
  } else {
    auto route = routes_.find(FormatSocketAddress(from, from_len));
    if (route == routes_.end() && bytes.size() == rtp::kRtpFixedHeaderSize) {
      // A bare RTP header is a UDP reader opening its NAT binding towards this port (ffmpeg
      // and GStreamer send one or two after SETUP): expected, and nothing to route.
      LOG_DEBUG("rtsp: NAT opening packet from %s", FormatSocketAddress(from, from_len));
    } else if (route == routes_.end()) {
      ++unrouted_;
      kRtpUnroutedDrops.Count();
      LOG_EVERY_SEC(Warn, "rtsp: UDP datagram from %s, which set up no RTP session; dropped",
                    FormatSocketAddress(from, from_len));
    } else {
      route->second.first->OnUdpRtp(route->second.second, bytes);
    }
  }
  buffers_.Recycle(bid);
}

void UdpMediaPorts::OnReceiveEnd(int error) {
  LOG_ERROR("rtsp: UDP receive ended: %s", strerror(-error));
}

}  // namespace ringcast::net::rtsp
