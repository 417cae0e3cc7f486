// CheckpointProgress: the checkpoint moves over committed batches only once they are
// acknowledged, in order, and never past the first hole of the pass.

#include "service/checkpoint_progress.hpp"

#include <gtest/gtest.h>

namespace hd::service {
namespace {

TEST(CheckpointProgressTest, MovesOnlyOverAcknowledgedBatches) {
  CheckpointProgress progress(source::Checkpoint{7, 10});
  progress.posted(12, true);
  progress.posted(14, true);
  progress.acknowledged(0);
  EXPECT_EQ(progress.checkpoint().last_uid, 10u) << "committed, not acknowledged";
  progress.acknowledged(1);
  EXPECT_EQ(progress.checkpoint().last_uid, 12u);
  EXPECT_EQ(progress.checkpoint().uidvalidity, 7u);
  progress.acknowledged(2);
  EXPECT_EQ(progress.checkpoint().last_uid, 14u);
}

TEST(CheckpointProgressTest, AnAcknowledgedCountAheadOfWhatWasPostedWaitsForThePosts) {
  CheckpointProgress progress(source::Checkpoint{7, 0});
  progress.posted(2, true);
  progress.acknowledged(1);
  progress.posted(4, true);
  progress.acknowledged(1);  // the same count again: nothing new
  EXPECT_EQ(progress.checkpoint().last_uid, 2u);
  progress.acknowledged(2);
  EXPECT_EQ(progress.checkpoint().last_uid, 4u);
}

TEST(CheckpointProgressTest, StopsAtTheFirstHoleForTheRestOfThePass) {
  CheckpointProgress progress(source::Checkpoint{7, 0});
  progress.posted(2, true);
  progress.posted(3, false);  // UIDs 3 and 5 stored, 4 vanished: it reaches 3
  progress.posted(8, true);
  progress.acknowledged(3);
  EXPECT_EQ(progress.checkpoint().last_uid, 3u) << "up to the hole, not past it";
}

TEST(CheckpointProgressTest, AHoleAtTheStartOfABatchKeepsTheBatchBefore) {
  CheckpointProgress progress(source::Checkpoint{7, 0});
  progress.posted(2, true);
  progress.posted(0, false);
  progress.acknowledged(2);
  EXPECT_EQ(progress.checkpoint().last_uid, 2u);
}

TEST(CheckpointProgressTest, NeverMovesBack) {
  CheckpointProgress progress(source::Checkpoint{7, 40});
  progress.posted(0, true);  // nothing above the checkpoint in this batch (POP3: no UIDs)
  progress.acknowledged(1);
  EXPECT_EQ(progress.checkpoint().last_uid, 40u);
}

}  // namespace
}  // namespace hd::service
