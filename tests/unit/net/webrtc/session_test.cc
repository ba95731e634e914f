// A WebRtcSession end to end inside one process, with nothing mocked on the wire: a viewer socket
// on loopback receives what the session's UdpEgress sends; the viewer side is a real ICE
// binding request (net/stun writer), a real DTLS client (crypto::DtlsTransport) and the SRTP
// engine keyed from its export. Checks the media that arrives (renumbered, decryptable), NACK
// retransmission from the History, RTCP BYE at the end, and that steady-state packets allocate
// nothing on the whole path: Track::Ingest → session → SRTP → egress → sendmsg.
#include "net/webrtc/session.h"

#include <netinet/in.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/socket.h>

#include <vector>

#include "core/buffer_ring.h"
#include "core/clock.h"
#include "crypto/certificate.h"
#include "crypto/dtls.h"
#include "gtest/gtest.h"
#include "net/stun/message.h"
#include "rtp/byte_io.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/feedback.h"
#include "rtp/rtcp/report.h"
#include "rtp/rtp_packet.h"
#include "tests/unit/allocation_counter.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::net::webrtc {
namespace {

constexpr uint32_t kSsrc = 0x51A7E001;
constexpr uint8_t kPayloadType = 102;

class NoClient final : public rtp::hub::PathClient {
 public:
  void OnPathGone(std::string_view) override {}
};

class NoSources final : public rtp::hub::SourceFactory {
 public:
  absl::StatusOr<std::unique_ptr<rtp::Source>> CreateSource(std::string_view,
                                                            const rtp::hub::PathConfig&,
                                                            core::Ring&, core::BufferRing&,
                                                            rtp::SourceObserver&) override {
    return absl::UnimplementedError("the test publishes by hand");
  }
};

class TestHost final : public SessionHost {
 public:
  TestHost(core::Ring& ring, int fd) : egress_(ring, fd, {}) {}
  UdpEgress& egress() override { return egress_; }
  const SessionSettings& settings() const override { return settings_; }
  void OnSessionAddress(WebRtcSession&, const SocketAddress& address) override {
    address_ = address;
  }
  void OnSessionReady(WebRtcSession&) override { ready_ = true; }
  void OnSessionEnded(WebRtcSession&) override { ended_ = true; }

  UdpEgress egress_;
  SessionSettings settings_;
  SocketAddress address_;
  bool ready_ = false;
  bool ended_ = false;
};

// The viewer's DTLS client hands its datagrams straight to the session.
class ToSession final : public crypto::DtlsSender {
 public:
  void OnDtlsSend(std::span<const uint8_t> datagram) override {
    if (session != nullptr) session->OnDtls(datagram);
  }
  WebRtcSession* session = nullptr;
};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ring_ = std::move(core::Ring::Create({})).value();
    buffers_ = std::move(core::BufferRing::Create(*ring_, 1, 64, 2048)).value();
    SocketAddress local = *ParseSocketAddress("127.0.0.1:0");
    server_fd_ = std::move(BindUdp(local)).value();
    viewer_fd_ = std::move(BindUdp(local)).value();
    viewer_address_ =
        *ParseSocketAddress("127.0.0.1:" + std::to_string(*LocalPort(viewer_fd_.get())));
    host_ = std::make_unique<TestHost>(*ring_, server_fd_.get());

    hub_ = std::make_unique<rtp::hub::PathHub>(*ring_, *buffers_, sources_, directory_, 0,
                                               rtp::hub::HubOptions{});
    hub_->Configure("cam", rtp::hub::PathConfig{});
    path_ = hub_->Find("cam", false);
    ASSERT_NE(path_, nullptr);
    rtp::TrackInfo info;
    info.media = "video";
    info.encoding_name = "H264";
    info.keyframe_codec = rtp::KeyframeCodec::kH264;
    ASSERT_TRUE(hub_->Publish(*path_, &publisher_, "test", {info}));
    track_ = &path_->stream->track(0);

    server_certificate_ = *crypto::Certificate::Generate();
    viewer_certificate_ = *crypto::Certificate::Generate();
    server_dtls_ = *crypto::DtlsContext::Create(server_certificate_, {});
    viewer_dtls_ = *crypto::DtlsContext::Create(viewer_certificate_, {});

