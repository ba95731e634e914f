// The HTTP side of WebRtcServer (webrtc.listen): WHEP (draft-ietf-wish-whep) and WHIP (RFC 9725)
// session resources, the built-in pages and the path list.
//
//   OPTIONS *                    204 with CORS and Accept-Post
//   POST    /NAME/whep           201 + answer, Location /NAME/whep/ID, ETag (a viewer)
//   POST    /NAME/whip           201 + answer, Location /NAME/whip/ID, ETag (a publisher)
//   PATCH   /NAME/wh?p/ID        204 (trickle ICE fragments: an ICE-lite server needs none)
//   DELETE  /NAME/wh?p/ID        200, the session ends
//   GET     /NAME/               the player page;  /NAME → 301 /NAME/
//   GET     /                    the path list page;  /api/paths its JSON
#include <openssl/rand.h>

#include <chrono>
#include <string>

#include "absl/strings/str_join.h"
#include "core/log.h"
#include "core/strings.h"
#include "net/http/auth.h"
#include "net/http/auth_guard.h"
#include "net/http/stored_password.h"
#include "net/stun/ice_lite.h"
#include "net/webrtc/answer.h"
#include "net/webrtc/drops.h"
#include "net/webrtc/pages.h"
#include "net/webrtc/publish_answer.h"
#include "net/webrtc/server.h"
#include "rtp/codec/h264.h"
#include "rtp/codec/h265.h"

namespace ringcast::net::webrtc {
namespace {

constexpr std::string_view kWhepSuffix = "/whep";
constexpr std::string_view kWhipSuffix = "/whip";

// Where the session id starts in "NAME/whep/ID" or "NAME/whip/ID" (after the slash), or npos;
// `publisher` says which.
size_t SessionResource(std::string_view rest, bool& publisher) {
  size_t whep = rest.rfind("/whep/");
  size_t whip = rest.rfind("/whip/");
  if (whep == std::string_view::npos && whip == std::string_view::npos) return whep;
  publisher = whep == std::string_view::npos || (whip != std::string_view::npos && whip > whep);
  return (publisher ? whip : whep) + 6;
}

std::string RandomHex(size_t bytes) {
  uint8_t buffer[32];
  RAND_bytes(buffer, bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    out.push_back(kHex[buffer[i] >> 4]);
    out.push_back(kHex[buffer[i] & 15]);
  }
  return out;
}

uint32_t RandomSsrc() {
  uint32_t ssrc = 0;
  while (ssrc == 0) RAND_bytes(reinterpret_cast<uint8_t*>(&ssrc), sizeof(ssrc));
  return ssrc;
}

bool ContentTypeIs(const http::Message& request, std::string_view type) {
  const std::string* value = request.FindHeader("Content-Type");
  if (value == nullptr) return false;
  std::string_view media = *value;
  media = media.substr(0, media.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return http::HeaderNameEquals(media, type);
}

// A path name as it appears in URLs: non-empty, no "..", nothing a URL or a log line would
// misread.
bool ValidPathName(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.find("..") != std::string_view::npos) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == '/' || c == '~';
    if (!ok) return false;
  }
  return name.front() != '/' && name.back() != '/';
}

}  // namespace

// Every worker serves HTTP on webrtc.listen. A request for a path or session another worker owns
// is answered there — the session is created on the path's worker — and the reply comes back.
void WebRtcServer::RegisterRoutes() {
  http_->HandleAsync("/", [this](const http::Message& request, const std::string& peer,
                                 http::HttpReply reply) {
    if ((request.method == "GET" || request.method == "HEAD") && request.Path() == "/api/paths") {
      AnswerPathsJson(std::move(reply));
      return;
    }
    int worker = WorkerFor(request);
    if (worker == worker_) {
      AnswerRequest(request, peer, std::move(reply), /*may_spread=*/true);
      return;
    }
    ++requests_forwarded_;
    shared_.run_on(worker, [request, peer, reply](WebRtcServer* server) {
      if (server == nullptr) {
        reply(http::TextResponse(503, "ringcastd is stopping\n"));
        return;
      }
      server->AnswerRequest(request, peer, reply, /*may_spread=*/true);
    });
  });
}

