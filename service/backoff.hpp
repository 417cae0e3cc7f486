#pragma once

#include <chrono>
#include <random>

namespace hd::service {

// Exponential backoff with jitter, capped: after the n-th consecutive failure wait a random time in
// [d/2, d] where d = min(max, initial * 2^(n-1)). The jitter keeps replicas and mailboxes from
// hammering a recovering server in lockstep.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
          unsigned seed = std::random_device{}())
      : initial_(initial), max_(max), random_(seed) {}

  std::chrono::milliseconds delayAfter(int consecutive_failures);

 private:
  std::chrono::milliseconds initial_, max_;
  std::mt19937 random_;
};

}  // namespace hd::service
