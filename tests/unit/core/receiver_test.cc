// Receiver + BufferRing over real loopback sockets: multishot recv (TCP) and recvmsg (UDP),
// buffer ids recycled only when the consumer lets go, and the -ENOBUFS re-arm when many more
// messages arrive than the ring has buffers.
#include "core/receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "gtest/gtest.h"
#include "net/socket.h"

namespace ringcast::core {
namespace {

template <typename Done>
void RunUntil(Ring& ring, Done done, int64_t limit_ns = 20 * kNsPerSec) {
  int64_t give_up = NowNs() + limit_ns;
  while (!done() && NowNs() < give_up) ring.RunOnce(10 * kNsPerMs);
}

// Keeps every buffer until the ring is empty, then gives them all back: the kernel is starved on
// purpose, so the multishot ends with -ENOBUFS again and again.
class HoardingHandler final : public ReceiveHandler {
 public:
  explicit HoardingHandler(BufferRing& buffers) : buffers_(buffers) {}

  void OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                 uint16_t bid) override {
    received.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    ++messages;
    if (from != nullptr) sources.push_back(net::FormatSocketAddress(from, from_len));
    held_.push_back(bid);
    max_held = std::max<size_t>(max_held, held_.size());
    if (buffers_.held() == buffers_.provided()) ReleaseAll();
  }
  void OnReceiveEnd(int error) override {
    ended = true;
    end_error = error;
    ReleaseAll();
  }
  void ReleaseAll() {
    while (!held_.empty()) {
      buffers_.Recycle(held_.front());
      held_.pop_front();
    }
  }

  std::string received;
  size_t messages = 0;
  size_t max_held = 0;
  std::vector<std::string> sources;
  bool ended = false;
  int end_error = 1;

 private:
  BufferRing& buffers_;
  std::deque<uint16_t> held_;
};

class ReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ring = Ring::Create(RingOptions{});
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(ring).value();
    auto buffers = BufferRing::Create(*ring_, 1, kBuffers, 256);
    ASSERT_TRUE(buffers.ok()) << buffers.status();
    buffers_ = std::move(buffers).value();
  }
  void TearDown() override {
    if (ring_ != nullptr) ring_->CancelAllAndDrain();
  }

  static constexpr uint32_t kBuffers = 8;
  std::unique_ptr<Ring> ring_;
  std::unique_ptr<BufferRing> buffers_;
};

TEST_F(ReceiverTest, TcpStreamArrivesWholeAndInOrderThroughFewBuffers) {
  auto address = net::ParseSocketAddress("127.0.0.1:0");
  ASSERT_TRUE(address.ok());
  auto listener = net::ListenTcp(*address);
  ASSERT_TRUE(listener.ok()) << listener.status();
  int port = *net::LocalPort(listener->get());

  // 4000 messages of 100 bytes = 400 KB through 8 buffers of 256 bytes.
  std::string expected;
  for (int i = 0; i < 4000; ++i) {
    std::string line = "message " + std::to_string(i) + " ";
    line.resize(100, '.');
    expected += line;
  }
  std::thread sender([port, &expected] {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) return;
    for (size_t off = 0; off < expected.size(); off += 100) {
      ssize_t n = send(fd, expected.data() + off, 100, MSG_NOSIGNAL);
      if (n != 100) break;
    }
    close(fd);
  });
  int connection = accept(listener->get(), nullptr, nullptr);
  ASSERT_GE(connection, 0);

  HoardingHandler handler(*buffers_);
  auto receiver =
      std::make_unique<Receiver>(*ring_, *buffers_, connection, Receiver::Mode::kStream, handler);
  receiver->Start();
  RunUntil(*ring_, [&] { return handler.ended; });
  sender.join();

  EXPECT_TRUE(handler.ended);
  EXPECT_EQ(handler.end_error, 0);  // orderly close
  EXPECT_EQ(handler.received.size(), expected.size());
  EXPECT_TRUE(handler.received == expected);
  EXPECT_EQ(handler.max_held, kBuffers);  // the consumer really held every buffer at once
  EXPECT_GT(receiver->enobufs(), 0u);
  EXPECT_GT(receiver->rearms(), 0u);
  EXPECT_EQ(buffers_->held(), 0u);  // every id went back
  ring_->Retire(std::move(receiver));
  close(connection);
}

