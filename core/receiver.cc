#include "core/receiver.h"

#include <netinet/in.h>

#include "core/check.h"
#include "core/drop_counter.h"

namespace ringcast::core {
namespace {

const DropCounter kRxNoBuffersDrops(
    "rx_no_buffers", "a multishot receive ran out of ring buffers (re-armed; not data loss)");
const DropCounter kRxTruncatedDrops("rx_truncated", "a datagram larger than a ring buffer");

}  // namespace

Receiver::Receiver(Ring& ring, BufferRing& buffers, int fd, Mode mode, ReceiveHandler& handler)
    : ring_(ring), buffers_(buffers), fd_(fd), mode_(mode), handler_(&handler) {
  msghdr_.msg_namelen = sizeof(sockaddr_storage);
  msghdr_.msg_controllen = 0;
}

Receiver::~Receiver() {
  if (waiting_for_buffer_) buffers_.RemoveWaiter(this);
}

void Receiver::Start() { Arm(); }

void Receiver::Arm() {
  io_uring_sqe* sqe = ring_.GetSqe(this);
  if (mode_ == Mode::kStream) {
    io_uring_prep_recv_multishot(sqe, fd_, nullptr, 0, 0);
  } else {
    io_uring_prep_recvmsg_multishot(sqe, fd_, &msghdr_, 0);
  }
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = buffers_.group_id();
}

void Receiver::Detach() {
  handler_ = nullptr;
  ended_ = true;
  if (waiting_for_buffer_) {
    buffers_.RemoveWaiter(this);
    waiting_for_buffer_ = false;
  }
  ring_.Cancel(this);
}

void Receiver::Stop() {
  if (ended_ || handler_ == nullptr) return;
  ended_ = true;
  stopping_ = true;
  if (waiting_for_buffer_) {
    buffers_.RemoveWaiter(this);
    waiting_for_buffer_ = false;
  }
  if (inflight() == 0) {
    stopping_ = false;
    handler_->OnReceiveEnd(-ECANCELED);
    return;
  }
  ring_.Cancel(this);
}

void Receiver::RearmWhenBuffersFree() {
  if (buffers_.held() < buffers_.provided()) {
    Arm();
    return;
  }
  // Every buffer is with a consumer: re-arming now would fail at once. Wait for one to return.
  waiting_for_buffer_ = true;
  buffers_.AddWaiter(this);
}

void Receiver::OnBufferRecycled() {
  waiting_for_buffer_ = false;
  if (!ended_) Arm();
}

void Receiver::OnCompletion(const io_uring_cqe& cqe) {
  bool more = cqe.flags & IORING_CQE_F_MORE;
  if (cqe.flags & IORING_CQE_F_BUFFER) {
    uint16_t bid = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    buffers_.MarkHeld();
    if (handler_ == nullptr || cqe.res <= 0) {
      buffers_.Recycle(bid);
    } else if (mode_ == Mode::kStream) {
      handler_->OnReceive(buffers_.Bytes(bid, static_cast<size_t>(cqe.res)), nullptr, 0, bid);
    } else {
      std::span<uint8_t> raw = buffers_.Bytes(bid, static_cast<size_t>(cqe.res));
      io_uring_recvmsg_out* out = io_uring_recvmsg_validate(raw.data(), cqe.res, &msghdr_);
      if (out == nullptr || (out->flags & MSG_TRUNC)) {
        ++truncated_;
        kRxTruncatedDrops.Count();
        buffers_.Recycle(bid);
      } else {
        auto* payload = static_cast<uint8_t*>(io_uring_recvmsg_payload(out, &msghdr_));
        unsigned length = io_uring_recvmsg_payload_length(out, cqe.res, &msghdr_);
        handler_->OnReceive({payload, length},
                            static_cast<const sockaddr*>(io_uring_recvmsg_name(out)), out->namelen,
                            bid);
      }
    }
  }
  if (!more && stopping_ && handler_ != nullptr) {
    stopping_ = false;
    handler_->OnReceiveEnd(-ECANCELED);
    return;
  }
  if (more || ended_ || handler_ == nullptr) return;

  // The multishot has ended. Decide whether that is for good.
  int res = cqe.res;
  if (res == -ENOBUFS) {
    ++enobufs_;
    buffers_.OnExhausted();
    kRxNoBuffersDrops.Count();
  }
  bool stream_closed = mode_ == Mode::kStream && res == 0;
  bool soft = res >= 0 || res == -ENOBUFS || res == -EINTR || res == -EAGAIN;
  if (stream_closed || !soft) {
    ended_ = true;
    handler_->OnReceiveEnd(stream_closed ? 0 : res);
    return;
  }
  ++rearms_;
  RearmWhenBuffersFree();
}

}  // namespace ringcast::core
