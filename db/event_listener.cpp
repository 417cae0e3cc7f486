#include "db/event_listener.hpp"

#include <Poco/Logger.h>

#include <functional>
#include <pqxx/pqxx>

namespace hd::db {
namespace {

constexpr const char* kChannel = "helpdesk_events";

class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, std::function<void()> on_notify)
      : pqxx::notification_receiver(c, kChannel), on_notify_(std::move(on_notify)) {}
  void operator()(const std::string&, int) override { on_notify_(); }

 private:
  std::function<void()> on_notify_;
};

}  // namespace

EventListener::EventListener(std::string url) : url_(std::move(url)) {}

EventListener::~EventListener() {
  stop();
}

void EventListener::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void EventListener::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventListener::bump() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  changed_.notify_all();
}

std::uint64_t EventListener::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

bool EventListener::waitForChange(std::uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return generation_ != seen || stopping_; }) &&
         generation_ != seen;
}

void EventListener::loop() {
  auto& log = Poco::Logger::get("hd.db");
  bool reported = false;
  const auto stopping = [this] {
    std::lock_guard lock(mutex_);
    return stopping_;
  };
  while (!stopping()) {
    try {
      pqxx::connection c(url_);
      Receiver receiver(c, [this] { bump(); });
      c.get_notifs();  // sends LISTEN
      bump();
      if (reported) log.information("event listener reconnected");
      reported = false;
      // Short waits keep stop() prompt; a notification ends the wait at once.
      while (!stopping()) c.await_notification(0, 500'000);
    } catch (const std::exception& e) {
      if (!reported)
        log.warning("event listener: %s; retrying every second", std::string(e.what()));
      reported = true;
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  }
}

}  // namespace hd::db
