// BatchQueue: the bound between the fetch stage and the commit stage (messages AND bytes), the
// order of items, and how the end, a producer's failure and a consumer's close travel.

#include "service/batch_queue.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace hd::service {
namespace {

TEST(BatchQueue, BoundedByMessages) {
  BatchQueue<int> queue(3, 1000);
  EXPECT_TRUE(queue.tryPush(1, 2, 10));
  EXPECT_FALSE(queue.tryPush(2, 2, 10)) << "2 + 2 messages > 3";
  EXPECT_TRUE(queue.tryPush(3, 1, 10));
  EXPECT_EQ(queue.pop(), 1);
  EXPECT_TRUE(queue.tryPush(4, 2, 10)) << "room again after a pop";
}

TEST(BatchQueue, BoundedByBytes) {
  BatchQueue<int> queue(100, 1000);
  EXPECT_TRUE(queue.tryPush(1, 1, 600));
  EXPECT_FALSE(queue.tryPush(2, 1, 401)) << "600 + 401 bytes > 1000";
  EXPECT_TRUE(queue.tryPush(3, 1, 400)) << "exactly at the bound";
  EXPECT_FALSE(queue.tryPush(4, 0, 1));
}

TEST(BatchQueue, AnItemOverTheBoundsPassesAloneIntoAnEmptyQueue) {
  BatchQueue<int> queue(2, 100);
  EXPECT_TRUE(queue.tryPush(1, 50, 5000));
  EXPECT_FALSE(queue.tryPush(2, 1, 1)) << "nothing joins it";
  EXPECT_EQ(queue.pop(), 1);
  EXPECT_TRUE(queue.tryPush(2, 1, 1));
}

TEST(BatchQueue, KeepsOrderThenEndsAfterFinish) {
  BatchQueue<std::string> queue(10, 1000);
  queue.tryPush("a", 1, 1);
  queue.tryPush("b", 1, 1);
  queue.finish();
  EXPECT_EQ(queue.pop(), "a");
  EXPECT_EQ(queue.pop(), "b");
  EXPECT_EQ(queue.pop(), std::nullopt);
  EXPECT_EQ(queue.pop(), std::nullopt);
}

TEST(BatchQueue, ProducerFailureIsRethrownAheadOfQueuedItems) {
  BatchQueue<int> queue(10, 1000);
  queue.tryPush(1, 1, 1);
  queue.fail(std::make_exception_ptr(std::invalid_argument("fetch failed")));
  EXPECT_THROW(queue.pop(), std::invalid_argument) << "the first failure, with its own type";
  EXPECT_THROW(queue.pop(), std::invalid_argument);
}

TEST(BatchQueue, CloseRefusesPushes) {
  BatchQueue<int> queue(10, 1000);
  queue.close();
  EXPECT_TRUE(queue.closed());
  EXPECT_FALSE(queue.tryPush(1, 1, 1));
  EXPECT_FALSE(queue.push(1, 1, 1));
}

TEST(BatchQueue, CloseWakesAProducerWaitingForRoom) {
  BatchQueue<int> queue(1, 1000);
  ASSERT_TRUE(queue.tryPush(1, 1, 1));
  bool pushed = true;
  std::thread producer([&] { pushed = queue.push(2, 1, 1); });  // full: waits
  queue.close();
  producer.join();
  EXPECT_FALSE(pushed);
}

TEST(BatchQueue, PopWaitsForTheProducer) {
  BatchQueue<int> queue(1, 1000);
  std::thread producer([&] {
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(queue.push(i, 1, 1));  // waits for each pop
    queue.finish();
  });
  std::vector<int> got;
  while (auto item = queue.pop()) got.push_back(*item);
  producer.join();
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace hd::service
