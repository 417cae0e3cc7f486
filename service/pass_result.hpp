#pragma once
// What one pass over a mailbox came to, as a value: the one input of the PassReporter, which turns
// it into the status board, the metrics and the log line (so that they cannot disagree), and of the
// worker's schedule (when the next pass runs).

#include <chrono>
#include <optional>

#include "service/mailbox_pass.hpp"
#include "service/pass_failure.hpp"

namespace hd::service {

enum class PassOutcome {
  kOk,            // listed, stored and acknowledged whatever there was (nothing, too)
  kFailed,        // a broken channel ended it: retried after a backoff
  kAuthRequired,  // the credentials were refused: retried, but a person must act
  // The mailbox was refused after a good sign-in: the token is dropped and the pass tried again
  // at once; counted as a failed pass, but the mailbox's state waits for that second attempt.
  kSignInAgain,
};

struct PassResult {
  PassOutcome outcome = PassOutcome::kOk;
  PassReport counts;                   // all zero when the pass failed
  std::optional<PassFailure> failure;  // set unless kOk
  std::chrono::system_clock::time_point started, finished;

  bool ok() const { return outcome == PassOutcome::kOk; }
  std::chrono::milliseconds duration() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(finished - started);
  }
  // How long the server asked us to wait before the next attempt (zero: it did not say).
  std::chrono::milliseconds serverBackoff() const {
    return failure ? failure->server_backoff : std::chrono::milliseconds(0);
  }

  static PassResult succeeded(PassReport counts, std::chrono::system_clock::time_point started,
                              std::chrono::system_clock::time_point finished);
  // kAuthRequired when a person must act, kFailed otherwise.
  static PassResult failed(PassFailure failure, std::chrono::system_clock::time_point started,
                           std::chrono::system_clock::time_point finished);
};

}  // namespace hd::service
