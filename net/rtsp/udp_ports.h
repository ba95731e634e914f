// UdpMediaPorts: the RTSP server's two UDP ports (rtsp.rtp_port, rtsp.rtcp_port) for sessions
// that chose RTP over UDP (`RTP/AVP;unicast;client_port=…`, RFC 2326 §12.39).
//
// Publishers send RTP to the RTP port; a datagram is routed to its session and track by its
// source address, which the session registered at SETUP. Readers are sent RTP from the RTP
// port to their client_port. RTCP arriving on the RTCP port is counted and dropped.
//
// With several workers every worker binds the two ports (SO_REUSEPORT), and the kernel would
// hand a publisher's datagrams to whichever worker its addresses hash to. So each publisher
// track also gets a socket of its own on the RTP port, connect()ed to the publisher's address on
// the path's worker: the kernel gives a connected member of the port's group exactly its peer's
// datagrams, and a packet never crosses to another worker.
//
// Ownership and threads: owned by the RtspServer; worker thread only. Sessions unregister
// themselves before they go away.
#ifndef RINGCAST_NET_RTSP_UDP_PORTS_H_
#define RINGCAST_NET_RTSP_UDP_PORTS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/buffer_ring.h"
#include "core/receiver.h"
#include "core/ring.h"
#include "net/socket.h"

namespace ringcast::net::rtsp {

// Receives the RTP datagrams a publisher sends over UDP.
class UdpRtpSink {
 public:
  virtual void OnUdpRtp(size_t track, std::span<const uint8_t> packet) = 0;

 protected:
  ~UdpRtpSink() = default;
};

class UdpMediaPorts final : private core::ReceiveHandler {
 public:
  // Binds both ports on `host` (the rtsp.listen host; empty: all addresses); `shared`: other
  // workers bind them too (SO_REUSEPORT), and publishers get connected sockets.
  static absl::StatusOr<std::unique_ptr<UdpMediaPorts>> Open(core::Ring& ring,
                                                             core::BufferRing& buffers,
                                                             const std::string& host, int rtp_port,
                                                             int rtcp_port, bool shared = false);
  ~UdpMediaPorts() override;

  int rtp_port() const { return rtp_port_; }
  int rtcp_port() const { return rtcp_port_; }

  // Datagrams from `from` now belong to `sink`'s track `track`.
  void Register(const SocketAddress& from, UdpRtpSink* sink, size_t track);
  void Unregister(UdpRtpSink* sink);
  // Sends one RTP packet from the RTP port (a copy is made by the kernel before it returns).
  bool SendRtp(const SocketAddress& to, std::span<const uint8_t> packet);

  uint64_t unrouted() const { return unrouted_; }
  uint64_t rtcp_in() const { return rtcp_in_; }

 private:
  // A publisher track's own socket, connected to the publisher (shared ports only).
  struct Steered;
  UdpMediaPorts(core::Ring& ring, core::BufferRing& buffers);
  void OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                 uint16_t bid) override;
  void OnReceiveEnd(int error) override;

  core::Ring& ring_;
  core::BufferRing& buffers_;
  Fd rtp_fd_;
  Fd rtcp_fd_;
  int rtp_port_ = 0;
  int rtcp_port_ = 0;
  std::unique_ptr<core::Receiver> rtp_receiver_;
  std::unique_ptr<core::Receiver> rtcp_receiver_;
  std::map<std::string, std::pair<UdpRtpSink*, size_t>> routes_;
  bool shared_ = false;
  std::string host_;
  std::vector<std::unique_ptr<Steered>> steered_;
  uint64_t unrouted_ = 0;
  uint64_t rtcp_in_ = 0;
  uint64_t send_errors_ = 0;
};

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_UDP_PORTS_H_
