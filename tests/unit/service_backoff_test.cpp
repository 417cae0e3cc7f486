#include <gtest/gtest.h>

#include "service/backoff.hpp"

namespace hd::service {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, GrowsExponentiallyWithJitterAndIsCapped) {
  Backoff backoff(milliseconds(1000), milliseconds(60000), 42);
  for (int round = 0; round < 50; ++round) {
    for (int n = 1; n <= 12; ++n) {
      long long full = std::min(60000LL, 1000LL << (n - 1));
      auto delay = backoff.delayAfter(n).count();
      EXPECT_GE(delay, full / 2) << "failure " << n;
      EXPECT_LE(delay, full) << "failure " << n;
    }
  }
}

TEST(Backoff, JitterSpreadsDelays) {
  Backoff backoff(milliseconds(10000), milliseconds(10000), 7);
  std::set<long long> seen;
  for (int i = 0; i < 20; ++i) seen.insert(backoff.delayAfter(1).count());
  EXPECT_GT(seen.size(), 5u);
}

TEST(Backoff, HugeFailureCountsDoNotOverflow) {
  Backoff backoff(milliseconds(5000), milliseconds(600000), 1);
  auto delay = backoff.delayAfter(100000).count();
  EXPECT_GE(delay, 300000);
  EXPECT_LE(delay, 600000);
}

}  // namespace
}  // namespace hd::service
