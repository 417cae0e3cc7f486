// PeriodicTask on a fake clock that jumps ahead instead of sleeping: the interval, its jitter, the
// backoff after failures (and the server's longer wait), the hooks that spend or end a wait,
// wake() and stop. Nothing here sleeps or measures time.

#include "service/periodic_task.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace hd::service {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Records every sleep asked of it and moves its time forward by that much at once.
class FakeClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override { return now_; }
  void sleep(milliseconds duration, const StopSignal& stop,
             const std::function<bool()>& woken) override {
    if (stop.stopRequested() || woken()) return;
    slept.push_back(duration);
    now_ += duration;
    if (after_sleep) after_sleep();
  }
  std::vector<milliseconds> slept;
  std::function<void()> after_sleep;

 private:
  std::chrono::steady_clock::time_point now_{};
};

PeriodicSchedule schedule() {
  PeriodicSchedule s;
  s.interval = 1000ms;
  s.error_initial = 100ms;
  s.error_max = 400ms;
  return s;
}

// A body that answers from a script and asks for a stop after its last answer.
struct ScriptedBody {
  std::vector<RunOutcome> script;
  StopSignal* stop;
  std::size_t runs = 0;
  RunOutcome operator()() {
    const RunOutcome outcome = script.at(runs++);
    if (runs == script.size()) stop->requestStop();
    return outcome;
  }
};

// A body that always succeeds and counts its runs.
PeriodicTask::Body countingRuns(int& runs) {
  return [&runs] {
    ++runs;
    return RunOutcome{};
  };
}

TEST(PeriodicTask, GoodRunsAreAnIntervalApart) {
  FakeClock clock;
  StopSignal stop;
  int runs = 0;
  PeriodicTask task(
      schedule(),
      [&] {
        if (++runs == 3) stop.requestStop();
        return RunOutcome{};
      },
      {}, clock);
  task.run(stop);
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(clock.slept, (std::vector<milliseconds>{1000ms, 1000ms}));
}

TEST(PeriodicTask, JitterAddsUpToItsBoundToTheInterval) {
  FakeClock clock;
  PeriodicSchedule s = schedule();
  s.jitter = 200ms;
  PeriodicTask task(
      s, [] { return RunOutcome{}; }, {}, clock, 7);
  std::set<long long> seen;
  for (int i = 0; i < 50; ++i) {
    task.runNow();
    EXPECT_GE(task.nextWait(), 1000ms);
    EXPECT_LE(task.nextWait(), 1200ms);
    seen.insert(task.nextWait().count());
  }
  EXPECT_GT(seen.size(), 1u) << "the waits should differ";
}

TEST(PeriodicTask, FailuresBackOffExponentiallyUpToTheCapAndASuccessResets) {
  FakeClock clock;
  bool ok = false;
  PeriodicTask task(
      schedule(), [&] { return RunOutcome{ok}; }, {}, clock, 1);
  const std::vector<std::pair<milliseconds, milliseconds>> ranges = {
      {50ms, 100ms}, {100ms, 200ms}, {200ms, 400ms}, {200ms, 400ms}};
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_FALSE(task.runNow().ok);
    EXPECT_EQ(task.consecutiveFailures(), static_cast<int>(i + 1));
    EXPECT_GE(task.nextWait(), ranges[i].first) << i;
    EXPECT_LE(task.nextWait(), ranges[i].second) << i;
  }
  ok = true;
  task.runNow();
  EXPECT_EQ(task.consecutiveFailures(), 0);
  EXPECT_EQ(task.nextWait(), 1000ms);
  ok = false;
  task.runNow();
  EXPECT_LE(task.nextWait(), 100ms) << "the backoff starts over";
}

TEST(PeriodicTask, AServersRequestedBackoffIsHonouredWhenLongerThanOurs) {
  FakeClock clock;
  milliseconds asked{299961};
  PeriodicTask task(
      schedule(),
      [&] {
        return RunOutcome{false, asked};
      },
      {}, clock);
  task.runNow();
  EXPECT_EQ(task.nextWait(), 299961ms);
  asked = 10ms;  // shorter than ours: ours wins
  task.runNow();
  EXPECT_GE(task.nextWait(), 100ms);
}

TEST(PeriodicTask, FailedRunsInTheLoopWaitTheBackoff) {
  FakeClock clock;
  StopSignal stop;
  ScriptedBody body{{{false}, {false, 5000ms}, {true}}, &stop};
  PeriodicTask task(schedule(), std::ref(body), {}, clock, 3);
  task.run(stop);
  ASSERT_EQ(clock.slept.size(), 2u);
  EXPECT_GE(clock.slept[0], 50ms);
  EXPECT_LE(clock.slept[0], 100ms);
  EXPECT_EQ(clock.slept[1], 5000ms);
}

