// Exchange's "UID SEARCH lists a UID whose UID FETCH returns nothing" (../shared/outlook.md),
// through MailboxPass with an ImapSource on a replayed Exchange dialogue and a TicketStore on a
// scratch PostgreSQL database: the checkpoint never moves past the missing message, and the next
// pass picks it up without storing its neighbour twice.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "connectors/imap/imap_source.hpp"
#include "db/ticket_store.hpp"
#include "service/mailbox_pass.hpp"
#include "tests/support/scripted_stream.hpp"
#include "tests/support/test_env.hpp"

namespace hd::service {
namespace {

using test::ScriptedStream;

// Greeting, XOAUTH2 with SASL-IR, CAPABILITY again (MOVE appears only after sign-in), SELECT.
std::string exchangeSessionStart(std::uint64_t uidnext) {
  return R"(
S: * OK The Microsoft Exchange IMAP4 service is ready. [TQBXADIAUABSADEAMQBDAEEAMAAwADEANQAuAG4AYQBtAHAAcgBkADEAMQAuAHAAcgBvAGQA]
C: A0001 CAPABILITY
S: * CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+
S: A0001 OK CAPABILITY completed.
C: A0002 AUTHENTICATE XOAUTH2 dXNlcj1oZWxwZGVza0BleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBhY2Nlc3MtdG9rZW4BAQ==
S: A0002 OK AUTHENTICATE completed.
C: A0003 CAPABILITY
S: * CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+
S: A0003 OK CAPABILITY completed.
C: A0004 SELECT INBOX
S: * 3 EXISTS
S: * 3 RECENT
S: * OK [UIDVALIDITY 14] UIDVALIDITY value
S: * OK [UIDNEXT )" +
         std::to_string(uidnext) +
         R"(] The next unique identifier value
S: A0004 OK [READ-WRITE] SELECT completed.
)";
}

std::string mail(int uid) {
  return "From: Jane Doe <jane" + std::to_string(uid) +
         "@example.com>\r\nTo: support@example.com\r\nSubject: Question " + std::to_string(uid) +
         "\r\nMessage-ID: <q" + std::to_string(uid) +
         "@example.com>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n";
}

std::string joined(const std::vector<int>& uids) {
  std::string out;
  for (int uid : uids) out += (out.empty() ? "" : " ") + std::to_string(uid);
  return out;
}

// What the server does in one pass's session (sequence number = UID here).
struct ExchangeSession {
  std::string search;         // the criteria the client must send: "ALL", "UID 2:*"
  std::vector<int> listed;    // the UID SEARCH answer
  std::string size_set;       // UID set of the size FETCH
  std::vector<int> sized;     // UIDs the size FETCH answers for
  std::string body_set;       // UID set of the body FETCH
  std::vector<int> returned;  // UIDs the body FETCH answers for
  std::string seen_set;       // UID set the client must mark \Seen
  std::vector<int> empty;     // UIDs the body FETCH answers with BODY[] {0} (a broken fetch)
};

void addSession(ScriptedStream& script, const ExchangeSession& session) {
  script.addTranscript(exchangeSessionStart(4));
  script.clientLine("A0005 UID SEARCH " + session.search)
      .serverLine("* SEARCH " + joined(session.listed))
      .serverLine("A0005 OK SEARCH completed.")
      .clientLine("A0006 UID FETCH " + session.size_set + " (UID RFC822.SIZE)");
  for (int uid : session.sized) {
    script.serverLine("* " + std::to_string(uid) + " FETCH (UID " + std::to_string(uid) +
                      " RFC822.SIZE " + std::to_string(mail(uid).size()) + ")");
  }
  script.serverLine("A0006 OK FETCH completed.")
      .clientLine("A0007 UID FETCH " + session.body_set + " (UID RFC822.SIZE BODY.PEEK[])");
  for (int uid : session.returned) {
    const bool broken =
        std::find(session.empty.begin(), session.empty.end(), uid) != session.empty.end();
    const std::string raw = broken ? std::string() : mail(uid);
    const std::string size = std::to_string(mail(uid).size());
    script.server("* " + std::to_string(uid) + " FETCH (UID " + std::to_string(uid) +
                  " RFC822.SIZE " + size + " BODY[] {" + std::to_string(raw.size()) + "}\r\n" +
                  raw + ")\r\n");
  }
  script.serverLine("A0007 OK FETCH completed.")
      .clientLine("A0008 UID STORE " + session.seen_set + " +FLAGS.SILENT (\\Seen)")
      .serverLine("A0008 OK STORE completed.")
      .clientLine("A0009 LOGOUT");  // the client does not wait for the answer
}

class ExchangeVanishingUid : public ::testing::Test {
 protected:
  void SetUp() override { store_.migrate(); }

