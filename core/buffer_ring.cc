#include "core/buffer_ring.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>

#include "core/check.h"
#include "core/log.h"

namespace ringcast::core {

absl::StatusOr<std::unique_ptr<BufferRing>> BufferRing::Create(Ring& ring, uint16_t group_id,
                                                               uint32_t count,
                                                               uint32_t buffer_size) {
  if (count == 0 || count > 32768) {
    return absl::InvalidArgumentError(absl::StrFormat("buffer ring: %u buffers (1..32768)", count));
  }
  if (buffer_size < 64) {
    return absl::InvalidArgumentError(
        absl::StrFormat("buffer ring: %u-byte buffers (>= 64)", buffer_size));
  }
  count = std::bit_ceil(count);
  std::unique_ptr<BufferRing> buffers(new BufferRing(ring, group_id, count, buffer_size));

  buffers->br_bytes_ = sizeof(io_uring_buf) * count;
  void* br =
      mmap(nullptr, buffers->br_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (br == MAP_FAILED) return ErrnoStatus(errno, "buffer ring: mmap ring");
  buffers->br_ = static_cast<io_uring_buf_ring*>(br);

  buffers->base_bytes_ = size_t{count} * buffer_size;
  void* base = mmap(nullptr, buffers->base_bytes_, PROT_READ | PROT_WRITE,
                    MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (base == MAP_FAILED) return ErrnoStatus(errno, "buffer ring: mmap buffers");
  buffers->base_ = static_cast<uint8_t*>(base);

  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(br);
  reg.ring_entries = count;
  reg.bgid = group_id;
  int ret = io_uring_register_buf_ring(ring.raw(), &reg, 0);
  if (ret < 0) {
    return ErrnoStatus(
        -ret, absl::StrFormat("io_uring_register_buf_ring(group %u, %u buffers)", group_id, count));
  }
  buffers->registered_ = true;

  io_uring_buf_ring_init(buffers->br_);
  buffers->ProvideMore();
  return buffers;
}

void BufferRing::ProvideMore() {
  const uint32_t from = provided_;
  const uint32_t to = std::min(count_, std::max(kInitialBuffers, provided_ * 2));
  const int mask = io_uring_buf_ring_mask(count_);
  for (uint32_t bid = from; bid < to; ++bid) {
    io_uring_buf_ring_add(br_, base_ + size_t{bid} * buffer_size_, buffer_size_,
                          static_cast<uint16_t>(bid), mask, static_cast<int>(bid - from));
  }
  io_uring_buf_ring_advance(br_, static_cast<int>(to - from));
  provided_ = to;
  provided_now_.store(to, std::memory_order_relaxed);
}

BufferRing::~BufferRing() {
  if (registered_) io_uring_unregister_buf_ring(ring_.raw(), group_id_);
  if (base_ != nullptr) munmap(base_, base_bytes_);
  if (br_ != nullptr) munmap(br_, br_bytes_);
}

void BufferRing::Recycle(uint16_t bid) {
  DCHECK(bid < count_);
  DCHECK(held_ > 0);
  io_uring_buf_ring_add(br_, base_ + size_t{bid} * buffer_size_, buffer_size_, bid,
                        io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(br_, 1);
  --held_;
  if (!waiters_.empty()) {
    std::vector<Waiter*> waiters;
    waiters.swap(waiters_);
    for (Waiter* waiter : waiters) waiter->OnBufferRecycled();
  }
}

}  // namespace ringcast::core
