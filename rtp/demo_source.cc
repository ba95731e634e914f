#include "rtp/demo_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "core/check.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "rtp/codec/h264.h"
#include "rtp/rtp_packet.h"

namespace ringcast::rtp {
namespace {

constexpr int kMinFps = 1;
constexpr int kMaxFps = 240;
constexpr size_t kMinPayload = 64;
constexpr size_t kMaxPayload = 65000;

bool IsReadableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), R_OK) == 0;
}

// Reads all of `path` (a regular file of at most `limit` bytes) into `out`.
absl::Status ReadClipFile(const std::string& path, size_t limit, std::vector<uint8_t>& out) {
  const std::string what = core::StrCat("demo clip ", path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::ErrnoStatus(errno, what);
  absl::Status status;
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    status = core::ErrnoStatus(errno, what);
  } else if (!S_ISREG(st.st_mode)) {
    status = absl::InvalidArgumentError(core::StrCat(what, ": not a regular file"));
  } else if (static_cast<uint64_t>(st.st_size) > limit) {
    status = absl::InvalidArgumentError(core::StrCat(what, ": ", static_cast<uint64_t>(st.st_size),
                                                     " bytes, more than the ", limit >> 20,
                                                     " MiB a demo clip may have"));
  } else {
    out.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = core::ErrnoStatus(errno, what);
        break;
      }
      if (n == 0) {
        out.resize(done);  // shrank while we read it
        break;
      }
      done += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  return status;
}

}  // namespace

std::vector<std::string> DefaultDemoClipPaths(const std::string& executable_dir) {
  std::vector<std::string> paths;
  if (!executable_dir.empty()) paths.push_back(core::StrCat(executable_dir, "/../demo/demo.h264"));
  paths.push_back("/usr/share/ringcast/demo.h264");
  paths.push_back("/usr/local/share/ringcast/demo.h264");
  return paths;
}

absl::StatusOr<std::string> FindDemoClip(const std::vector<std::string>& candidates) {
  std::string tried;
  for (const std::string& path : candidates) {
    if (IsReadableFile(path)) return path;
    core::StrAppend(tried, tried.empty() ? "" : ", ", path);
  }
  return absl::NotFoundError(core::StrCat(
      "demo clip not found (tried ", tried,
      "): install the ringcast package, or build the ringcast_demo_clip target (needs ffmpeg)"));
}

DemoSource::DemoSource(core::Ring& ring, SourceObserver& observer, const DemoOptions& options)
    : observer_(observer),
      options_(options),
      packetizer_({.max_payload_size = options.max_payload, .aggregate_parameter_sets = true}),
      packet_(kRtpFixedHeaderSize + options.max_payload),
      timer_(ring, [this] { OnTimer(); }),
      sequence_number_(options.first_sequence_number) {}

DemoSource::~DemoSource() { Stop(); }

absl::StatusOr<std::unique_ptr<DemoSource>> DemoSource::Create(core::Ring& ring,
                                                               const std::string& clip_path,
                                                               SourceObserver& observer,
                                                               const DemoOptions& options) {
  if (options.fps < kMinFps || options.fps > kMaxFps) {
    return absl::InvalidArgumentError(
        core::StrCat("demo: fps ", options.fps, " is out of range ", kMinFps, "..", kMaxFps));
  }
  if (options.max_payload < kMinPayload || options.max_payload > kMaxPayload) {
    return absl::InvalidArgumentError(core::StrCat("demo: max_payload ", options.max_payload,
                                                   " is out of range ", kMinPayload, "..",
                                                   kMaxPayload));
  }
  std::unique_ptr<DemoSource> source(new DemoSource(ring, observer, options));
  RETURN_IF_ERROR(source->Load(clip_path));
  return source;
}

