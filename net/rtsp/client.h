// RtspClient: pulls one stream from an RTSP server — an IP camera, or any RTSP/1.0 server — on
// the worker's io_uring and hands its RTP packets to a rtp::SourceObserver (the path's side).
//
//   connect (IORING_OP_CONNECT) ─▶ OPTIONS ─▶ DESCRIBE ─▶ SETUP × tracks ─▶ PLAY ─▶ media
//   TCP: connection bytes ─Demuxer─▶ '$' frame on an even channel ─RtpView─▶ OnSourcePacket
//   UDP: RTP socket ─Receiver (multishot recvmsg)─▶ RtpView ─▶ OnSourcePacket
//
// Media goes from the receive ring buffer to the observer in place: no copy and no heap
// allocation per packet (only an interleaved frame that straddles two ring buffers is copied,
// into the Demuxer's stitch buffer). RTCP (odd channel / odd port) is counted and dropped.
//
// Failures — connect refused or timed out, a non-2xx answer, a bad SDP, the connection closing,
// no answer within response_timeout_ns, no media within no_media_timeout_ns of PLAY (or for that
// long while playing) — close everything, call OnSourceLost(reason) if the attempt had called
// OnSourceReady, and schedule a new attempt with exponential backoff and jitter:
// backoff_initial_ns × 2^n × [0.8, 1], capped at backoff_max_ns, n counting consecutive
// failures; a session that played for 10 s or more starts the count again. Each state change is
// one log line ("rtsp: path cam1: rtsp://10.0.0.7:554/s1: connection refused; retrying in 0.2
// s"). URLs are logged without their credentials and the password never reaches a log line.
//
// UDP: each track gets an even/odd pair of ports bound to the address of the RTSP connection.
// Datagrams from another host than the server are dropped, and so is media that arrives before
// PLAY's answer (the observer hears of the tracks first). No RTCP receiver reports are sent, and
// nothing is sent to open a NAT binding.
//
// PullTransport::kAuto tries UDP first and falls back to TCP, for that attempt and every later
// one, when SETUP over UDP is answered 461 (Unsupported Transport) or no media arrives over UDP
// within no_media_timeout_ns.
//
// Host names: numeric IPv4/IPv6 addresses and "localhost" resolve without a lookup; any other
// name is resolved with getaddrinfo(), synchronously on the worker thread (cameras are nearly
// always configured by address; a slow resolver stalls this worker for that long).
//
// Requests from the server: the connection's response parser only reads responses, so at each
// message boundary the client looks at the first bytes — "RT" starts a response ("RTSP/1.0"),
// anything else a request — and hands a request to a parser in request mode. OPTIONS and
// GET_PARAMETER from the server are answered 200, anything else 501; bytes that parse as neither
// drop the connection, which then counts as a failure and is retried.
//
// Keep-alive: GET_PARAMETER (OPTIONS when the server's Public header lacks GET_PARAMETER) every
// half of the Session header's timeout (30 s when it gives none). A keep-alive that gets no
// answer is logged but not fatal: the no-media watchdog decides whether the session is alive.
//
// Ownership and threads: everything runs on the thread that owns `ring` (the worker). The client
// owns its sockets, its connection and its receivers; objects with io_uring operations in flight
// are handed to Ring::Retire (cancel → drain → delete), so the client may be destroyed at any
// time, and the ring must outlive it and keep running until its retirees have drained. The
// observer must outlive the client. An observer callback may call Stop() (not delete the client).
#ifndef RINGCAST_NET_RTSP_CLIENT_H_
#define RINGCAST_NET_RTSP_CLIENT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer_ring.h"
#include "core/log.h"
#include "core/ring.h"
#include "net/http/auth.h"
#include "net/http/message.h"
#include "net/http/parser.h"
#include "net/rtsp/describe.h"
#include "net/rtsp/interleaved.h"
#include "net/rtsp/url.h"
#include "net/socket.h"
#include "net/stream_server.h"
#include "rtp/source.h"

