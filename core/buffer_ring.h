// BufferRing: a provided buffer ring (IORING_REGISTER_PBUF_RING) that multishot receives fill.
//
// The kernel picks a free buffer for each completion and reports its id in the CQE; from then
// on the bytes belong to the consumer, which hands the buffer back with Recycle(bid) once it is
// done with them — not before. Until then the kernel cannot reuse it, so a consumer that keeps
// buffers starves every receive on the ring (they end with -ENOBUFS; see Receiver).
//
// The ring memory is mmap'd here and registered with io_uring_register_buf_ring (liburing 2.3
// has no io_uring_setup_buf_ring). Owned by the code that owns the Ring; ring thread only.
//
// Sized by load: the whole pool is reserved (address space), but only kInitialBuffers are given
// to the kernel at first, and more — doubling, up to count() — when the consumers hold most of
// them. The kernel takes provided buffers in turn, so every provided buffer ends up touched: a
// quiet ring (an idle worker, the control thread) keeps a few pages resident, not the pool.
#ifndef RINGCAST_CORE_BUFFER_RING_H_
#define RINGCAST_CORE_BUFFER_RING_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/ring.h"
#include "core/status.h"

namespace ringcast::core {

class BufferRing {
 public:
  // `count` is rounded up to a power of two (at most 32768); every buffer has `buffer_size`
  // bytes.
  static absl::StatusOr<std::unique_ptr<BufferRing>> Create(Ring& ring, uint16_t group_id,
                                                            uint32_t count, uint32_t buffer_size);
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  static constexpr uint32_t kInitialBuffers = 64;

  uint16_t group_id() const { return group_id_; }
  // The pool: how many buffers the ring may grow to.
  uint32_t count() const { return count_; }
  // How many the kernel has been given so far.
  uint32_t provided() const { return provided_; }
  // The same, for the control thread's figures. Any thread.
  uint32_t provided_now() const { return provided_now_.load(std::memory_order_relaxed); }
  uint32_t buffer_size() const { return buffer_size_; }

  // The bytes of buffer `bid`, as the kernel filled them (first `length` bytes).
  std::span<uint8_t> Bytes(uint16_t bid, size_t length) {
    return {base_ + size_t{bid} * buffer_size_, length};
  }

  // Called by receivers for each CQE that carries a buffer: the consumer now holds it. Provides
  // more buffers when the consumers hold three quarters of them.
  void MarkHeld() {
    if (++held_ * 4 >= provided_ * 3 && provided_ < count_) ProvideMore();
  }
  // Hands buffer `bid` back to the kernel.
  void Recycle(uint16_t bid);
  // A receive ran out of buffers (-ENOBUFS): more of the pool, if there is more.
  void OnExhausted() {
    if (provided_ < count_) ProvideMore();
  }
  // Buffers the consumers hold right now; provided() - held() are the kernel's.
  uint32_t held() const { return held_; }

  // Something waiting for a buffer to come back (a receive that ran dry).
  class Waiter {
   public:
    virtual void OnBufferRecycled() = 0;

   protected:
    ~Waiter() = default;
  };
  // `waiter` is told once, at the next Recycle. A waiter that goes away first must call
  // RemoveWaiter.
  void AddWaiter(Waiter* waiter) { waiters_.push_back(waiter); }
  void RemoveWaiter(Waiter* waiter) { std::erase(waiters_, waiter); }

 private:
  BufferRing(Ring& ring, uint16_t group_id, uint32_t count, uint32_t buffer_size)
      : ring_(ring), group_id_(group_id), count_(count), buffer_size_(buffer_size) {}

  Ring& ring_;
  uint16_t group_id_;
  uint32_t count_;
  uint32_t buffer_size_;
  io_uring_buf_ring* br_ = nullptr;
  size_t br_bytes_ = 0;
  uint8_t* base_ = nullptr;
  size_t base_bytes_ = 0;
  bool registered_ = false;
  uint32_t held_ = 0;
  uint32_t provided_ = 0;
  std::atomic<uint32_t> provided_now_{0};  // provided_, read by the control thread
  std::vector<Waiter*> waiters_;

  // Gives the kernel the next buffers of the pool (as many again, or what is left).
  void ProvideMore();
};

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_BUFFER_RING_H_
