// TicketStore::commitBatch against a real PostgreSQL: one transaction per batch, decide() seeing
// the earlier messages of its own batch, a refused message quarantined alone, a lost session
// committing nothing.

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <vector>

#include "db/pending_messages.hpp"
#include "service/ingest/decide.hpp"
#include "tests/integration/db_store_fixture.hpp"

namespace hd::db {
namespace {

using namespace itest;

std::vector<BatchEntryResult::Kind> kinds(const std::vector<BatchEntryResult>& results) {
  std::vector<BatchEntryResult::Kind> out;
  for (const auto& r : results) out.push_back(r.kind);
  return out;
}

// A batch of `n` questions, each from a sender of its own ("Question <i>", key
// imap:support:7:<i>). Not copyable: the batch points into the mails.
struct Questions {
  explicit Questions(int n) {
    mails.reserve(n);
    for (int i = 0; i < n; ++i) {
      mails.push_back(mail("Question " + std::to_string(i), std::to_string(i) + "@example.com"));
      batch.push_back(
          incoming("imap:support:7:" + std::to_string(i), mails.back(), std::to_string(i)));
    }
  }
  Questions(const Questions&) = delete;
  Questions& operator=(const Questions&) = delete;

  std::vector<mime::Message> mails;
  std::vector<IncomingMessage> batch;
};

TEST_F(TicketStoreTest, AFollowUpSeesItsParentInTheSameBatch) {
  const auto first = mail("Broken", "first@example.com");
  const auto reply = mail("Re: Broken", "reply@example.com", "first@example.com");
  const std::vector<IncomingMessage> batch{incoming("imap:support:7:1", first, "1"),
                                           incoming("imap:support:7:2", reply, "2")};
  const auto results = store_.commitBatch(batch, [&](std::size_t i, ingest::ThreadLookup& l) {
    return threadOrNew(l, *batch[i].parsed);
  });
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].commit.ticket_created);
  EXPECT_EQ(results[1].commit.outcome.kind, Kind::kFollowUp);
  EXPECT_EQ(results[1].commit.ticket_id, results[0].commit.ticket_id);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 1);
  EXPECT_EQ(count("SELECT count(DISTINCT xid) FROM events"), 1) << "one transaction per batch";
}

TEST_F(TicketStoreTest, TheRateLimitCountsEarlierMailOfTheSameBatch) {
  ingest::Policy policy;
  policy.new_tickets_per_sender_per_hour = 2;
  const Questions questions(4);
  const auto& batch = questions.batch;
  const auto results = store_.commitBatch(batch, [&](std::size_t i, ingest::ThreadLookup& l) {
    return ingest::decide(*batch[i].parsed, l, policy);
  });
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE classification = 'rate_limited'"), 2);
  EXPECT_TRUE(results[0].commit.ticket_created);
  EXPECT_TRUE(results[1].commit.ticket_created);
  EXPECT_FALSE(results[2].commit.ticket_created);
}

// Rows inserted by one statement share its command id (PostgreSQL's cmin).
TEST_F(TicketStoreTest, IndependentMessagesAreWrittenTenToAStatementInBatchOrder) {
  const Questions questions(12);
  const auto results =
      store_.commitBatch(questions.batch, [&](std::size_t i, ingest::ThreadLookup& l) {
        return i % 3 == 2 ? recorded(l) : newTicket(l);
      });
  ASSERT_EQ(results.size(), 12u);
  EXPECT_EQ(count("SELECT count(DISTINCT cmin::text) FROM messages"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM messages GROUP BY cmin::text ORDER BY min(id) LIMIT 1"),
            static_cast<long long>(kMessagesPerStatement));
  // Every message's rows get their ids in batch order, as with a statement per message.
  EXPECT_EQ(db_.scalar("SELECT string_agg(source_key, ',' ORDER BY id) FROM messages"),
            db_.scalar("SELECT string_agg('imap:support:7:' || n, ',' ORDER BY n)"
                       " FROM generate_series(0, 11) AS n"));
  EXPECT_EQ(db_.scalar("SELECT string_agg(m.source_key, ',' ORDER BY t.id)"
                       " FROM tickets t JOIN messages m ON m.ticket_id = t.id"),
            "imap:support:7:0,imap:support:7:1,imap:support:7:3,imap:support:7:4,"
            "imap:support:7:6,imap:support:7:7,imap:support:7:9,imap:support:7:10");
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT id, lag(message_id) OVER (ORDER BY id) AS before,"
                  " message_id FROM events) e WHERE before > message_id"),
            0)
      << "no event of a later message before one of an earlier message";
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].commit.message_id,
              count("SELECT id FROM messages WHERE source_key = 'imap:support:7:" +
                    std::to_string(i) + "'"));
  }
}