TEST(PeriodicTask, BetweenRunsHookSpendsPartOfTheWait) {
  FakeClock clock;
  StopSignal stop;
  ScriptedBody body{{{true}, {false}, {true}}, &stop};
  std::vector<std::pair<milliseconds, bool>> asked;
  PeriodicTask::Hooks hooks;
  hooks.between_runs = [&](milliseconds wait, const RunOutcome& last, const StopSignal&) {
    asked.emplace_back(wait, last.ok);
    return last.ok ? milliseconds(0) : wait / 2;  // news at once after a good run
  };
  PeriodicSchedule s = schedule();
  s.error_initial = s.error_max = 400ms;
  PeriodicTask task(s, std::ref(body), hooks, clock, 5);
  task.run(stop);
  EXPECT_EQ(body.runs, 3u);
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_EQ(asked[0], std::make_pair(1000ms, true));
  EXPECT_FALSE(asked[1].second);
  ASSERT_EQ(clock.slept.size(), 1u) << "only the failed run's remainder is slept";
  EXPECT_EQ(clock.slept[0], asked[1].first / 2);
}

TEST(PeriodicTask, WakeWhenIsAskedEveryRecheckAndEndsTheWait) {
  FakeClock clock;
  StopSignal stop;
  ScriptedBody body{{{false}, {true}}, &stop};
  PeriodicSchedule s = schedule();
  s.error_initial = s.error_max = 1000ms;  // backoff jitter: [500, 1000] ms
  s.recheck_every = 100ms;
  int asked = 0;
  PeriodicTask::Hooks hooks;
  hooks.wake_when = [&] { return ++asked == 3; };
  PeriodicTask task(s, std::ref(body), hooks, clock);
  task.run(stop);
  EXPECT_EQ(asked, 3);
  EXPECT_EQ(clock.slept, (std::vector<milliseconds>{100ms, 100ms, 100ms}));
  EXPECT_EQ(body.runs, 2u);
}

TEST(PeriodicTask, RecheckSlicesTheWholeWaitWhenNothingWakesIt) {
  FakeClock clock;
  StopSignal stop;
  ScriptedBody body{{{true}, {true}}, &stop};
  PeriodicSchedule s = schedule();
  s.interval = 250ms;
  s.recheck_every = 100ms;
  PeriodicTask::Hooks hooks;
  hooks.wake_when = [] { return false; };
  PeriodicTask task(s, std::ref(body), hooks, clock);
  task.run(stop);
  EXPECT_EQ(clock.slept, (std::vector<milliseconds>{100ms, 100ms, 50ms}));
}

TEST(PeriodicTask, WakeDuringARunCutsTheWaitAfterIt) {
  FakeClock clock;
  StopSignal stop;
  PeriodicTask* self = nullptr;
  int runs = 0;
  PeriodicTask task(
      schedule(),
      [&] {
        ++runs;
        if (runs == 1) self->wake();
        if (runs == 3) stop.requestStop();
        return RunOutcome{};
      },
      {}, clock);
  self = &task;
  task.run(stop);
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(clock.slept, (std::vector<milliseconds>{1000ms})) << "only the second wait is slept";
}

TEST(PeriodicTask, AStopDuringAWaitEndsRun) {
  FakeClock clock;
  StopSignal stop;
  int runs = 0;
  clock.after_sleep = [&] { stop.requestStop(); };
  PeriodicTask task(schedule(), countingRuns(runs), {}, clock);
  task.run(stop);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(clock.slept.size(), 1u);
}

TEST(PeriodicTask, NothingRunsAfterAStop) {
  FakeClock clock;
  StopSignal stop;
  stop.requestStop();
  int runs = 0;
  PeriodicTask task(schedule(), countingRuns(runs), {}, clock);
  task.run(stop);
  EXPECT_EQ(runs, 0);
}

// On the real clock, from another thread: wake() ends an hour-long wait. (No time is measured:
// a broken wake() would leave the test waiting for its bound.)
TEST(PeriodicTask, WakeFromAnotherThreadEndsARealWait) {
  StopSignal stop;
  std::mutex mutex;
  std::condition_variable ran;
  int runs = 0;
  PeriodicSchedule s = schedule();
  s.interval = std::chrono::hours(1);
  PeriodicTask task(s, [&] {
    std::lock_guard lock(mutex);
    ++runs;
    ran.notify_all();
    return RunOutcome{};
  });
  std::thread thread([&] { task.run(stop); });
  auto runsReach = [&](int n) {
    std::unique_lock lock(mutex);
    return ran.wait_for(lock, 60s, [&] { return runs >= n; });
  };
  EXPECT_TRUE(runsReach(1));
  task.wake();
  EXPECT_TRUE(runsReach(2)) << "wake() did not end the hour-long wait";
  stop.requestStop();
  thread.join();
}

}  // namespace
}  // namespace hd::service
