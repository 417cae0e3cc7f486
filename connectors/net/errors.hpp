#pragma once
// Exceptions for broken channels. Expected outcomes of untrusted input are values, not exceptions;
// these mean "this connection (or this pass) cannot go on".

#include <chrono>
#include <stdexcept>
#include <string>

namespace hd::net {

// The connection failed: refused, reset, closed early, timed out.
class NetworkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// TLS handshake or certificate verification failed.
class TlsError : public NetworkError {
 public:
  using NetworkError::NetworkError;
};

// The server refused the command because the client is too busy and will usually disconnect
// (Exchange Online: "BAD Request is throttled. Suggested Backoff Time: 299961 milliseconds").
// The worker should wait at least `suggestedBackoff()` before the next pass.
class ThrottledError : public NetworkError {
 public:
  ThrottledError(const std::string& what, std::chrono::milliseconds suggested_backoff)
      : NetworkError(what), suggested_backoff_(suggested_backoff) {}
  std::chrono::milliseconds suggestedBackoff() const { return suggested_backoff_; }

 private:
  std::chrono::milliseconds suggested_backoff_;
};

// The peer sent bytes that violate the protocol (or exceed a limit): the stream is unusable.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The server answered NO/BAD (-ERR) to a command: the command failed, the connection is fine.
class CommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Authentication was refused. `retryable` is false when a person must act (bad password,
// revoked token); the worker then reports `auth_required`.
class AuthError : public std::runtime_error {
 public:
  AuthError(const std::string& what, bool retryable = false)
      : std::runtime_error(what), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

// The server accepted the sign-in but refuses the mailbox to the session (Exchange Online: "User
// is authenticated but not connected." to the command after a successful AUTHENTICATE/AUTH).
// A person must act, but some of these refusals pass on Exchange's side: the worker signs in
// again once with a fresh token, then keeps retrying with backoff.
class MailboxAccessError : public AuthError {
 public:
  explicit MailboxAccessError(const std::string& what) : AuthError(what, /*retryable=*/false) {}
};

}  // namespace hd::net
