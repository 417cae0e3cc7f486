#include "service/status_board.hpp"

namespace hd::service {

std::string toString(MailboxState state) {
  switch (state) {
    case MailboxState::kOk:
      return "ok";
    case MailboxState::kFailing:
      return "failing";
    case MailboxState::kAuthRequired:
      return "auth_required";
  }
  return "ok";
}

std::string toString(LeaseState lease) {
  switch (lease) {
    case LeaseState::kHeld:
      return "held";
    case LeaseState::kStandby:
      return "standby";
    case LeaseState::kNone:
      break;
  }
  return "none";
}

void StatusBoard::add(const std::string& name, const std::string& protocol) {
  std::lock_guard lock(mutex_);
  MailboxStatus status;
  status.name = name;
  status.protocol = protocol;
  boxes_[name] = status;
  order_.push_back(name);
}

MailboxStatus StatusBoard::get(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return boxes_.at(name);
}

std::vector<MailboxStatus> StatusBoard::all() const {
  std::lock_guard lock(mutex_);
  std::vector<MailboxStatus> result;
  for (const auto& name : order_) result.push_back(boxes_.at(name));
  return result;
}

}  // namespace hd::service
