#include "net/rtsp/session.h"

#include <chrono>
#include <optional>
#include <random>

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "net/http/auth_guard.h"
#include "net/rtsp/describe.h"
#include "net/rtsp/drops.h"
#include "net/rtsp/transport.h"
#include "net/rtsp/url.h"
#include "net/sdp/parser.h"

namespace ringcast::net::rtsp {
namespace {

using core::StrCat;
using http::Header;
using http::Message;

constexpr std::string_view kPublic =
    "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, PAUSE, RECORD, TEARDOWN, GET_PARAMETER, "
    "SET_PARAMETER";

// How long a DESCRIBE waits for a path's own source (an on-demand pull) to come up.
constexpr int64_t kSourceWaitNs = 10 * core::kNsPerSec;

std::string NewSessionId() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return StrCat(random() % 900000000000 + 100000000000);
}

}  // namespace

RtspSession::RtspSession(StreamConnection& connection, rtp::hub::PathHub& hub,
                         http::ServerAuth& auth, const RtspSettings& settings, UdpMediaPorts* udp,
                         const HandOffTo* hand_off, std::atomic<uint64_t>* packets_out)
    : connection_(connection),
      hub_(hub),
      auth_(auth),
      settings_(settings),
      udp_(udp),
      hand_off_(hand_off),
      server_packets_out_(packets_out),
      // A request body is an ANNOUNCE's SDP or a SET_PARAMETER's few lines: 64 KiB is ample, and
      // a connection cannot make the server hold a megabyte it trickles in.
      parser_(http::Protocol::kRtsp, http::Parser::Kind::kRequest,
              http::Limits{.max_body = 64 << 10}) {
  channel_track_.fill(-1);
}

RtspSession::~RtspSession() {
  if (udp_ != nullptr) udp_->Unregister(this);
  Leave();
}

void RtspSession::Leave() {
  if (waiting_for_ != nullptr) {
    hub_.RemoveWaiter(*waiting_for_, this);
    waiting_for_ = nullptr;
  }
  wait_timer_.reset();
  StopReading();
  if (path_ != nullptr) {
    if (role_ == Role::kPublisher) {
      LOG_INFO("rtsp: %s stopped publishing %s (%d packets)", connection_.peer(), path_->name,
               packets_in_);
      hub_.Unpublish(*path_, this);
    } else if (registered_reader_) {
      LOG_INFO("rtsp: %s stopped reading %s (%d packets)", connection_.peer(), path_->name,
               packets_out_);
      hub_.RemoveReader(*path_, this);
    }
  }
  registered_reader_ = false;
  path_ = nullptr;
  role_ = Role::kNone;
}

void RtspSession::OnPathGone(std::string_view reason) {
  LOG_INFO("rtsp: closing %s's session on %s: %s", connection_.peer(),
           path_ != nullptr ? path_->name : "?", reason);
  Leave();              // the path may be going away: forget it before the connection closes
  connection_.Close();  // destroys this session
}

// The connection's bytes: '$' frames go to their track, RTSP text to the request parser.
void RtspSession::OnBytes(std::span<const uint8_t> bytes) {
  demuxer_.Feed(bytes);
  while (std::optional<Demuxer::Item> item = demuxer_.Next()) {
    if (item->kind == Demuxer::Item::kFrame) {
      ++messages_;
      OnFrame(item->channel, item->payload);
    } else if (!demuxer_.ConsumeText(ParseText(item->text))) {
      break;
    }
  }
  if (demuxer_.stopped() && !handed_off_ && !connection_.closing()) connection_.CloseAfterSend();
}

std::optional<uint64_t> RtspSession::PendingMessage() const {
  if (parser_.in_message() || !demuxer_.AtFrameBoundary()) return messages_;
  return std::nullopt;
}

void RtspSession::Resume(const Message& request, std::string_view pending, int hops) {
  hops_ = hops;
  Handle(request);
  if (!pending.empty() && !handed_off_ && !connection_.closing()) {
    OnBytes({reinterpret_cast<const uint8_t*>(pending.data()), pending.size()});
  }
}