void WebRtcServer::AnswerRequest(const http::Message& request, const std::string& peer,
                                 http::HttpReply reply, bool may_spread) {
  int target = may_spread ? SpreadTarget(request) : -1;
  if (target < 0) {
    reply(AnswerHere(request, peer));
    return;
  }
  ++viewers_spread_;
  shared_.run_on(target, [request, peer, reply](WebRtcServer* server) {
    reply(server != nullptr ? server->AnswerHere(request, peer)
                            : http::TextResponse(503, "ringcastd is stopping\n"));
  });
}

int WebRtcServer::SpreadTarget(const http::Message& request) {
  if (shared_.workers <= 1 || settings_.viewers_per_worker <= 0 || request.method != "POST" ||
      shared_.sessions == nullptr) {
    return -1;
  }
  std::string_view rest = request.Path().substr(1);
  if (!rest.ends_with(kWhepSuffix)) return -1;
  std::string name(rest.substr(0, rest.size() - kWhepSuffix.size()));
  rtp::hub::Path* path = hub_.Find(name, false);
  if (path == nullptr || !path->owned || !path->live()) return -1;
  int64_t here = 0;
  for (const auto& [id, session] : sessions_) {
    if (!session->ended() && !session->publisher() && session->path_name() == name) ++here;
  }
  if (here < settings_.viewers_per_worker) return -1;
  int best = -1;
  for (int worker = 0; worker < shared_.workers; ++worker) {
    if (worker == worker_) continue;
    uint64_t load = shared_.sessions[worker].load(std::memory_order_relaxed);
    if (best < 0 || load < shared_.sessions[best].load(std::memory_order_relaxed)) best = worker;
  }
  if (best >= 0) hub_.EnsureRelay(*path, best);  // the replica is there before the offer
  return best;
}

void WebRtcServer::CountSessions() {
  sessions_now_.store(sessions_.size(), std::memory_order_relaxed);
  if (shared_.sessions != nullptr) {
    shared_.sessions[worker_].store(sessions_.size(), std::memory_order_relaxed);
  }
}

http::HttpResponse WebRtcServer::AnswerHere(const http::Message& request, const std::string& peer) {
  http::HttpResponse response = Route(request, peer);
  AddCors(response);
  return response;
}

int WebRtcServer::WorkerFor(const http::Message& request) {
  if (shared_.workers <= 1) return worker_;
  std::string_view path = request.Path();
  if (path.size() < 2) return worker_;
  std::string_view rest = path.substr(1);
  bool publisher = false;
  size_t resource = SessionResource(rest, publisher);
  if (resource != std::string_view::npos) {  // a session: where it lives
    int worker = shared_.routes.WorkerForSession(rest.substr(resource));
    return worker >= 0 ? worker : worker_;
  }
  std::string_view name = rest;
  if (name.ends_with(kWhipSuffix) && request.method == "POST") {
    // A publisher goes where its path is placed (publishing places an inactive one), the path
    // created first when publish_any allows it, as an RTSP ANNOUNCE does.
    name.remove_suffix(kWhipSuffix.size());
    if (!ValidPathName(name)) return worker_;
    rtp::hub::Path* entry = hub_.Find(name, /*for_publish=*/true);
    if (entry == nullptr) return worker_;
    int owner = hub_.Route(*entry, rtp::hub::PathHub::Intent::kPublish);
    if (owner != worker_) hub_.ForgetIfUnused(name);
    return owner;
  }
  if (name.ends_with(kWhepSuffix)) name.remove_suffix(kWhepSuffix.size());
  if (name.ends_with("/")) name.remove_suffix(1);
  if (!ValidPathName(name)) return worker_;
  // A path: its owner; a path with a source of its own is placed now if it is not yet (an
  // on-demand pull starts where its first viewer will be).
  rtp::hub::Path* entry = hub_.Find(name, false);
  if (entry != nullptr && request.method == "POST") {
    return hub_.Route(*entry, rtp::hub::PathHub::Intent::kRead);
  }
  int owner = hub_.directory().Owner(name);
  return owner >= 0 ? owner : worker_;
}

void WebRtcServer::AddCors(http::HttpResponse& response) const {
  if (settings_.allow_origin.empty()) return;
  response.headers.push_back({"Access-Control-Allow-Origin", settings_.allow_origin});
  response.headers.push_back(
      {"Access-Control-Expose-Headers", "Location, ETag, Accept-Patch, Link"});
}

