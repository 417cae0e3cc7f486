#include "service/backoff.hpp"

#include <algorithm>

namespace hd::service {

std::chrono::milliseconds Backoff::delayAfter(int consecutive_failures) {
  if (consecutive_failures < 1) consecutive_failures = 1;
  auto delay = initial_;
  for (int i = 1; i < consecutive_failures && delay < max_; ++i) delay *= 2;
  delay = std::min(delay, max_);
  std::uniform_int_distribution<long long> jitter(delay.count() / 2, delay.count());
  return std::chrono::milliseconds(jitter(random_));
}

}  // namespace hd::service