// The rest of the conversation happens on `worker`, which owns the path: the socket, this
// request and whatever followed it go there; nothing more is answered here.
void RtspSession::HandOver(int worker, const Message& request) {
  constexpr int kMaxHops = 3;  // a path that keeps moving while we chase it: let the client retry
  if (hops_ >= kMaxHops) {
    Refuse(request, 503, "the path is moving between workers; try again");
    return;
  }
  handed_off_ = true;
  auto handed = std::make_shared<HandedConnection>();
  handed->peer = connection_.peer();
  handed->request = request;
  handed->pending = std::string(unparsed_);
  handed->hops = hops_ + 1;
  LOG_DEBUG("rtsp: %s: %s %s goes to worker %d, which owns the path", connection_.peer(),
            request.method, RedactUrl(request.target), worker);
  HandOffTo to = *hand_off_;
  connection_.HandOff([handed, to, worker](Fd fd, std::string more) {
    handed->fd = std::move(fd);
    handed->pending += more;
    to(worker, handed);
  });
}

size_t RtspSession::ParseText(std::string_view text) {
  size_t used_total = 0;
  while (used_total < text.size()) {
    size_t used = 0;
    http::Parser::State state = parser_.Feed(text.substr(used_total), used);
    used_total += used;
    if (state == http::Parser::State::kError) {
      kBadRequestDrops.Count();
      LOG_EVERY_SEC(Warn, "rtsp: bad request from %s: %s", connection_.peer(),
                    parser_.error_reason());
      connection_.Send(
          http::FormatResponse(http::Protocol::kRtsp, parser_.error_status(), "", {}, ""));
      return Demuxer::kStopFeeding;
    }
    if (state == http::Parser::State::kNeedMore) {
      return parser_.at_interleaved_frame() ? used_total : text.size();
    }
    unparsed_ = text.substr(used_total);
    ++messages_;
    Handle(parser_.Take());
    unparsed_ = {};
    if (handed_off_ || connection_.closing()) return Demuxer::kStopFeeding;
  }
  return used_total;
}

void RtspSession::OnFrame(uint8_t channel, std::span<const uint8_t> payload) {
  if (!known_channels_.test(channel)) {
    kBadChannelDrops.Count();
    LOG_RATE_LIMITED(
        log_limiter_, Warn,
        "rtsp: %s sent an interleaved frame on channel %d, which no SETUP made; dropped",
        connection_.peer(), channel);
    return;
  }
  int16_t track = channel_track_[channel];
  if (track < 0) return;  // RTCP: a publisher's sender reports, a reader's receiver reports
  IngestRtp(static_cast<size_t>(track), payload, "TCP");
}

void RtspSession::OnUdpRtp(size_t track, std::span<const uint8_t> packet) {
  IngestRtp(track, packet, "UDP");
}

void RtspSession::IngestRtp(size_t track, std::span<const uint8_t> bytes, std::string_view how) {
  if (role_ != Role::kPublisher || !recording_ || path_ == nullptr || path_->stream == nullptr ||
      track >= path_->stream->track_count()) {
    return;  // media before RECORD: nothing to do yet
  }
  std::optional<rtp::RtpView> packet = rtp::RtpView::Parse(bytes);
  if (!packet) {
    kRtpInvalidDrops.Count();
    LOG_RATE_LIMITED(log_limiter_, Warn, "rtsp: %s sent an invalid RTP packet (%s) for %s",
                     connection_.peer(), how, path_->name);
    return;
  }
  ++packets_in_;
  int64_t now = core::BatchNowNs();
  connection_.Touch(now);  // RTP over UDP keeps the RTSP session alive, as TCP bytes do
  path_->stream->track(track).Ingest(*packet, now);
}