http::HttpResponse WebRtcServer::Route(const http::Message& request, const std::string& peer) {
  std::string_view path = request.Path();
  const std::string& method = request.method;

  if (method == "OPTIONS") {
    http::HttpResponse response{.status = 204};
    response.headers.push_back(
        {"Access-Control-Allow-Methods", "OPTIONS, GET, HEAD, POST, PATCH, DELETE"});
    response.headers.push_back(
        {"Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match"});
    if (path.ends_with(kWhepSuffix) || path.ends_with(kWhipSuffix)) {
      response.headers.push_back({"Accept-Post", "application/sdp"});
    }
    return response;
  }
  bool get = method == "GET" || method == "HEAD";
  if (path == "/") {
    if (!get) return http::TextResponse(405, "use GET\n");
    return http::TextResponse(200, std::string(IndexPageHtml()), "text/html; charset=utf-8");
  }
  if (path == "/api/paths") return http::TextResponse(405, "use GET\n");  // GET: gathered
  if (path == "/favicon.ico") return http::TextResponse(404, "no icon\n");

  std::string_view rest = path.substr(1);
  // /NAME/whep/ID, /NAME/whip/ID — a session resource.
  bool publisher = false;
  size_t resource = SessionResource(rest, publisher);
  if (resource != std::string_view::npos) {
    std::string name(rest.substr(0, resource - 6));
    std::string id(rest.substr(resource));
    if (method == "DELETE") return DeleteSession(name, id, publisher);
    if (method == "PATCH") return PatchSession(request, name, id, publisher);
    http::HttpResponse response = http::TextResponse(405, "use PATCH or DELETE\n");
    response.headers.push_back({"Allow", "OPTIONS, PATCH, DELETE"});
    return response;
  }
  // /NAME/whep, /NAME/whip — the WHEP and WHIP endpoints.
  if (rest.ends_with(kWhepSuffix) || rest.ends_with(kWhipSuffix)) {
    const bool whip = rest.ends_with(kWhipSuffix);
    std::string name(rest.substr(0, rest.size() - kWhepSuffix.size()));  // the same length
    if (method != "POST") {
      http::HttpResponse response = http::TextResponse(
          405, core::StrCat(whip ? "WHIP" : "WHEP", ": use POST with an SDP offer\n"));
      response.headers.push_back({"Allow", "OPTIONS, POST"});
      return response;
    }
    return whip ? CreatePublisher(request, peer, name) : CreateSession(request, peer, name);
  }
  // /NAME/ — the player page; /NAME redirects there so the page's relative URLs work.
  bool slash = rest.ends_with("/");
  std::string name(slash ? rest.substr(0, rest.size() - 1) : rest);
  rtp::hub::Path* entry = ValidPathName(name) ? hub_.Find(name, false) : nullptr;
  if (entry == nullptr) return http::TextResponse(404, core::StrCat("no path called ", name, "\n"));
  if (!get) return http::TextResponse(405, "use GET\n");
  if (std::optional<http::HttpResponse> denied =
          CheckAccess(request, *entry, peer, /*publish=*/false)) {
    return *denied;
  }
  if (!slash) {
    http::HttpResponse response = http::TextResponse(301, "see the player page\n");
    response.headers.push_back({"Location", core::StrCat("/", name, "/")});
    return response;
  }
  return http::TextResponse(200, std::string(PlayerPageHtml()), "text/html; charset=utf-8");
}

std::optional<http::HttpResponse> WebRtcServer::CheckAccess(const http::Message& request,
                                                            const rtp::hub::Path& path,
                                                            const std::string& peer, bool publish) {
  const rtp::hub::PathConfig& config = path.config;
  if (!(publish ? config.publish_allow : config.read_allow).Allows(PeerHost(peer))) {
    kAddressNotAllowedDrops.Count();
    LOG_RATE_LIMITED(log_limiter_, Warn, "webrtc: %s refused for path %s: not in its %s", peer,
                     path.name, publish ? "publish_allow" : "read_allow");
    return http::TextResponse(
        403, core::StrCat("path ", path.name,
                          publish ? " takes no publisher from " : " is not served to ",
                          PeerHost(peer), "\n"));
  }
  return publish
             ? CheckCredentials(request, path, peer, config.publish_user, config.publish_pass,
                                "publish")
             : CheckCredentials(request, path, peer, config.read_user, config.read_pass, "read");
}

