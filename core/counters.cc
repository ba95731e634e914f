#include "core/counters.h"

#include <array>

namespace ringcast::core {
namespace {

constexpr size_t kReasons = static_cast<size_t>(DropReason::kCount);
std::array<std::atomic<uint64_t>, kReasons> g_drops{};

constexpr std::array<std::string_view, kReasons> kNames = {
    "rx_no_buffers",     "rx_truncated",        "ctl_bad_request",
    "ctl_line_too_long", "http_bad_request",    "http_too_many_connections",
    "rtsp_bad_request",  "rtp_invalid",         "rtsp_bad_channel",
    "rtp_unrouted",      "webrtc_unrouted",     "webrtc_unknown_packet",
    "stun_refused",      "srtcp_invalid",       "rtcp_invalid",
    "dtls_invalid",      "webrtc_no_send_slot", "webrtc_send_failed",
};

}  // namespace

std::string_view DropReasonName(DropReason reason) { return kNames[static_cast<size_t>(reason)]; }

void CountDrop(DropReason reason, uint64_t n) {
  g_drops[static_cast<size_t>(reason)].fetch_add(n, std::memory_order_relaxed);
}

uint64_t DropCount(DropReason reason) {
  return g_drops[static_cast<size_t>(reason)].load(std::memory_order_relaxed);
}

}  // namespace ringcast::core