namespace ringcast::net::rtsp {

enum class PullTransport { kTcp, kUdp, kAuto };

struct RtspClientOptions {
  std::string url;  // rtsp://[user:pass@]host[:port]/path — the credentials are never logged
  PullTransport transport = PullTransport::kTcp;
  int64_t connect_timeout_ns = 5'000'000'000;
  int64_t response_timeout_ns = 10'000'000'000;
  int64_t no_media_timeout_ns = 5'000'000'000;  // after PLAY: nothing → reconnect
  int64_t backoff_initial_ns = 200'000'000;
  int64_t backoff_max_ns = 30'000'000'000;
  std::string log_name;  // e.g. "path cam1", for log lines
};

enum class ClientState {
  kIdle,            // constructed, not started
  kConnecting,      // TCP connect in flight
  kDescribing,      // OPTIONS, DESCRIBE
  kSettingUp,       // SETUP for each track, then PLAY
  kPlaying,         // PLAY answered 200: media flows to the observer
  kWaitingToRetry,  // an attempt failed; the next one is scheduled
  kStopped,         // Stop() was called (or the URL cannot work): no more attempts
};
std::string_view ClientStateName(ClientState state);

// Figures about one client, across its attempts. Read on the worker thread.
struct RtspClientStats {
  uint64_t attempts = 0;           // connection attempts started
  uint64_t reconnects = 0;         // times playback started again after the first time
  uint64_t rtp_packets = 0;        // valid RTP packets handed to the observer
  uint64_t rtp_bytes = 0;          // their bytes
  uint64_t rtcp_packets = 0;       // RTCP received (odd channel / port): counted, dropped
  uint64_t invalid_packets = 0;    // failed RTP validation: counted, dropped
  uint64_t foreign_datagrams = 0;  // UDP from an address other than the server's: dropped
  uint64_t early_packets = 0;      // UDP media before PLAY was answered: dropped
  uint64_t keepalives = 0;         // GET_PARAMETER / OPTIONS keep-alives sent
  uint64_t server_requests = 0;    // requests the server sent us (answered 200 or 501)
};

class RtspClient final : public rtp::Source {
 public:
  RtspClient(core::Ring& ring, core::BufferRing& buffers, RtspClientOptions options,
             rtp::SourceObserver& observer);
  // Stops (see Stop); safe with operations in flight.
  ~RtspClient() override;
  RtspClient(const RtspClient&) = delete;
  RtspClient& operator=(const RtspClient&) = delete;

  // Connects now. A URL that cannot work (malformed, rtsps://) logs one error and leaves the
  // client kStopped.
  void Start() override;
  // TEARDOWN if a session is set up (best effort), closes everything, no more retries and no
  // more observer calls — OnSourceLost included: the caller knows.
  void Stop() override;

  ClientState state() const { return state_; }
  uint64_t reconnects() const override { return stats_.reconnects; }
  // The URL without its credentials.
  std::string_view description() const override { return url_text_; }
  // "TCP" or "UDP": the transport of the current (or last) attempt.
  std::string_view transport_in_use() const { return use_tcp_ ? "TCP" : "UDP"; }
  const RtspClientStats& stats() const { return stats_; }
  // Why the last attempt failed ("" before any failure); never holds credentials.
  const std::string& last_error() const { return last_error_; }
  // The delay before the retry that is (or was last) scheduled.
  int64_t retry_delay_ns() const { return retry_delay_ns_; }
  // The RTP ports bound for UDP tracks of the current attempt (RTCP is each one + 1).
  std::vector<uint16_t> udp_client_ports() const;

  // Asks the camera for a keyframe on `track` with an RTCP PLI (RFC 4585 §6.3.1): on the
  // track's RTCP channel over TCP, or over UDP to the port the camera sends its RTCP from.
  // False when that is not possible yet (not playing, no RTP seen, no RTCP address known).
  bool RequestKeyframe(size_t track) override;

 private:
  class Connector;  // the IORING_OP_CONNECT completion (defined below)
  class Link;       // the StreamSession of our connection
  class UdpPort;    // the ReceiveHandler of one UDP socket

  enum class Step { kOptions, kDescribe, kSetup, kPlay, kKeepAlive };
  struct PendingRequest {
    Step step = Step::kOptions;
    std::string method;
    std::string uri;
    std::vector<http::Header> headers;  // besides CSeq, Session and Authorization
    int cseq = 0;
    bool retried_with_auth = false;
  };
  struct TrackIo {
    uint8_t rtp_channel = 0;  // TCP
    Fd rtp_fd;                // UDP
    Fd rtcp_fd;
    uint16_t rtp_port = 0;
    std::unique_ptr<UdpPort> rtp_handler;
    std::unique_ptr<UdpPort> rtcp_handler;
    std::unique_ptr<core::Receiver> rtp_receiver;
    std::unique_ptr<core::Receiver> rtcp_receiver;
    uint32_t media_ssrc = 0;    // of the last RTP packet (0: none yet)
    SocketAddress server_rtcp;  // where the camera's RTCP comes from (UDP)
  };

  // Attempts (client.cc).
  void Connect();
  void OnConnectDone(int result);
  void OnConnectionClosed(StreamConnection* connection);
  // Ends the current attempt: `reason` is logged, the observer told if media had started, and
  // the next attempt scheduled.
  void Fail(std::string reason);
  // Closes everything the current attempt holds; no log, no observer call.
  void CloseAttempt();
  // Retires the tracks' UDP receivers and closes their sockets.
  void CloseTracks();
  int64_t NextRetryDelay();
  std::string LogText(std::string_view what) const;  // "rtsp: <name>: <url>: <what>"

  // Requests and responses (client.cc).
  void SendRequest(Step step, std::string method, std::string uri,
                   std::vector<http::Header> headers = {});
  void Resend();  // the pending request again, with a fresh CSeq (after a 401)
  void OnResponse(http::Message response);
  void OnUnauthorized(const http::Message& response);
  void OnOptionsResponse(const http::Message& response);
  void OnDescribeResponse(const http::Message& response);
  void OnSetupResponse(const http::Message& response);
  void OnPlayResponse(const http::Message& response);
  void OnKeepAliveResponse(const http::Message& response);
  void OnServerRequest(const http::Message& request);
  void OnResponseTimeout();
  void SetupTrack(size_t index);
  void SendKeepAlive();
  void OnMediaCheck();
  void SendTeardownNow();