std::optional<http::HttpResponse> WebRtcServer::CheckCredentials(
    const http::Message& request, const rtp::hub::Path& path, const std::string& peer,
    const std::string& user, const std::string& pass, std::string_view what) {
  if (user.empty() && pass.empty()) return std::nullopt;
  const std::string_view host = PeerHost(peer);
  http::AuthGuard& guard = http::AuthGuard::Shared();
  // A client in back-off is refused before anything is checked (net/http/auth_guard.h).
  if (std::optional<http::AuthGuard::Clock::duration> wait = guard.Backoff(host)) {
    LOG_RATE_LIMITED(log_limiter_, Info,
                     "webrtc: %s: refused to %s path %s: too many failed logins", peer, what,
                     path.name);
    http::HttpResponse response = http::TextResponse(429, "too many failed logins; retry later\n");
    response.headers.push_back(
        {"Retry-After", core::StrCat(std::chrono::ceil<std::chrono::seconds>(*wait).count())});
    return response;
  }
  const std::string* authorization = request.FindHeader("Authorization");
  std::string_view why = "no credentials";
  bool failed = false;
  if (authorization != nullptr) {
    failed = true;
    std::string_view value = *authorization;
    absl::StatusOr<http::StoredPassword> stored = http::ParseStoredPassword(pass);
    if (!stored.ok()) {
      // Our config's fault, not the client's: not counted against it.
      failed = false;
      why = what == "read" ? "the path's read_pass does not parse (see ringcastctl --hash-password)"
                           : "the path's publish_pass does not parse (see ringcastctl "
                             "--hash-password)";
    } else if (value.size() > 7 && http::HeaderNameEquals(value.substr(0, 7), "Bearer ")) {
      // A bearer token is the path's password (WHEP and WHIP clients such as OBS send one);
      // with a hashed password, the user stands for the one an HA1 was made with.
      if (http::CheckPassword(*stored, user, "ringcast", value.substr(7))) {
        guard.OnSuccess(host);
        return std::nullopt;
      }
      why = "wrong bearer token";
    } else if (absl::StatusOr<http::AuthorizationFields> fields = http::ParseAuthorization(value);
               fields.ok() && fields->scheme == http::AuthScheme::kBasic) {
      // Both compared in full, in constant time, whatever the first result.
      const bool user_ok = http::SecretEquals(fields->basic_user, user);
      const bool pass_ok = http::CheckPassword(*stored, user, "ringcast", fields->basic_password);
      if (user_ok && pass_ok) {
        guard.OnSuccess(host);
        return std::nullopt;
      }
      why = "wrong user or password";
    } else {
      failed = false;  // no secret was checked
      why = "unsupported Authorization (use Basic or Bearer)";
    }
  }
  if (failed) {
    http::AuthGuard::Failure failure = guard.OnFailure(host);
    if (failure.log) {
      LOG_WARN("webrtc: %s: %s to %s path %s%s%s", peer, why, what, path.name,
               http::HeldBack(failure), failure.backoff_started ? "; backing off" : "");
    }
  } else {
    LOG_RATE_LIMITED(log_limiter_, Info, "webrtc: %s: %s to %s path %s", peer, why, what,
                     path.name);
  }
  http::HttpResponse response = http::TextResponse(
      401, core::StrCat("path ", path.name, " needs credentials to ", what, ": ", why, "\n"));
  response.headers.push_back(
      {"WWW-Authenticate", core::StrCat("Basic realm=\"ringcast\", charset=\"UTF-8\"")});
  response.headers.push_back({"WWW-Authenticate", "Bearer realm=\"ringcast\""});
  return response;
}

