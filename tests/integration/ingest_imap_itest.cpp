// The whole service against the real Dovecot (IMAPS) and PostgreSQL started by deploy/local.sh:
// build/helpdesk-ingest --once, then the rows in the database and the flags in the Maildir.

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <csignal>
#include <regex>
#include <thread>

#include "db/schema_upgrade.hpp"
#include "db/ticket_store.hpp"
#include "tests/support/sample_mail.hpp"
#include "tests/support/service_process.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

struct MailboxOptions {
  std::string after_ingest = "seen";
  std::string ca_file;          // default: the CA that signed Dovecot's certificate
  std::string password;         // default: the test password
  std::string extra_top_level;  // e.g. R"("limits": {...},)"
  int port = 0;
  std::string tls = "implicit";
};

std::string configJson(const ScratchDatabase& db, const TestMailbox& box,
                       const MailboxOptions& o = {}) {
  const auto& env = TestEnv::get();
  int port = o.port ? o.port : (o.tls == "implicit" ? env.imaps_port : env.imap_port);
  return R"({
    "database": {"url": ")" +
         db.url() + R"("},
    "http": {"listen": "127.0.0.1:0"},
    "log": {"level": "information"},
    "backoff": {"initial_seconds": 1, "max_seconds": 2},
    )" + o.extra_top_level +
         R"(
    "mailboxes": [{
      "name": "support", "protocol": "imap",
      "host": ")" +
         env.mail_host + R"(", "port": )" + std::to_string(port) + R"(, "tls": ")" + o.tls + R"(",
      "ca_file": ")" +
         (o.ca_file.empty() ? env.ca_file : o.ca_file) + R"(",
      "username": ")" +
         box.user() + R"(", "password": ")" +
         (o.password.empty() ? env.mail_password : o.password) + R"(",
      "after_ingest": ")" +
         o.after_ingest + R"(", "poll_interval_seconds": 1
    }]
  })";
}

ProcessResult runOnce(const std::string& config_json, const std::vector<std::string>& env = {}) {
  TempFile config(config_json);
  return runService({"--config", config.path(), "--once"}, env, 300);
}

std::string httpGet(const std::string& url) {
  Poco::URI uri(url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                 "HTTP/1.1");
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& body = session.receiveResponse(response);
  std::string text((std::istreambuf_iterator<char>(body)), std::istreambuf_iterator<char>());
  return text;
}

long long count(const ScratchDatabase& db, const std::string& sql) {
  return std::stoll(db.scalar(sql));
}

std::string simpleMessage(const std::string& id, const std::string& subject,
                          const std::string& extra_headers = "",
                          const std::string& from = "Jane Doe <jane@example.com>") {
  return "From: " + from + "\nTo: support@example.com\nSubject: " + subject + "\nMessage-ID: <" +
         id + ">\nDate: Thu, 26 Nov 2026 10:00:00 +0000\n" + extra_headers +
         "MIME-Version: 1.0\n"
         "Content-Type: text/plain; charset=utf-8\n\nHello, this is " +
         subject + ".\n";
}

class IngestImap : public ::testing::Test {
 protected:
  // After a crash: a clean pass stores every message exactly once and acknowledges them all.
  void expectTheNextPassStoresEachOnce(const std::string& config, int messages) {
    auto resumed = runOnce(config);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), messages);
    EXPECT_EQ(count(db_, "SELECT count(DISTINCT internet_message_id) FROM messages"), messages);
    EXPECT_EQ(box_.countFlagged('S'), std::size_t(messages));
  }

  ScratchDatabase db_;
  TestMailbox box_{"imap"};
};

TEST_F(IngestImap, FiftyVariedMessagesBecomeFiftyRowsAndASecondPassStoresNothing) {
  for (int i = 0; i < 50; ++i) box_.deliver(makeSampleMessage(i));
  auto first = runOnce(configJson(db_, box_));
  ASSERT_EQ(first.exit_code, 0) << first.output;

  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 50);
  EXPECT_EQ(count(db_, "SELECT count(DISTINCT source_key) FROM messages"), 50);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM raw_messages"), 50);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM quarantine"), 0);
  for (int i : {0, 1, 2, 17, 49}) {
    EXPECT_EQ(count(db_, "SELECT count(*) FROM messages WHERE subject = 'Sample " +
                             std::to_string(i) + "'"),
              1)
        << i;
  }
  // Every third sample carries an attachment (see sample_mail.hpp).
  long long with_attachment = count(db_, "SELECT count(DISTINCT message_id) FROM attachments");
  EXPECT_EQ(with_attachment, 50 / 3 + (50 % 3 > 2 ? 1 : 0)) << "messages with attachments";
  EXPECT_EQ(count(db_, "SELECT count(*) FROM attachments WHERE size <= 0 OR length(sha256) <> 64"),
            0);
  // raw_sha256 is the hash of the exact bytes stored.
  EXPECT_EQ(count(db_,
                  "SELECT count(*) FROM messages m JOIN raw_messages r ON r.message_id = m.id "
                  "WHERE m.raw_sha256 <> encode(sha256(r.raw), 'hex')"),
            0);
  EXPECT_EQ(box_.countFlagged('S'), 50u);

  auto second = runOnce(configJson(db_, box_));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 50);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM tickets"), 50);
}

