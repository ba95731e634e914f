// JanusSignalling: the Janus HTTP API dance for one streaming viewer (Janus's REST transport,
// janus.transport.http): create a session, attach janus.plugin.streaming, "watch" a mountpoint,
// long-poll the session until the plugin's event carries Janus's SDP offer, hand it to the
// observer for an answer, "start" with that answer, then a keepalive every 25 s (Janus drops a
// session after 60 s of silence).
//
// Janus is the offerer and a full ICE agent, so the viewer answers its connectivity checks as the
// controlled side (viewer.cc). Each step is one HttpRequest; the observer hears OnJanusOffer once
// and then OnJanusStarted or OnJanusFailed (with a reason such as "janus: watch: No such
// mountpoint/stream 7"). Ring thread only; the observer outlives this object.
#ifndef RINGCAST_TOOLS_LOADGEN_JANUS_H_
#define RINGCAST_TOOLS_LOADGEN_JANUS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/buffer_ring.h"
#include "core/ring.h"
#include "core/status.h"
#include "tools/loadgen/http_request.h"

namespace ringcast::loadgen {

class JanusObserver {
 public:
  // Janus's offer; return the answer SDP, or an error that fails the viewer.
  virtual absl::StatusOr<std::string> OnJanusOffer(std::string_view sdp) = 0;
  // "start" was accepted: begin connectivity checks.
  virtual void OnJanusStarted() = 0;
  virtual void OnJanusFailed(std::string reason) = 0;

 protected:
  ~JanusObserver() = default;
};

class JanusSignalling {
 public:
  JanusSignalling(core::Ring& ring, core::BufferRing& buffers, std::string host, uint16_t port,
                  std::string base_path, uint64_t mountpoint, JanusObserver& observer);
  ~JanusSignalling();
  JanusSignalling(const JanusSignalling&) = delete;
  JanusSignalling& operator=(const JanusSignalling&) = delete;

  void Start();

 private:
  enum class Step { kCreate, kAttach, kWatch, kPoll, kStart, kRunning, kFailed };
  void Post(const std::string& path, const std::string& json, int64_t timeout_ns);
  void Poll();
  void OnReply(absl::StatusOr<net::http::Message> reply);
  void Fail(std::string reason);
  std::string Transaction() { return "lg" + std::to_string(++transaction_); }

  core::Ring& ring_;
  core::BufferRing& buffers_;
  const std::string host_;
  const uint16_t port_;
  const std::string base_;  // "/janus"
  const uint64_t mountpoint_;
  JanusObserver& observer_;
  Step step_ = Step::kCreate;
  uint64_t session_ = 0;
  uint64_t handle_ = 0;
  uint64_t transaction_ = 0;
  std::unique_ptr<HttpRequest> request_;
  core::Timer keepalive_;
};

}  // namespace ringcast::loadgen

#endif  // RINGCAST_TOOLS_LOADGEN_JANUS_H_