http::HttpResponse WebRtcServer::CreateSession(const http::Message& request,
                                               const std::string& peer,
                                               const std::string& path_name) {
  rtp::hub::Path* path = ValidPathName(path_name) ? hub_.Find(path_name, false) : nullptr;
  if (path == nullptr) {
    return http::TextResponse(404, core::StrCat("no path called ", path_name, "\n"));
  }
  if (std::optional<http::HttpResponse> denied =
          CheckAccess(request, *path, peer, /*publish=*/false)) {
    return *denied;
  }
  if (!ContentTypeIs(request, "application/sdp")) {
    return http::TextResponse(415, "WHEP: the offer must be Content-Type: application/sdp\n");
  }
  const std::string client(PeerHost(peer));
  if (std::optional<http::HttpResponse> refused = AdmitSession(client)) return *refused;
  if (path->stream == nullptr || !path->stream->has_source() || path->stream->track_count() == 0) {
    hub_.WantSource(*path);  // an on-demand path starts pulling now
    if (path->sourced()) {
      http::HttpResponse response = http::TextResponse(
          503, core::StrCat("path ", path_name, ": its source is starting; retry shortly\n"));
      response.headers.push_back({"Retry-After", "1"});
      return response;
    }
    return http::TextResponse(404, core::StrCat("path ", path_name, ": nobody is publishing\n"));
  }

  rtp::Stream& stream = *path->stream;
  std::vector<SourceTrack> sources;
  for (size_t i = 0; i < stream.track_count(); ++i) {
    SourceTrack source;
    source.info = stream.track_infos()[i];
    const auto& parameter_sets = stream.track(i).parameter_sets();
    // H.264 caches SPS then PPS; H.265 VPS, SPS, PPS.
    size_t sps_slot = source.info.keyframe_codec == rtp::KeyframeCodec::kH265 ? 1 : 0;
    if (source.info.keyframe_codec != rtp::KeyframeCodec::kNone &&
        parameter_sets.size() > sps_slot) {
      source.sps = parameter_sets[sps_slot];
    }
    source.ssrc = RandomSsrc();
    sources.push_back(std::move(source));
  }
  const std::string id = RandomHex(16);
  LocalDescription local = MakeLocalDescription(path_name, id);

  absl::StatusOr<Answer> answer = AnswerOffer(request.body, sources, local);
  if (!answer.ok()) {
    LOG_RATE_LIMITED(log_limiter_, Info, "webrtc: %s: offer for %s refused: %s", peer, path_name,
                     core::ToStd(answer.status().message()));
    return http::TextResponse(
        400,
        core::StrCat("cannot answer this offer: ", core::ToStd(answer.status().message()), "\n"));
  }
  for (const std::string& note : answer->skipped) {
    LOG_INFO("webrtc: %s on %s: %s", peer, path_name, note);
  }
  std::vector<rtp::Track*> tracks;
  for (const AnsweredTrack& answered : answer->tracks) {
    tracks.push_back(&stream.track(answered.track_index));
  }
  auto session = std::make_unique<WebRtcSession>(id, *this, ring_, hub_, *path, peer, *answer,
                                                 local.ice, std::move(tracks));
  absl::Status dtls = session->InitDtls(*dtls_context_, answer->remote);
  if (!dtls.ok()) {
    return http::TextResponse(
        400, core::StrCat("cannot answer this offer: ", core::ToStd(dtls.message()), "\n"));
  }
  if (!hub_.AddReader(*path, session.get())) {
    return http::TextResponse(503, core::StrCat("path ", path_name, " has its max_readers (",
                                                path->config.max_readers, ")\n"));
  }
  LOG_INFO("webrtc: session %s for %s on %s: %zu track(s)", id, peer, path_name,
           answer->tracks.size());
  AddSession(std::move(session), local.ice.ufrag, client);
  return SessionCreated(path_name, "/whep/", id, std::move(answer->sdp));
}

LocalDescription WebRtcServer::MakeLocalDescription(const std::string& path_name,
                                                    const std::string& id) const {
  LocalDescription local;
  local.ice = stun::GenerateIceCredentials(8, 24);
  local.fingerprint_sha256 = certificate_->fingerprint_sha256();
  for (const std::string& address : candidates_) {
    local.candidates.push_back({address, static_cast<uint16_t>(udp_port_)});
  }
  local.cname = core::StrCat("ringcast-", id.substr(0, 8));
  local.stream_id = core::StrCat("ringcast-", path_name);
  return local;
}

void WebRtcServer::AddSession(std::unique_ptr<WebRtcSession> session, const std::string& ufrag,
                              const std::string& client) {
  const std::string id = session->id();
  MakeRoomForPending();
  by_ufrag_[ufrag] = session.get();
  ++pending_;
  pending_order_.push_back(id);
  ++sessions_per_ip_[client];
  shared_.routes.AddSession(id, ufrag, worker_);
  sessions_[id] = std::move(session);
  CountSessions();
  ++sessions_total_;
}

http::HttpResponse WebRtcServer::SessionCreated(const std::string& path_name,
                                                std::string_view resource, const std::string& id,
                                                std::string answer_sdp) {
  http::HttpResponse response{.status = 201};
  response.headers.push_back({"Content-Type", "application/sdp"});
  response.headers.push_back({"Location", core::StrCat("/", path_name, resource, id)});
  response.headers.push_back({"ETag", core::StrCat("\"", id, "\"")});
  response.headers.push_back({"Accept-Patch", "application/trickle-ice-sdpfrag"});
  response.body = std::move(answer_sdp);
  return response;
}