void RtspSession::Reply(const Message& request, int status, std::vector<Header> headers,
                        std::string body, std::string_view reason) {
  std::vector<Header> all;
  if (const std::string* cseq = request.FindHeader("CSeq")) all.push_back({"CSeq", *cseq});
  all.push_back({"Server", "ringcast"});
  if (!session_id_.empty()) {
    all.push_back({"Session", StrCat(session_id_, ";timeout=", settings_.session_timeout_s)});
  }
  for (Header& header : headers) all.push_back(std::move(header));
  connection_.Send(http::FormatResponse(http::Protocol::kRtsp, status, reason, all, body));
}

void RtspSession::Refuse(const Message& request, int status, std::string_view why) {
  LOG_RATE_LIMITED(log_limiter_, Warn, "rtsp: %s %s from %s refused (%d): %s", request.method,
                   RedactUrl(request.target), connection_.peer(), status, why);
  Reply(request, status);
}

rtp::hub::Path* RtspSession::PathFor(const Message& request, bool publish, std::string* control) {
  absl::StatusOr<PathName> name = SplitPathName(request.target);
  if (!name.ok()) {
    Refuse(request, 400, StrCat("bad URL: ", core::ToStd(name.status().message())));
    return nullptr;
  }
  if (control != nullptr) *control = name->control;
  // With several workers the path may live on another one (a publisher creates it where it
  // lands): the request goes there before anything is answered, authentication included.
  int owner = hand_off_ != nullptr ? hub_.directory().Owner(name->name) : -1;
  rtp::hub::Path* path = hub_.Find(name->name, publish);
  if (path == nullptr && owner >= 0 && owner != hub_.worker()) {
    HandOver(owner, request);
    return nullptr;
  }
  if (path != nullptr) {
    int route = hub_.Route(
        *path, publish ? rtp::hub::PathHub::Intent::kPublish : rtp::hub::PathHub::Intent::kRead);
    if (route != hub_.worker() && hand_off_ != nullptr) {
      hub_.ForgetIfUnused(name->name);  // the entry a publisher's Find may just have made
      HandOver(route, request);
      return nullptr;
    }
  }
  if (path == nullptr) {
    Refuse(request, 404,
           publish ? StrCat("no path ", name->name, " (set path.", name->name,
                            ".source = publisher, or rtsp.publish_any = 1)")
                   : StrCat("no path ", name->name));
    return nullptr;
  }
  return path;
}

bool RtspSession::Admit(const Message& request, const rtp::hub::Path& path, bool publish) {
  const core::NetworkList& allow = publish ? path.config.publish_allow : path.config.read_allow;
  if (!allow.Allows(connection_.address())) {
    kAddressNotAllowedDrops.Count();
    Refuse(request, 403,
           StrCat(connection_.address(), " is not in path.", path.name,
                  publish ? ".publish_allow" : ".read_allow"));
    return false;
  }
  return Authorize(request, path, publish);
}

bool RtspSession::Authorize(const Message& request, const rtp::hub::Path& path, bool publish) {
  const std::string& user = publish ? path.config.publish_user : path.config.read_user;
  const std::string& pass = publish ? path.config.publish_pass : path.config.read_pass;
  if (user.empty()) return true;
  const std::string_view host = PeerHost(connection_.peer());
  http::AuthGuard& guard = http::AuthGuard::Shared();
  // A client in back-off is refused before anything is checked (auth_guard.h); RTSP has no 429,
  // 503 with Retry-After is its "come back later" (RFC 2326 §12.38).
  if (std::optional<http::AuthGuard::Clock::duration> wait = guard.Backoff(host)) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(*wait).count();
    LOG_RATE_LIMITED(log_limiter_, Warn, "rtsp: %s refused %s of %s: too many failed logins",
                     connection_.peer(), publish ? "publishing" : "reading", path.name);
    Reply(request, 503, {{"Retry-After", StrCat(seconds)}});
    return false;
  }
  const std::string* header = request.FindHeader("Authorization");
  http::AuthVerdict verdict =
      auth_.Verify(header != nullptr ? *header : std::string_view(), request.method, request.target,
                   http::Credentials{user, pass}, host);
  if (verdict == http::AuthVerdict::kOk) {
    guard.OnSuccess(host);
    return true;
  }
  if (http::VerdictIsFailure(verdict)) {
    http::AuthGuard::Failure failure = guard.OnFailure(host);
    if (failure.log) {
      LOG_WARN("rtsp: %s denied %s of %s: %s%s%s", connection_.peer(),
               publish ? "publishing" : "reading", path.name, http::AuthVerdictReason(verdict),
               http::HeldBack(failure), failure.backoff_started ? "; backing off" : "");
    }
  } else if (verdict != http::AuthVerdict::kMissing) {
    LOG_RATE_LIMITED(log_limiter_, Warn, "rtsp: %s denied %s of %s: %s", connection_.peer(),
                     publish ? "publishing" : "reading", path.name,
                     http::AuthVerdictReason(verdict));
  }
  std::vector<Header> headers;
  for (std::string& challenge : auth_.MakeChallenges(http::VerdictWantsStale(verdict), host)) {
    headers.push_back({"WWW-Authenticate", std::move(challenge)});
  }
  Reply(request, 401, std::move(headers));
  return false;
}

