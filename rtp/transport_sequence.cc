#include "rtp/transport_sequence.h"

#include "rtp/byte_io.h"

namespace ringcast::rtp {

std::optional<uint16_t> ReadTransportSequence(const RtpView& packet, uint8_t id) {
  const std::optional<std::span<const uint8_t>> data = packet.FindExtension(id);
  if (!data || data->size() != kTransportSequenceSize) return std::nullopt;
  return LoadBe16(data->data());
}

std::optional<uint16_t> ReadTransportSequence(std::span<const uint8_t> packet, uint8_t id) {
  const std::optional<RtpView> view = RtpView::Parse(packet);
  if (!view) return std::nullopt;
  return ReadTransportSequence(*view, id);
}

bool AddTransportSequence(RtpHeaderWriter& writer, uint8_t id, uint16_t seq) {
  uint8_t data[kTransportSequenceSize];
  StoreBe16(data, seq);
  return writer.AddExtension(id, data);
}

}  // namespace ringcast::rtp
