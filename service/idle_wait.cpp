#include "service/idle_wait.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <optional>

namespace hd::service {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.worker");
}

}  // namespace

std::chrono::milliseconds IdleWait::wait(source::MailSource& session,
                                         std::chrono::milliseconds wait, const StopSignal& stop) {
  const auto started = clock_.now();
  auto remaining = [&] {
    auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - started);
    return std::max(std::chrono::milliseconds(0), wait - spent);
  };
  if (!announced_) {
    logger().information(
        "mailbox %s: waiting in IMAP IDLE between passes (a pass at least every %s s)", mailbox_,
        std::to_string((wait.count() + 999) / 1000));
    announced_ = true;
  }
  board_.update(mailbox_, [](MailboxStatus& s) { s.idle = true; });
  std::optional<source::WaitOutcome> outcome;
  std::string failure;
  try {
    outcome = session.waitForNewMail(wait, [&stop] { return stop.stopRequested(); });
  } catch (const std::exception& e) {
    failure = e.what();
  }
  board_.update(mailbox_, [](MailboxStatus& s) { s.idle = false; });
  if (!outcome) {
    if (!failing_) {
      logger().warning("mailbox %s: IDLE failed (%s); polling instead until it works again",
                       mailbox_, failure);
    }
    failing_ = true;
    return remaining();
  }
  if (failing_) logger().information("mailbox %s: IDLE works again", mailbox_);
  failing_ = false;
  switch (*outcome) {
    case source::WaitOutcome::kNewMail:
      logger().debug("mailbox %s: the server announced new mail", mailbox_);
      return std::chrono::milliseconds(0);
    case source::WaitOutcome::kTimeout:
    case source::WaitOutcome::kInterrupted:
      return std::chrono::milliseconds(0);
    case source::WaitOutcome::kUnsupported:
      break;
  }
  return remaining();
}

}  // namespace hd::service
