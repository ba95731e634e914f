// SignalWatcher: delivers SIGTERM/SIGINT/SIGHUP (or any set) as completions on a Ring, through
// a signalfd read — no async signal handlers anywhere in ringcast.
//
// BlockSignals must run in main() before any thread starts, so every thread inherits the mask
// and the signals stay pending for the signalfd. Ring thread only (after construction).
#ifndef RINGCAST_CORE_SIGNALS_H_
#define RINGCAST_CORE_SIGNALS_H_

#include <sys/signalfd.h>

#include <functional>
#include <initializer_list>
#include <memory>

#include "core/ring.h"
#include "core/status.h"

namespace ringcast::core {

// Blocks `signals` in the calling thread (and so in threads it starts later).
absl::Status BlockSignals(std::initializer_list<int> signals);

class SignalWatcher final : public Completion {
 public:
  static absl::StatusOr<std::unique_ptr<SignalWatcher>> Create(
      Ring& ring, std::initializer_list<int> signals, std::function<void(int signo)> on_signal);
  ~SignalWatcher() override;

  void OnCompletion(const io_uring_cqe& cqe) override;

 private:
  SignalWatcher(Ring& ring, int fd, std::function<void(int)> on_signal)
      : ring_(ring), fd_(fd), on_signal_(std::move(on_signal)) {}
  void Arm();

  Ring& ring_;
  int fd_;
  std::function<void(int)> on_signal_;
  signalfd_siginfo info_{};
};

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_SIGNALS_H_
