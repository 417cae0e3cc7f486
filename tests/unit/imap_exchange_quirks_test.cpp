// Exchange Online's quirks (../shared/outlook.md) replayed against ImapSource and Pop3Source:
// what the client sends and what it concludes. Transcripts in tests/transcripts/imap/exchange_*
// and tests/transcripts/pop3/outlook_*. (A UID that SEARCH lists and FETCH does not return is
// covered with a real database in tests/integration/ingest_exchange_quirks_itest.cpp.)

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/imap/imap_source.hpp"
#include "connectors/net/errors.hpp"
#include "connectors/pop3/pop3_source.hpp"
#include "service/config.hpp"
#include "service/pass_failure.hpp"
#include "tests/support/scripted_stream.hpp"
#include "tests/support/test_env.hpp"

namespace hd {
namespace {

using source::AfterIngest;
using test::ScriptedStream;

imap::ImapSourceOptions exchangeOptions(AfterIngest after_ingest = {}) {
  imap::ImapSourceOptions o;
  o.mailbox_name = "support";
  o.endpoint = {"outlook.office365.com", 993, net::TlsMode::kImplicit};
  o.credentials = {net::Credentials::Method::kXoauth2, "helpdesk@example.com",
                   [] { return "access-token"; }};
  o.after_ingest = std::move(after_ingest);
  return o;
}

struct ImapSession {
  ImapSession(const std::string& transcript, imap::ImapSourceOptions options)
      : script(test::readTestFile("transcripts/imap/" + transcript)),
        source(std::move(options),
               [this](const net::Endpoint&) { return test::borrowStream(script, true); }) {}

  // close() (LOGOUT), then check that the client followed the script to its end.
  void finish() {
    source.close();
    EXPECT_TRUE(script.finished()) << script.pendingStep();
  }

