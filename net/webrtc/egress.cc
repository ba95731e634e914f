#include "net/webrtc/egress.h"

#include <linux/udp.h>
#include <netinet/in.h>
#include <string.h>

#include <algorithm>

#include "core/log.h"
#include "net/webrtc/drops.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace ringcast::net::webrtc {
namespace {

// The kernel takes at most 64 segments per GSO send (UDP_MAX_SEGMENTS is 128 on newer
// kernels), and the whole datagram train must fit an IP packet's 16-bit length.
constexpr size_t kMaxSegments = 64;
constexpr size_t kMaxGsoBytes = 65000;
constexpr size_t kSlotsPerChunk = 1024;

}  // namespace

struct UdpEgress::Memory {
  std::vector<std::unique_ptr<uint8_t[]>> chunks;  // kSlotsPerChunk slots each
};

// One sendmsg in flight: its header, iovecs, GSO control message, the destination's address
// and the slots it sends.
class UdpEgress::SendOp final : public core::Completion {
 public:
  explicit SendOp(UdpEgress* owner) : owner_(owner), memory_(owner->memory_) {}

  void OnCompletion(const io_uring_cqe& cqe) override {
    if (owner_ != nullptr) owner_->OnSendDone(*this, cqe.res);
  }
  void Detach() { owner_ = nullptr; }

  UdpEgress* owner_;
  std::shared_ptr<Memory> memory_;  // the slots the kernel reads from outlive the egress
  msghdr msg{};
  sockaddr_storage address{};
  iovec iov[kMaxSegments]{};
  uint32_t slots[kMaxSegments]{};
  size_t count = 0;
  size_t bytes = 0;
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(uint16_t))]{};
};

UdpEgress::Destination::~Destination() {
  if (queued_on_ != nullptr) queued_on_->FlushNow(*this);
}

UdpEgress::UdpEgress(core::Ring& ring, int fd, const EgressOptions& options)
    : ring_(ring), fd_(fd), options_(options), memory_(std::make_shared<Memory>()) {
  // Probe once: a kernel without UDP GSO (before 4.18) refuses the option.
  int segment = 1200;
  if (setsockopt(fd_, IPPROTO_UDP, UDP_SEGMENT, &segment, sizeof(segment)) != 0) {
    gso_supported_ = false;
    LOG_WARN("webrtc: UDP GSO (UDP_SEGMENT) unavailable (%s): one sendmsg per packet",
             strerror(errno));
  } else {
    segment = 0;
    setsockopt(fd_, IPPROTO_UDP, UDP_SEGMENT, &segment, sizeof(segment));
  }
  gso_ = options_.gso && gso_supported_;
  while (total_slots_ < options_.initial_slots && GrowSlots()) {
  }
  ring_.AddBatchEndHandler(this);
}

UdpEgress::~UdpEgress() {
  ring_.RemoveBatchEndHandler(this);
  OnBatchEnd();  // what is queued still leaves (the sends own copies of the addresses)
  for (Destination* destination : queued_) {
    destination->pending_.clear();
    destination->queued_on_ = nullptr;
  }
  for (std::unique_ptr<SendOp>& op : ops_) {
    op->Detach();
    if (op->inflight() > 0) ring_.Retire(std::move(op));
  }
}

bool UdpEgress::GrowSlots() {
  if (total_slots_ + kSlotsPerChunk > std::max(options_.max_slots, kSlotsPerChunk)) return false;
  // Not zeroed: a chunk is its own mapping (above the mmap threshold), and a slot's pages become
  // resident only when a packet is first written there — with LIFO reuse, as many as are ever in
  // use at once, not the whole 1.5 MB.
  memory_->chunks.push_back(
      std::make_unique_for_overwrite<uint8_t[]>(kSlotsPerChunk * kSendSlotBytes));
  uint32_t first = static_cast<uint32_t>(total_slots_);
  total_slots_ += kSlotsPerChunk;
  lengths_.resize(total_slots_);
  free_.reserve(total_slots_);
  // LIFO: the lowest indexes are handed out first and reused most.
  for (uint32_t i = kSlotsPerChunk; i-- > 0;) free_.push_back(first + i);
  ++stats_.slot_chunks;
  return true;
}

uint8_t* UdpEgress::SlotData(uint32_t index) const {
  return memory_->chunks[index / kSlotsPerChunk].get() + (index % kSlotsPerChunk) * kSendSlotBytes;
}

UdpEgress::Slot UdpEgress::Reserve() {
  if (free_.empty() && !GrowSlots()) {
    ++stats_.no_slot;
    kNoSendSlotDrops.Count();
    LOG_EVERY_SEC(Warn, "webrtc: all %zu send slots busy: packet dropped (raise webrtc.send_slots)",
                  total_slots_);
    return {};
  }
  uint32_t index = free_.back();
  free_.pop_back();
  return {index, std::span<uint8_t>(SlotData(index), kSendSlotBytes)};
}

void UdpEgress::Release(const Slot& slot) {
  if (!slot.bytes.empty()) free_.push_back(slot.index);
}

