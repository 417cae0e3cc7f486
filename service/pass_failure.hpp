#pragma once
// Why a mailbox pass failed, and what that means for the retry: read from the exception that
// ended the pass.

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>

namespace hd::service {

// What broke. The text of each (toString) is what the log and /status show.
enum class FailureClass {
  kAuthentication,
  kTls,
  kThrottled,
  kNetwork,
  kProtocol,
  kCommandRefused,
  kConfiguration,
  kDatabase,
  kUnexpected,
};
std::string toString(FailureClass kind);

struct PassFailure {
  FailureClass kind = FailureClass::kUnexpected;
  std::string message;
  bool needs_person = false;  // the credentials were refused: retrying alone will not help
  // The server said how long to wait (Exchange: "Request is throttled. Suggested Backoff Time");
  // zero when it did not.
  std::chrono::milliseconds server_backoff{0};
  // Signed in, but the mailbox was refused (Exchange's "authenticated but not connected"): the
  // worker drops the access token and signs in again once at once before it reports this.
  bool sign_in_again = false;

  // "network: connection reset": the last_error of /status.
  std::string describe() const { return toString(kind) + ": " + message; }
  bool operator==(const PassFailure&) const = default;
};

PassFailure classifyPassFailure(const std::exception_ptr& error);

// The wait before the next attempt: our own backoff, but never less than what the server asked.
inline std::chrono::milliseconds retryDelay(std::chrono::milliseconds own_backoff,
                                            const PassFailure& failure) {
  return std::max(own_backoff, failure.server_backoff);
}

}  // namespace hd::service
