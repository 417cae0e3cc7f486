// Issue 11 end to end, on the real Dovecot (IMAPS) and PostgreSQL: after the folder's UIDVALIDITY
// changes, every message comes back under a new source key and the service rescans the folder.
// Mail already held is recognised by the SHA-256 of its raw bytes, whether or not it has a
// Message-ID and whether it was stored or quarantined: no second ticket, message or quarantine
// row; each new key is accounted for (an alias) and acknowledged as after_ingest says.

#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "db/ticket_store.hpp"
#include "tests/integration/api_test_support.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr std::uint32_t kNewUidValidity = 7;

// Three kinds of mail the rescan must recognise: one without a Message-ID, one that cannot be
// parsed (quarantined with its bytes), one ordinary.
const std::string kWithoutMessageId =
    "From: Jane Doe <jane@example.com>\nTo: support@example.com\nSubject: No Message-ID here\n"
    "Date: Thu, 26 Nov 2026 10:00:00 +0000\n\nMy client sends no Message-ID.\n";
const std::string kUnparseable("\x01\x02\x03 this is not a mail \xff\xfe\n\n\x00\x00 binary", 36);
const std::string kOrdinary =
    "From: Joe <joe@example.com>\nTo: support@example.com\nSubject: Printer on fire\n"
    "Message-ID: <printer@example.com>\nDate: Thu, 26 Nov 2026 10:05:00 +0000\n\nHelp.\n";

class IngestUidValidityRescan : public ::testing::Test {
 protected:
  // Delivers the three kinds and ingests them: two messages (two tickets), one quarantine row.
  void firstPass(const std::string& after_ingest) {
    for (const auto* raw : {&kWithoutMessageId, &kUnparseable, &kOrdinary}) box_.deliver(*raw);
    auto first = runOnce(after_ingest);
    ASSERT_EQ(first.exit_code, 0) << first.output;
    expectTheFirstPassRows();
  }

