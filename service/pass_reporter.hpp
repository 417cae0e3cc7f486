#pragma once
// The one place where the outcome of a mailbox's passes becomes visible: from each PassResult it
// updates the status board, the metrics and the log together, so that /status, /metrics and the
// log cannot tell different stories. Every pass that ran ends in exactly one summary line (an
// empty pass too); a change of state (recovered, lease taken or lost) adds one line of its own.
// A refusal that a person must act on is logged at error once, and its repetitions at debug.
//
// One reporter per mailbox worker; not thread-safe (the board and the metrics are).

#include <functional>
#include <optional>
#include <string>

#include "service/http/metrics.hpp"
#include "service/pass_result.hpp"
#include "service/status_board.hpp"

namespace hd::service {

// Called after every pass that ran (not after one skipped for the lease), e.g. by tests.
using PassObserver = std::function<void(const std::string& mailbox, const PassResult& result)>;

class PassReporter {
 public:
  // `metrics` may be null (--once records none). `auth_hint` says what a person should do when
  // sign-in is refused for good.
  PassReporter(std::string mailbox, StatusBoard& board, http::Metrics* metrics,
               std::string auth_hint, PassObserver observer = {});

  void passStarting(std::chrono::system_clock::time_point at);  // last_poll
  // The lease was checked before a pass: held, or another replica holds it (standby).
  void leaseChecked(bool held);
  void report(const PassResult& result);

 private:
  void reportSuccess(const PassResult& result);
  void reportFailure(const PassResult& result);

  std::string mailbox_;
  StatusBoard& board_;
  http::Metrics* metrics_;
  std::string auth_hint_;
  PassObserver observer_;
  // The refusal of the latest reported pass when it needed a person: the same one again is not
  // news (logged at debug, not error).
  std::optional<PassFailure> refusal_;
  LeaseState lease_ = LeaseState::kNone;
  bool announced_lease_ = false;
};

}  // namespace hd::service
