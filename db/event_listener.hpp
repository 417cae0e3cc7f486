#pragma once
// Wakes long-polling feed readers: a background thread LISTENs on channel "helpdesk_events"
// (NOTIFY'd by the trigger of migration 0003 when a transaction that wrote events commits) on its
// own connection, and counts notifications. A lost connection is reopened every second; each
// (re)connect also counts as a wake-up, since notifications may have been missed meanwhile.
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace hd::db {

class EventListener {
 public:
  explicit EventListener(std::string url);
  ~EventListener();  // stops the thread (within about half a second)
  EventListener(const EventListener&) = delete;
  EventListener& operator=(const EventListener&) = delete;

  void start();
  void stop();

  std::uint64_t generation() const;
  // Waits until the generation differs from `seen` or `timeout` passes; true when it changed.
  bool waitForChange(std::uint64_t seen, std::chrono::milliseconds timeout) const;

 private:
  void loop();
  void bump();

  std::string url_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::uint64_t generation_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hd::db