  ProcessResult runOnce(const std::string& after_ingest, const std::string& top_extra = "") {
    std::string json =
        apiConfigJson(db_.url(), box_.user(), R"("api_token": ")" + kApiToken + "\"", top_extra);
    const std::string seen = R"("after_ingest": "seen")";
    json.replace(json.find(seen), seen.size(), R"("after_ingest": ")" + after_ingest + "\"");
    TempFile config(json);
    return runService({"--config", config.path(), "--once"}, {}, 300);
  }

  long long count(const std::string& sql) const { return std::stoll(db_.scalar(sql)); }

  // What the first pass left; the rescan adds no row to it.
  void expectTheFirstPassRows() {
    EXPECT_EQ(count("SELECT count(*) FROM messages"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM tickets"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM events"), 4);  // ticket.created + message.added, twice
    EXPECT_EQ(count("SELECT count(*) FROM messages WHERE internet_message_id = ''"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM quarantine WHERE error LIKE 'cannot parse%'"), 1);
  }

  // After the rescan: not one row more, and every new key is an alias of what holds its bytes.
  void expectTheRescanAddedOnlyAliases(const ProcessResult& rescan) {
    EXPECT_NE(rescan.output.find("UIDVALIDITY changed"), std::string::npos) << rescan.output;
    expectTheFirstPassRows();
    EXPECT_EQ(db_.scalar("SELECT uidvalidity || ':' || last_uid FROM mailbox_state"),
              std::to_string(kNewUidValidity) + ":3");
    const std::string prefix = "imap:support:" + std::to_string(kNewUidValidity) + ":";
    std::vector<std::string> new_keys;
    for (int uid = 1; uid <= 3; ++uid) new_keys.push_back(prefix + std::to_string(uid));
    EXPECT_EQ(db::TicketStore(db_.url()).accountedKeys(new_keys).size(), 3u);
    EXPECT_EQ(count("SELECT count(*) FROM source_aliases WHERE source_key LIKE '" + prefix + "%'"),
              3);
    // One alias per stored message, the one without a Message-ID included, and one for the
    // quarantine row.
    EXPECT_EQ(count("SELECT count(DISTINCT m.id) FROM source_aliases a"
                    " JOIN messages m ON m.id = a.message_id"),
              2);
    EXPECT_EQ(count("SELECT count(*) FROM source_aliases a JOIN messages m ON m.id = a.message_id"
                    " WHERE m.internet_message_id = ''"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM source_aliases a JOIN quarantine q"
                    " ON q.id = a.quarantine_id"),
              1);
  }

  ScratchDatabase db_;
  TestMailbox box_{"rescan"};
};

TEST_F(IngestUidValidityRescan, SeenModeAddsNoTicketMessageOrQuarantineRowAndFlagsEveryNewKey) {
  firstPass("seen");
  EXPECT_EQ(box_.countFlagged('S'), 3u);

  // A restored or migrated server: new UIDVALIDITY, flags lost.
  box_.clearSeen();
  box_.setUidValidity(kNewUidValidity);
  ASSERT_EQ(box_.countFlagged('S'), 0u);

  auto rescan = runOnce("seen");
  ASSERT_EQ(rescan.exit_code, 0) << rescan.output;
  expectTheRescanAddedOnlyAliases(rescan);
  EXPECT_EQ(box_.countFlagged('S'), 3u) << "every new key is acknowledged";

  auto third = runOnce("seen");
  ASSERT_EQ(third.exit_code, 0) << third.output;
  expectTheRescanAddedOnlyAliases(rescan);
  EXPECT_EQ(count("SELECT count(*) FROM source_aliases"), 3);
}

TEST_F(IngestUidValidityRescan, DeleteModeExpungesEveryNewKeyAndAddsNoRow) {
  firstPass("keep");
  EXPECT_EQ(box_.countFlagged('S'), 0u);

  box_.setUidValidity(kNewUidValidity);
  auto rescan = runOnce("delete");
  ASSERT_EQ(rescan.exit_code, 0) << rescan.output;
  expectTheRescanAddedOnlyAliases(rescan);
  EXPECT_EQ(box_.count(), 0u) << "every new key is accounted for, so every message is expunged";
}

// Mail the database refuses is quarantined; after the rescan its new key is an alias of that row.
// Once the cause is fixed, POST /api/v1/quarantine/{id}/retry stores it once, and the alias
// follows: it names the stored message, so the new key stays accounted for.
TEST_F(IngestUidValidityRescan, ARetryAfterTheRescanStoresTheMailOnceAndTheAliasFollowsIt) {
  ASSERT_GT(db::TicketStore(db_.url()).migrate(), 0);
  db_.scalar("ALTER TABLE messages ADD CONSTRAINT refuse_poison CHECK (subject <> 'Poison')");
  box_.deliver(
      "From: Joe <joe@example.com>\nTo: support@example.com\nSubject: Poison\n"
      "Message-ID: <poison@example.com>\nDate: Thu, 26 Nov 2026 10:10:00 +0000\n\nHello.\n");
  auto first = runOnce("seen");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string entry =
      db_.scalar("SELECT id FROM quarantine WHERE error LIKE 'cannot store%'");
  ASSERT_FALSE(entry.empty()) << first.output;

  box_.setUidValidity(kNewUidValidity);
  auto rescan = runOnce("seen");
  ASSERT_EQ(rescan.exit_code, 0) << rescan.output;
  const std::string new_key = "imap:support:" + std::to_string(kNewUidValidity) + ":1";
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(
      db_.scalar("SELECT quarantine_id FROM source_aliases WHERE source_key = '" + new_key + "'"),
      entry);

  db_.scalar("ALTER TABLE messages DROP CONSTRAINT refuse_poison");
  TempFile config(apiConfigJson(db_.url(), box_.user()));
  ServiceProcess service({"--config", config.path()});
  const int port = waitForPort(service);
  ASSERT_NE(port, 0);
  const auto retried = httpCall(port, "POST", "/api/v1/quarantine/" + entry + "/retry");
  service.signal(SIGTERM);
  service.wait(40);
  ASSERT_EQ(retried.status, 200) << retried.body << service.output();
  EXPECT_EQ(retried.json()["result"], "inserted");
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 1);
  EXPECT_EQ(db_.scalar("SELECT coalesce(message_id::text, '-') || '|' ||"
                       " coalesce(quarantine_id::text, '-') FROM source_aliases"
                       " WHERE source_key = '" +
                       new_key + "'"),
            std::to_string(retried.json()["message_id"].get<long long>()) + "|-");
  EXPECT_EQ(db::TicketStore(db_.url()).accountedKeys({new_key}).size(), 1u);
}

// Mail too large to fetch is left on the server with a quarantine row (its header block and size).
// After the rescan it is listed under a new key: the row moves to that key (no second row, and
// nothing acknowledged), so /api/v1/quarantine still shows it once and a retry can find it.
TEST_F(IngestUidValidityRescan, MailLeftOnTheServerKeepsOneQuarantineRowUnderItsNewKey) {
  const std::string limits = R"("limits": {"max_message_bytes": 2048},)";
  box_.deliver(kOrdinary);
  box_.deliver(
      "From: Ann <ann@example.com>\nTo: support@example.com\nSubject: Huge logs\n"
      "Message-ID: <huge@example.com>\nDate: Thu, 26 Nov 2026 10:20:00 +0000\n\n" +
      std::string(8192, 'x') + "\n");
  auto first = runOnce("delete", limits);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string entry = db_.scalar("SELECT id FROM quarantine WHERE on_server");
  ASSERT_FALSE(entry.empty()) << first.output;
  ASSERT_EQ(box_.count(), 1u) << "the large message stays on the server";

  box_.setUidValidity(kNewUidValidity);
  auto rescan = runOnce("delete", limits);
  ASSERT_EQ(rescan.exit_code, 0) << rescan.output;
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(db_.scalar("SELECT id || '|' || source_key FROM quarantine WHERE on_server"),
            entry + "|imap:support:" + std::to_string(kNewUidValidity) + ":2");
  EXPECT_EQ(box_.count(), 1u) << "never acknowledged, whatever after_ingest says";
}

}  // namespace
}  // namespace hd::test
