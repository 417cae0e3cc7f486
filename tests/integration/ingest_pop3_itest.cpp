// The whole service against the real Dovecot POP3S / POP3+STLS and PostgreSQL: download-and-delete
// that never loses or duplicates a message.

#include <gtest/gtest.h>

#include "tests/support/sample_mail.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

struct Pop3Options {
  std::string after_ingest = "delete";
  std::string tls = "implicit";
  std::string extra_top_level;
  std::string ca_file;
};

std::string configJson(const ScratchDatabase& db, const TestMailbox& box,
                       const Pop3Options& o = {}) {
  const auto& env = TestEnv::get();
  int port = o.tls == "implicit" ? env.pop3s_port : env.pop3_port;
  return R"({
    "database": {"url": ")" +
         db.url() + R"("},
    )" + o.extra_top_level +
         R"(
    "mailboxes": [{
      "name": "pop", "protocol": "pop3",
      "host": ")" +
         env.mail_host + R"(", "port": )" + std::to_string(port) + R"(, "tls": ")" + o.tls + R"(",
      "ca_file": ")" +
         (o.ca_file.empty() ? env.ca_file : o.ca_file) + R"(",
      "username": ")" +
         box.user() + R"(", "password": ")" + env.mail_password + R"(",
      "after_ingest": ")" +
         o.after_ingest + R"("
    }]
  })";
}

ProcessResult runOnce(const std::string& config_json, const std::vector<std::string>& env = {}) {
  TempFile config(config_json);
  return runService({"--config", config.path(), "--once"}, env, 600);
}

long long count(const ScratchDatabase& db, const std::string& sql) {
  return std::stoll(db.scalar(sql));
}

class IngestPop3 : public ::testing::Test {
 protected:
  ScratchDatabase db_;
  TestMailbox box_{"pop"};
};

TEST_F(IngestPop3, DeleteModeStoresFiftyAndEmptiesTheMailbox) {
  for (int i = 0; i < 50; ++i) box_.deliver(makeSampleMessage(i));
  auto result = runOnce(configJson(db_, box_));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 50);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages WHERE source_key LIKE 'pop3:pop:%'"), 50);
  EXPECT_EQ(count(db_, "SELECT count(DISTINCT subject) FROM messages"), 50);
  EXPECT_EQ(box_.count(), 0u);
  ASSERT_EQ(runOnce(configJson(db_, box_)).exit_code, 0);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 50);
}

TEST_F(IngestPop3, KeepModeLeavesTheMailboxAndStoresOnlyNewMessagesNextTime) {
  for (int i = 0; i < 50; ++i) box_.deliver(makeSampleMessage(i));
  auto config = configJson(db_, box_, {.after_ingest = "keep"});
  ASSERT_EQ(runOnce(config).exit_code, 0);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 50);
  EXPECT_EQ(box_.count(), 50u);
  auto second = runOnce(config);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 50);
  box_.deliver(makeSampleMessage(500));
  ASSERT_EQ(runOnce(config).exit_code, 0);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 51);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages WHERE subject = 'Sample 500'"), 1);
  EXPECT_EQ(box_.count(), 51u);
}

TEST_F(IngestPop3, StlsOnThePlainPortWorks) {
  for (int i = 0; i < 3; ++i) box_.deliver(makeSampleMessage(i));
  auto result = runOnce(configJson(db_, box_, {.tls = "starttls"}));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 3);
  EXPECT_EQ(box_.count(), 0u);
}

TEST_F(IngestPop3, ACertificateFromAnotherCaIsRefused) {
  box_.deliver(makeSampleMessage(1));
  auto result = runOnce(configJson(db_, box_, {.ca_file = TestEnv::get().other_ca_file}));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(box_.count(), 1u);
}

TEST_F(IngestPop3, ACrashBeforeQuitLeavesEverythingOnTheServerAndTheNextPassDuplicatesNothing) {
  for (int i = 0; i < 10; ++i) box_.deliver(makeSampleMessage(i));
  auto config =
      configJson(db_, box_, {.extra_top_level = R"("limits": {"fetch_batch_messages": 4},)"});
  auto crashed = runOnce(config, {"HD_FAULT_EXIT_AFTER_COMMIT=1"});
  ASSERT_EQ(crashed.exit_code, 86) << crashed.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 4);
  EXPECT_EQ(box_.count(), 10u) << "no QUIT, so the server applied no deletion";

  auto resumed = runOnce(config);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 10);
  EXPECT_EQ(count(db_, "SELECT count(DISTINCT internet_message_id) FROM messages"), 10);
  EXPECT_EQ(box_.count(), 0u);
}

// Oversized mail: tests/integration/ingest_oversize_itest.cpp.

}  // namespace
}  // namespace hd::test
