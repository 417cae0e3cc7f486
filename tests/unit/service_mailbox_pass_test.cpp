// MailboxPass on in-memory seams (tests/unit/service_pass_fakes.hpp): the promises of DESIGN "the
// loop" — acknowledge only after the commit that covers the message, a checkpoint only over
// contiguous stored-and-acknowledged UIDs, a refused message quarantined alone, a transient store
// failure acknowledging nothing, a stop request honoured after the batch at hand.

#include "service/mailbox_pass.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>

#include "tests/unit/service_pass_fakes.hpp"

namespace hd::service {
namespace {

using testing::EventLog;
using testing::FakeRawContents;
using testing::FakeSource;
using testing::FakeStore;
using testing::keyOf;

std::set<std::uint64_t> uidsIn(const std::string& list) {
  std::set<std::uint64_t> uids;
  std::istringstream in(list);
  for (std::uint64_t uid; in >> uid;) uids.insert(uid);
  return uids;
}

class MailboxPassTest : public ::testing::Test {
 protected:
  EventLog log_;
  FakeSource source_{log_};
  FakeStore store_{log_};
  FakeRawContents raw_contents_{log_};
  bool write_raw_ahead_ = false;  // runPass() gives the pass raw_contents_
  PassLimits limits_ = [] {
    PassLimits limits;
    limits.batch_messages = 2;
    return limits;
  }();

  void deliver(std::initializer_list<std::uint64_t> uids) {
    for (auto uid : uids) source_.mail[uid] = testing::sampleMail(uid);
  }
  // UIDs 1-5 of 700 KiB each, in one batch: a window closes once it holds kFetchWindowBytes
  // (1 MiB), so the batch is fetched in three windows, UIDs 1 2, 3 4 and 5.
  void deliverOneBatchOfThreeWindows() {
    for (std::uint64_t uid = 1; uid <= 5; ++uid) {
      source_.mail[uid] = testing::sampleMail(uid) + std::string(700 * 1024, 'x') + "\r\n";
    }
    limits_.batch_messages = 5;
    limits_.batch_bytes = 64ull * 1024 * 1024;
  }
  PassReport runPass(std::function<bool()> stop = {}, FaultHooks faults = {}) {
    MailboxPass pass("support", source_, store_, store_, limits_, {}, std::move(faults));
    if (stop) pass.stopWhen(std::move(stop));
    if (write_raw_ahead_) pass.writeRawAheadWith(raw_contents_);
    return pass.run();
  }

  // Every acknowledged UID was committed (or already stored) by a call logged before its "ack".
  void expectEveryAckAfterItsCommit(std::set<std::uint64_t> stored_before = {}) {
    std::set<std::uint64_t> committed = std::move(stored_before);
    for (const auto& line : log_.lines()) {
      if (line.rfind("commit ", 0) == 0) {
        for (auto uid : uidsIn(line.substr(7))) committed.insert(uid);
      } else if (line.rfind("ack ", 0) == 0) {
        for (auto uid : uidsIn(line.substr(4))) {
          EXPECT_TRUE(committed.count(uid)) << "UID " << uid << " acknowledged before its commit";
        }
      }
    }
  }

