// mailbox_identity on a real PostgreSQL: a name is bound on first use, the same configuration
// passes, another folder under the name and the folder under another name are refused, and the
// refusals bind nothing.

#include <gtest/gtest.h>

#include "db/errors.hpp"
#include "db/mailbox_identity.hpp"
#include "db/ticket_store.hpp"
#include "tests/support/test_env.hpp"

namespace hd::db {
namespace {

using Kind = IdentityVerdict::Kind;

class MailboxIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override { TicketStore(db_.url()).migrate(); }
  test::ScratchDatabase db_;
};

TEST_F(MailboxIdentityTest, BoundOnFirstUseThenTheSame) {
  const std::string inbox = "imap://support@imap.example.com/INBOX";
  EXPECT_EQ(bindMailboxIdentity(db_.url(), "support", inbox).kind, Kind::kBound);
  EXPECT_EQ(bindMailboxIdentity(db_.url(), "support", inbox).kind, Kind::kSame);
  EXPECT_EQ(db_.scalar("SELECT identity FROM mailbox_identity WHERE mailbox = 'support'"), inbox);
}

TEST_F(MailboxIdentityTest, AnotherFolderUnderTheNameIsChanged) {
  bindMailboxIdentity(db_.url(), "support", "imap://support@imap.example.com/INBOX");
  const auto verdict =
      bindMailboxIdentity(db_.url(), "support", "imap://support@imap.example.org/INBOX");
  EXPECT_EQ(verdict.kind, Kind::kChanged);
  EXPECT_EQ(verdict.other, "imap://support@imap.example.com/INBOX");
  EXPECT_EQ(db_.scalar("SELECT identity FROM mailbox_identity WHERE mailbox = 'support'"),
            "imap://support@imap.example.com/INBOX");
}

TEST_F(MailboxIdentityTest, TheFolderUnderANewNameIsARename) {
  const std::string inbox = "imap://support@imap.example.com/INBOX";
  bindMailboxIdentity(db_.url(), "support", inbox);
  const auto verdict = bindMailboxIdentity(db_.url(), "helpdesk", inbox);
  EXPECT_EQ(verdict.kind, Kind::kRenamed);
  EXPECT_EQ(verdict.other, "support");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM mailbox_identity WHERE mailbox = 'helpdesk'"), "0");
  // Resolved on purpose as the message says: the old binding removed, the new name binds.
  db_.scalar("DELETE FROM mailbox_identity WHERE mailbox = 'support'");
  EXPECT_EQ(bindMailboxIdentity(db_.url(), "helpdesk", inbox).kind, Kind::kBound);
}

TEST(MailboxIdentityConnection, UnreachableDatabaseIsDatabaseError) {
  EXPECT_THROW(bindMailboxIdentity("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2",
                                   "support", "imap://a@b/INBOX"),
               DatabaseError);
}

}  // namespace
}  // namespace hd::db
