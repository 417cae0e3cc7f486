// What a mailbox reads, as comparable text: the key of mailbox_identity and of the overlap check.

#include <gtest/gtest.h>

#include "service/folder_identity.hpp"

namespace hd::service {
namespace {

MailboxConfig box(Protocol protocol, const std::string& host, const std::string& user,
                  const std::string& folder = "INBOX") {
  MailboxConfig b;
  b.protocol = protocol;
  b.endpoint.host = host;
  b.username = user;
  b.folder = folder;
  return b;
}

TEST(FolderIdentity, NamesProtocolAccountAndFolder) {
  EXPECT_EQ(mailboxIdentity(box(Protocol::kImap, "imap.example.com", "support", "Sales")),
            "imap://support@imap.example.com/Sales");
}

TEST(FolderIdentity, CaseInsensitivePartsAreFolded) {
  EXPECT_EQ(mailboxIdentity(box(Protocol::kImap, "IMAP.Example.COM", "Support", "inbox")),
            "imap://support@imap.example.com/INBOX");
  // Other folder names are case-sensitive on the server.
  EXPECT_NE(mailboxIdentity(box(Protocol::kImap, "imap.example.com", "support", "Done")),
            mailboxIdentity(box(Protocol::kImap, "imap.example.com", "support", "done")));
}

TEST(FolderIdentity, Pop3ReadsInboxWhateverTheFolderSays) {
  EXPECT_EQ(mailboxIdentity(box(Protocol::kPop3, "pop.example.com", "a", "Ignored")),
            "pop3://a@pop.example.com/INBOX");
}

TEST(FolderIdentity, OutlookHostNamesAreOneService) {
  const auto modern = box(Protocol::kImap, "outlook.office365.com", "help@outlook.com");
  const auto legacy = box(Protocol::kImap, "imap-mail.outlook.com", "help@outlook.com");
  EXPECT_EQ(mailboxIdentity(modern), mailboxIdentity(legacy));
  EXPECT_EQ(accountIdentity(modern),
            accountIdentity(box(Protocol::kPop3, "pop-mail.outlook.com", "HELP@outlook.com")));
}

}  // namespace
}  // namespace hd::service
