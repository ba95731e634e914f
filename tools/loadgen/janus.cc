#include "tools/loadgen/janus.h"

#include "core/clock.h"
#include "core/strings.h"
#include "tools/loadgen/json_text.h"

namespace ringcast::loadgen {
namespace {

using core::StrCat;

constexpr int64_t kRequestTimeoutNs = 10 * core::kNsPerSec;
constexpr int64_t kPollTimeoutNs = 45 * core::kNsPerSec;  // Janus answers a long poll in 30 s
constexpr int64_t kKeepaliveNs = 25 * core::kNsPerSec;

const char* StepName(int step) {
  static constexpr const char* kNames[] = {"create", "attach",    "watch", "poll",
                                           "start",  "keepalive", "failed"};
  return kNames[step];
}

}  // namespace

JanusSignalling::JanusSignalling(core::Ring& ring, core::BufferRing& buffers, std::string host,
                                 uint16_t port, std::string base_path, uint64_t mountpoint,
                                 JanusObserver& observer)
    : ring_(ring),
      buffers_(buffers),
      host_(std::move(host)),
      port_(port),
      base_(std::move(base_path)),
      mountpoint_(mountpoint),
      observer_(observer),
      keepalive_(ring, [this] {
        Post(StrCat(base_, "/", session_),
             StrCat("{\"janus\":\"keepalive\",\"transaction\":\"", Transaction(), "\"}"),
             kRequestTimeoutNs);
        keepalive_.ArmAfter(kKeepaliveNs);
      }) {}

JanusSignalling::~JanusSignalling() = default;

void JanusSignalling::Start() {
  step_ = Step::kCreate;
  Post(base_, StrCat("{\"janus\":\"create\",\"transaction\":\"", Transaction(), "\"}"),
       kRequestTimeoutNs);
}

void JanusSignalling::Fail(std::string reason) {
  if (step_ == Step::kFailed) return;
  step_ = Step::kFailed;
  keepalive_.Disarm();
  observer_.OnJanusFailed(std::move(reason));  // may destroy us: nothing after this
}

void JanusSignalling::Post(const std::string& path, const std::string& json, int64_t timeout_ns) {
  std::string request = net::http::FormatRequest(net::http::Protocol::kHttp, "POST", path,
                                                 {{"Host", StrCat(host_, ":", port_)},
                                                  {"Content-Type", "application/json"},
                                                  {"Connection", "close"}},
                                                 json);
  absl::StatusOr<std::unique_ptr<HttpRequest>> r = HttpRequest::Start(
      ring_, buffers_, host_, port_, std::move(request), timeout_ns,
      [this](absl::StatusOr<net::http::Message> reply) { OnReply(std::move(reply)); });
  if (!r.ok()) return Fail(StrCat("janus: ", core::ToStd(r.status().message())));
  request_ = std::move(*r);
}

void JanusSignalling::Poll() {
  std::string request = net::http::FormatRequest(
      net::http::Protocol::kHttp, "GET", StrCat(base_, "/", session_, "?maxev=1"),
      {{"Host", StrCat(host_, ":", port_)}, {"Connection", "close"}}, {});
  absl::StatusOr<std::unique_ptr<HttpRequest>> r = HttpRequest::Start(
      ring_, buffers_, host_, port_, std::move(request), kPollTimeoutNs,
      [this](absl::StatusOr<net::http::Message> reply) { OnReply(std::move(reply)); });
  if (!r.ok()) return Fail(StrCat("janus: ", core::ToStd(r.status().message())));
  request_ = std::move(*r);
}

void JanusSignalling::OnReply(absl::StatusOr<net::http::Message> reply) {
  request_.reset();
  const char* step = StepName(static_cast<int>(step_));
  if (step_ == Step::kFailed) return;
  if (!reply.ok()) {
    if (step_ == Step::kRunning) return;  // a lost keepalive; the next one may get through
    return Fail(StrCat("janus: ", step, ": ", core::ToStd(reply.status().message())));
  }
  if (reply->status != 200) return Fail(StrCat("janus: ", step, ": HTTP ", reply->status));
  const std::string& body = reply->body;
  const std::string kind = JsonString(body, "janus").value_or("");
  if (kind == "error") {
    return Fail(StrCat("janus: ", step, ": ", JsonString(body, "reason").value_or("error")));
  }
  // A plugin error comes as an event with "error" in its plugindata.
  if (const std::optional<std::string> error = JsonString(body, "error"); error) {
    return Fail(StrCat("janus: ", step, ": ", *error));
  }
  switch (step_) {
    case Step::kCreate: {
      const size_t data = JsonFindValue(body, "data");
      const std::optional<uint64_t> id = JsonUint(body, "id", data == std::string::npos ? 0 : data);
      if (!id) return Fail("janus: create: no session id in the reply");
      session_ = *id;
      step_ = Step::kAttach;
      return Post(StrCat(base_, "/", session_),
                  StrCat("{\"janus\":\"attach\",\"plugin\":\"janus.plugin.streaming\","
                         "\"transaction\":\"",
                         Transaction(), "\"}"),
                  kRequestTimeoutNs);
    }
    case Step::kAttach: {
      const size_t data = JsonFindValue(body, "data");
      const std::optional<uint64_t> id = JsonUint(body, "id", data == std::string::npos ? 0 : data);
      if (!id) return Fail("janus: attach: no handle id in the reply");
      handle_ = *id;
      step_ = Step::kWatch;
      return Post(StrCat(base_, "/", session_, "/", handle_),
                  StrCat("{\"janus\":\"message\",\"transaction\":\"", Transaction(),
                         "\",\"body\":{\"request\":\"watch\",\"id\":", mountpoint_, "}}"),
                  kRequestTimeoutNs);
    }
    case Step::kWatch:
    case Step::kPoll: {
      // The watch reply is an "ack"; the offer comes as an event on the long poll.
      const size_t jsep = JsonFindValue(body, "jsep");
      std::optional<std::string> sdp;
      if (jsep != std::string::npos && JsonString(body, "type", jsep) == "offer") {
        sdp = JsonString(body, "sdp", jsep);
      }
      if (!sdp) {
        step_ = Step::kPoll;
        return Poll();
      }
      absl::StatusOr<std::string> answer = observer_.OnJanusOffer(*sdp);
      if (!answer.ok()) return Fail(std::string(core::ToStd(answer.status().message())));
      step_ = Step::kStart;
      return Post(StrCat(base_, "/", session_, "/", handle_),
                  StrCat("{\"janus\":\"message\",\"transaction\":\"", Transaction(),
                         "\",\"body\":{\"request\":\"start\"},\"jsep\":{\"type\":\"answer\","
                         "\"sdp\":\"",
                         JsonEscape(*answer), "\"}}"),
                  kRequestTimeoutNs);
    }
    case Step::kStart:
      step_ = Step::kRunning;
      keepalive_.ArmAfter(kKeepaliveNs);  // the long poll kept the session alive until now
      observer_.OnJanusStarted();
      return;
    case Step::kRunning:
    case Step::kFailed:
      return;
  }
}

}  // namespace ringcast::loadgen
