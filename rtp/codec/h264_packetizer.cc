#include "rtp/codec/h264_packetizer.h"

#include <algorithm>
#include <cstring>

#include "core/base64.h"
#include "core/check.h"
#include "core/strings.h"
#include "rtp/codec/h264.h"

namespace ringcast::rtp::h264 {
namespace {

// The index of the first byte of the next 00 00 01 at or after `from`, or stream.size().
size_t FindStartCode(std::span<const uint8_t> stream, size_t from) {
  const size_t size = stream.size();
  size_t i = from;
  while (i + 2 < size) {
    const uint8_t third = stream[i + 2];
    if (third > 1) {
      i += 3;  // no start code can begin at i, i+1 or i+2
    } else if (third == 1 && stream[i] == 0 && stream[i + 1] == 0) {
      return i;
    } else {
      ++i;
    }
  }
  return size;
}

bool IsParameterSet(std::span<const uint8_t> nal) {
  if (nal.empty()) return false;
  const uint8_t type = NalType(nal[0]);
  return type == kNalSps || type == kNalPps;
}

// A STAP-A holds at most this many units here: the run in front of an IDR is SPS + PPS, a
// few more when an encoder repeats them (GStreamer sends two of each).
constexpr size_t kMaxAggregatedUnits = 8;

}  // namespace

std::optional<std::span<const uint8_t>> NextAnnexBNal(std::span<const uint8_t> stream,
                                                      size_t& offset) {
  while (offset < stream.size()) {
    const size_t start_code = FindStartCode(stream, offset);
    if (start_code == stream.size()) {
      offset = stream.size();
      return std::nullopt;
    }
    const size_t begin = start_code + 3;
    const size_t next = FindStartCode(stream, begin);
    size_t end = next;
    while (end > begin && stream[end - 1] == 0) --end;
    offset = next;
    if (end > begin) return stream.subspan(begin, end - begin);
  }
  return std::nullopt;
}

std::vector<std::span<const uint8_t>> SplitAnnexB(std::span<const uint8_t> stream) {
  std::vector<std::span<const uint8_t>> nals;
  size_t offset = 0;
  while (std::optional<std::span<const uint8_t>> nal = NextAnnexBNal(stream, offset)) {
    nals.push_back(*nal);
  }
  return nals;
}

bool StartsAccessUnit(std::span<const uint8_t> nal, bool after_vcl) {
  if (nal.empty() || !after_vcl) return false;
  const uint8_t type = NalType(nal[0]);
  switch (type) {
    case kNalAud:
    case kNalSps:
    case kNalPps:
    case kNalSei:
    case 14:  // prefix NAL unit
    case 15:  // subset SPS
    case 16:  // depth parameter set
    case 17:
    case 18:  // reserved
      return true;
    default:
      break;
  }
  // first_mb_in_slice is the slice header's first field, ue(v): 0 is the single bit 1, so the
  // picture's first slice is the one whose first byte after the NAL header has its top bit set.
  return IsVcl(type) && nal.size() > 1 && (nal[1] & 0x80) != 0;
}

size_t AccessUnit::size_bytes() const {
  size_t total = 0;
  for (std::span<const uint8_t> nal : nals) total += nal.size();
  return total;
}

std::vector<AccessUnit> GroupAccessUnits(std::span<const std::span<const uint8_t>> nals) {
  std::vector<AccessUnit> units;
  AccessUnit current;
  bool after_vcl = false;
  for (std::span<const uint8_t> nal : nals) {
    if (nal.empty()) continue;
    if (StartsAccessUnit(nal, after_vcl)) {
      units.push_back(std::move(current));
      current = AccessUnit{};
      after_vcl = false;
    }
    const uint8_t type = NalType(nal[0]);
    current.nals.push_back(nal);
    current.has_idr |= type == kNalIdr;
    current.has_sps |= type == kNalSps;
    current.has_pps |= type == kNalPps;
    after_vcl |= IsVcl(type);
  }
  if (!current.nals.empty()) {
    if (!after_vcl && !units.empty()) {
      // Trailing non-VCL units (end of sequence/stream, a lone SEI) end the last picture.
      AccessUnit& last = units.back();
      last.nals.insert(last.nals.end(), current.nals.begin(), current.nals.end());
      last.has_sps |= current.has_sps;
      last.has_pps |= current.has_pps;
    } else {
      units.push_back(std::move(current));
    }
  }
  return units;
}

Packetizer::Packetizer(const PacketizerOptions& options) : options_(options) {
  DCHECK(options_.max_payload_size >= kMinPayloadSize);
}

void Packetizer::Start(std::span<const std::span<const uint8_t>> nals) {
  nals_ = nals;
  nal_index_ = 0;
  fragment_offset_ = 0;
  SkipEmptyNals();
}

void Packetizer::SkipEmptyNals() {
  while (nal_index_ < nals_.size() && nals_[nal_index_].empty()) ++nal_index_;
}

size_t Packetizer::ParameterSetRun() const {
  if (!options_.aggregate_parameter_sets) return 0;
  size_t size = 1;  // the STAP-A NAL header
  size_t count = 0;
  for (size_t i = nal_index_; i < nals_.size() && count < kMaxAggregatedUnits; ++i) {
    const std::span<const uint8_t> nal = nals_[i];
    if (!IsParameterSet(nal) || nal.size() > 0xFFFF) break;
    if (size + 2 + nal.size() > options_.max_payload_size) break;
    size += 2 + nal.size();
    ++count;
  }
  return count;
}

std::optional<PacketizedPayload> Packetizer::Next(std::span<uint8_t> out) {
  const size_t max_payload = options_.max_payload_size;
  if (done() || out.size() < max_payload || max_payload < kMinPayloadSize) return std::nullopt;
  PacketizedPayload payload;
  const std::span<const uint8_t> nal = nals_[nal_index_];

  if (fragment_offset_ == 0) {
    // RFC 6184 §5.7.1: SPS + PPS in one STAP-A.
    if (const size_t run = ParameterSetRun(); run >= 2) {
      payload.size = WriteStapA(nals_.subspan(nal_index_, run), out.first(max_payload));
      DCHECK(payload.size > 0);
      nal_index_ += run;
      SkipEmptyNals();
      payload.last = done();
      return payload;
    }
    // §5.6: a unit that fits goes as it is.
    if (nal.size() <= max_payload) {
      std::memcpy(out.data(), nal.data(), nal.size());
      payload.size = nal.size();
      ++nal_index_;
      SkipEmptyNals();
      payload.last = done();
      return payload;
    }
  }

  // §5.8: FU-A. The unit's header byte is not sent; its F and NRI go into the FU indicator
  // and its type into the FU header.
  const std::span<const uint8_t> body = nal.subspan(1);
  const size_t chunk = std::min(max_payload - 2, body.size() - fragment_offset_);
  const bool first = fragment_offset_ == 0;
  const bool end = fragment_offset_ + chunk == body.size();
  out[0] = static_cast<uint8_t>((nal[0] & 0xE0) | kFuA);
  out[1] = static_cast<uint8_t>((first ? 0x80 : 0) | (end ? 0x40 : 0) | NalType(nal[0]));
  std::memcpy(out.data() + 2, body.data() + fragment_offset_, chunk);
  payload.size = 2 + chunk;
  if (end) {
    fragment_offset_ = 0;
    ++nal_index_;
    SkipEmptyNals();
    payload.last = done();
  } else {
    fragment_offset_ += chunk;
  }
  return payload;
}

std::optional<std::string> BuildFmtp(std::span<const uint8_t> sps, std::span<const uint8_t> pps) {
  const std::optional<Sps> parsed = ParseSps(sps);
  if (!parsed || pps.empty() || NalType(pps[0]) != kNalPps) return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string profile_level_id;
  const uint32_t id = parsed->profile_level_id();
  for (int shift = 20; shift >= 0; shift -= 4)
    profile_level_id.push_back(kHex[(id >> shift) & 0xF]);
  return core::StrCat("packetization-mode=1;profile-level-id=", profile_level_id,
                      ";sprop-parameter-sets=", core::Base64Encode(sps), ",",
                      core::Base64Encode(pps));
}

}  // namespace ringcast::rtp::h264
