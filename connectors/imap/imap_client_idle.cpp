// RFC 2177 IDLE: wait for the server to announce new mail.
#include "connectors/imap/imap_client.hpp"

#include <algorithm>
#include <chrono>

#include "connectors/imap/imap_log.hpp"
#include "connectors/net/errors.hpp"

namespace hd::imap {

ImapClient::IdleOutcome ImapClient::idle(std::chrono::milliseconds max_wait,
                                         const std::function<bool()>& interrupted,
                                         std::chrono::milliseconds check_every) {
  using Clock = std::chrono::steady_clock;
  if (!hasCapability("IDLE")) throw net::CommandError("IMAP server does not offer IDLE");
  const std::string tag = nextTag();
  if (logger().debug()) logger().debug("C: " + tag + " IDLE");
  const std::uint64_t notices_before = exists_notices_;
  stream_.write(tag + " IDLE\r\n");
  Response started = waitForContinuation(tag, {});
  if (started.kind == Response::Kind::kTagged) {
    if (started.status != Status::kOk) throwRefusal("IDLE", started);
    // OK without a continuation ends the command at once (not seen in practice); no harm done.
    return exists_notices_ > notices_before ? IdleOutcome::kNewMail : IdleOutcome::kTimeout;
  }

  const auto deadline = Clock::now() + max_wait;
  IdleOutcome outcome = IdleOutcome::kTimeout;
  while (exists_notices_ == notices_before) {
    if (interrupted && interrupted()) {
      outcome = IdleOutcome::kInterrupted;
      break;
    }
    const auto now = Clock::now();
    if (now >= deadline) break;
    const auto slice = std::min<std::chrono::milliseconds>(
        check_every, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
    if (reader_.buffered() == 0 && !stream_.waitReadable(slice)) continue;
    // Whatever comes is a whole response soon: the normal read timeout applies from here on.
    Response response = readResponse();
    if (response.kind == Response::Kind::kTagged) {
      if (response.tag != tag)
        throw net::ProtocolError("IMAP: reply for unknown tag " + response.tag + " during IDLE");
      // The server ended IDLE on its own (RFC 2177 allows it to refuse lengthy sessions).
      if (response.status != Status::kOk) throwRefusal("IDLE", response);
      return exists_notices_ > notices_before ? IdleOutcome::kNewMail : IdleOutcome::kTimeout;
    }
    if (response.kind == Response::Kind::kContinuation)
      throw net::ProtocolError("IMAP: unexpected continuation request during IDLE");
  }
  if (exists_notices_ > notices_before) outcome = IdleOutcome::kNewMail;

  if (logger().debug()) logger().debug("C: DONE");
  stream_.write("DONE\r\n");
  for (;;) {
    Response response = readResponse();
    if (response.kind == Response::Kind::kContinuation)
      throw net::ProtocolError("IMAP: unexpected continuation request after DONE");
    if (response.kind != Response::Kind::kTagged) continue;
    if (response.tag != tag)
      throw net::ProtocolError("IMAP: reply for unknown tag " + response.tag + " after DONE");
    if (response.status != Status::kOk) throwRefusal("IDLE", response);
    break;
  }
  // EXISTS that crossed our DONE still means new mail.
  if (outcome == IdleOutcome::kTimeout && exists_notices_ > notices_before)
    outcome = IdleOutcome::kNewMail;
  return outcome;
}

}  // namespace hd::imap
