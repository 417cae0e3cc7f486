#pragma once
// While a mailbox waits out its backoff after a refused sign-in, notices a new `auth login` (the
// sign-in stamp changed) so that the worker tries again at once instead of after the backoff.
// One per mailbox worker; not thread-safe.

#include <functional>
#include <optional>
#include <string>

namespace hd::service {

class SignInWatch {
 public:
  // `stamp` reads when the mailbox was last signed in (text that changes with every login);
  // it may throw when the database is away (then the backoff decides).
  SignInWatch(std::string mailbox, std::function<std::string()> stamp)
      : mailbox_(std::move(mailbox)), stamp_(std::move(stamp)) {}

  // At the start of a wait: watch from the current stamp when sign-in was refused, else not.
  void watch(bool refused);
  // True (and logged) when a new sign-in was stored since watch(true).
  bool signedInAgain();

 private:
  std::optional<std::string> read();

  std::string mailbox_;
  std::function<std::string()> stamp_;
  bool watching_ = false;
  std::optional<std::string> before_;
};

}  // namespace hd::service
