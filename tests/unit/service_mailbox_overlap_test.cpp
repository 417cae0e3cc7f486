// Two mailboxes that read the same folder, or a move into a folder a mailbox reads, would ingest
// the same bytes twice: the configuration is refused at start, naming the key.

#include <gtest/gtest.h>

#include "service/config.hpp"

namespace hd::service {
namespace {

std::optional<std::string> noEnv(const std::string&) {
  return std::nullopt;
}

std::string box(const std::string& name, const std::string& fields) {
  return R"({"name": ")" + name + R"(", "password": "p", )" + fields + "}";
}

std::string config(const std::string& first, const std::string& second = "") {
  return R"({"database": {"url": "postgresql://u@127.0.0.1/db"}, "mailboxes": [)" + first +
         (second.empty() ? "" : ", " + second) + "]}";
}

// The ConfigError's key and message, or "accepted".
std::string outcome(const std::string& json) {
  try {
    parseConfig(json, noEnv);
    return "accepted";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

const std::string kSupport = R"("host": "imap.example.com", "username": "support")";

TEST(MailboxOverlap, SameFolderOfSameAccountTwiceIsRefused) {
  const std::string result = outcome(config(box("a", kSupport), box("b", kSupport)));
  EXPECT_EQ(result.rfind("mailboxes[1].folder: ", 0), 0u) << result;
  EXPECT_NE(result.find("\"a\" and \"b\""), std::string::npos) << result;
}

TEST(MailboxOverlap, SpellingsOfTheSameAccountAndInboxAreOneFolder) {
  // Host names and user names are case-insensitive, and so is INBOX (RFC 3501 5.1).
  const auto other =
      box("b", R"("host": "IMAP.Example.COM", "username": "SUPPORT", "folder": "inbox")");
  EXPECT_NE(outcome(config(box("a", kSupport), other)), "accepted");
  // Outlook.com's legacy IMAP name reaches the same mailbox.
  const auto outlook = [](const std::string& name, const std::string& host) {
    return box(name, R"("host": ")" + host + R"(", "username": "help@outlook.com")");
  };
  EXPECT_NE(
      outcome(config(outlook("a", "outlook.office365.com"), outlook("b", "imap-mail.outlook.com"))),
      "accepted");
}

TEST(MailboxOverlap, Pop3AndImapInboxOfOneAccountOverlap) {
  const auto pop3 = box("b", kSupport + R"(, "protocol": "pop3", "after_ingest": "keep")");
  EXPECT_NE(outcome(config(box("a", kSupport), pop3)), "accepted");
}

TEST(MailboxOverlap, MovingIntoAFolderAnotherMailboxReadsIsRefused) {
  const auto mover = box("a", kSupport + R"(, "after_ingest": "move:Done")");
  const auto reader = box("b", kSupport + R"(, "folder": "Done")");
  const std::string result = outcome(config(mover, reader));
  EXPECT_EQ(result.rfind("mailboxes[0].after_ingest: ", 0), 0u) << result;
  EXPECT_NE(result.find("\"b\""), std::string::npos) << result;
  // The other way round in the list: the mover is still the one named.
  EXPECT_EQ(outcome(config(reader, mover)).rfind("mailboxes[1].after_ingest: ", 0), 0u);
}

TEST(MailboxOverlap, MovingIntoTheFolderItselfIsRefused) {
  const std::string result =
      outcome(config(box("a", kSupport + R"(, "after_ingest": "move:inbox")")));
  EXPECT_EQ(result.rfind("mailboxes[0].after_ingest: ", 0), 0u) << result;
}

TEST(MailboxOverlap, DistinctFoldersAccountsAndServersAreAccepted) {
  EXPECT_EQ(
      outcome(config(box("a", kSupport),
                     box("b", kSupport + R"(, "folder": "Sales", "after_ingest": "move:Done")"))),
      "accepted");
  EXPECT_EQ(outcome(config(box("a", kSupport),
                           box("b", R"("host": "imap.example.com", "username": "billing")"))),
            "accepted");
  EXPECT_EQ(outcome(config(box("a", kSupport),
                           box("b", R"("host": "imap.example.org", "username": "support")"))),
            "accepted");
  // Folder names other than INBOX are case-sensitive on the server: "done" is not "Done".
  EXPECT_EQ(outcome(config(box("a", kSupport + R"(, "after_ingest": "move:done")"),
                           box("b", kSupport + R"(, "folder": "Done")"))),
            "accepted");
}

}  // namespace
}  // namespace hd::service