void RtspSession::Handle(const Message& request) {
  if (request.FindHeader("CSeq") == nullptr) {
    Refuse(request, 400, "no CSeq header");
    return;
  }
  const std::string& method = request.method;
  if (method == "OPTIONS") {
    OnOptions(request);
  } else if (method == "ANNOUNCE") {
    OnAnnounce(request);
  } else if (method == "DESCRIBE") {
    OnDescribe(request);
  } else if (method == "SETUP") {
    OnSetup(request);
  } else if (method == "RECORD") {
    OnRecord(request);
  } else if (method == "PLAY") {
    OnPlay(request);
  } else if (method == "PAUSE") {
    OnPause(request);
  } else if (method == "TEARDOWN") {
    Reply(request, 200);
    Leave();
    connection_.CloseAfterSend();
  } else if (method == "GET_PARAMETER" || method == "SET_PARAMETER") {
    Reply(request, 200);
  } else {
    Refuse(request, 501, StrCat("method ", method.substr(0, 32), " not implemented"));
  }
}

void RtspSession::OnOptions(const Message& request) {
  Reply(request, 200, {{"Public", std::string(kPublic)}});
}

void RtspSession::OnAnnounce(const Message& request) {
  if (role_ != Role::kNone) {
    Refuse(request, 455, "ANNOUNCE on a session that already publishes or reads");
    return;
  }
  rtp::hub::Path* path = PathFor(request, /*publish=*/true, nullptr);
  if (path == nullptr) return;
  if (path->config.source != "publisher") {
    Refuse(request, 400,
           StrCat("path ", path->name, " takes its stream from its source, not from publishers"));
    return;
  }
  if (!Admit(request, *path, /*publish=*/true)) return;
  absl::StatusOr<sdp::Session> description = sdp::ParseSdp(request.body);
  if (!description.ok()) {
    Refuse(request, 400,
           StrCat("SDP for ", path->name, ": ", core::ToStd(description.status().message())));
    return;
  }
  absl::StatusOr<SourceTracks> tracks = TracksFromSdp(*description);
  if (!tracks.ok()) {
    Refuse(request, 400,
           StrCat("SDP for ", path->name, ": ", core::ToStd(tracks.status().message())));
    return;
  }
  if (tracks->tracks.size() > settings_.max_tracks) {
    Refuse(request, 400,
           StrCat("SDP for ", path->name, " has ", tracks->tracks.size(),
                  " media sections; rtsp.max_tracks is ", settings_.max_tracks));
    return;
  }
  announced_ = tracks->tracks;
  announced_controls_ = std::move(tracks->controls);
  if (!hub_.Publish(*path, this, connection_.peer(), std::move(tracks->tracks))) {
    Refuse(request, 400,
           StrCat("path ", path->name, " already has a publisher (", path->publisher_peer,
                  "); set path.", path->name, ".override_publisher = 1 to replace it"));
    return;
  }
  path_ = path;
  role_ = Role::kPublisher;
  LOG_INFO("rtsp: %s is publishing %s (%d tracks)", connection_.peer(), path->name,
           announced_.size());
  Reply(request, 200);
}