// WHIP (RFC 9725 §4.2): the same refusals as an RTSP ANNOUNCE — unknown path (unless
// rtsp.publish_any), a path with a source of its own, publish_allow, the publish credentials, a
// busy path (unless override_publisher) — then the answer, and the session as the path's
// publisher.
http::HttpResponse WebRtcServer::CreatePublisher(const http::Message& request,
                                                 const std::string& peer,
                                                 const std::string& path_name) {
  rtp::hub::Path* path = ValidPathName(path_name) ? hub_.Find(path_name, true) : nullptr;
  if (path == nullptr) {
    return http::TextResponse(404,
                              core::StrCat("no path called ", path_name, " (set path.", path_name,
                                           ".source = publisher, or rtsp.publish_any = 1)\n"));
  }
  // A path a publisher's Find created stays only if this publisher does.
  struct ForgetUnlessPublished {
    rtp::hub::PathHub& hub;
    std::string name;
    bool keep = false;
    ~ForgetUnlessPublished() {
      if (!keep) hub.ForgetIfUnused(name);
    }
  } forget{hub_, path_name};
  if (path->sourced()) {
    return http::TextResponse(400, core::StrCat("path ", path_name,
                                                " takes its stream from its source, not from "
                                                "publishers\n"));
  }
  if (std::optional<http::HttpResponse> denied =
          CheckAccess(request, *path, peer, /*publish=*/true)) {
    return *denied;
  }
  if (!ContentTypeIs(request, "application/sdp")) {
    return http::TextResponse(415, "WHIP: the offer must be Content-Type: application/sdp\n");
  }
  const std::string client(PeerHost(peer));
  if (std::optional<http::HttpResponse> refused = AdmitSession(client)) return *refused;
  if (path->publisher != nullptr && !path->config.override_publisher) {
    LOG_RATE_LIMITED(log_limiter_, Info, "webrtc: %s refused publishing %s: %s publishes it", peer,
                     path_name, path->publisher_peer);
    return http::TextResponse(
        409, core::StrCat("path ", path_name, " already has a publisher (",
                          PeerHost(path->publisher_peer), "); set path.", path_name,
                          ".override_publisher = 1 to replace it\n"));
  }

  const std::string id = RandomHex(16);
  LocalDescription local = MakeLocalDescription(path_name, id);
  PublishAnswerOptions options;
  options.nack = settings_.session.whip_nack;
  options.transport_cc = settings_.session.whip_transport_cc;
  absl::StatusOr<PublishAnswer> answer = AnswerPublishOffer(request.body, local, options);
  if (!answer.ok()) {
    LOG_RATE_LIMITED(log_limiter_, Info, "webrtc: %s: WHIP offer for %s refused: %s", peer,
                     path_name, core::ToStd(answer.status().message()));
    return http::TextResponse(
        400,
        core::StrCat("cannot answer this offer: ", core::ToStd(answer.status().message()), "\n"));
  }
  for (const std::string& note : answer->skipped) {
    LOG_INFO("webrtc: %s publishing %s: %s", peer, path_name, note);
  }
  auto session =
      std::make_unique<WebRtcSession>(id, *this, ring_, hub_, *path, peer, *answer, local.ice);
  absl::Status dtls = session->InitDtls(*dtls_context_, answer->remote);
  if (!dtls.ok()) {
    return http::TextResponse(
        400, core::StrCat("cannot answer this offer: ", core::ToStd(dtls.message()), "\n"));
  }
  std::vector<rtp::TrackInfo> tracks;
  std::vector<std::string> summary;
  for (const IncomingTrack& track : answer->tracks) {
    tracks.push_back(track.info);
    summary.push_back(core::StrCat(track.info.encoding_name, " ", track.info.media));
  }
  if (!hub_.Publish(*path, session.get(), peer, std::move(tracks))) {
    return http::TextResponse(409, core::StrCat("path ", path_name, " already has a publisher\n"));
  }
  forget.keep = true;
  LOG_INFO("webrtc: session %s: %s is publishing %s over WHIP (%s)", id, peer, path_name,
           absl::StrJoin(summary, ", "));
  AddSession(std::move(session), local.ice.ufrag, client);
  return SessionCreated(path_name, "/whip/", id, std::move(answer->sdp));
}

