#pragma once
// Periodic work as a primitive: run a body, wait, run it again, until stopped. After a good run it
// waits the interval (plus up to `jitter` at random); after a failed one an exponential backoff
// with jitter (service/backoff.hpp), never shorter than what the server asked for. Hooks let the
// owner spend the wait differently (waiting on IMAP IDLE for news) and end a wait early (a
// condition asked every `recheck_every`, or wake() from any thread). runNow() runs the body once
// with the same bookkeeping, for tests and one-shot use; time comes from a Clock, so a fake one
// tests the schedule without sleeping.
//
// run() and runNow() belong to one thread; wake() may be called from any. The body must not throw
// (an exception ends run() and propagates).

#include <atomic>
#include <chrono>
#include <functional>
#include <random>

#include "service/backoff.hpp"
#include "service/clock.hpp"
#include "service/stop_signal.hpp"

namespace hd::service {

struct PeriodicSchedule {
  std::chrono::milliseconds interval{60'000};
  std::chrono::milliseconds jitter{0};  // added at random to every interval, up to this much
  std::chrono::milliseconds error_initial{5'000};
  std::chrono::milliseconds error_max{600'000};
  // How often Hooks::wake_when is asked while waiting (zero: never).
  std::chrono::milliseconds recheck_every{0};
};

// What one run of the body tells the schedule.
struct RunOutcome {
  bool ok = true;
  std::chrono::milliseconds server_backoff{0};  // the server's requested wait after a failure
};

class PeriodicTask {
 public:
  using Body = std::function<RunOutcome()>;
  struct Hooks {
    // After every run, with the wait the schedule chose: may spend some of it (waiting on the
    // server for news) and returns what is still to be waited (zero: run again now).
    std::function<std::chrono::milliseconds(std::chrono::milliseconds wait, const RunOutcome& last,
                                            const StopSignal& stop)>
        between_runs;
    // Asked every PeriodicSchedule::recheck_every while waiting: true ends the wait.
    std::function<bool()> wake_when;
  };

  PeriodicTask(PeriodicSchedule schedule, Body body, Hooks hooks = {}, Clock& clock = systemClock(),
               unsigned seed = std::random_device{}());

  // Runs the body once; counts failures in a row and chooses the wait that follows.
  RunOutcome runNow();
  std::chrono::milliseconds nextWait() const { return next_wait_; }
  int consecutiveFailures() const { return failures_; }

  // Runs and waits until `stop` (asked before every run, and it ends a wait at once).
  void run(const StopSignal& stop);

  // Ends the wait under way, or the next one when a run is under way: the body runs again now.
  void wake();

 private:
  // Returns true when stopped.
  bool wait(std::chrono::milliseconds duration, const StopSignal& stop);

  PeriodicSchedule schedule_;
  Body body_;
  Hooks hooks_;
  Clock& clock_;
  Backoff backoff_;
  std::mt19937 random_;
  int failures_ = 0;
  std::chrono::milliseconds next_wait_{0};
  std::atomic<bool> woken_{false};
  std::atomic<const StopSignal*> stop_{nullptr};  // while run() runs: wake() notifies its waiters
};

}  // namespace hd::service
