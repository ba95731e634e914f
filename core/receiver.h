// Receiver: a multishot recv (stream sockets) or recvmsg (datagram sockets) into a BufferRing.
//
// One SQE keeps receiving until the kernel ends it: each CQE carries a buffer id
// (cqe->flags >> IORING_CQE_BUFFER_SHIFT) whose bytes now belong to the handler, which calls
// BufferRing::Recycle(bid) when it is done with them. A CQE without IORING_CQE_F_MORE ends the
// multishot; the Receiver re-arms it — also after -ENOBUFS, which only means the buffer ring
// ran dry (soft: re-armed at once if the kernel still has buffers, otherwise at the next
// Recycle). Modelled on liburing's examples/io_uring-udp.c.
//
// Ownership: the Receiver never owns the socket or the handler. To stop, call Detach() (no
// handler calls after it) and give the Receiver to Ring::Retire. Ring thread only.
#ifndef RINGCAST_CORE_RECEIVER_H_
#define RINGCAST_CORE_RECEIVER_H_

#include <sys/socket.h>

#include <cstdint>
#include <span>

#include "core/buffer_ring.h"
#include "core/ring.h"

namespace ringcast::core {

class ReceiveHandler {
 public:
  virtual ~ReceiveHandler() = default;
  // Stream bytes (kStream) or one datagram's payload with its source (kDatagram; `from` is
  // nullptr for streams). The bytes stay valid until the handler recycles `bid`.
  virtual void OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                         uint16_t bid) = 0;
  // The receive ended for good: 0 when a stream peer closed, otherwise -errno.
  virtual void OnReceiveEnd(int error) = 0;
};

class Receiver final : public Completion, private BufferRing::Waiter {
 public:
  enum class Mode { kStream, kDatagram };

  Receiver(Ring& ring, BufferRing& buffers, int fd, Mode mode, ReceiveHandler& handler);
  ~Receiver() override;

  void Start();
  // No handler calls from now on; pending operations are cancelled. Retire the Receiver next.
  void Detach();
  // Stops receiving but keeps the handler: what the kernel completes before the cancel takes
  // effect is still delivered, then OnReceiveEnd(-ECANCELED) says nothing more will come (at
  // once when no receive is in flight). For handing a socket to another ring without losing or
  // reordering a byte.
  void Stop();

  uint64_t enobufs() const { return enobufs_; }
  uint64_t rearms() const { return rearms_; }
  uint64_t truncated() const { return truncated_; }

  void OnCompletion(const io_uring_cqe& cqe) override;

 private:
  void Arm();
  void RearmWhenBuffersFree();
  void OnBufferRecycled() override;

  Ring& ring_;
  BufferRing& buffers_;
  int fd_;
  Mode mode_;
  ReceiveHandler* handler_;
  msghdr msghdr_{};  // recvmsg layout template: the kernel reads it for every datagram
  bool ended_ = false;
  bool stopping_ = false;  // Stop(): OnReceiveEnd(-ECANCELED) when the last CQE is in
  bool waiting_for_buffer_ = false;
  uint64_t enobufs_ = 0;
  uint64_t rearms_ = 0;
  uint64_t truncated_ = 0;
};

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_RECEIVER_H_
