// RtspSession: one RTSP connection on ringcast's server (rtsp.listen) — a publisher pushing a
// path (OPTIONS, ANNOUNCE, SETUP, RECORD) or a reader watching one (OPTIONS, DESCRIBE, SETUP,
// PLAY, PAUSE), with GET_PARAMETER/SET_PARAMETER keep-alives and TEARDOWN (RFC 2326).
//
// Media travels interleaved on the same TCP connection ('$' frames, RFC 2326 §10.12):
//   publisher: connection bytes ─Demuxer::Next─▶ OnFrame ─RtpView─▶ Track::Ingest
//   reader:    Track ─OnTrackPacket─▶ '$' frame queued on the connection
// A reader starts at the newest keyframe of the video track (the whole run since it, from the
// History), so its first frame decodes, then follows live.
//
// Bad requests get an RTSP error status and one rate-limited log line naming the peer; a
// malformed message closes the connection. http::Credentials never reach a log line.
//
// Ownership: the StreamConnection owns the session; the session registers with the path hub
// (rtp/hub) and its tracks and unregisters in its destructor. Worker thread only.
#ifndef RINGCAST_NET_RTSP_SESSION_H_
#define RINGCAST_NET_RTSP_SESSION_H_

#include <array>
#include <atomic>
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "net/http/auth.h"
#include "net/http/parser.h"
#include "net/rtsp/hand_off.h"
#include "net/rtsp/interleaved.h"
#include "net/rtsp/settings.h"
#include "net/rtsp/udp_ports.h"
#include "net/stream_server.h"
#include "rtp/hub/path_hub.h"
#include "rtp/track.h"

namespace ringcast::net::rtsp {

class RtspSession final : public StreamSession,
                          public rtp::hub::PathClient,
                          private UdpRtpSink,
                          private rtp::TrackReader {
 public:
  // `udp` is nullptr when RTP over UDP is off (rtsp.transports).
  // `auth` is the server's (its nonces are shared by every connection). `hand_off` is nullptr
  // with one worker; with several it moves the connection to the worker that owns its path.
  RtspSession(StreamConnection& connection, rtp::hub::PathHub& hub, http::ServerAuth& auth,
              const RtspSettings& settings, UdpMediaPorts* udp, const HandOffTo* hand_off,
              std::atomic<uint64_t>* packets_out = nullptr);
  // A connection handed over by another worker: answers `request`, then reads `pending`.
  void Resume(const http::Message& request, std::string_view pending, int hops);
  ~RtspSession() override;

  void OnBytes(std::span<const uint8_t> bytes) override;
  std::optional<uint64_t> PendingMessage() const override;
  void OnPathGone(std::string_view reason) override;
  void OnPathReady() override;

 private:
  enum class Role { kNone, kPublisher, kReader };
  struct ReaderTrack {
    size_t index;
    uint8_t channel;                      // TCP: the interleaved RTP channel
    std::optional<SocketAddress> udp_to;  // UDP: the reader's RTP port
  };

  // One interleaved frame of the connection (in place in the receive buffer, or stitched).
  void OnFrame(uint8_t channel, std::span<const uint8_t> payload);
  // RTSP text at the front of `text`: handles the requests in it and returns how many bytes were
  // text (Demuxer::ConsumeText), or Demuxer::kStopFeeding after a parse error.
  size_t ParseText(std::string_view text);
  // UdpRtpSink
  void OnUdpRtp(size_t track, std::span<const uint8_t> packet) override;
  void IngestRtp(size_t track, std::span<const uint8_t> packet, std::string_view how);
  // rtp::TrackReader
  void OnTrackPacket(rtp::Track& track, const rtp::HistoryPacket& packet) override;

  void Handle(const http::Message& request);
  void Reply(const http::Message& request, int status, std::vector<http::Header> headers = {},
             std::string body = {}, std::string_view reason = {});
  // Replies with an error and logs why, naming the peer and the path.
  void Refuse(const http::Message& request, int status, std::string_view why);
  // Checks the request's credentials for the path; replies 401 when they don't pass.
  // The path's allow-list for the peer's address (403), then its credentials (Authorize).
  bool Admit(const http::Message& request, const rtp::hub::Path& path, bool publish);
  bool Authorize(const http::Message& request, const rtp::hub::Path& path, bool publish);
  // The path a request names, or nullptr when it was refused — or handed over to the worker
  // that owns it (then handed_off_ is set and nothing more is read here).
  rtp::hub::Path* PathFor(const http::Message& request, bool publish, std::string* control);
  void HandOver(int worker, const http::Message& request);

  void OnOptions(const http::Message& request);
  void OnAnnounce(const http::Message& request);
  void OnDescribe(const http::Message& request);
  void OnSetup(const http::Message& request);
  void OnRecord(const http::Message& request);
  void OnPlay(const http::Message& request);
  void OnPause(const http::Message& request);

  void StartReading();
  void StopReading();
  void SendBacklog(size_t track_index, uint64_t from_seq);
  void SendPacket(const ReaderTrack& to, std::span<const uint8_t> packet);
  const ReaderTrack* ReaderTrackFor(size_t index) const;
  void Leave();

  StreamConnection& connection_;
  rtp::hub::PathHub& hub_;
  http::ServerAuth& auth_;
  RtspSettings settings_;
  UdpMediaPorts* udp_;
  const HandOffTo* hand_off_;
  std::atomic<uint64_t>* server_packets_out_;  // the server's count (stats.worker.N.packets_out)
  bool handed_off_ = false;
  int hops_ = 0;
  std::string_view unparsed_;  // the chunk's bytes after the request being handled
  uint64_t messages_ = 0;      // requests and interleaved frames read whole
  http::Parser parser_;
  Demuxer demuxer_;

  Role role_ = Role::kNone;
  rtp::hub::Path* path_ = nullptr;
  std::string session_id_;

  // Publisher: the announced tracks, their a=control values, and channel → track.
  std::vector<rtp::TrackInfo> announced_;
  std::vector<std::string> announced_controls_;
  std::array<int16_t, 256> channel_track_;  // -1: not set up
  std::bitset<256> known_channels_;         // every interleaved channel a SETUP agreed on
  size_t tracks_set_up_ = 0;
  bool recording_ = false;

  // A DESCRIBE waiting for an on-demand source to come up.
  std::optional<http::Message> pending_describe_;
  rtp::hub::Path* waiting_for_ = nullptr;
  std::unique_ptr<core::Timer> wait_timer_;

  // Reader.
  std::vector<ReaderTrack> reader_tracks_;
  bool registered_reader_ = false;
  bool playing_ = false;
  bool waiting_for_keyframe_ = false;
  core::LogRateLimiter log_limiter_;  // this connection's share of warning lines
  uint64_t packets_in_ = 0;
  uint64_t packets_out_ = 0;
};

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_SESSION_H_
