#pragma once
// The in-memory state of every mailbox worker, read by the HTTP status handler. Counts of stored
// rows are NOT kept here: /status reads them from the database so they survive restarts.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hd::service {

enum class MailboxState { kOk, kFailing, kAuthRequired };
std::string toString(MailboxState state);

// Several replicas: whether this process holds the mailbox's lease ("held"), another replica
// does ("standby"), or no lease is used ("none"; also before the first attempt).
enum class LeaseState { kNone, kHeld, kStandby };
std::string toString(LeaseState lease);

struct MailboxStatus {
  std::string name;
  std::string protocol;
  MailboxState state = MailboxState::kOk;
  bool idle = false;
  std::optional<std::chrono::system_clock::time_point> last_poll, last_success, last_error_at;
  std::optional<std::string> last_error;
  int consecutive_failures = 0;
  std::uint64_t uidvalidity = 0, last_uid = 0;  // checkpoint (IMAP)
  std::optional<std::chrono::milliseconds> last_pass_duration;
  LeaseState lease = LeaseState::kNone;
  // OAuth2 mailboxes: when the access token last handed to the mail client expires.
  std::optional<std::chrono::system_clock::time_point> token_expires_at;
};

class StatusBoard {
 public:
  void add(const std::string& name, const std::string& protocol);

  // Applies `change` to the named mailbox's status under the lock.
  template <typename Change>
  void update(const std::string& name, Change&& change) {
    std::lock_guard lock(mutex_);
    change(boxes_.at(name));
  }

  MailboxStatus get(const std::string& name) const;
  std::vector<MailboxStatus> all() const;  // in the order mailboxes were added

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> order_;
  std::map<std::string, MailboxStatus> boxes_;
};

}  // namespace hd::service
