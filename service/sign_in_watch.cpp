#include "service/sign_in_watch.hpp"

#include <Poco/Logger.h>

namespace hd::service {

void SignInWatch::watch(bool refused) {
  watching_ = refused;
  before_ = refused ? read() : std::nullopt;
}

bool SignInWatch::signedInAgain() {
  if (!watching_ || !before_) return false;
  const auto now = read();
  if (!now || *now == *before_) return false;
  Poco::Logger::get("hd.worker")
      .information("mailbox %s: a new sign-in was stored; trying again now", mailbox_);
  return true;
}

std::optional<std::string> SignInWatch::read() {
  try {
    return stamp_();
  } catch (const std::exception&) {
    return std::nullopt;  // the database is away: the backoff decides
  }
}

}  // namespace hd::service