void RtspSession::OnPathReady() {
  waiting_for_ = nullptr;
  wait_timer_.reset();
  if (!pending_describe_) return;
  Message request = std::move(*pending_describe_);
  pending_describe_.reset();
  OnDescribe(request);
}

void RtspSession::OnDescribe(const Message& request) {
  rtp::hub::Path* path = PathFor(request, /*publish=*/false, nullptr);
  if (path == nullptr) return;
  if (!Admit(request, *path, /*publish=*/false)) return;
  hub_.WantSource(*path);  // on-demand paths start pulling now
  if (!path->live() && path->source_running() && waiting_for_ == nullptr) {
    // The path's own source is on its way (or reconnecting): answer once it is ready.
    pending_describe_ = request;
    waiting_for_ = path;
    hub_.AddWaiter(*path, this);
    wait_timer_ = std::make_unique<core::Timer>(hub_.ring(), [this] {
      hub_.RemoveWaiter(*waiting_for_, this);
      rtp::hub::Path* path = waiting_for_;
      waiting_for_ = nullptr;
      Message pending = std::move(*pending_describe_);
      pending_describe_.reset();
      Refuse(pending, 404,
             core::StrCat("path ", path->name, ": its source is not ready after ",
                          kSourceWaitNs / core::kNsPerSec, " s"));
    });
    wait_timer_->ArmAfter(kSourceWaitNs);
    return;
  }
  if (!path->live()) {
    Refuse(request, 404, StrCat("path ", path->name, " has no source right now"));
    return;
  }
  std::string base = request.target;
  if (base.empty() || base.back() != '/') base += '/';
  Reply(request, 200, {{"Content-Type", "application/sdp"}, {"Content-Base", base}},
        DescribeStream(*path->stream));
}

