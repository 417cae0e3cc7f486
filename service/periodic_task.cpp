#include "service/periodic_task.hpp"

#include <algorithm>

namespace hd::service {

Clock& systemClock() {
  static SystemClock clock;
  return clock;
}

PeriodicTask::PeriodicTask(PeriodicSchedule schedule, Body body, Hooks hooks, Clock& clock,
                           unsigned seed)
    : schedule_(schedule),
      body_(std::move(body)),
      hooks_(std::move(hooks)),
      clock_(clock),
      backoff_(schedule.error_initial, schedule.error_max, seed),
      random_(seed + 1) {}

RunOutcome PeriodicTask::runNow() {
  RunOutcome outcome = body_();
  if (outcome.ok) {
    failures_ = 0;
    next_wait_ = schedule_.interval;
    if (schedule_.jitter.count() > 0) {
      std::uniform_int_distribution<long long> jitter(0, schedule_.jitter.count());
      next_wait_ += std::chrono::milliseconds(jitter(random_));
    }
  } else {
    ++failures_;
    next_wait_ = std::max(backoff_.delayAfter(failures_), outcome.server_backoff);
  }
  return outcome;
}

void PeriodicTask::run(const StopSignal& stop) {
  stop_ = &stop;
  while (!stop.stopRequested()) {
    woken_ = false;  // a wake() during the run cuts the wait after it
    const RunOutcome outcome = runNow();
    std::chrono::milliseconds left = next_wait_;
    if (hooks_.between_runs) left = hooks_.between_runs(left, outcome, stop);
    if (wait(left, stop)) break;
  }
  stop_ = nullptr;
}

bool PeriodicTask::wait(std::chrono::milliseconds duration, const StopSignal& stop) {
  const auto deadline = clock_.now() + duration;
  const bool recheck = hooks_.wake_when && schedule_.recheck_every.count() > 0;
  const auto woken = [this] { return woken_.load(); };
  for (;;) {
    if (stop.stopRequested()) return true;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_.now());
    if (left.count() <= 0 || woken_) return false;
    clock_.sleep(recheck ? std::min(left, schedule_.recheck_every) : left, stop, woken);
    if (stop.stopRequested()) return true;
    if (recheck && !woken_ && clock_.now() < deadline && hooks_.wake_when()) return false;
  }
}

void PeriodicTask::wake() {
  woken_ = true;
  if (const StopSignal* stop = stop_.load()) stop->notify();
}

}  // namespace hd::service
