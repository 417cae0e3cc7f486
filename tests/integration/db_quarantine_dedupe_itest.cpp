// Issue 11, quarantine side, against a real PostgreSQL: the same bytes under a new source key in
// the same mailbox (e.g. after a UIDVALIDITY change) become an alias of the quarantine row that
// holds them, never a second row; other bytes, another mailbox, or mail left on the server (a
// header block only, no SHA-256 of the message) stay separate; when a row goes because its mail
// is now stored, its aliases follow the message. Migration: existing rows get their hash.

#include <gtest/gtest.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <vector>

#include "connectors/crypto/sha256.hpp"
#include "tests/integration/db_store_fixture.hpp"

namespace hd::db {
namespace {

using namespace itest;

const std::string kGarbage("\x01\x02 not a mail \xff\n\n\x00 binary", 24);

IncomingMessage unparseable(const std::string& key, const std::string& raw,
                            const std::string& mailbox = "support") {
  IncomingMessage in;
  in.source_key = key;
  in.mailbox = mailbox;
  in.raw = raw;
  in.quarantine_reason = "cannot parse: no header";
  return in;
}

IncomingMessage leftOnServer(const std::string& key, const std::string& headers) {
  IncomingMessage in = unparseable(key, headers);
  in.left_on_server = true;
  in.size = 100000000;
  in.quarantine_reason = "message is 100000000 bytes, over the limit";
  return in;
}

class QuarantineDedupeTest : public TicketStoreTest {
 protected:
  std::vector<BatchEntryResult> commit(const std::vector<IncomingMessage>& batch) {
    return store_.commitBatch(batch,
                              [](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); });
  }
  std::string quarantineId(const std::string& key) {
    return db_.scalar("SELECT id FROM quarantine WHERE source_key = '" + key + "'");
  }
  std::string aliasTarget(const std::string& key) {
    return db_.scalar(
        "SELECT coalesce(message_id::text, '-') || '|' || coalesce(quarantine_id::text, '-')"
        " FROM source_aliases WHERE source_key = '" +
        key + "'");
  }
};

TEST_F(QuarantineDedupeTest, TheSameBytesUnderANewKeyBecomeAnAliasOfTheQuarantineRow) {
  const auto first = commit({unparseable("imap:support:7:1", kGarbage)});
  ASSERT_EQ(first[0].kind, BatchEntryResult::Kind::kQuarantined);
  EXPECT_EQ(db_.scalar("SELECT raw_sha256 FROM quarantine"), crypto::sha256Hex(kGarbage));
  const std::string original = quarantineId("imap:support:7:1");

  // The rescan after a UIDVALIDITY change: same bytes, new key.
  const auto again = commit({unparseable("imap:support:8:1", kGarbage)});
  ASSERT_EQ(again[0].kind, BatchEntryResult::Kind::kCommitted);
  EXPECT_EQ(again[0].commit.status, CommitStatus::kDuplicateContent);
  EXPECT_EQ(std::to_string(again[0].commit.quarantine_id), original);
  EXPECT_EQ(again[0].commit.message_id, 0);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(count("SELECT attempts FROM quarantine"), 1);
  EXPECT_EQ(aliasTarget("imap:support:8:1"), "-|" + original);
  EXPECT_EQ(store_.accountedKeys({"imap:support:8:1"}),
            std::vector<std::string>{"imap:support:8:1"});
  EXPECT_EQ(store_.counts("support").quarantined, 1);

  // A replay of the aliased key writes nothing.
  const auto replay = commit({unparseable("imap:support:8:1", kGarbage)});
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM source_aliases"), 1);
  EXPECT_EQ(replay[0].commit.status, CommitStatus::kAlreadyIngested);

  // Not duplicates: other bytes, another mailbox.
  commit({unparseable("imap:support:8:2", kGarbage + "x"),
          unparseable("imap:sales:1:1", kGarbage, "sales")});
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM source_aliases"), 1);
}

TEST_F(QuarantineDedupeTest, ACopyLaterInTheSameBatchIsAnAliasOfTheFirstRow) {
  const auto results = commit(
      {unparseable("imap:support:7:1", kGarbage), unparseable("imap:support:7:2", kGarbage)});
  EXPECT_EQ(results[0].kind, BatchEntryResult::Kind::kQuarantined);
  EXPECT_EQ(results[1].commit.status, CommitStatus::kDuplicateContent);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(aliasTarget("imap:support:7:2"), "-|" + quarantineId("imap:support:7:1"));
}

TEST_F(QuarantineDedupeTest, UnparseableBytesAlreadyStoredAsAMessageBecomeAnAliasOfTheMessage) {
  const auto m = mail("Parsed once", "once@example.com");
  const auto stored = store_.commitMessage(incoming("imap:support:7:1", m, kGarbage), newTicket);
  ASSERT_EQ(stored.status, CommitStatus::kInserted);
  const auto results = commit({unparseable("imap:support:8:1", kGarbage)});
  EXPECT_EQ(results[0].commit.status, CommitStatus::kDuplicateContent);
  EXPECT_EQ(results[0].commit.message_id, stored.message_id);
  EXPECT_EQ(results[0].commit.ticket_id, stored.ticket_id);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(aliasTarget("imap:support:8:1"), std::to_string(stored.message_id) + "|-");
}

TEST_F(QuarantineDedupeTest, MailTheDatabaseRefusesAgainUnderANewKeyIsAnAliasOfItsRow) {
  db_.scalar("ALTER TABLE messages ADD CONSTRAINT refuse_poison CHECK (subject <> 'Poison')");
  const auto poison = mail("Poison", "poison@example.com");
  const auto first = commit({incoming("imap:support:7:1", poison, "poison bytes")});
  ASSERT_EQ(first[0].kind, BatchEntryResult::Kind::kQuarantined);
  EXPECT_EQ(db_.scalar("SELECT raw_sha256 FROM quarantine"), crypto::sha256Hex("poison bytes"));

  const auto again = commit({incoming("imap:support:8:1", poison, "poison bytes")});
  EXPECT_EQ(again[0].kind, BatchEntryResult::Kind::kCommitted);
  EXPECT_EQ(again[0].commit.status, CommitStatus::kDuplicateContent);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(aliasTarget("imap:support:8:1"), "-|" + quarantineId("imap:support:7:1"));
}

// Mail left on the server has no SHA-256 (only its header block was fetched): it never becomes an
// alias. After a UIDVALIDITY change its row moves to the new key (same mailbox, size and header
// block, under another UIDVALIDITY); anything else is other mail.
TEST_F(QuarantineDedupeTest, MailLeftOnTheServerIsNeverAnAliasItsRowMovesToItsNewKey) {
  const std::string headers = "From: big@example.com\r\nSubject: Big\r\n\r\n";
  commit({leftOnServer("imap:support:7:1", headers)});
  const std::string id = quarantineId("imap:support:7:1");
  commit({leftOnServer("imap:support:8:1", headers)});
  EXPECT_EQ(quarantineId("imap:support:8:1"), id);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine WHERE on_server AND raw_sha256 IS NULL"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM source_aliases"), 0);
  // The same header block in the same UIDVALIDITY (two deliveries), or with another size: a row
  // each.
  commit({leftOnServer("imap:support:8:2", headers)});
  IncomingMessage other_size = leftOnServer("imap:support:9:1", headers);
  other_size.size += 1;
  commit({other_size});
  EXPECT_EQ(count("SELECT count(*) FROM quarantine WHERE on_server"), 3);
  // Nor does unparseable mail whose bytes equal such a header block match it.
  commit({unparseable("imap:support:9:2", headers)});
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM source_aliases"), 0);
}