    Answer answer;
    answer.tracks.push_back({.track_index = 0,
                             .mline_index = 0,
                             .mid = "0",
                             .payload_type = kPayloadType,
                             .clock_rate = 90000,
                             .ssrc = kSsrc,
                             .nack = true,
                             .pli = true});
    session_ = std::make_unique<WebRtcSession>("s1", *host_, *ring_, *hub_, *path_, "test", answer,
                                               credentials_, std::vector<rtp::Track*>{track_});
    ASSERT_TRUE(session_
                    ->InitDtls(*server_dtls_, crypto::DtlsRole::kServer, "sha-256",
                               viewer_certificate_->fingerprint_sha256())
                    .ok());
    ASSERT_TRUE(hub_->AddReader(*path_, session_.get()));
    to_session_.session = session_.get();
    viewer_ =
        *crypto::DtlsTransport::Create(*viewer_dtls_, crypto::DtlsRole::kClient, "sha-256",
                                       server_certificate_->fingerprint_sha256(), to_session_);
    packets_ = rtp::testing::ReadCapture("h264_ffmpeg_fua.rtp");
  }

  void TearDown() override {
    session_.reset();
    hub_.reset();
    host_.reset();
    ring_->CancelAllAndDrain();
  }

  // A viewer's Binding request: USERNAME ours:theirs, USE-CANDIDATE, keyed with our pwd.
  std::vector<uint8_t> BindingRequest() {
    std::vector<uint8_t> out(256);
    stun::TransactionId id;
    RAND_bytes(id.data(), id.size());
    stun::MessageWriter writer(
        out, stun::MessageType(stun::kMethodBinding, stun::MessageClass::kRequest), id);
    writer.AddString(stun::attr::kUsername, credentials_.ufrag + ":viewer");
    writer.AddUint32(stun::attr::kPriority, 1845501695);
    writer.AddAttribute(stun::attr::kUseCandidate, {});
    writer.AddUint64(stun::attr::kIceControlling, 0x1122334455667788ull);
    writer.AddMessageIntegrity(credentials_.pwd);
    writer.AddFingerprint();
    out.resize(writer.size());
    return out;
  }

  // Runs the ring (flushing the egress) and returns the datagrams the viewer got.
  std::vector<std::vector<uint8_t>> Deliver() {
    for (int i = 0; i < 5; ++i) ring_->RunOnce(2 * core::kNsPerMs);
    std::vector<std::vector<uint8_t>> got;
    uint8_t buffer[2048];
    for (;;) {
      ssize_t n = recv(viewer_fd_.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n < 0) break;
      got.emplace_back(buffer, buffer + n);
    }
    return got;
  }

  // ICE, then the DTLS handshake, datagrams going both ways for real.
  void Connect() {
    session_->OnStun(BindingRequest(), viewer_address_);
    std::vector<std::vector<uint8_t>> answer = Deliver();
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(answer[0][0], 0x01);  // Binding success response (0x0101)
    EXPECT_EQ(answer[0][1], 0x01);
    viewer_->Start();
    for (int round = 0; round < 20 && viewer_->state() != crypto::DtlsState::kConnected; ++round) {
      for (const std::vector<uint8_t>& datagram : Deliver()) viewer_->OnDatagram(datagram);
    }
    ASSERT_EQ(viewer_->state(), crypto::DtlsState::kConnected) << viewer_->error();
    Deliver();  // the server's last flight, if any
    EXPECT_EQ(session_->dtls_state(), "connected");
    const crypto::DtlsSrtpKeys& keys = viewer_->srtp_keys();
    srtp_in_ = *crypto::MakeSrtp(crypto::SrtpEngineKind::kLibsrtp, keys.profile, keys.remote,
                                 crypto::SrtpDirection::kUnprotect);
    srtcp_out_ = *crypto::MakeSrtp(crypto::SrtpEngineKind::kLibsrtp, keys.profile, keys.local,
                                   crypto::SrtpDirection::kProtect);
  }

  // Capture packet `i` of round `round`: the 56-packet capture replayed with continuing
  // sequence numbers and timestamps.
  void IngestRound(size_t round, int64_t now_ns) {
    std::vector<uint8_t>& packet = scratch_;
    for (size_t i = 0; i < packets_.size(); ++i) {
      packet.assign(packets_[i].begin(), packets_[i].end());  // capacity reserved: no allocation
      rtp::StoreBe16(packet.data() + 2, static_cast<uint16_t>(round * packets_.size() + i));
      uint32_t ts = rtp::LoadBe32(packet.data() + 4);
      rtp::StoreBe32(packet.data() + 4, ts + static_cast<uint32_t>(round * 200000));
      track_->Ingest(*rtp::RtpView::Parse(packet), now_ns);
    }
  }

  // Decrypts what arrived (RTCP is skipped), except media packet `lose`, which the viewer never
  // sees (so its SRTP index is not in the viewer's replay window).
  std::vector<std::vector<uint8_t>> Media(const std::vector<std::vector<uint8_t>>& datagrams,
                                          size_t lose = SIZE_MAX) {
    std::vector<std::vector<uint8_t>> media;
    for (std::vector<uint8_t> datagram : datagrams) {
      if (rtp::LooksLikeRtcp(datagram)) continue;
      if (media.size() == lose) {
        media.push_back(std::move(datagram));  // still encrypted
        continue;
      }
      size_t length = datagram.size();
      EXPECT_EQ(srtp_in_->Unprotect(datagram, length), crypto::SrtpResult::kOk);
      datagram.resize(length);
      media.push_back(std::move(datagram));
    }
    return media;
  }

  // The viewer NACKs `lost` (its numbering) in one SRTCP compound.
  void SendNack(std::span<const uint16_t> lost) {
    std::vector<uint8_t> packet(16 + 4 * rtp::rtcp::NackItemCount(lost) + 64 +
                                crypto::kSrtcpMaxOverhead);
    size_t size = rtp::rtcp::WriteReceiverReport(packet, 0xFEED, {});
    size += rtp::rtcp::WriteNack(std::span<uint8_t>(packet).subspan(size), 0xFEED, kSsrc, lost);
    ASSERT_EQ(srtcp_out_->ProtectRtcp(packet, size), crypto::SrtpResult::kOk);
    packet.resize(size);
    session_->OnSrtcp(packet);
  }

  // The viewer's receiver report giving `fraction_lost` (/256) for our track.
  void SendReceiverReport(uint8_t fraction_lost) {
    rtp::rtcp::ReportBlock block{.ssrc = kSsrc, .fraction_lost = fraction_lost};
    std::vector<uint8_t> packet(64 + crypto::kSrtcpMaxOverhead);
    size_t size = rtp::rtcp::WriteReceiverReport(packet, 0xFEED, std::span(&block, 1));
    ASSERT_EQ(srtcp_out_->ProtectRtcp(packet, size), crypto::SrtpResult::kOk);
    packet.resize(size);
    session_->OnSrtcp(packet);
  }

  // The viewer's sequence numbers of the media packets in `datagrams`.
  static std::vector<uint16_t> SequenceNumbers(const std::vector<std::vector<uint8_t>>& datagrams) {
    std::vector<uint16_t> seqs;
    for (const std::vector<uint8_t>& datagram : datagrams) {
      if (rtp::LooksLikeRtcp(datagram)) continue;
      seqs.push_back(rtp::RtpView::Parse(datagram)->sequence_number());
    }
    return seqs;
  }

  std::unique_ptr<core::Ring> ring_;
  std::unique_ptr<core::BufferRing> buffers_;
  Fd server_fd_, viewer_fd_;
  SocketAddress viewer_address_;
  std::unique_ptr<TestHost> host_;
  NoSources sources_;
  rtp::hub::PathDirectory directory_{1};
  std::unique_ptr<rtp::hub::PathHub> hub_;
  rtp::hub::Path* path_ = nullptr;
  NoClient publisher_;
  rtp::Track* track_ = nullptr;
  stun::IceCredentials credentials_{"srvufrag", "server-password-0123456789"};
  std::shared_ptr<const crypto::Certificate> server_certificate_, viewer_certificate_;
  std::unique_ptr<crypto::DtlsContext> server_dtls_, viewer_dtls_;
  ToSession to_session_;
  std::unique_ptr<WebRtcSession> session_;
  std::unique_ptr<crypto::DtlsTransport> viewer_;
  std::unique_ptr<crypto::SrtpEngine> srtp_in_, srtcp_out_;
  std::vector<rtp::testing::Packet> packets_;
  std::vector<uint8_t> scratch_ = std::vector<uint8_t>(4096);
};

