#include "net/webrtc/session.h"

#include <openssl/rand.h>
#include <string.h>

#include <algorithm>

#include "core/clock.h"
#include "core/strings.h"
#include "net/webrtc/drops.h"
#include "rtp/byte_io.h"
#include "rtp/rtcp/bye.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/feedback.h"
#include "rtp/rtcp/report.h"
#include "rtp/rtcp/sdes.h"
#include "rtp/rtp_packet.h"

namespace ringcast::net::webrtc {
namespace {

template <typename T>
T RandomValue() {
  T value;
  RAND_bytes(reinterpret_cast<uint8_t*>(&value), sizeof(value));
  return value;
}

constexpr size_t kMaxRtcpBytes = 512;  // our SR + SDES, or RR + BYE

}  // namespace

WebRtcSession::WebRtcSession(std::string id, SessionHost& host, core::Ring& ring,
                             rtp::hub::PathHub& hub, rtp::hub::Path& path, std::string peer,
                             stun::IceCredentials local)
    : id_(std::move(id)),
      host_(host),
      ring_(ring),
      hub_(hub),
      path_(&path),
      path_name_(path.name),
      peer_(std::move(peer)),
      ice_(std::move(local)),
      dtls_timer_(ring,
                  [this] {
                    if (ended_ || dtls_ == nullptr) return;
                    dtls_->OnTimeout();
                    ArmDtlsTimer();
                  }),
      sr_timer_(ring, [this] { SendSenderReports(); }),
      pump_timer_(ring, [this] { PumpTracks(); }),
      consent_timer_(ring, [this] { CheckConsent(); }),
      ingest_timer_(ring, [this] { OnIngestTick(); }) {
  created_ns_ = core::NowNs();
  last_consent_ns_ = created_ns_;
  budget_updated_ns_ = created_ns_;
  cname_ = core::StrCat("ringcast-", id_);
  consent_timer_.ArmAfter(core::kNsPerSec);
}

WebRtcSession::WebRtcSession(std::string id, SessionHost& host, core::Ring& ring,
                             rtp::hub::PathHub& hub, rtp::hub::Path& path, std::string peer,
                             const Answer& answer, stun::IceCredentials local,
                             std::vector<rtp::Track*> tracks)
    : WebRtcSession(std::move(id), host, ring, hub, path, std::move(peer), std::move(local)) {
  const SessionSettings& settings = host_.settings();
  budget_.set_percent(settings.nack_budget_percent);
  for (size_t i = 0; i < answer.tracks.size() && i < tracks.size(); ++i) {
    const AnsweredTrack& answered = answer.tracks[i];
    TrackSenderOptions options;
    options.ssrc = answered.ssrc;
    options.payload_type = static_cast<uint8_t>(answered.payload_type);
    options.clock_rate = answered.clock_rate;
    options.fast_start = settings.fast_start;
    options.first_seq = RandomValue<uint16_t>() & 0x7FFF;  // room before the first wrap
    options.first_timestamp = RandomValue<uint32_t>();
    options.nack = answered.nack;
    options.pli = answered.pli;
    options.fir = answered.fir;
    SendTrack send;
    send.track = tracks[i];
    send.sender = std::make_unique<TrackSender>(*tracks[i], options);
    send.answer = answered;
    tracks_.push_back(std::move(send));
    tracks[i]->AddReader(this);
  }
  rtcp_ssrc_ = tracks_.empty() ? RandomValue<uint32_t>() : tracks_.front().answer.ssrc;
}

WebRtcSession::WebRtcSession(std::string id, SessionHost& host, core::Ring& ring,
                             rtp::hub::PathHub& hub, rtp::hub::Path& path, std::string peer,
                             const PublishAnswer& answer, stun::IceCredentials local)
    : WebRtcSession(std::move(id), host, ring, hub, path, std::move(peer), std::move(local)) {
  const SessionSettings& settings = host_.settings();
  while (rtcp_ssrc_ == 0) rtcp_ssrc_ = RandomValue<uint32_t>();
  PublisherIngest::Options options;
  options.nack = settings.whip_nack;
  options.max_delay_ns = settings.whip_max_delay_ns;
  options.cname = cname_;
  PublisherIngest::Output& output = *this;
  ingest_ = std::make_unique<PublisherIngest>(answer, options, rtcp_ssrc_, output);
}

WebRtcSession::~WebRtcSession() { Detach(); }

absl::Status WebRtcSession::InitDtls(crypto::DtlsContext& context, crypto::DtlsRole role,
                                     const std::string& fingerprint_hash,
                                     const std::string& fingerprint) {
  ASSIGN_OR_RETURN(
      dtls_, crypto::DtlsTransport::Create(context, role, fingerprint_hash, fingerprint, *this));
  return absl::OkStatus();
}

std::string_view WebRtcSession::ice_state() const {
  if (ended_) return "closed";
  return nominated_ ? "connected" : "checking";
}

std::string_view WebRtcSession::dtls_state() const {
  if (dtls_ == nullptr) return "none";
  switch (dtls_->state()) {
    case crypto::DtlsState::kNew:
      return "new";
    case crypto::DtlsState::kHandshaking:
      return "connecting";
    case crypto::DtlsState::kConnected:
      return "connected";
    case crypto::DtlsState::kClosed:
      return "closed";
    case crypto::DtlsState::kFailed:
      return "failed";
  }
  return "?";
}

std::string_view WebRtcSession::srtp_profile() const {
  if (!media_ready_) return "none";
  return dtls_->srtp_keys().profile == crypto::SrtpProfile::kAeadAes128Gcm
             ? "aead_aes_128_gcm"
             : "aes_cm_128_hmac_sha1_80";
}

// --- ICE-lite ------------------------------------------------------------------------------

void WebRtcSession::OnStun(std::span<const uint8_t> bytes, const SocketAddress& from) {
  if (ended_) return;
  stun::CheckResult result = ice_.Check(bytes);
  UdpEgress& egress = host_.egress();
  UdpEgress::Slot slot = egress.Reserve();
  if (!slot.bytes.empty()) {
    std::optional<size_t> length = ice_.WriteResponse(result, from.get(), from.length, slot.bytes);
    if (length) {
      egress.CommitTo(from, slot, *length);
    } else {
      egress.Release(slot);
    }
  }
  if (!result.ok()) {
    kStunRefusedDrops.Count();
    LOG_RATE_LIMITED(log_limiter_, Warn, "webrtc: session %s: binding request from %s refused: %s",
                     id_, FormatSocketAddress(from.get(), from.length),
                     stun::CheckErrorName(result.error));
    return;
  }
  last_consent_ns_ = core::NowNs();
  // ICE-lite (RFC 8445 §2.5): the controlling viewer nominates with USE-CANDIDATE; until it does,
  // the first address that passes a check is the one we answer on.
  bool switch_address =
      !nominated_ || (result.use_candidate &&
                      (destination_.address().length != from.length ||
                       memcmp(destination_.address().get(), from.get(), from.length) != 0));
  if (!switch_address) return;
  bool first = !nominated_;
  nominated_ = true;
  destination_.set_address(from);
  host_.OnSessionAddress(*this, from);
  LOG_INFO("webrtc: session %s (%s, path %s): ICE %s %s", id_, peer_, path_name_,
           first ? "connected from" : "moved to", FormatSocketAddress(from.get(), from.length));
  if (first && dtls_ != nullptr && dtls_->state() == crypto::DtlsState::kNew) {
    dtls_->Start();  // the client role starts the handshake; the server role waits
    ArmDtlsTimer();
  }
}

void WebRtcSession::CheckConsent() {
  if (ended_) return;
  const int64_t now = core::NowNs();
  // A POST that never connects (a client gone, or one that only wants to fill the table).
  if (!media_ready_ && now - created_ns_ > host_.settings().handshake_timeout_ns) {
    kHandshakeTimeoutDrops.Count();
    End(core::StrCat("ICE and DTLS not done within ", (now - created_ns_) / core::kNsPerMs, " ms (",
                     nominated_ ? "DTLS" : "ICE", " was not)"));
    return;
  }
  int64_t silent = now - last_consent_ns_;
  if (silent > host_.settings().timeout_ns) {
    End(core::StrCat("no ICE consent for ", silent / core::kNsPerMs, " ms"));
    return;
  }
  consent_timer_.ArmAfter(core::kNsPerSec);
}

// --- DTLS ----------------------------------------------------------------------------------

void WebRtcSession::OnDtls(std::span<const uint8_t> bytes) {
  if (ended_ || dtls_ == nullptr) return;
  crypto::DtlsState before = dtls_->state();
  dtls_->OnDatagram(bytes);
  crypto::DtlsState after = dtls_->state();
  if (after == crypto::DtlsState::kFailed) {
    kDtlsInvalidDrops.Count();
    End(core::StrCat("DTLS failed: ", dtls_->error()));
    return;
  }
  if (dtls_->peer_closed()) {
    End(ingest_ != nullptr ? "the publisher closed DTLS" : "the viewer closed DTLS");
    return;
  }
  if (before != crypto::DtlsState::kConnected && after == crypto::DtlsState::kConnected) {
    OnDtlsConnected();
  }
  ArmDtlsTimer();
}

void WebRtcSession::OnDtlsSend(std::span<const uint8_t> datagram) {
  UdpEgress& egress = host_.egress();
  UdpEgress::Slot slot = egress.Reserve();
  if (slot.bytes.empty()) return;
  if (datagram.size() > slot.bytes.size()) {
    egress.Release(slot);
    LOG_RATE_LIMITED(log_limiter_, Warn, "webrtc: session %s: DTLS datagram of %zu bytes too large",
                     id_, datagram.size());
    return;
  }
  memcpy(slot.bytes.data(), datagram.data(), datagram.size());
  egress.Commit(destination_, slot, datagram.size());
}

void WebRtcSession::ArmDtlsTimer() {
  std::optional<int64_t> delay =
      dtls_ != nullptr && !ended_ ? dtls_->RetransmitDelayNs() : std::nullopt;
  if (delay) {
    dtls_timer_.ArmAfter(std::max<int64_t>(*delay, core::kNsPerMs));
  } else {
    dtls_timer_.Disarm();
  }
}

void WebRtcSession::OnDtlsConnected() {
  const crypto::DtlsSrtpKeys& keys = dtls_->srtp_keys();
  crypto::SrtpEngineKind engine = host_.settings().srtp_engine;
  absl::StatusOr<std::unique_ptr<crypto::SrtpEngine>> out =
      crypto::MakeSrtp(engine, keys.profile, keys.local, crypto::SrtpDirection::kProtect);
  absl::StatusOr<std::unique_ptr<crypto::SrtpEngine>> in =
      crypto::MakeSrtp(engine, keys.profile, keys.remote, crypto::SrtpDirection::kUnprotect);
  if (!out.ok() || !in.ok()) {
    End(core::StrCat("SRTP set-up failed: ",
                     core::ToStd((out.ok() ? in.status() : out.status()).message())));
    return;
  }
  srtp_out_ = std::move(out).value();
  srtp_in_ = std::move(in).value();
  media_ready_ = true;
  host_.OnSessionReady(*this);
  LOG_INFO("webrtc: session %s (%s, path %s): DTLS-SRTP up (%s)", id_, peer_, path_name_,
           srtp_profile());
  int64_t now = core::NowNs();
  for (SendTrack& send : tracks_) send.sender->Start(now);
  PumpTracks();
  sr_timer_.ArmAfter(host_.settings().sr_interval_ns);
  if (ingest_ != nullptr) {
    ingest_timer_.ArmAfter(PublisherIngest::kTickNs);
    // A viewer may be waiting already: the first keyframe should not take a whole GOP.
    for (size_t i = 0; i < ingest_->track_count(); ++i) ingest_->RequestKeyframe(i);
  }
}

// --- media out -----------------------------------------------------------------------------

void WebRtcSession::OnTrackPacket(rtp::Track& track, const rtp::HistoryPacket& packet) {
  if (!media_ready_ || ended_) return;
  int64_t now = core::BatchNowNs();
  for (SendTrack& send : tracks_) {
    if (send.track != &track) continue;
    // Waiting for the next keyframe: ask the source for one now rather than for a GOP.
    if (send.sender->waiting_for_keyframe()) RequestSourceKeyframe(send.answer.ssrc);
    SendDue(send, now, &packet);
  }
}

void WebRtcSession::SendDue(SendTrack& send, int64_t now_ns, const rtp::HistoryPacket* appended) {
  TrackSender& sender = *send.sender;
  while (std::optional<Outgoing> out = sender.Next(now_ns, appended)) {
    if (SendMedia(send, *out)) budget_.OnFreshSent(out->packet.bytes.size());
  }
  if (std::optional<int64_t> due = sender.next_due_ns()) {
    if (!pump_timer_.armed() || *due < pump_timer_.deadline_ns()) pump_timer_.ArmAt(*due);
  }
}

void WebRtcSession::PumpTracks() {
  if (!media_ready_ || ended_) return;
  pump_timer_.Disarm();
  int64_t now = core::NowNs();
  for (SendTrack& send : tracks_) SendDue(send, now, nullptr);
}

// The packet as the track stored it, renumbered for this viewer (payload type, sequence number,
// timestamp, SSRC: RFC 3550 §5.1) in its send slot. Only the header is copied: the payload is
// sealed from the History straight into the slot, one pass over its bytes.
bool WebRtcSession::SendMedia(const SendTrack& send, const Outgoing& out) {
  UdpEgress& egress = host_.egress();
  const std::span<const uint8_t> packet = out.packet.bytes;
  if (packet.size() + crypto::kSrtpMaxRtpOverhead > kSendSlotBytes) return false;
  // The History holds packets its track parsed; this only finds where the header ends.
  std::optional<rtp::RtpView> view = rtp::RtpView::Parse(packet);
  if (!view) return false;
  const size_t header = view->header_size();
  UdpEgress::Slot slot = egress.Reserve();
  if (slot.bytes.empty()) return false;
  const TrackSenderOptions& options = send.sender->options();
  uint8_t* p = slot.bytes.data();
  memcpy(p, packet.data(), header);
  p[1] = static_cast<uint8_t>((p[1] & 0x80) | options.payload_type);
  rtp::StoreBe16(p + 2, out.seq);
  rtp::StoreBe32(p + 4, out.timestamp);
  rtp::StoreBe32(p + 8, options.ssrc);
  size_t length = 0;
  if (srtp_out_->ProtectFrom(slot.bytes, header, packet.subspan(header), length) !=
      crypto::SrtpResult::kOk) {
    egress.Release(slot);
    return false;
  }
  egress.Commit(destination_, slot, length);
  ++stats_.packets_out;
  stats_.bytes_out += length;
  return true;
}

void WebRtcSession::SendRtcp(std::span<const uint8_t> rtcp) {
  if (!media_ready_ || rtcp.empty()) return;
  UdpEgress& egress = host_.egress();
  UdpEgress::Slot slot = egress.Reserve();
  if (slot.bytes.empty()) return;
  memcpy(slot.bytes.data(), rtcp.data(), rtcp.size());
  size_t length = rtcp.size();
  if (srtp_out_->ProtectRtcp(slot.bytes, length) != crypto::SrtpResult::kOk) {
    egress.Release(slot);
    return;
  }
  egress.Commit(destination_, slot, length);
}

// One compound SR + SDES per track (RFC 3550 §6.4.1, §6.1), every webrtc.rtcp_sr_interval_ms.
void WebRtcSession::SendSenderReports() {
  if (!media_ready_ || ended_) return;
  int64_t now = core::NowNs();
  if (ingest_ != nullptr) {  // a publisher's receiver reports
    ingest_->SendReports(now);
    sr_timer_.ArmAfter(host_.settings().sr_interval_ns);
    return;
  }
  // The retransmission budget follows the stream's rate and the live settings.
  budget_.set_percent(host_.settings().nack_budget_percent);
  budget_.UpdateCap(now - budget_updated_ns_);
  budget_updated_ns_ = now;
  rtp::rtcp::NtpClock clock = rtp::rtcp::NtpClock::Now();
  for (SendTrack& send : tracks_) {
    const TrackSender& sender = *send.sender;
    if (!sender.has_sent()) continue;
    uint8_t buffer[kMaxRtcpBytes];
    rtp::rtcp::SenderInfo info{.ntp_timestamp = clock.ToNtp(now),
                               .rtp_timestamp = sender.RtpTimestampAt(now),
                               .packet_count = static_cast<uint32_t>(sender.packets_sent()),
                               .octet_count = static_cast<uint32_t>(sender.payload_bytes_sent())};
    size_t size = rtp::rtcp::WriteSenderReport(buffer, sender.options().ssrc, info, {});
    size += rtp::rtcp::WriteSdesCname(std::span<uint8_t>(buffer).subspan(size),
                                      sender.options().ssrc, cname_);
    SendRtcp(std::span<const uint8_t>(buffer, size));
  }
  sr_timer_.ArmAfter(host_.settings().sr_interval_ns);
}

// --- a publisher's media in ------------------------------------------------------------------

void WebRtcSession::OnSrtp(std::span<uint8_t> bytes) {
  size_t length = bytes.size();
  crypto::SrtpResult result = srtp_in_->Unprotect(bytes, length);
  if (result != crypto::SrtpResult::kOk) {
    kSrtpInvalidDrops.Count();
    LOG_RATE_LIMITED(
        log_limiter_, Warn, "webrtc: session %s: SRTP from %s dropped: %s", id_,
        FormatSocketAddress(destination_.address().get(), destination_.address().length),
        crypto::SrtpResultName(result));
    return;
  }
  if (!ingest_->OnRtp(bytes.first(length), core::BatchNowNs())) {
    kPublisherRtpDrops.Count();
    LOG_RATE_LIMITED(log_limiter_, Warn,
                     "webrtc: session %s (%s) publishing %s: RTP that is malformed or of an SSRC "
                     "or payload type the answer has no track for; dropped",
                     id_, peer_, path_name_);
  }
}

void WebRtcSession::Deliver(size_t track, const rtp::RtpView& packet, int64_t now_ns) {
  if (path_ == nullptr || path_->publisher != this || path_->stream == nullptr ||
      track >= path_->stream->track_count()) {
    return;
  }
  path_->stream->track(track).Ingest(packet, now_ns);
}

void WebRtcSession::OnIngestTick() {
  if (ended_ || ingest_ == nullptr) return;
  ingest_->OnTick(core::NowNs());
  ingest_timer_.ArmAfter(PublisherIngest::kTickNs);
}

bool WebRtcSession::RequestKeyframe(size_t track) {
  if (ingest_ == nullptr || !media_ready_ || ended_) return false;
  return ingest_->RequestKeyframe(track);  // false for audio: the hub's limit stays untouched
}

// --- feedback in ---------------------------------------------------------------------------

WebRtcSession::SendTrack* WebRtcSession::TrackBySsrc(uint32_t ssrc) {
  for (SendTrack& send : tracks_) {
    if (send.answer.ssrc == ssrc) return &send;
  }
  return nullptr;
}

void WebRtcSession::OnSrtcp(std::span<uint8_t> bytes) {
  if (ended_ || !media_ready_) return;
  if (!rtp::LooksLikeRtcp(bytes)) {
    if (ingest_ != nullptr) OnSrtp(bytes);
    return;  // RTP from a recvonly viewer: nothing to do with it
  }
  size_t length = bytes.size();
  crypto::SrtpResult result = srtp_in_->UnprotectRtcp(bytes, length);
  if (result != crypto::SrtpResult::kOk) {
    kSrtcpInvalidDrops.Count();
    LOG_RATE_LIMITED(
        log_limiter_, Warn, "webrtc: session %s: SRTCP from %s dropped: %s", id_,
        FormatSocketAddress(destination_.address().get(), destination_.address().length),
        crypto::SrtpResultName(result));
    return;
  }
  ++stats_.rtcp_in;
  int64_t now = core::NowNs();
  rtp::rtcp::CompoundReader reader(bytes.first(length));
  while (std::optional<rtp::rtcp::Block> block = reader.Next()) {
    HandleRtcpBlock(*block, now);
    if (ended_) return;
  }
  if (reader.malformed()) {
    kRtcpInvalidDrops.Count();
    LOG_RATE_LIMITED(log_limiter_, Warn, "webrtc: session %s: malformed RTCP from the viewer", id_);
  }
}

void WebRtcSession::HandleRtcpBlock(const rtp::rtcp::Block& block, int64_t now_ns) {
  namespace rtcp = rtp::rtcp;
  auto read_report = [&](const rtcp::ReportBlock& report) {
    SendTrack* send = TrackBySsrc(report.ssrc);
    if (send == nullptr) return;
    stats_.fraction_lost = report.fraction_lost / 256.0;
    OnReportedLoss(stats_.fraction_lost);
    stats_.packets_lost = report.cumulative_lost;
    stats_.jitter_ms = 1000.0 * report.jitter / std::max<uint32_t>(1, send->answer.clock_rate);
    uint32_t now_mid = rtcp::NtpMiddle32(rtcp::NtpClock::Now().ToNtp(now_ns));
    if (std::optional<uint32_t> rtt = rtcp::RoundTripMs(now_mid, report)) stats_.rtt_ms = *rtt;
  };
  switch (block.packet_type()) {
    case rtcp::kPacketTypeRr:
      if (auto rr = rtcp::ReceiverReportView::Parse(block)) {
        for (size_t i = 0; i < rr->report_count(); ++i) read_report(rr->report_block(i));
      }
      return;
    case rtcp::kPacketTypeSr:
      if (auto sr = rtcp::SenderReportView::Parse(block)) {
        if (ingest_ != nullptr) {
          ingest_->OnSenderReport(sr->sender_ssrc(), sr->sender_info().ntp_timestamp, now_ns);
        }
        for (size_t i = 0; i < sr->report_count(); ++i) read_report(sr->report_block(i));
      }
      return;
    case rtcp::kPacketTypeRtpfb:
      if (auto nack = rtcp::NackView::Parse(block)) {
        SendTrack* send = TrackBySsrc(nack->media_ssrc());
        if (send == nullptr) return;
        bool answer = host_.settings().nack && send->answer.nack;
        rtcp::NackSeqReader lost = nack->lost();
        while (std::optional<uint16_t> seq = lost.Next()) {
          ++stats_.nacks;
          if (answer) Resend(*send, *seq, now_ns);
        }
      }
      return;
    case rtcp::kPacketTypePsfb:
      if (auto fir = rtcp::FirView::Parse(block)) {
        ++stats_.firs;
        for (size_t i = 0; i < fir->entry_count(); ++i) RequestSourceKeyframe(fir->entry(i).ssrc);
      } else if (auto pli = rtcp::PliView::Parse(block)) {
        ++stats_.plis;
        RequestSourceKeyframe(pli->media_ssrc);
      }
      return;
    case rtcp::kPacketTypeBye:
      End(ingest_ != nullptr ? "the publisher sent RTCP BYE" : "the viewer sent RTCP BYE");
      return;
    default:
      return;  // SDES, APP, XR, transport-cc: nothing ringcast acts on
  }
}

// Every NACKed number costs a look-up at most: what is not resent is counted by why, and a viewer
// cannot make the server send more than its budget whatever it NACKs.
void WebRtcSession::Resend(SendTrack& send, uint16_t seq, int64_t now_ns) {
  if (stats_.congested) {
    ++stats_.nack_congested;
    kNackCongestedDrops.Count();
    return;
  }
  const SessionSettings& settings = host_.settings();
  TrackSender::Retransmission again =
      send.sender->Retransmit(seq, now_ns - settings.nack_window_ns);
  switch (again.result) {
    case TrackSender::Resend::kSent:
      break;
    case TrackSender::Resend::kTooOld:
      ++stats_.nack_too_old;
      kNackTooOldDrops.Count();
      return;
    case TrackSender::Resend::kNotSent:
    case TrackSender::Resend::kGone:
      ++stats_.nack_misses;
      return;
  }
  // Once per round trip: a NACK repeated sooner asks again for what is on its way. Until a
  // report gives the RTT, 100 ms (what a browser's NACK module assumes); never below 5 ms.
  const int64_t rtt_ns =
      stats_.rtt_ms >= 0 ? static_cast<int64_t>(stats_.rtt_ms * 1e6) : 100 * core::kNsPerMs;
  const int64_t interval_ns = std::clamp<int64_t>(rtt_ns, 5 * core::kNsPerMs, core::kNsPerSec);
  if (send.resent.SentWithin(seq, now_ns, interval_ns)) {
    ++stats_.nack_repeats;
    kNackRepeatDrops.Count();
    return;
  }
  if (!budget_.TrySpend(again.out.packet.bytes.size())) {
    ++stats_.nack_over_budget;
    kNackOverBudgetDrops.Count();
    return;
  }
  send.resent.Record(seq, now_ns);
  const uint64_t bytes_before = stats_.bytes_out;
  if (SendMedia(send, again.out)) {
    ++stats_.retransmits;
    stats_.retransmit_bytes += stats_.bytes_out - bytes_before;
  }
}

// Retransmitting to a viewer that loses a quarter of what it gets deepens its congestion; a
// keyframe repairs its picture for the cost of one frame. The hub limits the keyframe rate.
void WebRtcSession::OnReportedLoss(double fraction_lost) {
  const uint32_t limit = host_.settings().nack_max_loss_percent;
  const bool high = limit > 0 && fraction_lost * 100 >= limit;
  high_loss_reports_ = high ? high_loss_reports_ + 1 : 0;
  if (high_loss_reports_ == 3 && !stats_.congested) {
    stats_.congested = true;
    LOG_RATE_LIMITED(log_limiter_, Warn,
                     "webrtc: session %s (%s) on %s loses %.0f%%: NACKs not answered, keyframes "
                     "asked for instead",
                     id_, peer_, path_name_, fraction_lost * 100);
    for (const SendTrack& send : tracks_) RequestSourceKeyframe(send.answer.ssrc);
  } else if (!high && stats_.congested) {
    stats_.congested = false;
    LOG_RATE_LIMITED(log_limiter_, Info,
                     "webrtc: session %s (%s) on %s: loss down to %.0f%%, retransmitting again",
                     id_, peer_, path_name_, fraction_lost * 100);
  }
}

// A viewer's PLI/FIR goes to the path's source when it can make keyframes on request (the hub
// decides, and limits the rate).
void WebRtcSession::RequestSourceKeyframe(uint32_t ssrc) {
  SendTrack* send = TrackBySsrc(ssrc);
  if (send != nullptr && path_ != nullptr) hub_.RequestKeyframe(*path_, send->answer.track_index);
}

// --- the end -------------------------------------------------------------------------------

void WebRtcSession::OnPathGone(std::string_view reason) {
  // The path's tracks may already be gone (rebuilt): forget them before anything else.
  for (SendTrack& send : tracks_) send.track = nullptr;
  path_ = nullptr;
  End(core::StrCat("path ", path_name_, ": ", reason));
}

void WebRtcSession::End(std::string_view reason) {
  if (ended_) return;
  ended_ = true;
  end_reason_ = std::string(reason);
  if (media_ready_) {
    // RR (a compound starts with a report, RFC 3550 §6.1) + BYE for our SSRCs.
    uint8_t buffer[kMaxRtcpBytes];
    size_t size = rtp::rtcp::WriteReceiverReport(buffer, rtcp_ssrc_, {});
    uint32_t ssrcs[rtp::rtcp::kMaxCount];
    size_t count = 0;
    for (const SendTrack& send : tracks_) {
      if (count < std::size(ssrcs)) ssrcs[count++] = send.answer.ssrc;
    }
    if (count == 0) ssrcs[count++] = rtcp_ssrc_;  // a publisher's: our receiver SSRC
    size += rtp::rtcp::WriteBye(std::span<uint8_t>(buffer).subspan(size),
                                std::span<const uint32_t>(ssrcs, count));
    SendRtcp(std::span<const uint8_t>(buffer, size));
  }
  if (dtls_ != nullptr && dtls_->state() == crypto::DtlsState::kConnected) dtls_->Close();
  if (ingest_ != nullptr) {
    const IngestStats& in = ingest_->stats();
    LOG_INFO(
        "webrtc: session %s (%s) publishing %s ended: %s (%d packets in, %d asked for again, %d "
        "recovered, %d given up)",
        id_, peer_, path_name_, reason, in.packets, in.nacks, in.recovered, in.given_up);
  } else {
    LOG_INFO("webrtc: session %s (%s) on %s ended: %s (%d packets, %d retransmitted)", id_, peer_,
             path_name_, reason, stats_.packets_out, stats_.retransmits);
  }
  Detach();
  host_.OnSessionEnded(*this);
}

void WebRtcSession::Detach() {
  dtls_timer_.Disarm();
  sr_timer_.Disarm();
  pump_timer_.Disarm();
  consent_timer_.Disarm();
  ingest_timer_.Disarm();
  for (SendTrack& send : tracks_) {
    if (send.track != nullptr) send.track->RemoveReader(this);
    send.track = nullptr;
  }
  if (path_ != nullptr) {
    rtp::hub::Path* path = path_;
    path_ = nullptr;
    if (ingest_ != nullptr) {
      hub_.Unpublish(*path, this);
    } else {
      hub_.RemoveReader(*path, this);
    }
  }
  for (SendTrack& send : tracks_) stats_.catch_up_packets += send.sender->catch_up_packets();
}

}  // namespace ringcast::net::webrtc
