// A message over limits.max_message_bytes, between normal ones, against the real Dovecot (IMAPS
// and POP3S) and PostgreSQL: decided from its listed size before any fetch, quarantined with its
// header only, left on the server untouched whatever after_ingest says, passed by the checkpoint;
// the others are stored, --once exits 0, and a second pass neither re-quarantines it nor stalls.

#include <gtest/gtest.h>

#include <csignal>

#include "tests/integration/api_test_support.hpp"
#include "tests/support/sample_mail.hpp"
#include "tests/support/service_process.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr int kLimit = 64 * 1024;

// `http`: also serve the API (for a running service rather than --once).
std::string configJson(const ScratchDatabase& db, const TestMailbox& box,
                       const std::string& protocol, const std::string& after_ingest,
                       int limit = kLimit, bool http = false) {
  const auto& env = TestEnv::get();
  const int port = protocol == "imap" ? env.imaps_port : env.pop3s_port;
  return R"({
    "database": {"url": ")" +
         db.url() + R"("},
    )" +
         (http ? R"("http": {"listen": "127.0.0.1:0", "api_token": ")" + kApiToken + R"("},)"
               : "") +
         R"(
    "limits": {"max_message_bytes": )" +
         std::to_string(limit) + R"(},
    "mailboxes": [{
      "name": "big", "protocol": ")" +
         protocol + R"(", "host": ")" + env.mail_host + R"(", "port": )" + std::to_string(port) +
         R"(, "ca_file": ")" + env.ca_file + R"(", "username": ")" + box.user() +
         R"(", "password": ")" + env.mail_password + R"(", "after_ingest": ")" + after_ingest +
         R"(", "poll_interval_seconds": 1
    }]
  })";
}

long long count(const ScratchDatabase& db, const std::string& sql) {
  return std::stoll(db.scalar(sql));
}

struct Mode {
  std::string protocol;
  std::string after_ingest;
};

class IngestOversize : public ::testing::TestWithParam<Mode> {
 protected:
  ProcessResult runOnce() {
    TempFile config(configJson(db_, box_, GetParam().protocol, GetParam().after_ingest));
    return runService({"--config", config.path(), "--once"}, {}, 300);
  }
  bool deletes() const { return GetParam().after_ingest == "delete"; }

  ScratchDatabase db_;
  TestMailbox box_{"big"};
};

TEST_P(IngestOversize, IsQuarantinedWithItsHeaderAndLeftOnTheServerWhileTheOthersAreStored) {
  box_.deliver(makeSampleMessage(1));
  const std::string big = makeSampleMessage(2, 100 * 1024);  // about 137 KiB in base64
  ASSERT_GT(big.size(), static_cast<std::size_t>(kLimit) + 60 * 1024);
  box_.deliver(big);
  box_.deliver(makeSampleMessage(3));

  const ProcessResult first = runOnce();
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 2);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages WHERE subject = 'Sample 2'"), 0);
  ASSERT_EQ(count(db_, "SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(db_.scalar("SELECT on_server FROM quarantine"), "t");
  EXPECT_EQ(db_.scalar("SELECT raw IS NULL FROM quarantine"), "t") << "the body is never fetched";
  EXPECT_EQ(count(db_,
                  "SELECT count(*) FROM quarantine WHERE position('Subject: Sample 2' IN "
                  "convert_from(headers, 'UTF8')) > 0"),
            1);
  EXPECT_LT(count(db_, "SELECT length(headers) FROM quarantine"), 4096) << "header only";
  // Dovecot serves CRLF: the listed size is the file's size plus a CR per line.
  EXPECT_GE(count(db_, "SELECT size FROM quarantine"), static_cast<long long>(big.size()));
  const std::string error = db_.scalar("SELECT error FROM quarantine");
  EXPECT_NE(error.find("over the limit of " + std::to_string(kLimit)), std::string::npos) << error;
  EXPECT_NE(error.find("max_message_bytes"), std::string::npos) << error;
  EXPECT_NE(error.find(db_.scalar("SELECT size FROM quarantine") + " bytes"), std::string::npos)
      << error;

  // Untouched on the server: never deleted, and (IMAP) never flagged, even in seen mode.
  EXPECT_EQ(box_.count(), deletes() ? 1u : 3u);
  if (GetParam().protocol == "imap") {
    EXPECT_EQ(box_.countFlagged('S'), GetParam().after_ingest == "seen" ? 2u : 0u);
    EXPECT_EQ(box_.countFlagged('T'), 0u);
    EXPECT_EQ(db_.scalar("SELECT last_uid FROM mailbox_state WHERE mailbox = 'big'"), "3")
        << "the checkpoint passes the message left on the server";
  }

  // The next pass neither fetches nor re-quarantines it, and later mail is ingested.
  box_.deliver(makeSampleMessage(4));
  const ProcessResult second = runOnce();
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 3);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages WHERE subject = 'Sample 4'"), 1);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(count(db_, "SELECT attempts FROM quarantine"), 1);
  EXPECT_EQ(box_.count(), deletes() ? 1u : 4u);
}

// Once the limit is raised, a retry of the entry (202) has the next pass fetch the message, store
// it (the quarantine row goes in the same commit) and acknowledge it like any other; the IMAP
// checkpoint, which had passed it, is not involved.
TEST_P(IngestOversize, AfterTheLimitIsRaisedARetryHasTheNextPassFetchAndStoreIt) {
  box_.deliver(makeSampleMessage(1));
  box_.deliver(makeSampleMessage(2, 100 * 1024));
  box_.deliver(makeSampleMessage(3));
  ASSERT_EQ(runOnce().exit_code, 0);
  ASSERT_EQ(count(db_, "SELECT count(*) FROM quarantine WHERE on_server"), 1);
  const std::string id = db_.scalar("SELECT id FROM quarantine");

  TempFile raised(
      configJson(db_, box_, GetParam().protocol, GetParam().after_ingest, 1024 * 1024, true));
  ServiceProcess service({"--config", raised.path()});
  const int port = waitForPort(service);
  ASSERT_NE(port, 0) << service.output();
  const HttpAnswer retry = httpCall(port, "POST", "/api/v1/quarantine/" + id + "/retry");
  ASSERT_EQ(retry.status, 202) << retry.body;
  EXPECT_EQ(retry.json()["result"], "fetch_requested");
  for (int i = 0; i < 300 && db_.scalar("SELECT count(*) FROM messages") != "3"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  service.signal(SIGTERM);
  service.wait(40);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages"), 3) << service.output();
  EXPECT_EQ(count(db_, "SELECT count(*) FROM messages WHERE subject = 'Sample 2'"), 1);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(box_.count(), deletes() ? 0u : 3u);
  if (GetParam().after_ingest == "seen") {
    EXPECT_EQ(box_.countFlagged('S'), 3u);
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, IngestOversize,
                         ::testing::Values(Mode{"imap", "delete"}, Mode{"imap", "seen"},
                                           Mode{"imap", "keep"}, Mode{"pop3", "delete"},
                                           Mode{"pop3", "keep"}),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return info.param.protocol + "_" + info.param.after_ingest;
                         });

}  // namespace
}  // namespace hd::test