TEST_F(SessionTest, MediaArrivesRenumberedAndDecryptable) {
  Connect();
  IngestRound(0, core::NowNs());
  std::vector<std::vector<uint8_t>> media = Media(Deliver());
  // The first keyframe and everything after it.
  ASSERT_EQ(media.size(), packets_.size());
  for (size_t i = 0; i < media.size(); ++i) {
    rtp::RtpView view = *rtp::RtpView::Parse(media[i]);
    rtp::RtpView source = *rtp::RtpView::Parse(packets_[i]);
    EXPECT_EQ(view.ssrc(), kSsrc);
    EXPECT_EQ(view.payload_type(), kPayloadType);
    EXPECT_EQ(view.marker(), source.marker());
    EXPECT_TRUE(std::equal(view.payload().begin(), view.payload().end(), source.payload().begin(),
                           source.payload().end()))
        << i;
    if (i > 0) {
      rtp::RtpView previous = *rtp::RtpView::Parse(media[i - 1]);
      EXPECT_EQ(view.sequence_number(), static_cast<uint16_t>(previous.sequence_number() + 1));
    }
  }
  EXPECT_EQ(session_->stats().packets_out, packets_.size());
  EXPECT_EQ(session_->srtp_profile(), "aead_aes_128_gcm");
}

