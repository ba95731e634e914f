#include "core/signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include "core/log.h"

namespace ringcast::core {
namespace {

sigset_t MakeSet(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int signo : signals) sigaddset(&set, signo);
  return set;
}

}  // namespace

absl::Status BlockSignals(std::initializer_list<int> signals) {
  sigset_t set = MakeSet(signals);
  int err = pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (err != 0) return ErrnoStatus(err, "pthread_sigmask");
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SignalWatcher>> SignalWatcher::Create(
    Ring& ring, std::initializer_list<int> signals, std::function<void(int)> on_signal) {
  sigset_t set = MakeSet(signals);
  int fd = signalfd(-1, &set, SFD_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "signalfd");
  std::unique_ptr<SignalWatcher> watcher(new SignalWatcher(ring, fd, std::move(on_signal)));
  watcher->Arm();
  return watcher;
}

SignalWatcher::~SignalWatcher() { ::close(fd_); }

void SignalWatcher::Arm() {
  io_uring_sqe* sqe = ring_.GetSqe(this);
  io_uring_prep_read(sqe, fd_, &info_, sizeof(info_), 0);
}

void SignalWatcher::OnCompletion(const io_uring_cqe& cqe) {
  if (cqe.res == -ECANCELED) return;
  if (cqe.res == static_cast<int>(sizeof(info_))) {
    on_signal_(static_cast<int>(info_.ssi_signo));
  } else if (cqe.res < 0) {
    LOG_ERROR("signals: signalfd read failed: %s", strerror(-cqe.res));
  }
  if (!ring_.stopping()) Arm();
}

}  // namespace ringcast::core