std::optional<http::HttpResponse> WebRtcServer::AdmitSession(const std::string& client) {
  auto retry_after = [](http::HttpResponse response, std::string_view seconds) {
    response.headers.push_back({"Retry-After", std::string(seconds)});
    return response;
  };
  if (settings_.max_sessions_per_ip > 0) {
    auto it = sessions_per_ip_.find(client);
    if (it != sessions_per_ip_.end() && it->second >= settings_.max_sessions_per_ip) {
      kSessionsPerIpDrops.Count();
      LOG_RATE_LIMITED(log_limiter_, Warn,
                       "webrtc: %s has webrtc.max_sessions_per_ip (%d) sessions", client,
                       settings_.max_sessions_per_ip);
      return retry_after(
          http::TextResponse(429, core::StrCat("this address has webrtc.max_sessions_per_ip (",
                                               settings_.max_sessions_per_ip, ") sessions\n")),
          "5");
    }
  }
  // Sessions with media count against max_sessions; those still connecting do not, but there
  // are at most max_pending_sessions of them (MakeRoomForPending).
  const int64_t live =
      static_cast<int64_t>(sessions_.size() - std::min(sessions_.size(), pending_));
  if (settings_.max_sessions >= 0 && live >= settings_.max_sessions) {
    return retry_after(
        http::TextResponse(503, core::StrCat("ringcast has webrtc.max_sessions (",
                                             settings_.max_sessions, ") sessions\n")),
        "5");
  }
  return std::nullopt;
}

// The oldest session still connecting makes room for the newest, so a flood of offers that never
// connect cannot lock real viewers out. Called once the new session is certain (its offer
// answered, its path joined): an offer that fails evicts nobody.
void WebRtcServer::MakeRoomForPending() {
  while (static_cast<int64_t>(pending_) >= settings_.max_pending_sessions) {
    TidyPendingOrder();
    if (pending_order_.empty()) break;
    WebRtcSession& oldest = *sessions_.at(pending_order_.front());
    pending_order_.pop_front();
    kPendingEvictedDrops.Count();
    LOG_RATE_LIMITED(log_limiter_, Warn,
                     "webrtc: %d sessions still connecting (webrtc.max_pending_sessions): ended "
                     "the oldest, %s's",
                     settings_.max_pending_sessions, oldest.peer());
    oldest.End(
        "ended for a newer session: too many still connecting");  // OnSessionEnded: pending_--
  }
}

http::HttpResponse WebRtcServer::DeleteSession(const std::string& path_name, const std::string& id,
                                               bool publisher) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->path_name() != path_name ||
      it->second->publisher() != publisher) {
    return http::TextResponse(404, publisher ? "no such WHIP session\n" : "no such WHEP session\n");
  }
  // Already ending (the peer closed first): the DELETE still succeeds.
  it->second->End(publisher ? "the publisher deleted the WHIP session"
                            : "the viewer deleted the WHEP session");
  return http::TextResponse(200, "session ended\n");
}

http::HttpResponse WebRtcServer::PatchSession(const http::Message& request,
                                              const std::string& path_name, const std::string& id,
                                              bool publisher) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->path_name() != path_name || it->second->ended() ||
      it->second->publisher() != publisher) {
    return http::TextResponse(404, publisher ? "no such WHIP session\n" : "no such WHEP session\n");
  }
  if (!ContentTypeIs(request, "application/trickle-ice-sdpfrag")) {
    return http::TextResponse(415, "PATCH takes application/trickle-ice-sdpfrag\n");
  }
  if (const std::string* if_match = request.FindHeader("If-Match");
      if_match != nullptr && *if_match != "*" && *if_match != core::StrCat("\"", id, "\"")) {
    return http::TextResponse(412, "If-Match does not name this session\n");
  }
  // An ICE-lite server learns the viewer's addresses from its binding requests; the candidates
  // in the fragment add nothing, and an ICE restart is not supported.
  return http::HttpResponse{.status = 204};
}