TEST_F(SessionTest, NackIsAnsweredFromTheHistory) {
  Connect();
  IngestRound(0, core::NowNs());
  std::vector<std::vector<uint8_t>> media = Media(Deliver(), /*lose=*/7);
  ASSERT_EQ(media.size(), packets_.size());
  rtp::RtpView wanted = *rtp::RtpView::Parse(media[7]);  // the header is not encrypted

  uint8_t rtcp[256];
  size_t size = rtp::rtcp::WriteReceiverReport(rtcp, 0xFEED, {});
  uint16_t lost[] = {wanted.sequence_number()};
  size += rtp::rtcp::WriteNack(std::span<uint8_t>(rtcp).subspan(size), 0xFEED, kSsrc, lost);
  std::vector<uint8_t> packet(rtcp, rtcp + size);
  packet.resize(size + crypto::kSrtcpMaxOverhead);
  ASSERT_EQ(srtcp_out_->ProtectRtcp(packet, size), crypto::SrtpResult::kOk);
  packet.resize(size);
  session_->OnSrtcp(packet);

  std::vector<std::vector<uint8_t>> datagrams = Deliver();
  ASSERT_EQ(datagrams.size(), 1u);
  EXPECT_EQ(datagrams[0], media[7]);  // the same SRTP packet: same number, timestamp, bytes
  std::vector<std::vector<uint8_t>> again = Media(datagrams);
  ASSERT_EQ(again.size(), 1u);
  rtp::RtpView view = *rtp::RtpView::Parse(again[0]);
  rtp::RtpView source = *rtp::RtpView::Parse(packets_[7]);
  EXPECT_TRUE(std::equal(view.payload().begin(), view.payload().end(), source.payload().begin(),
                         source.payload().end()));
  EXPECT_EQ(session_->stats().nacks, 1u);
  EXPECT_EQ(session_->stats().retransmits, 1u);
}

TEST_F(SessionTest, APacketIsResentOncePerRoundTrip) {
  Connect();
  IngestRound(0, core::NowNs());
  std::vector<uint16_t> seqs = SequenceNumbers(Deliver());
  ASSERT_EQ(seqs.size(), packets_.size());
  const uint16_t lost[] = {seqs[7], seqs[9]};
  // A viewer repeating the same NACK at once (no RTT known yet: 100 ms) gets each packet once.
  for (int i = 0; i < 10; ++i) SendNack(lost);
  EXPECT_EQ(SequenceNumbers(Deliver()).size(), 2u);
  EXPECT_EQ(session_->stats().nacks, 20u);
  EXPECT_EQ(session_->stats().retransmits, 2u);
  EXPECT_EQ(session_->stats().nack_repeats, 18u);
  EXPECT_GT(session_->stats().retransmit_bytes, 0u);
}