  ScriptedStream script;
  imap::ImapSource source;
};

TEST(ExchangeQuirks, UidRangeMatchingALowerUidDoesNotListItAgain) {
  ImapSession session("exchange_uid_range_lower_uid.txt", exchangeOptions());
  session.source.open();
  const source::Listing listing = session.source.listPending({14, 31});
  EXPECT_EQ(listing.uidvalidity, 14u);
  EXPECT_TRUE(listing.pending.empty()) << "UID 31 is at the checkpoint already";
  session.finish();
  // Nothing listed, so nothing fetched: no FETCH of UID 31 went out.
  EXPECT_EQ(session.script.written().find("FETCH"), std::string::npos) << session.script.written();
}

TEST(ExchangeQuirks, RecentEqualToExistsIsNotNewMail) {
  ImapSession session("exchange_recent_equals_exists.txt", exchangeOptions());
  session.source.open();
  const source::Listing listing = session.source.listPending({14, 31});
  ASSERT_EQ(listing.pending.size(), 1u) << "4 RECENT, but only UID 32 is above the checkpoint";
  EXPECT_EQ(listing.pending[0].uid, 32u);
  EXPECT_EQ(listing.pending[0].source_key, "imap:support:14:32");
  EXPECT_EQ(listing.pending[0].size, 1800u);
  session.finish();
}

TEST(ExchangeQuirks, MoveToAFolderWithASpaceQuotesIt) {
  // The folder as an operator writes it in the configuration.
  const service::Config config = service::parseConfig(
      R"({"database": {"url": "postgresql://u@127.0.0.1/db"}, "mailboxes": [{"name": "support",)"
      R"( "host": "outlook.office365.com", "username": "u", "password": "p",)"
      R"( "after_ingest": "move:Junk Email"}]})",
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  const AfterIngest after_ingest = config.mailboxes.at(0).after_ingest;
  ASSERT_EQ(after_ingest.action, AfterIngest::Action::kMove);
  ASSERT_EQ(after_ingest.folder, "Junk Email");

  ImapSession session("exchange_move_junk_email.txt", exchangeOptions(after_ingest));
  session.source.open();
  source::MessageRef ref;
  ref.uid = 7;
  ref.source_key = session.source.sourceKey(14, 7);
  session.source.acknowledge(std::vector<source::MessageRef>{ref});
  EXPECT_NE(session.script.written().find("A0005 UID MOVE 7 \"Junk Email\"\r\n"), std::string::npos)
      << session.script.written();
  session.finish();
}

// Outlook.com POP3 with XOAUTH2, keeping the mail (the transcripts' token is "EwBoA-token").
pop3::Pop3SourceOptions outlookPop3Options() {
  pop3::Pop3SourceOptions options;
  options.mailbox_name = "outlook";
  options.endpoint = {"outlook.office365.com", 995, net::TlsMode::kImplicit};
  options.credentials.method = net::Credentials::Method::kXoauth2;
  options.credentials.username = "helpdesk@outlook.com";
  options.credentials.secret = [] { return std::string("EwBoA-token"); };
  options.after_ingest.action = AfterIngest::Action::kKeep;
  return options;
}

TEST(ExchangeQuirks, Pop3Xoauth2RefusedAfterTheContinuationNeedsAPersonAndDropsTheToken) {
  pop3::Pop3SourceOptions options = outlookPop3Options();
  int refused = 0;
  options.credentials.on_refused = [&refused] { ++refused; };
  ScriptedStream script(test::readTestFile("transcripts/pop3/outlook_xoauth2_refused.txt"));
  pop3::Pop3Source source(std::move(options), [&script](const net::Endpoint&) {
    return test::borrowStream(script, true);
  });

  std::exception_ptr error;
  try {
    source.open();
    ADD_FAILURE() << "open() signed in";
  } catch (const net::AuthError& e) {
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("unknown user name or bad password"), std::string::npos)
        << e.what();
    error = std::current_exception();
  }
  EXPECT_EQ(refused, 1) << "the token source was not told to drop the token";
  ASSERT_TRUE(error);
  try {
    std::rethrow_exception(error);
  } catch (const net::AuthError& e) {
    // The same hint IMAP sign-in failures get: POP is off by default on Outlook.com.
    EXPECT_NE(std::string(e.what()).find("POP access is off by default"), std::string::npos)
        << e.what();
  }
  // What the worker concludes: a person must act (state auth_required), not a retryable glitch.
  const service::PassFailure failure = service::classifyPassFailure(error);
  EXPECT_TRUE(failure.needs_person);
  EXPECT_EQ(service::toString(failure.kind), "authentication");

  source.close();  // the channel is fine after a refusal: QUIT politely
  EXPECT_TRUE(script.finished()) << script.pendingStep();
}

// What the worker must conclude from a mailbox refused after a good sign-in: a person must act
// (auth_required), after one more sign-in with a fresh token; the message names the causes.
void expectMailboxAccessRefusal(const std::exception_ptr& error, const std::string& protocol,
                                const std::string& user) {
  ASSERT_TRUE(error);
  const service::PassFailure failure = service::classifyPassFailure(error);
  EXPECT_TRUE(failure.needs_person);
  EXPECT_TRUE(failure.sign_in_again);
  EXPECT_EQ(service::toString(failure.kind), "authentication");
  for (const std::string& cause :
       {"another account than " + user, std::string("Add-MailboxPermission"),
        std::string("shared mailbox"), std::string("FullAccess"), protocol + " is off",
        std::string("Settings > Mail > Forwarding and IMAP")}) {
    EXPECT_NE(failure.message.find(cause), std::string::npos) << cause << "\n" << failure.message;
  }
  EXPECT_EQ(failure.message.find("access-token"), std::string::npos) << "token in the message";
}

TEST(ExchangeQuirks, AuthenticatedButNotConnectedAfterTheSignInIsAMailboxAccessRefusal) {
  ImapSession session("exchange_authenticated_not_connected.txt", exchangeOptions());
  session.source.open();  // AUTHENTICATE and the CAPABILITY after it succeed
  std::exception_ptr error;
  try {
    session.source.listPending({});
    ADD_FAILURE() << "listPending() after the refusal";
  } catch (const net::MailboxAccessError& e) {
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("SELECT: BAD User is authenticated but not connected."),
              std::string::npos)
        << e.what();
    error = std::current_exception();
  }
  expectMailboxAccessRefusal(error, "IMAP", "helpdesk@example.com");
  // LOGOUT goes out; Exchange's BYE to it is not waited for.
  session.source.close();
  EXPECT_NE(session.script.pendingStep().find("* BYE Connection closed. 14"), std::string::npos)
      << session.script.pendingStep();
  const std::string& written = session.script.written();
  EXPECT_TRUE(written.ends_with("\r\nA0005 LOGOUT\r\n")) << written;
}

TEST(ExchangeQuirks, Pop3ErrAfterASuccessfulAuthIsAMailboxAccessRefusal) {
  ScriptedStream script(test::readTestFile("transcripts/pop3/outlook_xoauth2_not_connected.txt"));
  pop3::Pop3Source source(outlookPop3Options(), [&script](const net::Endpoint&) {
    return test::borrowStream(script, true);
  });
  source.open();
  std::exception_ptr error;
  try {
    source.listPending({});
    ADD_FAILURE() << "listPending() after the refusal";
  } catch (const net::MailboxAccessError& e) {
    EXPECT_NE(std::string(e.what()).find("-ERR Server Unavailable. 21"), std::string::npos)
        << e.what();
    error = std::current_exception();
  }
  expectMailboxAccessRefusal(error, "POP", "helpdesk@outlook.com");
  source.close();  // the session itself is fine: QUIT
  EXPECT_TRUE(script.finished()) << script.pendingStep();
}

}  // namespace
}  // namespace hd
