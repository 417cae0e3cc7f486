#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace hd::service {

// A shutdown flag that sleepers can wait on, so SIGTERM interrupts a poll interval at once.
// Thread-safe.
class StopSignal {
 public:
  void requestStop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    changed_.notify_all();
  }

  bool stopRequested() const {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

  // Sleeps up to `duration`; returns true when a stop was requested meanwhile (or before).
  template <typename Rep, typename Period>
  bool waitFor(std::chrono::duration<Rep, Period> duration) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, duration, [this] { return stopped_; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopped_ = false;
};

}  // namespace hd::service
