// How much the spill directory may need at once (README "Big mail on disk", the Kubernetes
// volume, the start-up log).

#include "service/spill_budget.hpp"

#include <gtest/gtest.h>

namespace hd::service {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

TEST(SpillBudget, ThreeBatchesPerMailboxRawAndDecodedPlusOneRetry) {
  LimitsConfig limits;  // 64 MiB messages, 8 MiB batches
  EXPECT_EQ(spillSpaceBound(limits, 1), (3 * 64 * 2 + 64 * 2) * kMiB);
  EXPECT_EQ(spillSpaceBound(limits, 2), (2 * 3 * 64 * 2 + 64 * 2) * kMiB);
  limits.max_message_bytes = 150 * kMiB;  // Exchange Online's largest message
  EXPECT_EQ(spillSpaceBound(limits, 1), 1200 * kMiB);
}

// A batch of many messages may be larger than the largest message.
TEST(SpillBudget, BatchesLargerThanTheLargestMessageCount) {
  LimitsConfig limits;
  limits.max_message_bytes = 1 * kMiB;
  limits.fetch_batch_bytes = 32 * kMiB;
  EXPECT_EQ(spillSpaceBound(limits, 1), (3 * 32 * 2 + 2) * kMiB);
}

}  // namespace
}  // namespace hd::service