TEST_F(SessionTest, ANackFloodGetsAtMostTheBudget) {
  host_->settings_.nack_budget_percent = 10;
  Connect();
  std::vector<uint16_t> sent;
  const int64_t start = core::NowNs();
  for (size_t round = 0; round < 40; ++round) {
    IngestRound(round, start);
    for (uint16_t seq : SequenceNumbers(Deliver())) sent.push_back(seq);
  }
  ASSERT_EQ(sent.size(), 40 * packets_.size());
  const uint64_t fresh_bytes = session_->stats().bytes_out;
  // Everything, NACKed once, in NACKs of 64 numbers.
  for (size_t i = 0; i < sent.size(); i += 64) {
    SendNack(std::span<const uint16_t>(sent).subspan(i, std::min<size_t>(64, sent.size() - i)));
    Deliver();
  }
  const SessionStats& stats = session_->stats();
  EXPECT_EQ(stats.nacks, sent.size());
  EXPECT_GT(stats.retransmits, 0u);
  EXPECT_GT(stats.nack_over_budget, 0u);
  EXPECT_EQ(stats.retransmits + stats.nack_over_budget + stats.nack_misses, sent.size());
  // The starting burst plus 10% of what was sent (the SRTP overhead is not budgeted: one tag per
  // packet at most).
  const uint64_t budget = RetransmitBudget::kMinBurstBytes + fresh_bytes / 10;
  EXPECT_LE(stats.retransmit_bytes, budget + stats.retransmits * crypto::kSrtpMaxRtpOverhead);
  EXPECT_GT(stats.retransmit_bytes, budget / 2);
}

TEST_F(SessionTest, PacketsOlderThanTheNackWindowAreNotResent) {
  Connect();
  const int64_t now = core::NowNs();
  IngestRound(0, now - 3 * core::kNsPerSec);  // kept: the keyframe run, but 3 s old
  std::vector<uint16_t> seqs = SequenceNumbers(Deliver());
  ASSERT_FALSE(seqs.empty());
  const uint16_t lost[] = {seqs[3]};
  SendNack(lost);
  EXPECT_TRUE(SequenceNumbers(Deliver()).empty());
  EXPECT_EQ(session_->stats().nack_too_old, 1u);
  EXPECT_EQ(session_->stats().retransmits, 0u);
}

TEST_F(SessionTest, AViewerLosingTooMuchGetsNoRetransmissions) {
  host_->settings_.nack_max_loss_percent = 25;
  Connect();
  IngestRound(0, core::NowNs());
  std::vector<uint16_t> seqs = SequenceNumbers(Deliver());
  ASSERT_EQ(seqs.size(), packets_.size());
  const uint16_t lost[] = {seqs[5]};
  // Two reports past the limit are not enough; the third is.
  SendReceiverReport(128);  // 50%
  SendReceiverReport(128);
  EXPECT_FALSE(session_->stats().congested);
  SendReceiverReport(128);
  EXPECT_TRUE(session_->stats().congested);
  SendNack(lost);
  EXPECT_TRUE(SequenceNumbers(Deliver()).empty());
  EXPECT_EQ(session_->stats().nack_congested, 1u);
  // Its loss drops: retransmissions again.
  SendReceiverReport(2);
  EXPECT_FALSE(session_->stats().congested);
  SendNack(lost);
  EXPECT_EQ(SequenceNumbers(Deliver()).size(), 1u);
  EXPECT_EQ(session_->stats().retransmits, 1u);
}

TEST_F(SessionTest, EndSendsByeAndLeavesThePath) {
  Connect();
  IngestRound(0, core::NowNs());
  Deliver();
  session_->End("test over");
  EXPECT_TRUE(host_->ended_);
  EXPECT_TRUE(path_->readers.empty());
  EXPECT_EQ(track_->reader_count(), 0u);
  bool bye = false;
  for (const std::vector<uint8_t>& datagram : Deliver()) {
    if (rtp::LooksLikeRtcp(datagram)) bye = true;  // RR + BYE (SRTCP)
  }
  EXPECT_TRUE(bye);
}

// ARCHITECTURE.md, "Memory": no heap allocation per packet in steady state, from the track's ingest
// through renumbering, SRTP and the GSO flush to the kernel.
TEST_F(SessionTest, SteadyStatePacketsAllocateNothing) {
  Connect();
  int64_t now = core::NowNs();
  for (size_t round = 0; round < 6; ++round) {  // warm-up: History, queues, send ops
    IngestRound(round, now + static_cast<int64_t>(round) * 2 * core::kNsPerSec);
    Deliver();
  }
  g_allocations = 0;
  g_count_allocations = true;
  for (size_t round = 6; round < 12; ++round) {
    IngestRound(round, now + static_cast<int64_t>(round) * 2 * core::kNsPerSec);
    for (int i = 0; i < 3; ++i) ring_->RunOnce(core::kNsPerMs);
    uint8_t buffer[2048];
    while (recv(viewer_fd_.get(), buffer, sizeof(buffer), MSG_DONTWAIT) > 0) {
    }
  }
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_EQ(session_->stats().packets_out, 12 * packets_.size());
}

}  // namespace
}  // namespace ringcast::net::webrtc
