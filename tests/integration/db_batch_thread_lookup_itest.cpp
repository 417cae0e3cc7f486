// BatchThreadLookup against a real PostgreSQL: the answers it reads from the batch's statements
// are the ones the per-question lookup gives; a reply to a message of the same batch is answered
// from the batch's memory, the same answer; other answers the batch's own writes change (a subject
// reference to a ticket it opened or joined, a sender it opened a ticket for) are asked again, so
// threading is what it was with a round trip per question.

#include <gtest/gtest.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "db/batch_thread_lookup.hpp"
#include "db/transaction_thread_lookup.hpp"
#include "service/ingest/decide.hpp"
#include "tests/integration/db_store_fixture.hpp"

namespace hd::db {
namespace {

using namespace itest;

mime::Message from(const std::string& address, const std::string& subject,
                   const std::string& message_id, const std::string& in_reply_to = "") {
  mime::Message m = mail(subject, message_id, in_reply_to);
  m.from = mime::Address{"", address};
  return m;
}

Outcome followUp(std::int64_t ticket_id) {
  Outcome outcome;
  outcome.kind = Kind::kFollowUp;
  outcome.ticket_id = ticket_id;
  return outcome;
}

std::vector<std::string> sorted(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  return values;
}

class BatchThreadLookupTest : public TicketStoreTest {
 protected:
  std::vector<BatchEntryResult> commit(const std::vector<IncomingMessage>& batch,
                                       const ingest::Policy& policy) {
    return store_.commitBatch(batch, [&](std::size_t i, ingest::ThreadLookup& lookup) {
      return ingest::decide(*batch[i].parsed, lookup, policy);
    });
  }
};

TEST_F(BatchThreadLookupTest, AnswersFromTheBatchStatementsAreTheLiveAnswers) {
  const auto first = from("jane@example.com", "Printer", "a@example.com");
  const auto t1 = store_.commitMessage(incoming("imap:support:1:1", first, "1"), newTicket);
  auto joined = from("bob@example.com", "Re: Printer", "b@example.com");
  joined.cc = {{"", "Carl@Example.com"}};
  store_.commitMessage(incoming("imap:support:1:2", joined, "2"),
                       [&](ingest::ThreadLookup&) { return followUp(t1.ticket_id); });
  const auto recorded = from("robot@example.com", "Report", "c@example.com");
  store_.commitMessage(incoming("imap:support:1:3", recorded, "3"), [](ingest::ThreadLookup&) {
    Outcome outcome;
    outcome.kind = Kind::kRecorded;
    return outcome;
  });
  const auto copy = from("dan@example.com", "Printer", "a@example.com");  // same Message-ID
  const auto t2 = store_.commitMessage(incoming("imap:sales:1:1", copy, "4", "sales"), newTicket);
  ASSERT_NE(t1.ticket_id, t2.ticket_id);

  // One message of the batch asks every question; the lookup must answer each from its
  // statements, exactly as the live lookup does.
  IncomingMessage asking = incoming("imap:support:1:9", first, "9");
  asking.thread_questions.message_ids = {"zzz@example.com", "c@example.com", "b@example.com",
                                         "a@example.com", ""};
  asking.thread_questions.references = {t1.ticket_reference, t2.ticket_reference, "HD-999"};
  asking.thread_questions.senders = {"jane@example.com", "JANE@example.com", "dan@example.com",
                                     "nobody@example.com", ""};
  pqxx::connection c(db_.url());
  pqxx::work tx(c);
  TransactionThreadLookup live(tx);
  BatchThreadLookup batch(tx, {&asking, 1});

  const std::vector<std::vector<std::string>> id_lists = {
      {"zzz@example.com"},
      {"c@example.com"},
      {"b@example.com"},
      {"zzz@example.com", "c@example.com", "b@example.com"},
      {"", "a@example.com", "b@example.com"},
      {}};
  for (const auto& ids : id_lists) {
    const auto expected = live.findByMessageIds(ids);
    const auto answer = batch.findByMessageIds(ids);
    ASSERT_EQ(answer.has_value(), expected.has_value()) << ::testing::PrintToString(ids);
    if (expected) {
      EXPECT_EQ(answer->ticket_id, expected->ticket_id);
      EXPECT_EQ(answer->message_id, expected->message_id);
    }
  }
  EXPECT_EQ(batch.findByMessageIds({"a@example.com"})->ticket_id, t1.ticket_id) << "lowest id";
  for (const auto& reference : asking.thread_questions.references) {
    const auto expected = live.findByReference(reference);
    const auto answer = batch.findByReference(reference);
    ASSERT_EQ(answer.has_value(), expected.has_value()) << reference;
    if (expected) {
      EXPECT_EQ(answer->ticket_id, expected->ticket_id);
      EXPECT_EQ(answer->reference, expected->reference);
      EXPECT_EQ(answer->requester_address, expected->requester_address);
      EXPECT_EQ(sorted(answer->participants), sorted(expected->participants)) << reference;
    }
  }
  EXPECT_EQ(sorted(batch.findByReference(t1.ticket_reference)->participants),
            (std::vector<std::string>{"bob@example.com", "carl@example.com", "jane@example.com",
                                      "support@example.com"}));
  for (const auto& sender : asking.thread_questions.senders) {
    EXPECT_EQ(batch.newTicketsInLastHour(sender), live.newTicketsInLastHour(sender)) << sender;
  }
  EXPECT_EQ(batch.newTicketsInLastHour("JANE@example.com"), 1);
  EXPECT_EQ(batch.liveQuestions(), 0u) << "every question was answered by the batch statements";

  EXPECT_FALSE(batch.findByMessageIds({"never-asked@example.com"}));
  EXPECT_FALSE(batch.findByReference("HD-12345"));
  EXPECT_EQ(batch.newTicketsInLastHour("never-asked@example.com"), 0);
  EXPECT_EQ(batch.liveQuestions(), 3u) << "questions not asked in advance go to the database";
}

// A reply to a message the batch itself stored is answered from memory, and the answer is the
// live lookup's: the batch's first message under that Message-ID, or one stored before the batch.
TEST_F(BatchThreadLookupTest, RepliesToTheBatchsOwnMessagesAreAnsweredAsLiveWithoutAsking) {
  const auto before = from("jane@example.com", "Printer", "old@example.com");
  const auto t1 = store_.commitMessage(incoming("imap:support:1:1", before, "0"), newTicket);

  IncomingMessage asking = incoming("imap:support:2:9", before, "9");
  asking.thread_questions.message_ids = {"old@example.com", "new@example.com", "later@example.com"};
  pqxx::connection c(db_.url());
  pqxx::work tx(c);
  TransactionThreadLookup live(tx);
  BatchThreadLookup batch(tx, {&asking, 1});

  // Stored by the batch, as the store writes them (in its transaction), then remembered: a new
  // ticket under new@example.com, a second message under the same id, one under old@example.com.
  const auto store = [&](const std::string& key, const std::string& message_id,
                         std::int64_t ticket_id) {
    const std::string ticket =
        ticket_id != 0 ? std::to_string(ticket_id)
                       : tx.exec1("INSERT INTO tickets (reference, mailbox) VALUES ('HD-x" + key +
                                  "', 'support') RETURNING id")[0]
                             .as<std::string>();
    const auto id = tx.exec1(
                          "INSERT INTO messages (ticket_id, source_key, mailbox,"
                          " internet_message_id, classification, raw_size, raw_sha256)"
                          " VALUES (" +
                          ticket + ", '" + key + "', 'support', '" + message_id +
                          "', 'customer', 1, 'x') RETURNING id")[0]
                        .as<std::int64_t>();
    const mime::Message written = from("bob@example.com", "Scanner", message_id);
    CommitResult result;
    result.status = CommitStatus::kInserted;
    result.message_id = id;
    result.ticket_id = std::stoll(ticket);
    batch.remember(incoming(key, written, key), result);
    return result;
  };
  const auto first = store("imap:support:2:1", "new@example.com", 0);
  store("imap:support:2:2", "new@example.com", t1.ticket_id);
  store("imap:support:2:3", "old@example.com", first.ticket_id);

  const std::vector<std::vector<std::string>> id_lists = {{"new@example.com"},
                                                          {"old@example.com"},
                                                          {"later@example.com"},
                                                          {"later@example.com", "new@example.com"},
                                                          {"new@example.com", "old@example.com"},
                                                          {"old@example.com", "new@example.com"}};
  for (const auto& ids : id_lists) {
    const auto expected = live.findByMessageIds(ids);
    const auto answer = batch.findByMessageIds(ids);
    ASSERT_EQ(answer.has_value(), expected.has_value()) << ::testing::PrintToString(ids);
    if (expected) {
      EXPECT_EQ(answer->ticket_id, expected->ticket_id) << ::testing::PrintToString(ids);
      EXPECT_EQ(answer->message_id, expected->message_id) << ::testing::PrintToString(ids);
    }
  }
  EXPECT_EQ(batch.findByMessageIds({"new@example.com"})->message_id, first.message_id)
      << "the batch's first message under the id";
  EXPECT_EQ(batch.findByMessageIds({"old@example.com"})->ticket_id, t1.ticket_id)
      << "the message stored before the batch";
  EXPECT_EQ(batch.liveQuestions(), 0u) << "answered from the batch's memory";
}

TEST_F(BatchThreadLookupTest, AnswersTheBatchChangesAreAskedAgain) {
  // Before the batch: ticket HD-1 of jane.
  const auto before = from("jane@example.com", "Printer", "old@example.com");
  const auto t1 = store_.commitMessage(incoming("imap:support:1:1", before, "0"), newTicket);
  ASSERT_EQ(t1.ticket_reference, "HD-1");

  ingest::Policy policy;
  policy.new_tickets_per_sender_per_hour = 2;
  std::vector<mime::Message> mails;
  // carl joins HD-1 by replying, then may use its reference (its participants changed).
  auto carl_reply = from("carl@example.com", "Re: Printer", "c1@example.com", "old@example.com");
  mails.push_back(carl_reply);
  mails.push_back(from("carl@example.com", "[HD-1] toner too", "c2@example.com"));
  // jane opens HD-2; bob's reply to it joins it; bob then names HD-2 (a ticket of this batch).
  mails.push_back(from("jane@example.com", "Scanner", "s1@example.com"));
  mails.push_back(from("bob@example.com", "Re: Scanner", "s2@example.com", "s1@example.com"));
  mails.push_back(from("bob@example.com", "[HD-2] still broken", "s3@example.com"));
  // jane's third new ticket within the hour is over the limit of 2.
  mails.push_back(from("JANE@example.com", "Fax", "f1@example.com"));
  std::vector<IncomingMessage> batch;
  for (std::size_t i = 0; i < mails.size(); ++i) {
    // Raw bytes unlike the earlier mail's: the same bytes would be an alias of it.
    batch.push_back(
        incoming("imap:support:2:" + std::to_string(i), mails[i], "batch " + std::to_string(i)));
  }
  const auto results = commit(batch, policy);
  ASSERT_EQ(results.size(), mails.size());
  EXPECT_EQ(results[0].commit.ticket_id, t1.ticket_id) << results[0].commit.outcome.reason;
  EXPECT_EQ(results[1].commit.ticket_id, t1.ticket_id) << results[1].commit.outcome.reason;
  ASSERT_TRUE(results[2].commit.ticket_created);
  EXPECT_EQ(results[2].commit.ticket_reference, "HD-2");
  EXPECT_EQ(results[3].commit.ticket_id, results[2].commit.ticket_id)
      << results[3].commit.outcome.reason;
  EXPECT_EQ(results[4].commit.ticket_id, results[2].commit.ticket_id)
      << results[4].commit.outcome.reason;
  EXPECT_EQ(results[5].commit.outcome.classification, ingest::Classification::kRateLimited)
      << results[5].commit.outcome.reason;
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 2);
}

}  // namespace
}  // namespace hd::db