TEST_F(TicketStoreTest, AMessageOverThePendingBytesIsWrittenAlone) {
  const auto small = mail("Small", "small@example.com");
  const auto big = mail("Big", "big@example.com");
  const auto after = mail("After", "after@example.com");
  const std::vector<IncomingMessage> batch{
      incoming("imap:support:7:1", small, "small"),
      incoming("imap:support:7:2", big, std::string(kPendingRawBytes, 'x')),
      incoming("imap:support:7:3", after, "after")};
  store_.commitBatch(batch, [&](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); });
  EXPECT_EQ(db_.scalar("SELECT string_agg(n::text, ',' ORDER BY first) FROM (SELECT count(*) AS n,"
                       " min(id) AS first FROM messages GROUP BY cmin::text) s"),
            "1,1,1")
      << "the big message's raw bytes are not held together with others'";
  EXPECT_EQ(count("SELECT length(raw) FROM raw_messages JOIN messages m ON m.id = message_id"
                  " WHERE m.subject = 'Big'"),
            static_cast<long long>(kPendingRawBytes));
}

TEST_F(TicketStoreTest, TwoFollowUpsOfOneTicketInABatchBothTouchIt) {
  const auto first = mail("Broken", "first@example.com");
  store_.commitMessage(incoming("imap:support:7:1", first, "1"), newTicket);
  db_.scalar("UPDATE tickets SET updated_at = now() - interval '1 day'");
  const auto reply = mail("Re: Broken", "reply@example.com", "first@example.com");
  const auto again = mail("Re: Broken", "again@example.com", "first@example.com");
  const std::vector<IncomingMessage> batch{incoming("imap:support:7:2", reply, "2"),
                                           incoming("imap:support:7:3", again, "3")};
  const auto results = store_.commitBatch(batch, [&](std::size_t i, ingest::ThreadLookup& l) {
    return threadOrNew(l, *batch[i].parsed);
  });
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].commit.outcome.kind, Kind::kFollowUp);
  EXPECT_EQ(results[1].commit.outcome.kind, Kind::kFollowUp);
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE ticket_id IS NOT NULL"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM tickets WHERE updated_at > now() - interval '1 hour'"), 1);
}

TEST_F(TicketStoreTest, TheSameSourceKeyTwiceInABatchIsStoredOnce) {
  const auto a = mail("Question", "a@example.com");
  const auto b = mail("Other", "b@example.com");
  const std::vector<IncomingMessage> batch{incoming("imap:support:7:1", a, "a"),
                                           incoming("imap:support:7:1", b, "b")};
  const auto results =
      store_.commitBatch(batch, [&](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); });
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].commit.status, CommitStatus::kInserted);
  EXPECT_EQ(results[1].commit.status, CommitStatus::kAlreadyIngested);
  EXPECT_EQ(db_.scalar("SELECT subject FROM messages"), "Question");
}

TEST_F(TicketStoreTest, ARefusedMessageIsQuarantinedAloneAndItsBatchMatesAreStored) {
  // The database refuses one message of the batch (a constraint this test adds).
  db_.scalar("ALTER TABLE messages ADD CONSTRAINT no_poison CHECK (subject <> 'poison')");
  const auto a = mail("fine", "a@example.com");
  const auto poison = mail("poison", "p@example.com");
  const auto reply = mail("Re: fine", "c@example.com", "a@example.com");
  const std::vector<IncomingMessage> batch{incoming("imap:support:7:1", a, "a"),
                                           incoming("imap:support:7:2", poison, "poison bytes"),
                                           incoming("imap:support:7:3", reply, "c")};
  const auto results = store_.commitBatch(batch, [&](std::size_t i, ingest::ThreadLookup& l) {
    return threadOrNew(l, *batch[i].parsed);
  });
  using K = BatchEntryResult::Kind;
  EXPECT_EQ(kinds(results), (std::vector<K>{K::kCommitted, K::kQuarantined, K::kCommitted}));
  EXPECT_EQ(results[1].sqlstate, "23514");
  EXPECT_NE(results[1].error.find("cannot store"), std::string::npos) << results[1].error;
  EXPECT_EQ(results[2].commit.ticket_id, results[0].commit.ticket_id);
  EXPECT_EQ(db_.scalar("SELECT string_agg(source_key, ',' ORDER BY source_key) FROM messages"),
            "imap:support:7:1,imap:support:7:3");
  EXPECT_EQ(db_.scalar("SELECT source_key || '|' || encode(raw, 'escape') FROM quarantine"),
            "imap:support:7:2|poison bytes");
  // The refused message's ticket and events were rolled back with its savepoint.
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 3);
}