TEST_F(IngestImap, KeepLeavesTheServerUntouchedAndTheCheckpointDecides) {
  for (int i = 0; i < 5; ++i) box_.deliver(makeSampleMessage(i));
  auto config = configJson(db_, box_, {.after_ingest = "keep"});
  ASSERT_EQ(runOnce(config).exit_code, 0);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 5);
  EXPECT_EQ(box_.count(), 5u);
  EXPECT_EQ(box_.countFlagged('S'), 0u);
  box_.deliver(makeSampleMessage(100));
  auto second = runOnce(config);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 6);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages WHERE subject = 'Sample 100'"), 1);
  EXPECT_EQ(box_.countFlagged('S'), 0u);
  EXPECT_GT(count(db_, "SELECT last_uid FROM mailbox_state WHERE mailbox = 'support'"), 0);
}

TEST_F(IngestImap, MoveEmptiesTheInboxIntoTheTargetFolder) {
  for (int i = 0; i < 4; ++i) box_.deliver(makeSampleMessage(i));
  box_.deliver(makeSampleMessage(99), "Processed");  // the folder exists
  auto result = runOnce(configJson(db_, box_, {.after_ingest = "move:Processed"}));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 4);
  EXPECT_EQ(box_.count("INBOX"), 0u);
  EXPECT_EQ(box_.count("Processed"), 5u);
}

TEST_F(IngestImap, MoveIntoAMissingFolderCreatesItOnTryCreate) {
  for (int i = 0; i < 3; ++i) box_.deliver(makeSampleMessage(i));
  ASSERT_FALSE(std::filesystem::exists(box_.folderDir("Not Yet There")));
  // Dovecot answers UID MOVE into a missing folder with NO [TRYCREATE].
  auto result = runOnce(configJson(db_, box_, {.after_ingest = "move:Not Yet There"}));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("does not exist; creating it"), std::string::npos) << result.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 3);
  EXPECT_EQ(box_.count("INBOX"), 0u);
  EXPECT_EQ(box_.count("Not Yet There"), 3u);
}

TEST_F(IngestImap, DeleteExpungesOnlyStoredMessages) {
  for (int i = 0; i < 4; ++i) box_.deliver(makeSampleMessage(i));
  auto result = runOnce(configJson(db_, box_, {.after_ingest = "delete"}));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 4);
  EXPECT_EQ(box_.count("INBOX"), 0u);
}

TEST_F(IngestImap, AChangedUidValidityDoesNotDuplicate) {
  for (int i = 0; i < 6; ++i) box_.deliver(makeSampleMessage(i));
  auto config = configJson(db_, box_, {.after_ingest = "keep"});
  ASSERT_EQ(runOnce(config).exit_code, 0);
  std::string before =
      db_.scalar("SELECT uidvalidity FROM mailbox_state WHERE mailbox = 'support'");
  box_.resetUidValidity();
  auto second = runOnce(config);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  std::string after = db_.scalar("SELECT uidvalidity FROM mailbox_state WHERE mailbox = 'support'");
  EXPECT_NE(before, after) << "the test did not manage to change UIDVALIDITY";
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 6);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM tickets"), 6);
  // The new keys are accounted for as aliases of the stored copies.
  EXPECT_EQ(count(db_, "SELECT count(*) FROM source_aliases"), 6);
  // A third pass finds everything accounted for.
  ASSERT_EQ(runOnce(config).exit_code, 0);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 6);
}

TEST_F(IngestImap, AReplyLandsOnTheFirstTicket) {
  box_.deliver(simpleMessage("first@example.com", "Printer on fire"));
  ASSERT_EQ(runOnce(configJson(db_, box_)).exit_code, 0);
  box_.deliver(simpleMessage("second@example.com", "Re: Printer on fire",
                             "In-Reply-To: <first@example.com>\n"));
  box_.deliver(simpleMessage("third@example.com", "Re: Re: Printer on fire",
                             "References: <first@example.com> <second@example.com>\n"));
  auto result = runOnce(configJson(db_, box_));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM tickets"), 1);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 3);
  EXPECT_EQ(count(db_, "SELECT count(DISTINCT ticket_id) FROM messages"), 1);
  EXPECT_EQ(db_.scalar("SELECT subject FROM tickets"), "Printer on fire");
  EXPECT_EQ(db_.scalar("SELECT reference FROM tickets"),
            "HD-" + db_.scalar("SELECT id FROM tickets"));
  EXPECT_EQ(db_.scalar("SELECT requester_address FROM tickets"), "jane@example.com");
}