void UdpEgress::Commit(Destination& destination, const Slot& slot, size_t length) {
  if (slot.bytes.empty()) return;
  DCHECK(length > 0 && length <= kSendSlotBytes);
  if (!destination.has_address()) {
    Release(slot);
    return;
  }
  lengths_[slot.index] = static_cast<uint16_t>(length);
  destination.pending_.push_back(slot.index);
  if (destination.queued_on_ == nullptr) {
    destination.queued_on_ = this;
    queued_.push_back(&destination);
  }
}

void UdpEgress::CommitTo(const SocketAddress& address, const Slot& slot, size_t length) {
  Destination* destination = nullptr;
  for (size_t i = 0; i < one_off_used_; ++i) {
    const SocketAddress& other = one_off_[i]->address_;
    if (other.length == address.length &&
        memcmp(&other.storage, &address.storage, address.length) == 0) {
      destination = one_off_[i].get();
      break;
    }
  }
  if (destination == nullptr) {
    if (one_off_used_ == one_off_.size()) one_off_.push_back(std::make_unique<Destination>());
    destination = one_off_[one_off_used_++].get();
    destination->set_address(address);
  }
  Commit(*destination, slot, length);
}

void UdpEgress::FlushNow(Destination& destination) {
  FlushDestination(destination);
  std::erase(queued_, &destination);
  destination.queued_on_ = nullptr;
}

void UdpEgress::Drop(Destination& destination) {
  for (uint32_t index : destination.pending_) free_.push_back(index);
  destination.pending_.clear();
  if (destination.queued_on_ == this) {
    std::erase(queued_, &destination);
    destination.queued_on_ = nullptr;
  }
}

void UdpEgress::OnBatchEnd() {
  for (Destination* destination : queued_) {
    FlushDestination(*destination);
    destination->queued_on_ = nullptr;
  }
  queued_.clear();
  one_off_used_ = 0;
  packets_published_.store(stats_.packets, std::memory_order_relaxed);
}

UdpEgress::SendOp& UdpEgress::AcquireOp() {
  if (free_ops_.empty()) {
    ops_.push_back(std::make_unique<SendOp>(this));
    return *ops_.back();
  }
  SendOp* op = free_ops_.back();
  free_ops_.pop_back();
  return *op;
}

// Runs of equal-size packets to one address leave as one GSO sendmsg (the kernel's UDP_SEGMENT
// rule: every segment has gso_size bytes except the last, which may be shorter).
void UdpEgress::FlushDestination(Destination& destination) {
  std::vector<uint32_t>& pending = destination.pending_;
  size_t i = 0;
  while (i < pending.size()) {
    SendOp& op = AcquireOp();
    size_t segment = lengths_[pending[i]];
    size_t max_count = gso_ ? std::min(kMaxSegments, kMaxGsoBytes / segment) : 1;
    op.count = 0;
    op.bytes = 0;
    while (i < pending.size() && op.count < max_count) {
      uint32_t slot = pending[i];
      size_t length = lengths_[slot];
      if (length > segment) break;  // a larger packet starts a new run
      op.slots[op.count] = slot;
      op.iov[op.count] = {SlotData(slot), length};
      ++op.count;
      op.bytes += length;
      ++i;
      if (length < segment) break;  // a shorter one ends it
    }
    memcpy(&op.address, &destination.address_.storage, destination.address_.length);
    op.msg = {};
    op.msg.msg_name = &op.address;
    op.msg.msg_namelen = destination.address_.length;
    op.msg.msg_iov = op.iov;
    op.msg.msg_iovlen = op.count;
    if (op.count > 1) {
      op.msg.msg_control = op.control;
      op.msg.msg_controllen = sizeof(op.control);
      cmsghdr* cmsg = CMSG_FIRSTHDR(&op.msg);
      cmsg->cmsg_level = IPPROTO_UDP;
      cmsg->cmsg_type = UDP_SEGMENT;
      cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t gso_size = static_cast<uint16_t>(segment);
      memcpy(CMSG_DATA(cmsg), &gso_size, sizeof(gso_size));
    }
    io_uring_sqe* sqe = ring_.GetSqe(&op);
    io_uring_prep_sendmsg(sqe, fd_, &op.msg, 0);
    ++stats_.sendmsgs;
  }
  pending.clear();
}

void UdpEgress::OnSendDone(SendOp& op, int result) {
  if (result < 0) {
    stats_.errors += op.count;
    kSendFailedDrops.Count(op.count);
    std::string peer =
        FormatSocketAddress(reinterpret_cast<const sockaddr*>(&op.address), op.msg.msg_namelen);
    LOG_EVERY_SEC(Warn, "webrtc: send of %zu packets to %s failed: %s", op.count, peer,
                  strerror(-result));
  } else {
    stats_.packets += op.count;
    stats_.bytes += op.bytes;
  }
  for (size_t i = 0; i < op.count; ++i) free_.push_back(op.slots[i]);
  op.count = 0;
  free_ops_.push_back(&op);
}

}  // namespace ringcast::net::webrtc