void RtspSession::OnSetup(const Message& request) {
  const std::string* transport_header = request.FindHeader("Transport");
  if (transport_header == nullptr) {
    Refuse(request, 400, "SETUP without a Transport header");
    return;
  }
  absl::StatusOr<TransportSpec> transport = ChooseTransport(
      *transport_header, TransportPolicy{.allow_udp = udp_ != nullptr, .allow_tcp = true});
  if (!transport.ok()) {
    Refuse(request, 461,
           StrCat("Transport \"", transport_header->substr(0, 200),
                  "\": ", core::ToStd(transport.status().message())));
    return;
  }
  std::string control;
  bool publishing = role_ == Role::kPublisher;
  rtp::hub::Path* path = publishing ? path_ : PathFor(request, /*publish=*/false, &control);
  if (path == nullptr) return;
  if (publishing) {
    absl::StatusOr<PathName> name = SplitPathName(request.target);
    control = name.ok() ? name->control : "";
  } else {
    if (role_ == Role::kReader && path != path_) {
      Refuse(request, 455, "one session reads one path");
      return;
    }
    if (!Admit(request, *path, /*publish=*/false)) return;
    if (!path->live()) {
      Refuse(request, 404, StrCat("path ", path->name, " has no source right now"));
      return;
    }
  }

  // Which track: the control suffix of the URL (our trackID=N, or the publisher's own a=control).
  size_t track_count = publishing ? announced_.size() : path->stream->track_count();
  std::optional<size_t> index;
  if (publishing) {
    for (size_t i = 0; i < announced_controls_.size(); ++i) {
      const std::string& announced = announced_controls_[i];
      if (!announced.empty() &&
          (announced == control || request.target.ends_with("/" + announced) ||
           request.target == announced)) {
        index = i;
      }
    }
  } else if (control.starts_with("trackID=")) {
    size_t n = 0;
    std::string_view digits = std::string_view(control).substr(8);
    if (!digits.empty() && std::all_of(digits.begin(), digits.end(), ::isdigit) &&
        digits.size() < 6) {
      n = std::stoul(std::string(digits));
      index = n;
    }
  }
  if (!index && track_count == 1) index = 0;
  if (!index || *index >= track_count) {
    Refuse(request, 404, StrCat("no track \"", control, "\" in ", path->name));
    return;
  }

  TransportSpec reply = *transport;
  uint8_t rtp_channel = static_cast<uint8_t>(2 * *index);
  std::optional<SocketAddress> udp_peer;
  if (reply.lower == LowerTransport::kUdp) {
    // RTP goes to (from) the client's address on the connection, at its client_port.
    absl::StatusOr<SocketAddress> peer = ParseSocketAddress(connection_.peer());
    if (!peer.ok() || !reply.client_port) {
      Refuse(request, 461, "UDP transport needs client_port and an IP peer");
      return;
    }
    udp_peer = *peer;
    udp_peer->set_port(reply.client_port->rtp);
    reply.server_port =
        PortPair{static_cast<uint16_t>(udp_->rtp_port()), static_cast<uint16_t>(udp_->rtcp_port())};
  } else if (reply.interleaved) {
    rtp_channel = reply.interleaved->rtp;
  } else {
    reply.interleaved = ChannelPair{rtp_channel, static_cast<uint8_t>(rtp_channel + 1)};
  }
  if (session_id_.empty()) session_id_ = NewSessionId();
  if (reply.interleaved) {
    known_channels_.set(reply.interleaved->rtp);
    known_channels_.set(reply.interleaved->rtcp);
  }
  if (publishing) {
    if (transport->EffectiveMode() != TransportMode::kRecord) {
      Refuse(request, 461, "a publisher's SETUP must have mode=record");
      return;
    }
    if (udp_peer) {
      udp_->Register(*udp_peer, this, *index);
    } else {
      channel_track_[rtp_channel] = static_cast<int16_t>(*index);
    }
    ++tracks_set_up_;
  } else {
    path_ = path;
    role_ = Role::kReader;
    for (const ReaderTrack& existing : reader_tracks_) {
      if (existing.index == *index) {
        Refuse(request, 459, "track already set up");
        return;
      }
    }
    reader_tracks_.push_back({*index, rtp_channel, udp_peer});
  }
  Reply(request, 200, {{"Transport", FormatTransportSpec(reply)}});
}

void RtspSession::OnRecord(const Message& request) {
  if (role_ != Role::kPublisher || path_ == nullptr) {
    Refuse(request, 455, "RECORD before ANNOUNCE");
    return;
  }
  if (tracks_set_up_ == 0) {
    Refuse(request, 455, "RECORD before SETUP");
    return;
  }
  recording_ = true;
  Reply(request, 200);
}

void RtspSession::OnPlay(const Message& request) {
  if (role_ != Role::kReader || path_ == nullptr || reader_tracks_.empty()) {
    Refuse(request, 455, "PLAY before SETUP");
    return;
  }
  if (path_->stream == nullptr || path_->stream->track_count() == 0) {
    Refuse(request, 404, StrCat("path ", path_->name, " has no source right now"));
    return;
  }
  if (!registered_reader_) {
    if (!hub_.AddReader(*path_, this)) {
      Refuse(request, 453, StrCat("path ", path_->name, " has its maximum of readers"));
      return;
    }
    registered_reader_ = true;
    LOG_INFO("rtsp: %s is reading %s", connection_.peer(), path_->name);
  }
  Reply(request, 200);
  StartReading();
}

void RtspSession::OnPause(const Message& request) {
  StopReading();
  Reply(request, 200);
}