TEST_F(IngestImap, UnparseableAndOversizedMessagesAreQuarantinedAndThePassGoesOn) {
  box_.deliver(makeSampleMessage(1));
  std::string oversized =
      simpleMessage("big@example.com", "Too big") + std::string(20000, 'x') + "\n";
  box_.deliver(oversized);
  std::string garbage("\x01\x02\x03 this is not a mail \xff\xfe\n\n\x00\x00 binary", 36);
  box_.deliver(garbage);
  box_.deliver(makeSampleMessage(2));
  auto result = runOnce(
      configJson(db_, box_, {.extra_top_level = R"("limits": {"max_message_bytes": 10000},)"}));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 2);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM quarantine"), 2);
  // Too large: decided from its size, quarantined with its header, left on the server unflagged
  // (tests/integration/ingest_oversize_itest.cpp has the details).
  EXPECT_EQ(count(db_,
                  "SELECT count(*) FROM quarantine WHERE error LIKE '%max_message_bytes%' AND "
                  "on_server AND raw IS NULL AND size > 20000"),
            1);
  EXPECT_EQ(count(db_,
                  "SELECT count(*) FROM quarantine WHERE NOT on_server AND (raw IS NULL OR "
                  "length(raw) = 0)"),
            0);
  // Quarantined unparseable mail is acknowledged like any other: nothing is fetched again.
  EXPECT_EQ(box_.countFlagged('S'), 3u);
  ASSERT_EQ(runOnce(configJson(db_, box_,
                               {.extra_top_level = R"("limits": {"max_message_bytes": 10000},)"}))
                .exit_code,
            0);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM quarantine"), 2);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 2);
}

TEST_F(IngestImap, ACertificateFromAnotherCaIsRefused) {
  box_.deliver(makeSampleMessage(1));
  auto result = runOnce(configJson(db_, box_, {.ca_file = TestEnv::get().other_ca_file}));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("TLS"), std::string::npos) << result.output;
  EXPECT_EQ(box_.countFlagged('S'), 0u);
}

TEST_F(IngestImap, StartTlsOnThePlainPortWorks) {
  box_.deliver(makeSampleMessage(1));
  auto result = runOnce(configJson(db_, box_, {.tls = "starttls"}));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 1);
}

TEST_F(IngestImap, AWrongPasswordFailsThePassWithExitCode1) {
  box_.deliver(makeSampleMessage(1));
  auto result = runOnce(configJson(db_, box_, {.password = "wrong-password"}));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(result.output.find("wrong-password"), std::string::npos) << "the password was logged";
  EXPECT_EQ(box_.countFlagged('S'), 0u);
}

TEST_F(IngestImap, ACrashBetweenCommitAndAcknowledgeLeavesExactlyOneRow) {
  for (int i = 0; i < 8; ++i) box_.deliver(makeSampleMessage(i));
  auto config =
      configJson(db_, box_, {.extra_top_level = R"("limits": {"fetch_batch_messages": 3},)"});
  auto crashed = runOnce(config, {"HD_FAULT_EXIT_AFTER_COMMIT=1"});
  ASSERT_EQ(crashed.exit_code, 86) << crashed.output;
  long long committed = count(db_, "SELECT count(*) FROM messages");
  EXPECT_EQ(committed, 3) << "the first batch was committed before the crash";
  EXPECT_EQ(box_.countFlagged('S'), 0u) << "nothing may be acknowledged before the crash point";

  expectTheNextPassStoresEachOnce(config, 8);
}

TEST_F(IngestImap, ASigkillInsideAGroupCommitLeavesNothingOfThatBatchStoredOrAcknowledged) {
  for (int i = 0; i < 8; ++i) box_.deliver(makeSampleMessage(i));
  auto config =
      configJson(db_, box_, {.extra_top_level = R"("limits": {"fetch_batch_messages": 4},)"});
  // kill -9 while the first batch's transaction holds two written messages, before its COMMIT.
  auto crashed = runOnce(config, {"HD_FAULT_KILL_IN_COMMIT=2"});
  ASSERT_EQ(crashed.signal, SIGKILL) << crashed.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(box_.countFlagged('S'), 0u) << "nothing may be acknowledged before its commit";

  expectTheNextPassStoresEachOnce(config, 8);
}

