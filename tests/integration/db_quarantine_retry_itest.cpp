// The quarantine retry as one transaction (TicketStore::commitRetry) against a real PostgreSQL:
// stored exactly once with its entry removed; while a retry is open its key stays accounted for,
// so a pass racing it stores nothing a second time; a refusal leaves the entry; entries renamed
// by the old "retry:" scheme get their key back in migration 0012.

#include <gtest/gtest.h>

#include <future>
#include <pqxx/pqxx>
#include <thread>

#include "db/migrations.hpp"
#include "tests/integration/db_store_fixture.hpp"

namespace hd::db {
namespace {

using namespace itest;
using RetryKind = RetryResult::Kind;

BatchDecideFn decideNew() {
  return [](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); };
}

class QuarantineRetryTest : public TicketStoreTest {
 protected:
  std::int64_t quarantined(const std::string& key, const std::string& raw) {
    store_.quarantine(key, "support", raw, "database refused");
    return std::stoll(db_.scalar("SELECT id FROM quarantine WHERE source_key = '" + key + "'"));
  }

  // Quarantines `raw` under `key`, then retries it parsed as a message with `subject`.
  RetryResult quarantineAndRetry(const std::string& key, const std::string& subject,
                                 const std::string& raw) {
    const auto m = mail(subject, key + "@example.com");
    const auto id = quarantined(key, raw);
    return store_.commitRetry(id, incoming(key, m, raw), decideNew());
  }

  // Refused: nothing written for `key`, its entry (the only one) left with its bytes.
  void expectRefusedAndKept(const RetryResult& result, const std::string& sqlstate,
                            const std::string& key, const std::string& raw) {
    EXPECT_EQ(result.kind, RetryKind::kRefused);
    EXPECT_EQ(result.sqlstate, sqlstate);
    EXPECT_EQ(db_.scalar("SELECT source_key || '|' || encode(raw, 'escape') FROM quarantine"),
              key + "|" + raw);
    EXPECT_EQ(count("SELECT count(*) FROM messages WHERE source_key = '" + key + "'"), 0);
  }
};

TEST_F(QuarantineRetryTest, StoresOnceAndRemovesTheEntryInTheSameTransaction) {
  const auto m = mail("Retried", "retried@example.com");
  const auto id = quarantined("imap:support:7:1", "retried bytes");
  const auto in = incoming("imap:support:7:1", m, "retried bytes");
  const auto first = store_.commitRetry(id, in, decideNew());
  ASSERT_EQ(first.kind, RetryKind::kStored);
  EXPECT_EQ(first.commit.status, CommitStatus::kInserted);
  EXPECT_TRUE(first.commit.ticket_created);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE source_key = 'imap:support:7:1'"), 1);
  EXPECT_EQ(count("SELECT count(DISTINCT xid) FROM events"), 1);

  // The entry is gone: a second retry of it writes nothing.
  EXPECT_EQ(store_.commitRetry(id, in, decideNew()).kind, RetryKind::kGone);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 1);
}

TEST_F(QuarantineRetryTest, WhileARetryIsOpenTheKeyStaysAccountedForAndAPassStoresNothing) {
  const std::string key = "imap:support:7:2";
  const auto m = mail("Raced", "raced@example.com");
  const auto id = quarantined(key, "raced bytes");
  const auto in = incoming(key, m, "raced bytes");

  std::promise<void> inside, release;
  auto retry = std::async(std::launch::async, [&] {
    return store_.commitRetry(id, in, [&](std::size_t, ingest::ThreadLookup& l) {
      inside.set_value();
      release.get_future().wait();  // the retry's transaction stays open meanwhile
      return newTicket(l);
    });
  });
  inside.get_future().wait();

  // A pass over the same key, on its own connection, while the retry has not committed.
  TicketStore pass(db_.url());
  EXPECT_EQ(pass.accountedKeys({key}), std::vector<std::string>{key})
      << "the key must never look new while it is being retried";
  const std::vector<IncomingMessage> batch{incoming(key, m, "raced bytes")};
  const auto replay = pass.commitBatch(batch, decideNew(), OnRefused::kQuarantine);
  ASSERT_EQ(replay.size(), 1u);
  EXPECT_EQ(replay[0].kind, BatchEntryResult::Kind::kCommitted);
  EXPECT_EQ(replay[0].commit.status, CommitStatus::kAlreadyIngested);

  release.set_value();
  const auto result = retry.get();
  ASSERT_EQ(result.kind, RetryKind::kStored);
  EXPECT_EQ(result.commit.status, CommitStatus::kInserted);
  EXPECT_EQ(pass.accountedKeys({key}), std::vector<std::string>{key});
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE source_key = '" + key + "'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 1);
}

