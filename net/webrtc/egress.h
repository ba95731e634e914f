// UdpEgress: every datagram the WebRTC port sends — media, retransmissions, RTCP, STUN answers,
// DTLS flights — goes through here, so a completion batch leaves in as few system calls as the
// kernel allows (ARCHITECTURE.md, "A packet from a camera to a browser", steps 5 and 6).
//
//   Reserve() ─▶ caller writes the packet into the send slot and SRTP-protects it in place
//   Commit(destination, length) ─▶ queued on that destination
//   OnBatchEnd() (once per ring iteration) ─▶ per destination, each run of equal-size packets
//   (the last one may be shorter) becomes ONE IORING_OP_SENDMSG with UDP_SEGMENT (GSO); all of
//   them go to the kernel with the ring's next submit
//
// Send slots are fixed-size buffers allocated in chunks (at start, and on demand up to a cap),
// reused LIFO so a steady load keeps touching the same memory; nothing is allocated per packet.
// A slot belongs to the caller between Reserve and Commit, to its destination's queue until the
// flush, and to the kernel until the send's CQE returns it.
//
// Ownership and threads: one UdpEgress per UDP socket, on the worker that owns the socket; ring
// thread only. A Destination is owned by its session and may go away at any time: a flush copies
// the address into the send operation. Send operations are Completions; when the egress is
// destroyed with sends in flight, they are retired (cancel → drain → delete) and keep the slot
// memory alive until then.
#ifndef RINGCAST_NET_WEBRTC_EGRESS_H_
#define RINGCAST_NET_WEBRTC_EGRESS_H_

#include <sys/socket.h>
#include <sys/uio.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/ring.h"
#include "net/socket.h"

namespace ringcast::net::webrtc {

inline constexpr size_t kSendSlotBytes = 1536;  // > any SRTP packet we send (MTU 1500)

struct EgressOptions {
  size_t initial_slots = 1024;
  size_t max_slots = 65536;
  bool gso = true;  // webrtc.gso; also off when the kernel refuses UDP_SEGMENT
};

struct EgressStats {
  uint64_t packets = 0;  // datagrams handed to the kernel
  uint64_t bytes = 0;
  uint64_t sendmsgs = 0;  // system-call-equivalent operations
  uint64_t errors = 0;    // datagrams a send failed for (counted, logged rate-limited)
  uint64_t no_slot = 0;   // packets dropped because max_slots were all in use
  uint64_t slot_chunks = 0;
};

class UdpEgress final : private core::BatchEndHandler {
 public:
  // One viewer's address and its queue of committed packets.
  class Destination {
   public:
    Destination() = default;
    ~Destination();
    Destination(const Destination&) = delete;
    Destination& operator=(const Destination&) = delete;

    void set_address(const SocketAddress& address) { address_ = address; }
    const SocketAddress& address() const { return address_; }
    bool has_address() const { return address_.length > 0; }

   private:
    friend class UdpEgress;
    SocketAddress address_;
    std::vector<uint32_t> pending_;  // slot indexes, in send order
    UdpEgress* queued_on_ = nullptr;
  };

  UdpEgress(core::Ring& ring, int fd, const EgressOptions& options);
  ~UdpEgress();

  struct Slot {
    uint32_t index = 0;
    std::span<uint8_t> bytes;  // kSendSlotBytes; empty when none is free
  };
  // A free send slot; empty `bytes` (and a no_slot count) when max_slots are all busy.
  Slot Reserve();
  // Queues the first `length` bytes of the reserved slot for `destination`.
  void Commit(Destination& destination, const Slot& slot, size_t length);
  // Queues the slot for a one-off address (a STUN answer to wherever the request came from).
  void CommitTo(const SocketAddress& address, const Slot& slot, size_t length);
  // Returns a reserved slot unused.
  void Release(const Slot& slot);
  // Forgets everything queued for `destination`.
  void Drop(Destination& destination);
  // Sends what is queued for `destination` now (it is going away; its last packets, e.g. an
  // RTCP BYE, still leave).
  void FlushNow(Destination& destination);

  void set_gso(bool gso) { gso_ = gso && gso_supported_; }
  bool gso() const { return gso_; }
  const EgressStats& stats() const { return stats_; }
  // stats().packets as of the end of the last batch. Any thread.
  uint64_t packets_published() const { return packets_published_.load(std::memory_order_relaxed); }
  size_t slots_in_use() const { return total_slots_ - free_.size(); }
  size_t slot_bytes() const { return total_slots_ * kSendSlotBytes; }

  // Flushes every queued destination now (tests; the ring calls it at each batch end).
  void Flush() { OnBatchEnd(); }

 private:
  struct Memory;  // slot chunks, shared with in-flight sends
  class SendOp;

  void OnBatchEnd() override;
  void FlushDestination(Destination& destination);
  SendOp& AcquireOp();
  void OnSendDone(SendOp& op, int result);
  bool GrowSlots();
  uint8_t* SlotData(uint32_t index) const;

  core::Ring& ring_;
  int fd_;
  EgressOptions options_;
  bool gso_supported_ = true;
  bool gso_ = true;
  std::shared_ptr<Memory> memory_;
  std::vector<uint16_t> lengths_;  // per slot, while queued or in flight
  std::vector<uint32_t> free_;
  size_t total_slots_ = 0;
  std::vector<Destination*> queued_;
  std::vector<std::unique_ptr<Destination>> one_off_;  // CommitTo's, reused every batch
  size_t one_off_used_ = 0;
  std::vector<std::unique_ptr<SendOp>> ops_;
  std::vector<SendOp*> free_ops_;
  EgressStats stats_;
  std::atomic<uint64_t> packets_published_{0};  // read by the control thread
};

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_EGRESS_H_
