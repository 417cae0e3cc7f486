// planBatches(): a pass's batches are formed once, bounded by messages and by the bytes to fetch.

#include "service/pass_batches.hpp"

#include <gtest/gtest.h>

#include <set>

namespace hd::service {
namespace {

std::vector<source::MessageRef> refs(std::initializer_list<std::uint64_t> sizes) {
  std::vector<source::MessageRef> result;
  std::uint64_t uid = 0;
  for (auto size : sizes) {
    ++uid;
    result.push_back({"k" + std::to_string(uid), uid, "", 0, size});
  }
  return result;
}

std::vector<std::vector<std::uint64_t>> uidsOf(const std::vector<PassBatch>& batches,
                                               bool fetched_only = false) {
  std::vector<std::vector<std::uint64_t>> result;
  for (const auto& batch : batches) {
    result.emplace_back();
    for (const auto& ref : fetched_only ? batch.to_fetch : batch.refs) {
      result.back().push_back(ref.uid);
    }
  }
  return result;
}

const auto kNothingStored = [](const std::string&) { return false; };

TEST(PassBatches, BoundedByMessageCount) {
  const auto batches = planBatches(refs({1, 1, 1, 1, 1}), kNothingStored, 2, 1000);
  EXPECT_EQ(uidsOf(batches), (std::vector<std::vector<std::uint64_t>>{{1, 2}, {3, 4}, {5}}));
}

TEST(PassBatches, BoundedByAnnouncedBytes) {
  const auto batches = planBatches(refs({90, 60, 40, 100}), kNothingStored, 50, 100);
  EXPECT_EQ(uidsOf(batches), (std::vector<std::vector<std::uint64_t>>{{1}, {2, 3}, {4}}));
  EXPECT_EQ(batches[1].fetch_bytes, 100u) << "exactly at the bound fits";
}

TEST(PassBatches, AMessageOverTheByteBoundTravelsAlone) {
  const auto batches = planBatches(refs({10, 5000, 10}), kNothingStored, 50, 100);
  EXPECT_EQ(uidsOf(batches), (std::vector<std::vector<std::uint64_t>>{{1}, {2}, {3}}));
}

TEST(PassBatches, StoredMessagesAreAcknowledgedWithoutCostingBytes) {
  const std::set<std::string> stored = {"k2", "k3"};
  const auto batches = planBatches(
      refs({60, 1000, 1000, 60}), [&](const std::string& key) { return stored.count(key) > 0; }, 50,
      100);
  EXPECT_EQ(uidsOf(batches), (std::vector<std::vector<std::uint64_t>>{{1, 2, 3}, {4}}));
  EXPECT_EQ(uidsOf(batches, true), (std::vector<std::vector<std::uint64_t>>{{1}, {4}}));
  EXPECT_EQ(batches[0].fetch_bytes, 60u);
}

TEST(PassBatches, ZeroMessagesPerBatchMeansOne) {
  EXPECT_EQ(planBatches(refs({1, 1}), kNothingStored, 0, 100).size(), 2u);
}

TEST(PassBatches, NothingPendingNoBatch) {
  EXPECT_TRUE(planBatches({}, kNothingStored, 50, 100).empty());
}

}  // namespace
}  // namespace hd::service