void RtspSession::StartReading() {
  if (playing_) return;
  playing_ = true;
  rtp::Stream& stream = *path_->stream;
  for (const ReaderTrack& reader_track : reader_tracks_)
    stream.track(reader_track.index).AddReader(this);
  // Start at the newest keyframe of the first video track that has keyframes, and send each
  // other track from the same moment, so the first frame decodes and audio lines up.
  waiting_for_keyframe_ = false;
  for (const ReaderTrack& reader_track : reader_tracks_) {
    const rtp::Track& track = stream.track(reader_track.index);
    if (track.options().codec == rtp::KeyframeCodec::kNone) continue;
    std::optional<uint64_t> keyframe = track.history().last_keyframe_seq();
    if (!keyframe) {
      // Nothing to start at: a source that makes keyframes on request (a camera, a WHIP
      // publisher) is asked for one rather than waited on for a whole GOP.
      waiting_for_keyframe_ = true;
      hub_.RequestKeyframe(*path_, reader_track.index);
      return;
    }
    int64_t since_ns = track.history().Find(*keyframe)->arrival_ns;
    for (const ReaderTrack& other : reader_tracks_) {
      const rtp::History& history = stream.track(other.index).history();
      uint64_t from = history.end_seq();
      if (other.index == reader_track.index) {
        from = *keyframe;
      } else {
        for (uint64_t seq = history.begin_seq(); seq < history.end_seq(); ++seq) {
          std::optional<rtp::HistoryPacket> packet = history.Find(seq);
          if (packet && packet->arrival_ns >= since_ns) {
            from = seq;
            break;
          }
        }
      }
      SendBacklog(other.index, from);
    }
    return;
  }
}

void RtspSession::StopReading() {
  if (!playing_) return;
  playing_ = false;
  if (path_ != nullptr && path_->stream != nullptr) {
    for (const ReaderTrack& reader_track : reader_tracks_) {
      if (reader_track.index < path_->stream->track_count()) {
        path_->stream->track(reader_track.index).RemoveReader(this);
      }
    }
  }
}

const RtspSession::ReaderTrack* RtspSession::ReaderTrackFor(size_t index) const {
  for (const ReaderTrack& reader_track : reader_tracks_) {
    if (reader_track.index == index) return &reader_track;
  }
  return nullptr;
}

void RtspSession::SendBacklog(size_t track_index, uint64_t from_seq) {
  const rtp::History& history = path_->stream->track(track_index).history();
  const ReaderTrack* to = ReaderTrackFor(track_index);
  if (to == nullptr) return;
  for (uint64_t seq = from_seq; seq < history.end_seq(); ++seq) {
    if (std::optional<rtp::HistoryPacket> packet = history.Find(seq))
      SendPacket(*to, packet->bytes);
  }
}

void RtspSession::OnTrackPacket(rtp::Track& track, const rtp::HistoryPacket& packet) {
  const ReaderTrack* to = nullptr;
  for (const ReaderTrack& reader_track : reader_tracks_) {
    if (&path_->stream->track(reader_track.index) == &track) to = &reader_track;
  }
  if (to == nullptr) return;
  if (waiting_for_keyframe_) {
    if (track.options().codec == rtp::KeyframeCodec::kNone) return;  // audio waits for video
    std::optional<uint64_t> keyframe = track.history().last_keyframe_seq();
    if (!keyframe) {
      hub_.RequestKeyframe(*path_, to->index);  // again, at most every 500 ms (the hub's limit)
      return;
    }
    waiting_for_keyframe_ = false;
    SendBacklog(to->index, *keyframe);  // includes this packet
    return;
  }
  SendPacket(*to, packet.bytes);
}

void RtspSession::SendPacket(const ReaderTrack& to, std::span<const uint8_t> packet) {
  ++packets_out_;
  if (server_packets_out_ != nullptr) {  // one writer, the worker: no read-modify-write needed
    server_packets_out_->store(server_packets_out_->load(std::memory_order_relaxed) + 1,
                               std::memory_order_relaxed);
  }
  if (to.udp_to) {
    udp_->SendRtp(*to.udp_to, packet);
    return;
  }
  uint8_t header[4] = {'$', to.channel, static_cast<uint8_t>(packet.size() >> 8),
                       static_cast<uint8_t>(packet.size())};
  connection_.SendParts(header, packet);
}

}  // namespace ringcast::net::rtsp