TEST_F(QuarantineDedupeTest, AQuarantineRowWithAliasesCannotVanishAndLeaveThemNamingNothing) {
  commit({unparseable("imap:support:7:1", kGarbage), unparseable("imap:support:8:1", kGarbage)});
  const std::string id = quarantineId("imap:support:7:1");
  EXPECT_THROW(db_.scalar("DELETE FROM quarantine WHERE id = " + id), std::exception);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(store_.accountedKeys({"imap:support:8:1"}).size(), 1u);
}

// A retry in one transaction deletes the row before it stores the message: at commit the row's
// aliases name the stored message (migration 0011), so their keys stay accounted for.
TEST_F(QuarantineDedupeTest, WhenTheRowGoesAndItsMailIsStoredInOneTransactionTheAliasesFollow) {
  commit({unparseable("imap:support:7:1", kGarbage), unparseable("imap:support:8:1", kGarbage)});
  const std::string id = quarantineId("imap:support:7:1");
  pqxx::connection c(db_.url());
  pqxx::work tx(c);
  tx.exec0("DELETE FROM quarantine WHERE id = " + id);
  const auto message =
      tx.exec1(
            "INSERT INTO messages (source_key, mailbox, classification, raw_size, raw_sha256)"
            " VALUES ('imap:support:7:1', 'support', 'customer', 24, 'retried') RETURNING id")[0]
          .as<std::string>();
  tx.commit();
  EXPECT_EQ(aliasTarget("imap:support:8:1"), message + "|-");
  EXPECT_EQ(store_.accountedKeys({"imap:support:8:1"}).size(), 1u);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
}

TEST(QuarantineDedupeMigration, ExistingRowsWithRawBytesGetTheirSha256) {
  test::ScratchDatabase db;
  pqxx::connection c(db.url());
  const auto& all = embeddedMigrations();
  const auto dedupe = std::find_if(all.begin(), all.end(), [](const Migration& m) {
    return m.name == "quarantine_content_dedupe";
  });
  ASSERT_NE(dedupe, all.end());
  applyMigrations(c, {all.begin(), dedupe});
  db.scalar(
      "INSERT INTO quarantine (source_key, mailbox, raw, error) VALUES"
      " ('imap:support:7:1', 'support', 'abc', 'e'), ('imap:support:7:2', 'support', NULL, 'e')");
  db.scalar(
      "INSERT INTO quarantine (source_key, mailbox, headers, size, on_server, error) VALUES"
      " ('imap:support:7:3', 'support', 'Subject: x', 99, true, 'too big')");
  applyMigrations(c, embeddedMigrations());
  EXPECT_EQ(
      db.scalar("SELECT string_agg(source_key || '=' || coalesce(raw_sha256, '-'), ','"
                " ORDER BY source_key) FROM quarantine"),
      "imap:support:7:1=" + crypto::sha256Hex("abc") + ",imap:support:7:2=-,imap:support:7:3=-");
}

}  // namespace
}  // namespace hd::db
