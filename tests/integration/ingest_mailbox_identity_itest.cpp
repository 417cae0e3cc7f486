// The service against Dovecot and PostgreSQL: a mailbox name is bound to the folder it read
// first. Pointing the name at another folder, or reading the folder under a new name, is refused
// with a message saying how to do it on purpose, and nothing is stored or acknowledged twice.

#include <gtest/gtest.h>

#include "tests/support/sample_mail.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

std::string config(const ScratchDatabase& db, const TestMailbox& box, const std::string& name,
                   const std::string& folder) {
  const auto& env = TestEnv::get();
  return R"({"database": {"url": ")" + db.url() +
         R"("}, "log": {"level": "information"}, "mailboxes": [{"name": ")" + name +
         R"(", "host": ")" + env.mail_host + R"(", "port": )" + std::to_string(env.imaps_port) +
         R"(, "ca_file": ")" + env.ca_file + R"(", "username": ")" + box.user() +
         R"(", "password": ")" + env.mail_password + R"(", "folder": ")" + folder +
         R"(", "after_ingest": "keep"}]})";
}

ProcessResult runOnce(const std::string& json) {
  TempFile file(json);
  return runService({"--config", file.path(), "--once"}, {}, 120);
}

TEST(IngestMailboxIdentity, AnotherFolderOrANewNameIsRefusedUntilResolvedOnPurpose) {
  ScratchDatabase db;
  TestMailbox box("identity");
  for (int i = 0; i < 3; ++i) box.deliver(makeSampleMessage(i));
  box.deliver(makeSampleMessage(10), "Sales");

  const auto first = runOnce(config(db, box, "support", "INBOX"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("bound to imap://"), std::string::npos) << first.output;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages"), "3");

  // Same name, another folder: its checkpoint (UIDs <= 3) would skip Sales' first messages.
  const auto repointed = runOnce(config(db, box, "support", "Sales"));
  EXPECT_EQ(repointed.exit_code, 1) << repointed.output;
  EXPECT_NE(repointed.output.find("UPDATE mailbox_identity"), std::string::npos)
      << repointed.output;
  // Same folder, new name: with after_ingest "keep" every message would become a ticket again.
  const auto renamed = runOnce(config(db, box, "helpdesk", "INBOX"));
  EXPECT_EQ(renamed.exit_code, 1) << renamed.output;
  EXPECT_NE(renamed.output.find("already ingested as mailbox \"support\""), std::string::npos)
      << renamed.output;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages"), "3");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM tickets"), "3");

  // The folder under a name of its own is fine.
  const auto sales = runOnce(config(db, box, "sales", "Sales"));
  ASSERT_EQ(sales.exit_code, 0) << sales.output;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages WHERE mailbox = 'sales'"), "1");
}

}  // namespace
}  // namespace hd::test
