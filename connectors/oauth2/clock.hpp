#pragma once
// Time as the token code sees it, injected so that expiry and polling are testable.

#include <chrono>

namespace hd::oauth2 {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
};

}  // namespace hd::oauth2
