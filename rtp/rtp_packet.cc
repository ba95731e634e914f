#include "rtp/rtp_packet.h"

#include <cstring>

#include "core/check.h"
#include "rtp/byte_io.h"

namespace ringcast::rtp {

std::optional<RtpExtensionElement> RtpExtensionReader::Next() {
  while (offset_ < block_.size() && !malformed_) {
    const uint8_t first = block_[offset_];
    if (first == 0) {  // RFC 8285 §4.2 / §4.3: padding byte between or after elements
      ++offset_;
      continue;
    }
    uint8_t id;
    size_t length;
    size_t data_start;
    if (!two_byte_) {
      id = first >> 4;
      // §4.2: ID 15 is reserved; a receiver stops processing the block there. ID 0 with a
      // non-zero length is not valid padding: treat the rest as unreadable.
      if (id == 15) return std::nullopt;
      if (id == 0) {
        malformed_ = true;
        return std::nullopt;
      }
      length = (first & 0x0F) + 1u;
      data_start = offset_ + 1;
    } else {
      id = first;
      if (offset_ + 1 >= block_.size()) {
        malformed_ = true;
        return std::nullopt;
      }
      length = block_[offset_ + 1];
      data_start = offset_ + 2;
    }
    if (length > block_.size() - data_start) {
      malformed_ = true;
      return std::nullopt;
    }
    offset_ = data_start + length;
    return RtpExtensionElement{id, block_.subspan(data_start, length)};
  }
  return std::nullopt;
}

std::optional<RtpView> RtpView::Parse(std::span<const uint8_t> packet) {
  if (packet.size() < kRtpFixedHeaderSize) return std::nullopt;
  const uint8_t* data = packet.data();
  const size_t size = packet.size();
  if ((data[0] >> 6) != kRtpVersion) return std::nullopt;

  RtpView view;
  view.data_ = data;
  view.size_ = size;
  size_t header_size = kRtpFixedHeaderSize + 4 * size_t{data[0] & 0x0Fu};
  if (header_size > size) return std::nullopt;

  if (data[0] & 0x10) {  // §5.3.1: 16-bit profile, 16-bit length in 32-bit words
    if (size - header_size < 4) return std::nullopt;
    const size_t extension_size = 4 * size_t{LoadBe16(data + header_size + 2)};
    view.extension_profile_ = LoadBe16(data + header_size);
    header_size += 4;
    if (extension_size > size - header_size) return std::nullopt;
    view.extension_offset_ = header_size;
    view.extension_size_ = extension_size;
    header_size += extension_size;
  }

  size_t padding = 0;
  if (data[0] & 0x20) {
    // §5.1: the last octet counts the padding octets, itself included, so it is at least 1.
    if (header_size == size) return std::nullopt;
    padding = data[size - 1];
    if (padding == 0 || padding > size - header_size) return std::nullopt;
  }
  view.header_size_ = header_size;
  view.padding_size_ = padding;
  view.payload_size_ = size - header_size - padding;
  return view;
}

uint16_t RtpView::sequence_number() const { return LoadBe16(data_ + 2); }
uint32_t RtpView::timestamp() const { return LoadBe32(data_ + 4); }
uint32_t RtpView::ssrc() const { return LoadBe32(data_ + 8); }

uint32_t RtpView::csrc(size_t i) const {
  DCHECK(i < csrc_count());
  return LoadBe32(data_ + kRtpFixedHeaderSize + 4 * i);
}

RtpExtensionReader RtpView::extensions() const {
  if (has_one_byte_extensions()) return RtpExtensionReader(extension_data(), /*two_byte=*/false);
  if (has_two_byte_extensions()) return RtpExtensionReader(extension_data(), /*two_byte=*/true);
  return RtpExtensionReader();
}

std::optional<std::span<const uint8_t>> RtpView::FindExtension(uint8_t id) const {
  if (id == 0) return std::nullopt;
  RtpExtensionReader reader = extensions();
  while (std::optional<RtpExtensionElement> element = reader.Next()) {
    if (element->id == id) return element->data;
  }
  return std::nullopt;
}

RtpHeaderWriter::RtpHeaderWriter(std::span<uint8_t> out, const RtpHeaderFields& fields)
    : out_(out) {
  if (out.size() < kRtpFixedHeaderSize || fields.payload_type > 127) return;
  uint8_t* p = out.data();
  p[0] = kRtpVersion << 6;
  p[1] = static_cast<uint8_t>((fields.marker ? 0x80 : 0) | fields.payload_type);
  StoreBe16(p + 2, fields.sequence_number);
  StoreBe32(p + 4, fields.timestamp);
  StoreBe32(p + 8, fields.ssrc);
  size_ = kRtpFixedHeaderSize;
  ok_ = true;
}

void RtpHeaderWriter::UseTwoByteExtensions() {
  if (extension_start_ == 0) two_byte_ = true;
}

bool RtpHeaderWriter::AddExtension(uint8_t id, std::span<const uint8_t> data) {
  if (!ok_ || finished_ || id == 0) return false;
  size_t element_size;
  if (two_byte_) {
    if (data.size() > 255) return false;
    element_size = 2 + data.size();
  } else {
    if (id > 14 || data.empty() || data.size() > 16) return false;
    element_size = 1 + data.size();
  }
  const size_t header_needed = extension_start_ == 0 ? 4 : 0;
  // Room for the element plus the padding Finish() may add (at most 3 bytes).
  if (out_.size() - size_ < header_needed + element_size + 3) return false;
  // The block length is counted in 32-bit words in a 16-bit field.
  const size_t block_start = extension_start_ != 0 ? extension_start_ : size_;
  const size_t block_bytes = size_ + header_needed + element_size - block_start - 4;
  if ((block_bytes + 3) / 4 > 0xFFFF) return false;
  uint8_t* p = out_.data();
  if (extension_start_ == 0) {
    extension_start_ = size_;
    p[0] |= 0x10;
    StoreBe16(p + size_, two_byte_ ? kTwoByteExtensionProfile : kOneByteExtensionProfile);
    StoreBe16(p + size_ + 2, 0);
    size_ += 4;
  }
  if (two_byte_) {
    p[size_++] = id;
    p[size_++] = static_cast<uint8_t>(data.size());
  } else {
    p[size_++] = static_cast<uint8_t>((id << 4) | (data.size() - 1));
  }
  if (!data.empty()) std::memcpy(p + size_, data.data(), data.size());
  size_ += data.size();
  return true;
}

size_t RtpHeaderWriter::Finish() {
  if (!ok_) return 0;
  if (!finished_ && extension_start_ != 0) {
    while ((size_ - extension_start_) % 4 != 0) out_[size_++] = 0;
    StoreBe16(out_.data() + extension_start_ + 2,
              static_cast<uint16_t>((size_ - extension_start_ - 4) / 4));
  }
  finished_ = true;
  return size_;
}

}  // namespace ringcast::rtp