TEST_F(ReceiverTest, UdpDatagramsKeepTheirBoundariesAndSource) {
  auto address = net::ParseSocketAddress("127.0.0.1:0");
  ASSERT_TRUE(address.ok());
  auto socket_fd = net::BindUdp(*address);
  ASSERT_TRUE(socket_fd.ok()) << socket_fd.status();
  int port = *net::LocalPort(socket_fd->get());
  int big = 8 << 20;  // room for a whole burst while the ring is starved
  setsockopt(socket_fd->get(), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));

  HoardingHandler handler(*buffers_);
  Receiver receiver(*ring_, *buffers_, socket_fd->get(), Receiver::Mode::kDatagram, handler);
  receiver.Start();

  int sender = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(sender, reinterpret_cast<sockaddr*>(&from), sizeof(from)), 0);
  int sender_port = *net::LocalPort(sender);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  constexpr int kDatagrams = 1000;  // 125 times the ring's buffers
  std::string expected;
  for (int burst = 0; burst < kDatagrams / 100; ++burst) {
    for (int i = burst * 100; i < (burst + 1) * 100; ++i) {
      std::string payload = "datagram-" + std::to_string(i) + ";";
      expected += payload;
      ASSERT_EQ(sendto(sender, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to),
                       sizeof(to)),
                static_cast<ssize_t>(payload.size()));
    }
    size_t want = static_cast<size_t>((burst + 1) * 100);
    RunUntil(*ring_, [&] { return handler.messages == want; });
  }
  EXPECT_EQ(handler.messages, static_cast<size_t>(kDatagrams));
  EXPECT_TRUE(handler.received == expected);
  EXPECT_GT(receiver.enobufs(), 0u);
  ASSERT_FALSE(handler.sources.empty());
  EXPECT_EQ(handler.sources.front(), "127.0.0.1:" + std::to_string(sender_port));
  handler.ReleaseAll();
  EXPECT_EQ(buffers_->held(), 0u);
  receiver.Detach();
  ring_->CancelAllAndDrain();
  EXPECT_EQ(receiver.inflight(), 0);
  close(sender);
}

TEST_F(ReceiverTest, OversizedDatagramIsDroppedAndCounted) {
  auto address = net::ParseSocketAddress("127.0.0.1:0");
  auto socket_fd = net::BindUdp(*address);
  ASSERT_TRUE(socket_fd.ok());
  int port = *net::LocalPort(socket_fd->get());
  HoardingHandler handler(*buffers_);
  Receiver receiver(*ring_, *buffers_, socket_fd->get(), Receiver::Mode::kDatagram, handler);
  receiver.Start();
  int sender = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string too_big(1000, 'x');  // buffers are 256 bytes
  std::string fits = "ok";
  sendto(sender, too_big.data(), too_big.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  sendto(sender, fits.data(), fits.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  RunUntil(*ring_, [&] { return handler.messages == 1; });
  EXPECT_EQ(handler.received, "ok");
  EXPECT_EQ(receiver.truncated(), 1u);
  handler.ReleaseAll();
  receiver.Detach();
  ring_->CancelAllAndDrain();  // `receiver` lives on the stack: nothing may be in flight after it
  close(sender);
}

TEST_F(ReceiverTest, DetachedReceiverNeverCallsItsHandlerAgain) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  auto handler = std::make_unique<HoardingHandler>(*buffers_);
  auto receiver =
      std::make_unique<Receiver>(*ring_, *buffers_, fds[0], Receiver::Mode::kStream, *handler);
  receiver->Start();
  ring_->RunOnce(0);
  receiver->Detach();
  ring_->Retire(std::move(receiver));
  handler.reset();  // the handler is gone; a stray callback would be a use-after-free
  ASSERT_EQ(write(fds[1], "late", 4), 4);
  RunUntil(*ring_, [&] { return ring_->inflight() <= 1; });
  EXPECT_EQ(ring_->inflight(), 1);  // only the ring's eventfd read is left
  close(fds[0]);
  close(fds[1]);
}

}  // namespace
}  // namespace ringcast::core