TEST_F(TicketStoreTest, ARefusedMessageIsOnlyReportedWhenAskedAndNothingOfItIsWritten) {
  db_.scalar("ALTER TABLE messages ADD CONSTRAINT no_poison CHECK (subject <> 'poison')");
  const auto poison = mail("poison", "p@example.com");
  const std::vector<IncomingMessage> batch{incoming("imap:support:7:2", poison, "poison")};
  const auto results = store_.commitBatch(
      batch, [](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); }, OnRefused::kReport);
  EXPECT_EQ(results.at(0).kind, BatchEntryResult::Kind::kRefused);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
}

TEST_F(TicketStoreTest, UnparsedEntriesGoToQuarantineInTheSameTransaction) {
  const auto a = mail("fine", "a@example.com");
  IncomingMessage broken;
  broken.source_key = "imap:support:7:2";
  broken.mailbox = "support";
  broken.raw = "not mail";
  broken.quarantine_reason = "cannot parse: no header";
  const std::vector<IncomingMessage> batch{incoming("imap:support:7:1", a, "a"), broken};
  const auto results =
      store_.commitBatch(batch, [](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); });
  EXPECT_EQ(results.at(1).kind, BatchEntryResult::Kind::kQuarantined);
  EXPECT_EQ(db_.scalar("SELECT error FROM quarantine WHERE source_key = 'imap:support:7:2'"),
            "cannot parse: no header");
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
}

TEST_F(TicketStoreTest, ALostSessionInTheMiddleOfABatchCommitsNothing) {
  const auto a = mail("one", "a@example.com");
  const auto b = mail("two", "b@example.com");
  const std::vector<IncomingMessage> batch{incoming("imap:support:7:1", a, "a"),
                                           incoming("imap:support:7:2", b, "b")};
  pqxx::connection admin(test::TestEnv::get().pg_admin_url);
  const auto cut_at_second = [&](std::size_t i, ingest::ThreadLookup& l) {
    if (i == 1) {
      pqxx::nontransaction tx(admin);
      tx.exec_params(
          "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
          " WHERE datname = $1 AND application_name = 'helpdesk-ingest'",
          db_.name());
    }
    return newTicket(l);
  };
  EXPECT_THROW(store_.commitBatch(batch, cut_at_second), DatabaseError);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
  const auto again =
      store_.commitBatch(batch, [](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); });
  EXPECT_EQ(kinds(again),
            (std::vector<BatchEntryResult::Kind>(2, BatchEntryResult::Kind::kCommitted)));
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 2);
}

TEST_F(TicketStoreTest, RawBytesAndAttachmentsAreCompressedWithLz4NotPglz) {
  // Debian's PostgreSQL 15 is built with lz4; pglz costs several times the CPU on mail.
  EXPECT_EQ(db_.scalar("SELECT string_agg(attrelid::regclass || '.' || attname || '=' ||"
                       " attcompression::text, ',' ORDER BY attrelid::regclass::text, attname)"
                       " FROM pg_attribute WHERE (attrelid, attname) IN"
                       " (('raw_messages'::regclass, 'raw'), ('attachments'::regclass, 'content'),"
                       "  ('quarantine'::regclass, 'raw'), ('raw_contents'::regclass, 'raw'))"),
            "attachments.content=l,quarantine.raw=l,raw_contents.raw=l,raw_messages.raw=l");
}

}  // namespace
}  // namespace hd::db