TEST_F(IngestImap, AMessageTheDatabaseRefusesIsQuarantinedAloneAndItsBatchGoesOn) {
  ASSERT_GT(db::TicketStore(db_.url()).migrate(), 0);
  db_.scalar("ALTER TABLE messages ADD CONSTRAINT refuse_poison CHECK (subject <> 'Poison')");
  box_.deliver(simpleMessage("a@example.com", "First"));
  box_.deliver(simpleMessage("p@example.com", "Poison"));
  box_.deliver(simpleMessage("c@example.com", "Re: First", "In-Reply-To: <a@example.com>\n"));
  auto result = runOnce(configJson(db_, box_));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(db_.scalar("SELECT string_agg(subject, ',' ORDER BY id) FROM messages"),
            "First,Re: First");
  EXPECT_EQ(count(db_, "SELECT count(DISTINCT ticket_id) FROM messages"), 1)
      << "the reply found its parent, committed earlier in the same transaction";
  EXPECT_EQ(db_.scalar("SELECT source_key ~ ':2$' AND error LIKE 'cannot store:%' FROM quarantine"),
            "t");
  EXPECT_EQ(box_.countFlagged('S'), 3u) << "all three are accounted for, so all are acknowledged";
  EXPECT_EQ(db_.scalar("SELECT last_uid FROM mailbox_state"), "3");
}

TEST_F(IngestImap, TheSchemaIsMigratedOnceAtStartBeforeTheFirstPassAndSaysSo) {
  box_.deliver(makeSampleMessage(1));
  const std::string version =
      "database schema at version " + std::to_string(db::latestSchemaVersion());
  auto first = runOnce(configJson(db_, box_));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto migrated = first.output.find(version + " (");
  ASSERT_NE(migrated, std::string::npos) << first.output;
  EXPECT_EQ(first.output.find(version, migrated + 1), std::string::npos) << "once per process";
  const auto pass = first.output.find("selected INBOX");
  ASSERT_NE(pass, std::string::npos) << first.output;
  EXPECT_LT(migrated, pass) << "migrated before the worker opened the mailbox";
  auto second = runOnce(configJson(db_, box_));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find(version + " (0 migration(s) applied)"), std::string::npos)
      << second.output;
}

TEST_F(IngestImap, DatabaseDownFailsThePassAndLosesNothing) {
  box_.deliver(makeSampleMessage(1));
  std::string config = configJson(db_, box_);
  // Point the service at a port where nothing listens.
  config = std::regex_replace(config, std::regex(R"(postgresql://[^"]*)"),
                              "postgresql://postgres@127.0.0.1:1/none");
  auto result = runOnce(config);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(box_.countFlagged('S'), 0u);
  ASSERT_EQ(runOnce(configJson(db_, box_)).exit_code, 0);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 1);
}

TEST_F(IngestImap, StatusReportsCountsFromTheDatabaseAndSigtermStopsCleanly) {
  for (int i = 0; i < 3; ++i) box_.deliver(makeSampleMessage(i));
  TempFile config(configJson(db_, box_));
  ServiceProcess service({"--config", config.path()});
  std::smatch match;
  std::string output;
  std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  for (int i = 0; i < 100 && !std::regex_search(output, match, listening); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    output = service.output();
  }
  ASSERT_TRUE(std::regex_search(output, match, listening)) << output;
  std::string port = match[1];
  // The first pass (schema migration included) stores the three messages.
  std::string status;
  for (int i = 0; i < 200 && status.find(R"("ingested": 3)") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = httpGet("http://127.0.0.1:" + port + "/status");
  }
  auto health = runService({"--healthcheck", "http://127.0.0.1:" + port + "/healthz"}, {}, 30);
  EXPECT_EQ(health.exit_code, 0) << health.output;
  auto missing = runService({"--healthcheck", "http://127.0.0.1:" + port + "/nope"}, {}, 30);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(status.find(R"("name": "support")"), std::string::npos) << status;
  EXPECT_NE(status.find(R"("ingested": 3)"), std::string::npos) << status;
  EXPECT_NE(status.find(R"("quarantined": 0)"), std::string::npos) << status;
  EXPECT_NE(status.find(R"("state": "ok")"), std::string::npos) << status;
  EXPECT_NE(status.find(R"("protocol": "imap")"), std::string::npos) << status;

  service.signal(SIGTERM);
  auto result = service.wait(40);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("shutting down"), std::string::npos) << result.output;
}

TEST(IngestCli, BadConfigurationExitsWith2AndNamesTheKey) {
  TempFile config(
      R"({"database": {"url": "x"}, "mailboxes": [{"name": "a", "host": "h", "username": "u",
                      "password": "p", "prot": "imap"}]})");
  auto result = runService({"--config", config.path(), "--once"}, {}, 30);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("mailboxes[0].prot"), std::string::npos) << result.output;
  auto usage = runService({"--bogus"}, {}, 30);
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
  auto help = runService({"--help"}, {}, 30);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--config"), std::string::npos);
  EXPECT_NE(help.output.find("--once"), std::string::npos);
}

}  // namespace
}  // namespace hd::test