  // Connection bytes and media (client_media.cc).
  void OnConnectionBytes(std::span<const uint8_t> bytes);
  void OnFrame(uint8_t channel, std::span<const uint8_t> payload);
  // The RTSP text at the front of `text` (Demuxer::ConsumeText's count).
  size_t ParseText(std::string_view text);
  void OnRtp(size_t track, std::span<const uint8_t> packet);
  void OnDatagram(size_t track, bool rtcp, std::span<const uint8_t> bytes, const sockaddr* from,
                  socklen_t from_len);
  // Binds the even/odd UDP pair for `track` and starts receiving on it.
  absl::Status OpenUdpPorts(TrackIo& track, size_t index);

  core::Ring& ring_;
  core::BufferRing& buffers_;
  const RtspClientOptions options_;
  rtp::SourceObserver& observer_;
  absl::StatusOr<Url> url_;
  std::string url_text_;  // RedactUrl(options.url): safe to log
  ClientState state_ = ClientState::kIdle;
  bool use_tcp_ = true;  // the transport of this attempt; kAuto switches to TCP for good
  RtspClientStats stats_;
  std::string last_error_;
  uint64_t attempt_ = 0;  // generation: tells callbacks of an old attempt from the current one

  // Backoff.
  int consecutive_failures_ = 0;
  int64_t retry_delay_ns_ = 0;
  std::minstd_rand random_;
  bool ever_played_ = false;
  int64_t playing_since_ns_ = 0;

  // The current attempt.
  std::unique_ptr<Connector> connector_;
  std::unique_ptr<StreamConnection> connection_;
  bool closing_connection_ = false;  // we are closing it: its on_closed is not a failure
  SocketAddress server_address_;
  std::optional<http::ClientAuth> auth_;
  std::optional<PendingRequest> pending_;
  int next_cseq_ = 1;
  bool server_has_get_parameter_ = false;
  std::string base_url_;       // Content-Base / Content-Location / request URL
  std::string aggregate_url_;  // for PLAY, keep-alives and TEARDOWN
  SourceTracks tracks_;
  std::vector<TrackIo> track_io_;
  size_t setting_up_ = 0;  // the track whose SETUP is pending
  std::string session_id_;
  int64_t session_timeout_s_ = 0;           // 0: the server gave none
  bool source_ready_ = false;               // OnSourceReady was called in this attempt
  uint64_t packets_at_check_ = 0;           // rtp_packets at the last media check
  std::array<int16_t, 256> channel_track_;  // interleaved channel → track, -1: none

  // Connection text: a response parser, a request parser for what the server asks us, and
  // which of them the message being read belongs to.
  Demuxer demuxer_;
  http::Parser response_parser_;
  http::Parser request_parser_;
  http::Parser* reading_ = nullptr;  // nullptr: at a message boundary
  bool pending_r_ = false;           // a message starts with 'R' (the previous chunk's last byte)

  core::Timer connect_timer_;
  core::Timer response_timer_;
  core::Timer media_timer_;
  core::Timer keepalive_timer_;
  core::Timer retry_timer_;
  core::LogRateLimiter log_limiter_;
};

// The helpers below are the client's own; they sit here only because both client.cc and
// client_media.cc use them.

// One IORING_OP_CONNECT on a non-blocking socket. The kernel reads `address_` when it issues
// the operation, so the object keeps it until the CQE; Detach() before retiring an unfinished one.
class RtspClient::Connector final : public core::Completion {
 public:
  Connector(RtspClient& client, Fd fd, const SocketAddress& address)
      : client_(&client), fd_(std::move(fd)), address_(address) {}
  void Submit(core::Ring& ring);
  Fd TakeFd() { return std::move(fd_); }
  void Detach() { client_ = nullptr; }
  void OnCompletion(const io_uring_cqe& cqe) override;

 private:
  RtspClient* client_;
  Fd fd_;
  SocketAddress address_;
};

// The session of the client's StreamConnection: every chunk goes to OnConnectionBytes, which may
// close the connection and so destroy this object before returning.
class RtspClient::Link final : public StreamSession {
 public:
  explicit Link(RtspClient& client) : client_(client) {}
  void OnBytes(std::span<const uint8_t> bytes) override { client_.OnConnectionBytes(bytes); }

 private:
  RtspClient& client_;
};

// Receives one UDP socket of a track (RTP or RTCP) into the ring's buffers.
class RtspClient::UdpPort final : public core::ReceiveHandler {
 public:
  UdpPort(RtspClient& client, core::BufferRing& buffers, size_t track, bool rtcp)
      : client_(client), buffers_(buffers), track_(track), rtcp_(rtcp) {}
  void OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                 uint16_t bid) override;
  void OnReceiveEnd(int error) override;

 private:
  RtspClient& client_;
  core::BufferRing& buffers_;
  size_t track_;
  bool rtcp_;
};

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_CLIENT_H_