  // Every saved checkpoint covers only UIDs acknowledged before it was saved, with no gap.
  void expectCheckpointsOverAcknowledged() {
    std::set<std::uint64_t> acknowledged;
    for (const auto& line : log_.lines()) {
      if (line.rfind("ack ", 0) == 0) {
        for (auto uid : uidsIn(line.substr(4))) acknowledged.insert(uid);
      } else if (line.rfind("checkpoint ", 0) == 0) {
        const std::uint64_t last = std::stoull(line.substr(11));
        for (const auto& [uid, raw] : source_.mail) {
          if (uid <= last) {
            EXPECT_TRUE(acknowledged.count(uid))
                << "checkpoint " << last << " covers UID " << uid << ", not acknowledged then";
          }
        }
      }
    }
  }
};

TEST_F(MailboxPassTest, AcknowledgesEachBatchOnlyAfterTheCommitThatCoversIt) {
  deliver({1, 2, 3, 4, 5});
  const PassReport report = runPass();

  EXPECT_EQ(report.listed, 5u);
  EXPECT_EQ(report.stored, 5u);
  EXPECT_EQ(report.acknowledged, 5u);
  EXPECT_EQ(log_.of("commit"), (std::vector<std::string>{"1 2", "3 4", "5"}))
      << "one group commit per batch of limits.batch_messages";
  EXPECT_EQ(log_.of("ack"), (std::vector<std::string>{"1 2", "3 4", "5"}));
  expectEveryAckAfterItsCommit();
  expectCheckpointsOverAcknowledged();
  ASSERT_TRUE(store_.checkpoint);
  EXPECT_EQ(store_.checkpoint->uidvalidity, testing::kUidValidity);
  EXPECT_EQ(store_.checkpoint->last_uid, 5u);
}

TEST_F(MailboxPassTest, DecidesInUidOrderInsideTheBatch) {
  deliver({3, 1, 2});
  limits_.batch_messages = 10;
  runPass();
  EXPECT_EQ(store_.decided, (std::vector<std::string>{keyOf(1), keyOf(2), keyOf(3)}));
  EXPECT_EQ(log_.of("commit"), (std::vector<std::string>{"1 2 3"}));
}

TEST_F(MailboxPassTest, AlreadyStoredMessagesAreNotFetchedAgainButAcknowledged) {
  deliver({1, 2, 3});
  store_.rows[keyOf(2)] = FakeStore::Row::kStored;  // committed by a pass that died before its ack
  const PassReport report = runPass();

  EXPECT_EQ(log_.of("fetch"), (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(report.replayed, 1u);
  EXPECT_EQ(report.stored, 2u);
  EXPECT_EQ(source_.acknowledged, (std::set<std::uint64_t>{1, 2, 3}));
  expectEveryAckAfterItsCommit({2});
  EXPECT_EQ(store_.checkpoint->last_uid, 3u);
}

TEST_F(MailboxPassTest, VanishedUidHoldsTheCheckpointBackUntilItIsStored) {
  deliver({1, 2, 3, 4, 5, 6});
  source_.vanished = {3};  // SEARCH listed it, FETCH did not return it (Exchange does this)
  const PassReport report = runPass();

  EXPECT_EQ(report.vanished, 1u);
  EXPECT_EQ(report.stored, 5u);
  EXPECT_EQ(source_.acknowledged, (std::set<std::uint64_t>{1, 2, 4, 5, 6}))
      << "the stored ones are acknowledged; the vanished one is not";
  EXPECT_FALSE(store_.rows.count(keyOf(3)));
  ASSERT_TRUE(store_.checkpoint);
  EXPECT_EQ(store_.checkpoint->last_uid, 2u) << "never past the hole at UID 3";
  expectCheckpointsOverAcknowledged();

  // The server returns it on the next pass: now the checkpoint covers everything.
  source_.vanished.clear();
  const PassReport second = runPass();
  EXPECT_EQ(second.stored, 1u);
  EXPECT_EQ(second.replayed, 3u)
      << "4, 5 and 6 were listed again (above the checkpoint), not stored";
  EXPECT_EQ(store_.checkpoint->last_uid, 6u);
}

TEST_F(MailboxPassTest, VanishedLastUidIsNotCheckpointed) {
  deliver({1, 2, 3});
  source_.vanished = {3};
  runPass();
  EXPECT_EQ(store_.checkpoint->last_uid, 2u);
  EXPECT_FALSE(source_.acknowledged.count(3));
}

TEST_F(MailboxPassTest, RefusedMessageIsQuarantinedAloneAndItsBatchCommitted) {
  deliver({1, 2, 3});
  limits_.batch_messages = 3;
  store_.refuse = {keyOf(2)};
  const PassReport report = runPass();

  EXPECT_EQ(log_.of("commit"), (std::vector<std::string>{"1 2 3"})) << "one transaction";
  EXPECT_EQ(report.stored, 2u);
  EXPECT_EQ(report.quarantined, 1u);
  EXPECT_EQ(store_.rows.at(keyOf(1)), FakeStore::Row::kStored);
  EXPECT_EQ(store_.rows.at(keyOf(2)), FakeStore::Row::kQuarantined);
  EXPECT_EQ(store_.rows.at(keyOf(3)), FakeStore::Row::kStored);
  // A quarantined message is accounted for by its row: acknowledged, and the checkpoint passes it.
  EXPECT_EQ(source_.acknowledged, (std::set<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(store_.checkpoint->last_uid, 3u);
}

TEST_F(MailboxPassTest, OversizeMessageIsQuarantinedInItsBatchWithoutEndingThePass) {
  deliver({1, 2});
  source_.mail[2] = testing::sampleMail(2) + std::string(4096, 'x');
  limits_.max_message_bytes = 1024;
  const PassReport report = runPass();
  EXPECT_EQ(report.quarantined, 1u);
  EXPECT_EQ(store_.rows.at(keyOf(2)), FakeStore::Row::kQuarantined);
  // Left on the server untouched (issue 11), whatever after_ingest says; the checkpoint passes it.
  EXPECT_TRUE(store_.left_on_server.count(keyOf(2)));
  EXPECT_EQ(source_.acknowledged, (std::set<std::uint64_t>{1}));
  EXPECT_EQ(store_.checkpoint->last_uid, 2u);
}

TEST_F(MailboxPassTest, ANewUidValidityIsRecordedEvenWhenThereIsNothingToStore) {
  // An empty folder (or one whose every message vanished) after a UIDVALIDITY change: without the
  // checkpoint under the new value, every later pass would rescan and warn again.
  store_.checkpoint = source::Checkpoint{testing::kUidValidity + 1, 40};
  const PassReport report = runPass();
  EXPECT_EQ(report.listed, 0u);
  ASSERT_TRUE(store_.checkpoint);
  EXPECT_EQ(store_.checkpoint->uidvalidity, testing::kUidValidity);
  EXPECT_EQ(store_.checkpoint->last_uid, 0u);
}

TEST_F(MailboxPassTest, MailLeftOnServerInAnEarlierPassIsNeverAcknowledged) {
  deliver({1, 2, 3});
  source_.mail[2] = testing::sampleMail(2) + std::string(4096, 'x');
  limits_.max_message_bytes = 1024;
  runPass();
  store_.checkpoint.reset();  // e.g. a UIDVALIDITY change: the folder is listed again
  source_.acknowledged.clear();
  const PassReport report = runPass();
  EXPECT_EQ(report.quarantined, 0u);
  EXPECT_FALSE(source_.acknowledged.count(2));
  EXPECT_EQ(store_.checkpoint->last_uid, 3u);
}

TEST_F(MailboxPassTest, TransientStoreFailureEndsThePassWithNothingAcknowledged) {
  deliver({1, 2, 3});
  store_.fail_commit = 1;
  EXPECT_THROW(runPass(), db::RetryableError);
  EXPECT_TRUE(log_.of("ack").empty());
  EXPECT_TRUE(store_.rows.empty());
  EXPECT_TRUE(!store_.checkpoint || store_.checkpoint->last_uid == 0);
}

TEST_F(MailboxPassTest, TransientFailureInALaterBatchLeavesThatBatchUnacknowledged) {
  deliver({1, 2, 3, 4});
  store_.fail_commit = 2;
  EXPECT_THROW(runPass(), db::RetryableError);
  EXPECT_EQ(source_.acknowledged, (std::set<std::uint64_t>{1, 2}));
  EXPECT_FALSE(store_.rows.count(keyOf(3)));
  EXPECT_LE(store_.checkpoint.value_or(source::Checkpoint{}).last_uid, 2u);
  expectEveryAckAfterItsCommit();
}

TEST_F(MailboxPassTest, RawBytesAreWrittenAheadOfTheCommitThatNamesThem) {
  write_raw_ahead_ = true;
  deliver({1, 2, 3, 4, 5});
  source_.mail[3] = testing::sampleMail(3) + std::string(4096, 'x');  // too large: not ahead
  limits_.max_message_bytes = 1024;
  const PassReport report = runPass();
  EXPECT_EQ(report.stored, 4u);
  EXPECT_EQ(report.quarantined, 1u);
  // Each batch's bytes were written by a call logged before the commit of that batch.
  std::set<std::uint64_t> ahead;
  for (const auto& line : log_.lines()) {
    if (line.rfind("ahead ", 0) == 0) {
      for (auto uid : uidsIn(line.substr(6))) ahead.insert(uid);
    } else if (line.rfind("commit ", 0) == 0) {
      for (auto uid : uidsIn(line.substr(7))) {
        if (store_.named_ahead.count(keyOf(uid))) {
          EXPECT_TRUE(ahead.count(uid)) << "UID " << uid << " named before it was written";
        }
      }
    }
  }
  // The commit named exactly the bytes the store said it wrote.
  std::set<std::string> expected;
  for (auto uid : ahead) expected.insert(keyOf(uid));
  EXPECT_EQ(store_.named_ahead, expected);
  EXPECT_EQ(expected, (std::set<std::string>{keyOf(1), keyOf(2), keyOf(4), keyOf(5)}));
  expectEveryAckAfterItsCommit();
}

TEST_F(MailboxPassTest, AFailedWriteAheadEndsThePassWithItsBatchUncommittedAndUnacknowledged) {
  write_raw_ahead_ = true;
  deliver({1, 2, 3, 4});
  raw_contents_.fail_for_uid = 3;  // the second batch's
  EXPECT_THROW(runPass(), db::DatabaseError);
  EXPECT_EQ(source_.acknowledged, (std::set<std::uint64_t>{1, 2}));
  EXPECT_FALSE(store_.rows.count(keyOf(3)));
  EXPECT_FALSE(store_.rows.count(keyOf(4)));
  EXPECT_LE(store_.checkpoint.value_or(source::Checkpoint{}).last_uid, 2u);
  expectEveryAckAfterItsCommit();
}

TEST_F(MailboxPassTest, FailedAcknowledgeKeepsTheCheckpointBehindTheCommittedBatch) {
  deliver({1, 2, 3, 4});
  source_.throw_on_acknowledge = 2;
  EXPECT_THROW(runPass(), testing::ConnectionReset);
  EXPECT_TRUE(store_.rows.count(keyOf(3))) << "committed";
  EXPECT_EQ(store_.checkpoint->last_uid, 2u) << "committed but not acknowledged: not covered";
}

// The store failing for good: the checkpoint cannot be saved after the commit failure either, and
// the pass ends with the commit's failure, not the checkpoint's.
TEST_F(MailboxPassTest, ACheckpointThatCannotBeSavedAfterAFailureLeavesThatFailure) {
  deliver({1, 2, 3, 4});
  store_.fail_commit = 2;
  store_.fail_checkpoint = true;
  try {
    runPass();
    ADD_FAILURE() << "the pass did not throw";
  } catch (const db::RetryableError& e) {
    EXPECT_NE(std::string(e.what()).find("concurrent update"), std::string::npos) << e.what();
  }
  EXPECT_EQ(source_.acknowledged, (std::set<std::uint64_t>{1, 2}));
}

TEST_F(MailboxPassTest, FetchFailureEndsThePassAndNothingUncommittedIsAcknowledged) {
  deliver({1, 2, 3, 4, 5});
  source_.throw_on_fetch = 2;
  // Thrown on the fetch thread, rethrown by run() with its own type (the worker classifies it).
  EXPECT_THROW(runPass(), testing::ConnectionReset);
  EXPECT_FALSE(store_.rows.count(keyOf(3)));
  EXPECT_FALSE(source_.acknowledged.count(3));
  expectEveryAckAfterItsCommit();
  expectCheckpointsOverAcknowledged();
}

// Issue 11: an attachment that cannot be written to the spill directory (full, or gone) is the
// environment failing, not bad mail: the pass ends with that error, like a database outage, and
// the message is neither quarantined nor acknowledged.
TEST_F(MailboxPassTest, ASpillFileThatCannotBeWrittenEndsThePassWithoutQuarantining) {
  deliver({1, 2, 3});
  source_.mail[2] =
      "From: a@example.com\r\nContent-Type: application/octet-stream\r\n\r\nbytes\r\n";
  limits_.mime.spill = spill::SpillPolicy{.directory = "/nonexistent/spill", .threshold_bytes = 0};
  EXPECT_THROW(runPass(), std::system_error);
  EXPECT_FALSE(store_.rows.count(keyOf(2)));
  EXPECT_FALSE(source_.acknowledged.count(2));
  expectEveryAckAfterItsCommit();
  expectCheckpointsOverAcknowledged();
}

TEST_F(MailboxPassTest, StopRequestEndsThePassAfterTheBatchAtHand) {
  deliver({1, 2, 3, 4, 5, 6});
  bool stop = false;
  store_.during_commit = [&](int call) {
    if (call == 1) stop = true;  // SIGTERM while the first batch is being committed
  };
  const PassReport report = runPass([&] { return stop; });

  EXPECT_TRUE(report.interrupted);
  EXPECT_EQ(log_.of("commit"), (std::vector<std::string>{"1 2"}));
  EXPECT_EQ(source_.acknowledged, (std::set<std::uint64_t>{1, 2}));
  EXPECT_EQ(store_.checkpoint->last_uid, 2u) << "the batch at hand is checkpointed";
  EXPECT_FALSE(store_.rows.count(keyOf(3)));
}

TEST_F(MailboxPassTest, StopRequestedBeforeTheFirstBatchStoresNothing) {
  deliver({1, 2});
  const PassReport report = runPass([] { return true; });
  EXPECT_TRUE(report.interrupted);
  EXPECT_TRUE(log_.of("commit").empty());
  EXPECT_TRUE(source_.acknowledged.empty());
}

TEST_F(MailboxPassTest, FaultHookAfterCommitRunsBeforeTheAcknowledge) {
  deliver({1, 2});
  FaultHooks faults;
  faults.after_commit = [&] { log_.add("after_commit"); };
  runPass({}, faults);
  const auto lines = log_.lines();
  const auto commit = std::find(lines.begin(), lines.end(), "commit 1 2");
  const auto hook = std::find(lines.begin(), lines.end(), "after_commit");
  const auto ack = std::find(lines.begin(), lines.end(), "ack 1 2");
  ASSERT_NE(hook, lines.end());
  EXPECT_LT(commit, hook);
  EXPECT_LT(hook, ack);
}

TEST_F(MailboxPassTest, ABatchIsFetchedInWindowsSoAnAcknowledgeNeverWaitsForAWholeBatch) {
  deliverOneBatchOfThreeWindows();
  const PassReport report = runPass();
  EXPECT_EQ(log_.of("fetch"), (std::vector<std::string>{"1 2", "3 4", "5"}));
  EXPECT_EQ(log_.of("commit"), (std::vector<std::string>{"1 2 3 4 5"}));
  EXPECT_EQ(report.stored, 5u);
  EXPECT_EQ(report.fetched, 5u);
}

// Each window's raw bytes go ahead as soon as the window is parsed, on a task of their own, while
// the rest of the batch is fetched: the commit then waits for the last window's bytes only, not
// for the whole batch's (issue 10). The third window's fetch waits (up to ten seconds) for the
// first two windows' bytes; when they only go ahead with the whole batch, it waits in vain.
TEST_F(MailboxPassTest, EachWindowIsWrittenAheadWhileTheRestOfItsBatchIsFetched) {
  write_raw_ahead_ = true;
  deliverOneBatchOfThreeWindows();
  const auto written = [&](std::uint64_t uid) {
    for (const auto& line : log_.of("ahead")) {
      if (uidsIn(line).count(uid)) return true;
    }
    return false;
  };
  bool ahead_before_third_window = false;
  source_.on_fetch = [&](int call) {
    if (call != 3) return;
    for (int i = 0; i < 1000 && !ahead_before_third_window; ++i) {
      ahead_before_third_window = written(1) && written(2) && written(3) && written(4);
      if (!ahead_before_third_window) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  };
  const PassReport report = runPass();
  EXPECT_EQ(log_.of("fetch"), (std::vector<std::string>{"1 2", "3 4", "5"}));
  EXPECT_TRUE(ahead_before_third_window);
  std::vector<std::string> ahead = log_.of("ahead");
  std::sort(ahead.begin(), ahead.end());  // the tasks may finish in any order
  EXPECT_EQ(ahead, (std::vector<std::string>{"1 2", "3 4", "5"}));
  // Each answer applied to its own window's messages: all five named, none written twice.
  EXPECT_EQ(store_.named_ahead,
            (std::set<std::string>{keyOf(1), keyOf(2), keyOf(3), keyOf(4), keyOf(5)}));
  EXPECT_EQ(log_.of("commit"), (std::vector<std::string>{"1 2 3 4 5"}));
  EXPECT_EQ(report.stored, 5u);
  expectEveryAckAfterItsCommit();
}

// The fetch stage reserves room for the batch's listed messages so that a window's write-ahead
// task can read them while later windows are added. A source that answers more than it was asked
// (none of ours does) outgrows that room: the stage waits for the tasks before the messages move,
// and the commit gets every answer (the real store takes a second copy as a duplicate of the
// first; this fake store counts both).
TEST_F(MailboxPassTest, ASourceAnsweringTwiceOutgrowsTheReservedRoomWithoutLosingAMessage) {
  write_raw_ahead_ = true;
  deliverOneBatchOfThreeWindows();
  source_.answers_twice = true;
  // The first window's write reads its messages only once the next window's write has begun, or
  // after half a second. Without the stage's wait the messages have moved by then: a sanitizer
  // build (deploy/local.sh sanitize) reports the read as a heap-use-after-free.
  std::mutex mutex;
  std::condition_variable next_write_begun;
  int writes_begun = 0;
  raw_contents_.on_write = [&](std::span<const IncomingMessage> messages) {
    std::unique_lock lock(mutex);
    ++writes_begun;
    next_write_begun.notify_all();
    if (!messages.empty() && testing::uidOf(messages.front().source_key) == 1) {
      next_write_begun.wait_for(lock, std::chrono::milliseconds(500),
                                [&] { return writes_begun > 1; });
    }
  };
  const PassReport report = runPass();
  EXPECT_EQ(log_.of("fetch"), (std::vector<std::string>{"1 2", "3 4", "5"}));
  EXPECT_EQ(log_.of("commit"), (std::vector<std::string>{"1 1 2 2 3 3 4 4 5 5"}));
  EXPECT_EQ(report.stored, 10u);
  std::vector<std::string> ahead = log_.of("ahead");
  std::sort(ahead.begin(), ahead.end());
  EXPECT_EQ(ahead, (std::vector<std::string>{"1 1 2 2", "3 3 4 4", "5 5"}));
  EXPECT_EQ(store_.named_ahead,
            (std::set<std::string>{keyOf(1), keyOf(2), keyOf(3), keyOf(4), keyOf(5)}));
  EXPECT_EQ(source_.acknowledged, (std::set<std::uint64_t>{1, 2, 3, 4, 5}));
  expectEveryAckAfterItsCommit();
}

// A message larger than a window ends the window it joins; the next message starts a new one.
TEST_F(MailboxPassTest, AMessageLargerThanAWindowEndsTheWindowItJoins) {
  const std::uint64_t sizes[] = {300 * 1024, 1536 * 1024, 300 * 1024, 1536 * 1024, 300 * 1024};
  for (std::uint64_t uid = 1; uid <= 5; ++uid) {
    source_.mail[uid] = testing::sampleMail(uid) + std::string(sizes[uid - 1], 'x') + "\r\n";
  }
  limits_.batch_messages = 5;
  limits_.batch_bytes = 64ull * 1024 * 1024;
  const PassReport report = runPass();
  EXPECT_EQ(log_.of("fetch"), (std::vector<std::string>{"1 2", "3 4", "5"}));
  EXPECT_EQ(report.stored, 5u);
}

// The checkpoint is a transaction of its own: while no time passes it is saved once, at the end of
// the pass, not once per batch.
TEST_F(MailboxPassTest, TheCheckpointIsSavedOnceAtTheEndOfAShortPass) {
  deliver({1, 2, 3, 4, 5, 6});
  testing::StepClock clock;  // never moves
  MailboxPass pass("support", source_, store_, store_, limits_);
  pass.timeWith(clock);
  const PassReport report = pass.run();
  EXPECT_EQ(log_.of("commit"), (std::vector<std::string>{"1 2", "3 4", "5 6"}));
  EXPECT_EQ(log_.of("checkpoint"), (std::vector<std::string>{"6"}));
  EXPECT_EQ(report.checkpoint.last_uid, 6u);
  EXPECT_EQ(report.acknowledged, 6u);
}

// A long pass saves it as it goes (at most once a second), over the batches acknowledged by then.
// Each commit takes two seconds and, from the second on, waits until the batch before is
// acknowledged on the server; the acknowledge stage may still be recording it when the commit
// ends, but by the end of the third commit the first batch is acknowledged, so at least one
// checkpoint is saved before the last.
TEST_F(MailboxPassTest, ALongPassSavesTheCheckpointAsItGoes) {
  deliver({1, 2, 3, 4, 5, 6});
  testing::StepClock clock;
  store_.during_commit = [&](int call) {
    clock.advance(std::chrono::seconds(2));
    const auto before = static_cast<std::size_t>(call - 1);
    for (int i = 0; i < 2000 && log_.of("ack").size() < before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(log_.of("ack").size(), before) << "commit " << call;
  };
  MailboxPass pass("support", source_, store_, store_, limits_);
  pass.timeWith(clock);
  pass.run();
  const std::vector<std::string> saved = log_.of("checkpoint");
  ASSERT_GE(saved.size(), 2u) << "saved only at the end";
  EXPECT_EQ(saved.back(), "6");
  for (std::size_t i = 1; i < saved.size(); ++i) {
    EXPECT_LT(std::stoull(saved[i - 1]), std::stoull(saved[i])) << "saved twice: " << saved[i];
  }
  expectCheckpointsOverAcknowledged();
}

// Where the time went: each stage's clock readings, on a clock that moves only inside the fakes
// (one batch, so the fetch stage's, the commit stage's and the acknowledge stage's moves come one
// after the other).
TEST_F(MailboxPassTest, StageTimingsSayWhereThePassSpentItsTime) {
  using namespace std::chrono_literals;
  deliver({1, 2});
  testing::StepClock clock;
  source_.on_fetch = [&](int) { clock.advance(3s); };
  store_.during_commit = [&](int) { clock.advance(5s); };
  source_.on_acknowledge = [&] { clock.advance(1s); };
  MailboxPass pass("support", source_, store_, store_, limits_);
  pass.timeWith(clock);
  const PassTimings t = pass.run().timings;
  EXPECT_EQ(t.fetching, 3s);
  EXPECT_EQ(t.parsing, 0s);
  EXPECT_EQ(t.committing, 5s);
  EXPECT_EQ(t.acknowledging, 1s);
  // The commit stage waited for that fetch, or part of it, and then for the end of the fetch
  // stage, while the acknowledge stage may have moved the clock.
  EXPECT_LE(t.waiting_for_mail, 4s);
}

// Pipelining: the next batch is fetched while the current one is being committed. The first
// commit waits until the source was asked for the second batch; done one after the other, that
// fetch would never come (the wait's bound only keeps a failing test from hanging).
class MailboxPassPipelineTest : public MailboxPassTest {
 protected:
  // Holds the first commit open until the fetch thread asked for the second batch; true when it
  // did. `then` runs inside the first commit afterwards.
  void holdFirstCommitForTheSecondFetch(std::function<void()> then = {}) {
    source_.on_fetch = [this](int call) {
      std::lock_guard lock(mutex_);
      fetch_calls_ = call;
      fetched_.notify_all();
    };
    store_.during_commit = [this, then](int call) {
      if (call != 1) return;
      std::unique_lock lock(mutex_);
      overlapped_ =
          fetched_.wait_for(lock, std::chrono::seconds(20), [this] { return fetch_calls_ >= 2; });
      if (then) then();
    };
  }

  std::mutex mutex_;
  std::condition_variable fetched_;
  int fetch_calls_ = 0;
  bool overlapped_ = false;
};

TEST_F(MailboxPassPipelineTest, FetchesTheNextBatchWhileCommittingTheCurrentOne) {
  deliver({1, 2, 3, 4, 5, 6});
  holdFirstCommitForTheSecondFetch();
  const PassReport report = runPass();
  EXPECT_TRUE(overlapped_) << "the second batch was not fetched during the first commit";
  EXPECT_EQ(report.stored, 6u);
  EXPECT_EQ(log_.of("commit"), (std::vector<std::string>{"1 2", "3 4", "5 6"})) << "in order";
  expectEveryAckAfterItsCommit();
  expectCheckpointsOverAcknowledged();
  EXPECT_EQ(store_.checkpoint->last_uid, 6u);
}

// A batch fetched ahead when the stop comes is neither committed nor acknowledged.
TEST_F(MailboxPassPipelineTest, StopDropsTheBatchFetchedAheadUnacknowledged) {
  deliver({1, 2, 3, 4, 5, 6});
  bool stop = false;
  holdFirstCommitForTheSecondFetch([&] { stop = true; });
  const PassReport report = runPass([&] { return stop; });
  EXPECT_TRUE(overlapped_);
  EXPECT_TRUE(report.interrupted);
  EXPECT_EQ(source_.acknowledged, (std::set<std::uint64_t>{1, 2}));
  EXPECT_FALSE(store_.rows.count(keyOf(3)));
  EXPECT_EQ(store_.checkpoint->last_uid, 2u);
}

// The fetch thread's connection breaks while the commit stage commits the batch before: the pass
// ends with that failure (a network timeout, say), not with the consequence of acknowledging on
// the dead session ("session is unusable", or one more read timeout), and the committed batch
// stays unacknowledged for the next pass to replay.
TEST_F(MailboxPassPipelineTest, AFetchFailureDuringACommitEndsThePassWithThatFailure) {
  deliver({1, 2, 3, 4, 5, 6});
  source_.throw_on_fetch = 2;
  source_.unusable_after_failure = true;
  // The second fetch fails only once the first commit has begun (else the pass would end before
  // committing anything), and that commit waits for it.
  bool committing = false;
  source_.on_fetch = [this, &committing](int call) {
    std::unique_lock lock(mutex_);
    if (call == 2) fetched_.wait_for(lock, std::chrono::seconds(20), [&] { return committing; });
    fetch_calls_ = call;
    fetched_.notify_all();
  };
  store_.during_commit = [this, &committing](int call) {
    if (call != 1) return;
    std::unique_lock lock(mutex_);
    committing = true;
    fetched_.notify_all();
    overlapped_ =
        fetched_.wait_for(lock, std::chrono::seconds(20), [this] { return fetch_calls_ >= 2; });
  };
  EXPECT_THROW(runPass(), testing::ConnectionReset);
  EXPECT_TRUE(overlapped_);
  EXPECT_TRUE(store_.rows.count(keyOf(2))) << "the first batch was committed";
  EXPECT_TRUE(source_.acknowledged.empty()) << "nothing acknowledged on the broken session";
  expectCheckpointsOverAcknowledged();
}

// The acknowledge of a batch overlaps the commit of the next: the first acknowledge waits until
// the second commit has begun. Done one after the other, that commit would never begin (the
// wait's bound only keeps a failing test from hanging). The acknowledge holds the source, so the
// first commit waits until the second batch's fetch has begun: that fetch needs the source too.
TEST_F(MailboxPassPipelineTest, AcknowledgesABatchWhileTheNextOneIsCommitted) {
  deliver({1, 2, 3, 4, 5, 6});
  int commits = 0;
  bool first = true;
  source_.on_fetch = [this](int call) {
    std::lock_guard lock(mutex_);
    fetch_calls_ = call;
    fetched_.notify_all();
  };
  store_.during_commit = [this, &commits](int call) {
    std::unique_lock lock(mutex_);
    commits = call;
    fetched_.notify_all();
    if (call == 1) {
      fetched_.wait_for(lock, std::chrono::seconds(20), [this] { return fetch_calls_ >= 2; });
    }
  };
  source_.on_acknowledge = [this, &commits, &first] {
    std::unique_lock lock(mutex_);
    if (!first) return;
    first = false;
    overlapped_ =
        fetched_.wait_for(lock, std::chrono::seconds(20), [&commits] { return commits >= 2; });
  };
  const PassReport report = runPass();
  EXPECT_TRUE(overlapped_) << "the first batch was not acknowledged during the second commit";
  EXPECT_EQ(report.acknowledged, 6u);
  EXPECT_EQ(log_.of("ack"), (std::vector<std::string>{"1 2", "3 4", "5 6"})) << "in order";
  expectEveryAckAfterItsCommit();
  expectCheckpointsOverAcknowledged();
  EXPECT_EQ(store_.checkpoint->last_uid, 6u);
}

TEST_F(MailboxPassTest, CommitFailureWhileTheNextBatchIsFetchedJoinsAndThrows) {
  deliver({1, 2, 3, 4, 5, 6, 7, 8});
  store_.fail_commit = 1;
  // The fetch thread may be anywhere (fetching, waiting for room): run() still stops and joins
  // it, then throws the store's error.
  EXPECT_THROW(runPass(), db::RetryableError);
  EXPECT_TRUE(source_.acknowledged.empty());
}

}  // namespace
}  // namespace hd::service