TEST_F(QuarantineRetryTest, TwoRetriesOfOneEntryStoreItOnce) {
  const auto m = mail("Twice", "twice@example.com");
  const auto id = quarantined("imap:support:7:3", "twice bytes");
  const auto in = incoming("imap:support:7:3", m, "twice bytes");
  std::promise<void> inside, release;
  auto first = std::async(std::launch::async, [&] {
    return store_.commitRetry(id, in, [&](std::size_t, ingest::ThreadLookup& l) {
      inside.set_value();
      release.get_future().wait();
      return newTicket(l);
    });
  });
  inside.get_future().wait();
  TicketStore other(db_.url());
  auto second =
      std::async(std::launch::async, [&] { return other.commitRetry(id, in, decideNew()); });
  // The second waits on the first's lock of the entry (PostgreSQL shows the wait), then finds
  // it gone. Polled with a generous bound: no assertion on how fast anything is.
  bool waiting = false;
  for (int i = 0; i < 600 && !waiting; ++i) {
    waiting = count(
                  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                  " AND wait_event_type = 'Lock'") == 1;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(waiting) << "the second retry never waited for the first";
  EXPECT_EQ(second.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  release.set_value();
  EXPECT_EQ(first.get().kind, RetryKind::kStored);
  EXPECT_EQ(second.get().kind, RetryKind::kGone);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
}

TEST_F(QuarantineRetryTest, ARefusedRetryLeavesTheEntryAndWritesNothing) {
  db_.scalar("ALTER TABLE messages ADD CONSTRAINT no_poison CHECK (subject <> 'poison')");
  expectRefusedAndKept(quarantineAndRetry("imap:support:7:4", "poison", "poison bytes"), "23514",
                       "imap:support:7:4", "poison bytes");
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 0);
}

TEST_F(QuarantineRetryTest, AnotherUniqueConstraintIsARefusalNotAlreadyIngested) {
  // The message collides with a stored one on a constraint other than its key: the database
  // refuses it. The retry must neither answer already_ingested nor drop the entry (the mail
  // would then be stored nowhere).
  db_.scalar("CREATE UNIQUE INDEX one_message_per_subject ON messages (subject)");
  const auto stored = mail("Taken", "taken-1@example.com");
  store_.commitBatch(std::vector<IncomingMessage>{incoming("imap:support:7:5", stored, "first")},
                     decideNew(), OnRefused::kQuarantine);
  expectRefusedAndKept(quarantineAndRetry("imap:support:7:6", "Taken", "second bytes"), "23505",
                       "imap:support:7:6", "second bytes");
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 1);
}

TEST_F(QuarantineRetryTest, TheKeyStoredByAConcurrentCommitMakesTheEntryObsolete) {
  // Another writer stores the same key while the retry is open (here plain SQL on a second
  // connection): the retry's insert meets the key, answers already_ingested, removes the entry.
  const std::string key = "imap:support:7:7";
  const auto m = mail("Concurrent", "concurrent@example.com");
  const auto id = quarantined(key, "concurrent bytes");
  pqxx::connection other(db_.url());
  const auto result = store_.commitRetry(
      id, incoming(key, m, "concurrent bytes"), [&](std::size_t, ingest::ThreadLookup& l) {
        pqxx::nontransaction(other).exec0(
            "INSERT INTO messages (source_key, mailbox, classification, raw_size, raw_sha256)"
            " VALUES ('" +
            key + "', 'support', 'customer', 16, 'other')");
        return newTicket(l);
      });
  ASSERT_EQ(result.kind, RetryKind::kStored);
  EXPECT_EQ(result.commit.status, CommitStatus::kAlreadyIngested);
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE source_key = '" + key + "'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 0);
}

TEST_F(QuarantineRetryTest, TheEntrysAliasesFollowTheStoredMessage) {
  // The same bytes came back under a new key (a UIDVALIDITY change): an alias of the entry.
  const auto id = quarantined("imap:support:7:8", "aliased bytes");
  db_.scalar("INSERT INTO source_aliases (source_key, quarantine_id) VALUES ('imap:support:9:8', " +
             std::to_string(id) + ")");
  const auto m = mail("Aliased", "aliased@example.com");
  const auto result =
      store_.commitRetry(id, incoming("imap:support:7:8", m, "aliased bytes"), decideNew());
  ASSERT_EQ(result.kind, RetryKind::kStored);
  ASSERT_EQ(result.commit.status, CommitStatus::kInserted);
  EXPECT_EQ(db_.scalar("SELECT coalesce(message_id::text, '-') || '|' ||"
                       " coalesce(quarantine_id::text, '-') FROM source_aliases"),
            std::to_string(result.commit.message_id) + "|-");
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(store_.accountedKeys({"imap:support:9:8"}).size(), 1u);
}

TEST(QuarantineRetryMigration, RenamedEntriesGetTheirKeyBackUnlessAccountedFor) {
  test::ScratchDatabase db;
  pqxx::connection c(db.url());
  std::vector<Migration> before;
  for (const auto& m : embeddedMigrations()) {
    if (m.version < 12) before.push_back(m);
  }
  applyMigrations(c, before);
  db.scalar(
      "INSERT INTO quarantine (source_key, mailbox, raw, error) VALUES"
      " ('retry:imap:support:7:1', 'support', 'a', 'e'),"
      " ('imap:support:7:2', 'support', 'b', 'e'), ('retry:imap:support:7:2', 'support', 'b', "
      "'e')");
  // Keys that came back after a UIDVALIDITY change, aliases of the renamed rows (0010).
  db.scalar(
      "INSERT INTO source_aliases (source_key, quarantine_id)"
      " SELECT replace(substr(source_key, 7), ':7:', ':9:'), id FROM quarantine"
      " WHERE source_key LIKE 'retry:%'");
  applyMigrations(c, embeddedMigrations());
  EXPECT_EQ(db.scalar("SELECT string_agg(source_key, ',' ORDER BY source_key) FROM quarantine"),
            "imap:support:7:1,imap:support:7:2");
  // The obsolete row's alias names the row that holds its key; the other keeps its row.
  EXPECT_EQ(db.scalar("SELECT string_agg(a.source_key || '>' || q.source_key, ','"
                      " ORDER BY a.source_key) FROM source_aliases a"
                      " JOIN quarantine q ON q.id = a.quarantine_id"),
            "imap:support:9:1>imap:support:7:1,imap:support:9:2>imap:support:7:2");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%forget_retried%'"), "0");
}

}  // namespace
}  // namespace hd::db
