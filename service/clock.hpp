#pragma once
// Time as a dependency of whatever waits: the real one sleeps on a StopSignal, a test's fake one
// jumps ahead at once and records what was asked, so schedules are tested without sleeping.

#include <chrono>
#include <functional>

#include "service/stop_signal.hpp"

namespace hd::service {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
  // Sleeps up to `duration`; ends early when `stop` is requested or `woken()` turns true
  // (whoever makes it true calls stop.notify()).
  virtual void sleep(std::chrono::milliseconds duration, const StopSignal& stop,
                     const std::function<bool()>& woken) = 0;
};

// The steady clock, sleeping on the StopSignal. Stateless: one instance serves every thread.
class SystemClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::now();
  }
  void sleep(std::chrono::milliseconds duration, const StopSignal& stop,
             const std::function<bool()>& woken) override {
    stop.waitFor(duration, woken);
  }
};

Clock& systemClock();

}  // namespace hd::service