absl::Status DemoSource::Load(const std::string& clip_path) {
  clip_path_ = clip_path;
  RETURN_IF_ERROR(ReadClipFile(clip_path, kMaxClipBytes, clip_));
  const std::string what = core::StrCat("demo clip ", clip_path);

  const std::vector<std::span<const uint8_t>> nals = h264::SplitAnnexB(clip_);
  if (nals.empty()) {
    return absl::InvalidArgumentError(core::StrCat(
        what, ": no H.264 NAL units (expected a raw Annex B stream, as `ffmpeg -f h264` writes)"));
  }
  std::span<const uint8_t> sps;
  std::span<const uint8_t> pps;
  for (std::span<const uint8_t> nal : nals) {
    const uint8_t type = h264::NalType(nal[0]);
    if (type == h264::kNalSps && sps.empty()) sps = nal;
    if (type == h264::kNalPps && pps.empty()) pps = nal;
  }
  if (sps.empty() || pps.empty()) {
    return absl::InvalidArgumentError(
        core::StrCat(what, ": no ", sps.empty() ? "SPS" : "PPS",
                     " in the stream (encode with repeated headers, e.g. x264 repeat-headers=1)"));
  }
  const std::optional<h264::Sps> parsed = h264::ParseSps(sps);
  std::optional<std::string> fmtp = h264::BuildFmtp(sps, pps);
  if (!parsed || !fmtp) {
    return absl::InvalidArgumentError(core::StrCat(what, ": its SPS does not parse"));
  }
  sps_ = *parsed;

  access_units_ = h264::GroupAccessUnits(nals);
  const auto first_idr = std::find_if(access_units_.begin(), access_units_.end(),
                                      [](const h264::AccessUnit& au) { return au.has_idr; });
  if (first_idr == access_units_.end()) {
    return absl::InvalidArgumentError(
        core::StrCat(what, ": no IDR picture, so no viewer could ever start decoding"));
  }
  const size_t dropped = static_cast<size_t>(first_idr - access_units_.begin());
  if (dropped > 0) {
    LOG_WARN("demo: %s: dropping %d access units before the first IDR", clip_path, dropped);
    access_units_.erase(access_units_.begin(), first_idr);
  }

  track_info_.media = "video";
  track_info_.encoding_name = "H264";
  track_info_.payload_type = kPayloadType;
  track_info_.clock_rate = kClockRate;
  track_info_.fmtp = std::move(*fmtp);
  track_info_.keyframe_codec = KeyframeCodec::kH264;
  track_info_.parameter_sets = {std::vector<uint8_t>(sps.begin(), sps.end()),
                                std::vector<uint8_t>(pps.begin(), pps.end())};
  LOG_INFO("demo: %s: %d access units, %dx%d, profile-level-id %06x, %d fps", clip_path,
           access_units_.size(), sps_.width, sps_.height, sps_.profile_level_id(), options_.fps);
  return absl::OkStatus();
}

void DemoSource::Start() {
  if (running_) return;
  running_ = true;
  next_access_unit_ = 0;  // a keyframe: the clip starts with an IDR (Load made sure)
  next_frame_ = 0;
  schedule_base_frame_ = 0;
  schedule_base_ns_ = core::NowNs();
  observer_.OnSourceReady({track_info_});
  // The observer may have stopped us already; otherwise the first access unit goes out on the
  // loop's next iteration, not from inside Start().
  if (running_) timer_.ArmAt(schedule_base_ns_);
}

void DemoSource::Stop() {
  running_ = false;
  timer_.Disarm();
}

int64_t DemoSource::DueNs(uint64_t frame) const {
  const auto frames = static_cast<int64_t>(frame - schedule_base_frame_);
  return schedule_base_ns_ + frames * core::kNsPerSec / options_.fps;
}

void DemoSource::OnTimer() {
  if (!running_) return;
  const int64_t now = core::NowNs();
  int sent = 0;
  while (running_ && DueNs(next_frame_) <= now) {
    if (sent == kMaxCatchUpFrames) {
      // Still behind after a few: move the schedule on instead of bursting the backlog (the
      // frames themselves are not skipped, so the decoder's reference chain stays whole).
      ++late_resets_;
      LOG_EVERY_SEC(Warn, "demo: %s: %d ms behind schedule; moving the schedule on", clip_path_,
                    (now - DueNs(next_frame_)) / core::kNsPerMs);
      schedule_base_frame_ = next_frame_;
      schedule_base_ns_ = now + core::kNsPerSec / options_.fps;
      break;
    }
    SendAccessUnit();
    ++sent;
  }
  if (running_) timer_.ArmAt(DueNs(next_frame_));
}

void DemoSource::SendAccessUnit() {
  const h264::AccessUnit& au = access_units_[next_access_unit_];
  // From the count, so a frame rate that does not divide 90000 does not drift either.
  const auto timestamp =
      static_cast<uint32_t>(options_.first_timestamp +
                            access_units_sent_ * kClockRate / static_cast<uint64_t>(options_.fps));
  const std::span<uint8_t> payload_buffer = std::span(packet_).subspan(kRtpFixedHeaderSize);
  packetizer_.Start(au.nals);
  while (running_) {
    const std::optional<h264::PacketizedPayload> payload = packetizer_.Next(payload_buffer);
    if (!payload) break;
    RtpHeaderWriter header(packet_, {.marker = payload->last,
                                     .payload_type = kPayloadType,
                                     .sequence_number = sequence_number_,
                                     .timestamp = timestamp,
                                     .ssrc = options_.ssrc});
    const size_t header_size = header.Finish();
    DCHECK(header_size == kRtpFixedHeaderSize);
    const std::optional<RtpView> view =
        RtpView::Parse(std::span<const uint8_t>(packet_.data(), header_size + payload->size));
    DCHECK(view.has_value());
    ++sequence_number_;
    ++packets_sent_;
    observer_.OnSourcePacket(0, *view);
  }
  ++access_units_sent_;
  ++next_frame_;
  ++next_access_unit_;
  size_t limit = access_units_.size();
  if (options_.loop_after_access_units > 0) {
    limit = std::min(limit, options_.loop_after_access_units);
  }
  if (next_access_unit_ >= limit) {
    next_access_unit_ = 0;
    ++loops_;
  }
}

}  // namespace ringcast::rtp
