// The loop a connection runs over Demuxer::Next (RtspSession::OnBytes, RtspClient), for test
// sinks that record frames (OnInterleavedFrame) and answer how much text they took
// (OnInterleavedText, the count Demuxer::ConsumeText wants).
#ifndef RINGCAST_TESTS_UNIT_NET_RTSP_DEMUX_LOOP_H_
#define RINGCAST_TESTS_UNIT_NET_RTSP_DEMUX_LOOP_H_

#include <optional>
#include <span>

#include "net/rtsp/interleaved.h"

namespace ringcast::net::rtsp::testing {

// Feeds `chunk` and hands every item to `sink`. False once the demuxer has stopped.
template <typename Sink>
bool FeedChunk(Demuxer& demuxer, std::span<const uint8_t> chunk, Sink& sink) {
  demuxer.Feed(chunk);
  while (std::optional<Demuxer::Item> item = demuxer.Next()) {
    if (item->kind == Demuxer::Item::kFrame) {
      sink.OnInterleavedFrame(item->channel, item->payload);
    } else if (!demuxer.ConsumeText(sink.OnInterleavedText(item->text))) {
      break;
    }
  }
  return !demuxer.stopped();
}

}  // namespace ringcast::net::rtsp::testing

#endif  // RINGCAST_TESTS_UNIT_NET_RTSP_DEMUX_LOOP_H_
