#include "service/mailbox_worker.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <optional>

#include "service/pass_failure.hpp"

namespace hd::service {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.worker");
}

}  // namespace

MailboxWorker::MailboxWorker(WorkerSettings settings, SourceFactory make_source,
                             std::unique_ptr<db::TicketStore> store, StatusBoard& board)
    : settings_(std::move(settings)),
      make_source_(std::move(make_source)),
      store_(std::move(store)),
      board_(board),
      backoff_(settings_.backoff_initial, settings_.backoff_max) {}

bool MailboxWorker::runOnce() {
  return runPass(nullptr);
}

bool MailboxWorker::runOnce(const StopSignal& stop) {
  stop_ = &stop;
  const bool ok = runPass(nullptr);
  stop_ = nullptr;
  return ok && !last_pass_interrupted_;
}

bool MailboxWorker::runPass(std::unique_ptr<source::MailSource>* keep_open) {
  const auto& name = settings_.mailbox;
  auto started = std::chrono::system_clock::now();
  board_.update(name, [&](MailboxStatus& s) { s.last_poll = started; });
  std::exception_ptr error;
  PassReport report;
  bool skipped = false;
  last_pass_interrupted_ = false;
  try {
    if (lease_ && !holdLease()) {
      skipped = true;
    } else {
      auto source = make_source_();
      MailboxPass pass(name, *source, *store_, *store_, settings_.limits, settings_.policy,
                       settings_.faults);
      if (stop_) pass.stopWhen([stop = stop_] { return stop->stopRequested(); });
      try {
        report = pass.run();
        last_pass_interrupted_ = report.interrupted;
      } catch (...) {
        source->close();
        throw;
      }
      if (keep_open && source->canWaitForNewMail()) {
        *keep_open = std::move(source);
      } else {
        source->close();
      }
    }
  } catch (...) {
    error = std::current_exception();
  }
  if (skipped) return true;
  auto finished = std::chrono::system_clock::now();
  auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(finished - started);
  if (settings_.on_pass) settings_.on_pass(name, !error, duration, report);

  if (!error) {
    signed_in_again_ = false;
    auto previous = board_.get(name);
    board_.update(name, [&](MailboxStatus& s) {
      s.state = MailboxState::kOk;
      s.last_success = finished;
      s.consecutive_failures = 0;
      s.uidvalidity = report.checkpoint.uidvalidity;
      s.last_uid = report.checkpoint.last_uid;
      s.last_pass_duration = duration;
    });
    if (previous.state != MailboxState::kOk) {
      logger().information("mailbox %s: recovered after %d failed passes", name,
                           previous.consecutive_failures);
    }
    if (report.stored || report.quarantined || report.duplicates || report.vanished) {
      logger().information(
          "mailbox %s: pass done in %s ms: %s listed, %s stored, %s quarantined, %s duplicates, %s "
          "already stored, "
          "%s not returned",
          name, std::to_string(duration.count()), std::to_string(report.listed),
          std::to_string(report.stored), std::to_string(report.quarantined),
          std::to_string(report.duplicates), std::to_string(report.replayed),
          std::to_string(report.vanished));
    }
    return true;
  }

  PassFailure failure = classifyPassFailure(error);
  if (failure.sign_in_again) {
    // The token may be another account's (or Exchange refused for a moment): never offer the
    // same one again, and sign in once more right away before telling anyone.
    if (settings_.forget_access_token) settings_.forget_access_token();
    if (!signed_in_again_) {
      signed_in_again_ = true;
      logger().information("mailbox %s: %s; signing in again with a fresh token", name,
                           failure.message);
      return runPass(keep_open);
    }
  }
  last_failure_ = failure;
  int failures = 0;
  bool same_refusal = false;
  board_.update(name, [&](MailboxStatus& s) {
    same_refusal = failure.needs_person && s.state == MailboxState::kAuthRequired &&
                   s.last_error == failure.kind + ": " + failure.message;
    s.state = failure.needs_person ? MailboxState::kAuthRequired : MailboxState::kFailing;
    s.last_error = failure.kind + ": " + failure.message;
    s.last_error_at = finished;
    failures = ++s.consecutive_failures;
    s.last_pass_duration = duration;
  });
  if (failure.needs_person) {
    // One line when a person must act, not one per retry.
    const std::string line =
        "mailbox " + name + ": sign-in refused (" + failure.message + "); " + settings_.auth_hint;
    if (same_refusal) {
      logger().debug(line);
    } else {
      logger().error(line);
    }
  } else {
    logger().warning("mailbox %s: pass failed (%s): %s [%d in a row]", name, failure.kind,
                     failure.message, failures);
  }
  return false;
}

