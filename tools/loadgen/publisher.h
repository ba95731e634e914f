// Publisher: one stream of the load — the build's H.264 clip replayed in real time (rtp::DemoSource
// does the reading, access-unit grouping, RFC 6184 packetization and pacing) and pushed to the
// server either as an RTSP publisher (ANNOUNCE with the clip's sprop-parameter-sets, SETUP with
// interleaved channels or a client_port pair, RECORD, OPTIONS keep-alives) or as plain RTP/UDP
// to a port (a Janus streaming mountpoint).
//
// TCP: each access unit's packets are framed ('$', channel 0) into one buffer and leave as one
// send on the connection's io_uring SEND queue. UDP: one sendto per packet from a socket bound
// to the client_port we announced (the server maps publishers by source address). A failure
// (refused connect, a non-200 reply, the server closing) stops this publisher, records the
// reason and never touches the others. Ring thread only.
#ifndef RINGCAST_TOOLS_LOADGEN_PUBLISHER_H_
#define RINGCAST_TOOLS_LOADGEN_PUBLISHER_H_

#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/buffer_ring.h"
#include "core/ring.h"
#include "net/http/parser.h"
#include "net/rtsp/interleaved.h"
#include "net/socket.h"
#include "net/stream_server.h"
#include "rtp/demo_source.h"
#include "rtp/source.h"
#include "tools/loadgen/options.h"

namespace ringcast::loadgen {

struct PublisherConfig {
  enum class Kind { kRtspTcp, kRtspUdp, kRtp };
  Kind kind = Kind::kRtspTcp;
  int index = 0;
  std::string url;    // rtsp://host:port/path (RTSP kinds)
  std::string host;   // numeric IPv4: the RTSP server, or the RTP destination
  uint16_t port = 0;  // RTSP port, or the RTP destination port
  std::string clip;
  int fps = 30;
};

class Publisher final : private rtp::SourceObserver {
 public:
  enum class State { kIdle, kConnecting, kAnnounce, kSetup, kRecord, kStreaming, kFailed };

  Publisher(core::Ring& ring, core::BufferRing& buffers, PublisherConfig config);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Loads the clip, connects and starts publishing. Errors end up in error().
  void Start();
  // Stops the media and closes the connection.
  void Stop();

  State state() const { return state_; }
  const std::string& error() const { return error_; }
  int index() const { return config_.index; }
  uint64_t packets_sent() const { return packets_sent_; }
  uint64_t bytes_sent() const { return bytes_sent_; }
  uint64_t send_errors() const { return send_errors_; }

 private:
  class Session;

  void Fail(std::string reason);
  void SendRequest(std::string_view method, std::string_view url,
                   std::vector<net::http::Header> headers, std::string_view body = {});
  void OnResponse(const net::http::Message& response);
  void OnClosed(net::StreamConnection* closed);
  void StartMedia();
  absl::Status OpenUdp();

  void OnSourceReady(std::vector<rtp::TrackInfo> tracks) override {}
  void OnSourcePacket(size_t track, const rtp::RtpView& packet) override;
  void OnSourceLost(std::string_view reason) override {}
  // The RTSP text at the front of `text` (Demuxer::ConsumeText's count).
  size_t ParseText(std::string_view text);
  void OnConnectionBytes(std::span<const uint8_t> bytes);

  core::Ring& ring_;
  core::BufferRing& buffers_;
  PublisherConfig config_;
  State state_ = State::kIdle;
  std::string error_;
  std::unique_ptr<rtp::DemoSource> source_;
  std::unique_ptr<net::StreamConnection> connection_;
  net::rtsp::Demuxer demuxer_;
  net::http::Parser parser_{net::http::Protocol::kRtsp, net::http::Parser::Kind::kResponse};
  int cseq_ = 0;
  std::string session_id_;
  core::Timer keepalive_;
  // UDP media.
  net::Fd udp_;
  uint16_t udp_local_port_ = 0;
  sockaddr_in udp_peer_{};
  std::string frame_buffer_;  // TCP: the '$' frames of the access unit being sent
  uint64_t packets_sent_ = 0;
  uint64_t bytes_sent_ = 0;
  uint64_t send_errors_ = 0;
};

const char* PublisherStateName(Publisher::State state);

}  // namespace ringcast::loadgen

#endif  // RINGCAST_TOOLS_LOADGEN_PUBLISHER_H_
