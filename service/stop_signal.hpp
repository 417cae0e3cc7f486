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

  // The same, but also ends when `woken()` is true; whoever makes it true calls notify().
  template <typename Rep, typename Period, typename Woken>
  bool waitFor(std::chrono::duration<Rep, Period> duration, const Woken& woken) const {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, duration, [&] { return stopped_ || woken(); });
    return stopped_;
  }

  // Wakes every waiter to look at its condition again.
  void notify() const {
    { std::lock_guard lock(mutex_); }  // a waiter between its check and its wait is not missed
    changed_.notify_all();
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopped_ = false;
};

}  // namespace hd::service