bool MailboxWorker::holdLease() {
  const bool held = lease_->tryAcquire();
  if (held && (standing_by_ || !announced_lease_)) {
    logger().information("mailbox %s: lease acquired; this replica polls it", settings_.mailbox);
  } else if (!held && !standing_by_) {
    logger().information("mailbox %s: another replica holds the lease; standing by",
                         settings_.mailbox);
  }
  announced_lease_ = announced_lease_ || held;
  standing_by_ = !held;
  board_.update(settings_.mailbox, [&](MailboxStatus& s) { s.lease = held ? "held" : "standby"; });
  return held;
}

std::chrono::milliseconds MailboxWorker::idleBetweenPasses(source::MailSource& session,
                                                           std::chrono::milliseconds wait,
                                                           const StopSignal& stop) {
  const auto& name = settings_.mailbox;
  const auto started = std::chrono::steady_clock::now();
  auto remaining = [&] {
    auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return std::max(std::chrono::milliseconds(0), wait - spent);
  };
  if (!announced_idle_) {
    logger().information(
        "mailbox %s: waiting in IMAP IDLE between passes (a pass at least every %s s)", name,
        std::to_string((wait.count() + 999) / 1000));
    announced_idle_ = true;
  }
  board_.update(name, [](MailboxStatus& s) { s.idle = true; });
  std::optional<source::WaitOutcome> outcome;
  std::string failure;
  try {
    outcome = session.waitForNewMail(wait, [&stop] { return stop.stopRequested(); });
  } catch (const std::exception& e) {
    failure = e.what();
  }
  board_.update(name, [](MailboxStatus& s) { s.idle = false; });
  if (!outcome) {
    if (!idle_failing_) {
      logger().warning("mailbox %s: IDLE failed (%s); polling instead until it works again", name,
                       failure);
    }
    idle_failing_ = true;
    return remaining();
  }
  if (idle_failing_) logger().information("mailbox %s: IDLE works again", name);
  idle_failing_ = false;
  switch (*outcome) {
    case source::WaitOutcome::kNewMail:
      logger().debug("mailbox %s: the server announced new mail", name);
      return std::chrono::milliseconds(0);
    case source::WaitOutcome::kTimeout:
    case source::WaitOutcome::kInterrupted:
      return std::chrono::milliseconds(0);
    case source::WaitOutcome::kUnsupported:
      break;
  }
  return remaining();
}

bool MailboxWorker::sleepAfterFailure(std::chrono::milliseconds wait, const StopSignal& stop) {
  if (!last_failure_.needs_person || !settings_.sign_in_stamp) return stop.waitFor(wait);
  auto stamp = [this]() -> std::optional<std::string> {
    try {
      return settings_.sign_in_stamp();
    } catch (const std::exception&) {
      return std::nullopt;  // the database is away: the backoff decides
    }
  };
  const auto before = stamp();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) return false;
    if (stop.waitFor(std::min(left, settings_.poll_interval))) return true;
    const auto now = stamp();
    if (before && now && *now != *before) {
      logger().information("mailbox %s: a new sign-in was stored; trying again now",
                           settings_.mailbox);
      return false;
    }
  }
}

void MailboxWorker::runUntil(const StopSignal& stop) {
  stop_ = &stop;
  while (!stop.stopRequested()) {
    std::unique_ptr<source::MailSource> session;
    bool ok = runPass(&session);
    std::chrono::milliseconds wait = settings_.poll_interval;
    if (!ok) {
      int failures = board_.get(settings_.mailbox).consecutive_failures;
      wait = retryDelay(backoff_.delayAfter(failures), last_failure_);
      logger().information("mailbox %s: next attempt in %s s", settings_.mailbox,
                           std::to_string((wait.count() + 999) / 1000));
    }
    if (session) {
      wait = idleBetweenPasses(*session, wait, stop);
      session->close();
    }
    if (ok ? stop.waitFor(wait) : sleepAfterFailure(wait, stop)) break;
  }
}

}  // namespace hd::service