std::vector<PathInfo> WebRtcServer::LocalPathInfo() const {
  std::map<std::string, size_t> viewers;
  for (const auto& [id, session] : sessions_) {
    if (!session->ended() && !session->publisher()) ++viewers[session->path_name()];
  }
  std::vector<PathInfo> out;
  for (const auto& [name, entry] : hub_.paths()) {
    PathInfo info;
    info.name = name;
    info.owned = entry->owned;
    info.configured = entry->configured;
    info.ready = entry->live();
    info.source = core::MaskUrlPasswords(entry->config.source);  // /api/paths is public
    info.webrtc_sessions = viewers.count(name) ? viewers.at(name) : 0;
    info.readers = entry->readers.size();
    std::vector<std::string> tracks;
    if (entry->stream != nullptr) {
      const rtp::Stream& stream = *entry->stream;
      for (size_t i = 0; i < stream.track_count(); ++i) {
        const rtp::TrackInfo& track = stream.track_infos()[i];
        std::string size;
        const auto& parameter_sets = stream.track(i).parameter_sets();
        if (track.keyframe_codec == rtp::KeyframeCodec::kH264 && !parameter_sets.empty()) {
          if (std::optional<rtp::h264::Sps> sps = rtp::h264::ParseSps(parameter_sets[0])) {
            size = core::StrCat(",\"width\":", sps->width, ",\"height\":", sps->height);
          }
        } else if (track.keyframe_codec == rtp::KeyframeCodec::kH265 && parameter_sets.size() > 1) {
          if (std::optional<rtp::h265::Sps> sps = rtp::h265::ParseSps(parameter_sets[1])) {
            size = core::StrCat(",\"width\":", sps->width, ",\"height\":", sps->height);
          }
        }
        tracks.push_back(core::StrCat("{\"media\":", core::JsonQuoted(track.media),
                                      ",\"codec\":", core::JsonQuoted(track.encoding_name),
                                      ",\"clock_rate\":", track.clock_rate, size, "}"));
      }
    }
    info.tracks_json = absl::StrJoin(tracks, ",");
    out.push_back(std::move(info));
  }
  return out;
}

namespace {

// /api/paths from every worker's part: a path's own fields from its owner (or, for one nobody
// runs, from any worker that knows its settings), its viewers and readers summed over all.
std::string PathsJsonOf(const std::vector<std::vector<PathInfo>>& parts) {
  std::map<std::string, PathInfo> merged;
  for (const std::vector<PathInfo>& part : parts) {
    for (const PathInfo& info : part) {
      auto [it, inserted] = merged.try_emplace(info.name, info);
      PathInfo& path = it->second;
      if (inserted) continue;
      size_t sessions = path.webrtc_sessions + info.webrtc_sessions;
      size_t readers = path.readers + info.readers;
      if (info.owned && !path.owned) path = info;
      path.webrtc_sessions = sessions;
      path.readers = readers;
    }
  }
  std::vector<std::string> items;
  for (const auto& [name, path] : merged) {
    if (!path.owned && !path.configured) continue;  // a publisher's path seen on its way out
    size_t webrtc = path.webrtc_sessions;
    items.push_back(core::StrCat(
        "{\"name\":", core::JsonQuoted(name), ",\"ready\":", path.ready ? "true" : "false",
        ",\"source\":", core::JsonQuoted(path.source), ",\"tracks\":[", path.tracks_json,
        "],\"webrtc_sessions\":", webrtc,
        ",\"rtsp_readers\":", path.readers >= webrtc ? path.readers - webrtc : 0, "}"));
  }
  return core::StrCat("{\"paths\":[", absl::StrJoin(items, ","), "]}\n");
}

}  // namespace

// Each worker answers for its paths and viewers; the last one to answer replies.
void WebRtcServer::AnswerPathsJson(http::HttpReply reply) {
  struct Gather {
    std::mutex mutex;  // the workers' answers arrive on their own threads
    std::vector<std::vector<PathInfo>> parts;
    int missing = 0;
    std::vector<http::Header> cors;
  };
  auto gather = std::make_shared<Gather>();
  gather->missing = shared_.workers;
  gather->parts.resize(static_cast<size_t>(shared_.workers));
  http::HttpResponse cors;
  AddCors(cors);
  gather->cors = std::move(cors.headers);
  for (int worker = 0; worker < shared_.workers; ++worker) {
    shared_.run_on(worker, [gather, reply, worker](WebRtcServer* server) {
      std::vector<PathInfo> part;
      if (server != nullptr) part = server->LocalPathInfo();
      std::lock_guard<std::mutex> lock(gather->mutex);
      gather->parts[static_cast<size_t>(worker)] = std::move(part);
      if (--gather->missing > 0) return;
      http::HttpResponse response =
          http::TextResponse(200, PathsJsonOf(gather->parts), "application/json");
      for (const http::Header& header : gather->cors) response.headers.push_back(header);
      reply(std::move(response));
    });
  }
}

}  // namespace ringcast::net::webrtc