  // One pass with its own session, which must follow the script to its end. Closes the source
  // afterwards (a no-op when the pass did).
  PassReport pass() {
    imap::ImapSourceOptions options;
    options.mailbox_name = "support";
    options.endpoint = {"outlook.office365.com", 993, net::TlsMode::kImplicit};
    options.credentials = {net::Credentials::Method::kXoauth2, "helpdesk@example.com",
                           [] { return "access-token"; }};
    options.after_ingest.action = source::AfterIngest::Action::kSeen;
    options.idle = false;
    imap::ImapSource source(std::move(options), [this](const net::Endpoint&) {
      return test::borrowStream(script_, true);
    });
    MailboxPass pass("support", source, store_, store_, PassLimits{});
    PassReport report = pass.run();
    source.close();
    EXPECT_TRUE(script_.finished()) << script_.pendingStep();
    return report;
  }

  test::ScratchDatabase db_;
  db::TicketStore store_{db_.url()};
  ScriptedStream script_;
};

TEST_F(ExchangeVanishingUid, CheckpointStopsBeforeTheMissingUidAndTheNextPassFetchesIt) {
  // Pass 1: a new folder. SEARCH lists 1 2 3; neither FETCH returns UID 2.
  addSession(script_, {"ALL", {1, 2, 3}, "1:3", {1, 3}, "1:3", {1, 3}, "1,3"});
  PassReport first = pass();
  EXPECT_EQ(first.listed, 3u);
  EXPECT_EQ(first.stored, 2u);
  EXPECT_EQ(first.vanished, 1u);
  EXPECT_EQ(first.checkpoint.uidvalidity, 14u);
  EXPECT_EQ(first.checkpoint.last_uid, 1u) << "UID 2 was never stored: the checkpoint waits";
  auto saved = store_.loadCheckpoint("support");
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->last_uid, 1u);
  EXPECT_EQ(db_.scalar("SELECT string_agg(source_key, ' ' ORDER BY source_key) FROM messages"),
            "imap:support:14:1 imap:support:14:3");

  // Pass 2: UID 2 is back. UID 3 is recognised as stored and only acknowledged again.
  addSession(script_, {"UID 2:*", {2, 3}, "2:3", {2, 3}, "2", {2}, "2:3"});
  PassReport second = pass();
  EXPECT_EQ(second.stored, 1u);
  EXPECT_EQ(second.replayed, 1u);
  EXPECT_EQ(second.vanished, 0u);
  EXPECT_EQ(second.checkpoint.last_uid, 3u);
  EXPECT_EQ(store_.loadCheckpoint("support")->last_uid, 3u);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages"), "3");
  EXPECT_EQ(db_.scalar("SELECT count(DISTINCT source_key) FROM messages"), "3");
}

// BODY[] {0} for a message whose RFC822.SIZE is not zero is a broken fetch, not bad mail: it is
// neither quarantined nor acknowledged (in delete mode that would delete the only copy); like a
// vanished UID it holds the checkpoint back, and the next pass stores it.
TEST_F(ExchangeVanishingUid, AnEmptyBodyForAMessageWithASizeIsRetriedNotQuarantined) {
  addSession(script_, {"ALL", {1, 2, 3}, "1:3", {1, 2, 3}, "1:3", {1, 2, 3}, "1,3", {2}});
  PassReport first = pass();
  EXPECT_EQ(first.stored, 2u);
  EXPECT_EQ(first.quarantined, 0u);
  EXPECT_EQ(first.vanished, 1u);
  EXPECT_EQ(first.acknowledged, 2u) << "UID 2 is not acknowledged";
  EXPECT_EQ(first.checkpoint.last_uid, 1u);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM quarantine"), "0");

  addSession(script_, {"UID 2:*", {2, 3}, "2:3", {2, 3}, "2", {2}, "2:3"});
  PassReport second = pass();
  EXPECT_EQ(second.stored, 1u);
  EXPECT_EQ(second.checkpoint.last_uid, 3u);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages"), "3");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM quarantine"), "0");
}

}  // namespace
}  // namespace hd::service
