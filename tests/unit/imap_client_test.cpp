// ImapClient against replayed server dialogues (Dovecot- and Exchange-shaped). The scripted
// stream asserts every byte the client sends.

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/imap/imap_client.hpp"
#include "connectors/net/errors.hpp"
#include "tests/support/scripted_stream.hpp"

namespace hd::imap {
namespace {

using test::ScriptedStream;

constexpr const char* kDovecotGreeting =
    "S: * OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] "
    "Dovecot (Debian) ready.\n";

TEST(ImapClient, DovecotLoginSelectSearchFetchStore) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID IDLE] Dovecot (Debian) ready.
C: A0001 LOGIN alice "pa ss"
S: A0001 OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID IDLE UIDPLUS MOVE] Logged in
C: A0002 SELECT INBOX
S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.
S: * 3 EXISTS
S: * 0 RECENT
S: * OK [UIDVALIDITY 1700000001] UIDs valid
S: * OK [UIDNEXT 4] Predicted next UID
S: A0002 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).
C: A0003 UID SEARCH UID 2:*
S: * SEARCH 2 3
S: A0003 OK Search completed (0.001 + 0.000 secs).
C: A0004 UID FETCH 2:3 (UID RFC822.SIZE BODY.PEEK[])
S: * 2 FETCH (UID 2 RFC822.SIZE 19 BODY[] {19}
S: Subject: two
S: 
S: x
S: )
S: * 1 EXISTS
S: * 3 FETCH (UID 3 RFC822.SIZE 7 BODY[] {7}
S: a
S: b
S: c)
S: A0004 OK Fetch completed (0.002 + 0.000 secs).
C: A0005 UID STORE 2:3 +FLAGS.SILENT (\Seen)
S: A0005 OK Store completed (0.001 + 0.000 secs).
)");
  ImapClient client(stream);
  EXPECT_FALSE(client.readGreeting());
  EXPECT_FALSE(client.hasCapability("AUTH=PLAIN"));
  client.login("alice", "pa ss");
  EXPECT_TRUE(client.hasCapability("move")) << "capabilities from the tagged OK";

  const SelectResult selected = client.select("INBOX");
  EXPECT_EQ(selected.uidvalidity, 1700000001u);
  EXPECT_EQ(selected.uidnext, 4u);
  EXPECT_EQ(selected.exists, 3u);

  EXPECT_EQ(client.uidSearch("UID 2:*"), (std::vector<std::uint64_t>{2, 3}));

  std::vector<FetchData> fetched;
  client.uidFetch("2:3", "(UID RFC822.SIZE BODY.PEEK[])",
                  [&fetched](FetchData&& data) { fetched.push_back(std::move(data)); });
  ASSERT_EQ(fetched.size(), 2u);
  EXPECT_EQ(fetched[0].uid, 2u);
  EXPECT_EQ(fetched[0].body, "Subject: two\r\n\r\nx\r\n");
  EXPECT_EQ(fetched[1].body, "a\r\nb\r\nc");

  client.uidStore("2:3", "+FLAGS.SILENT (\\Seen)");
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapClient, AuthenticatePlainWithSaslIr) {
  ScriptedStream stream(std::string(kDovecotGreeting) + R"(
C: A0001 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==
S: A0001 OK [CAPABILITY IMAP4rev1 UIDPLUS MOVE] Logged in
)");
  ImapClient client(stream);
  client.readGreeting();
  client.signIn({net::Credentials::Method::kPassword, "alice", [] { return "secret"; }});
  EXPECT_TRUE(client.hasCapability("UIDPLUS"));
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapClient, AuthenticatePlainWithoutSaslIrUsesContinuation) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready
C: A0001 AUTHENTICATE PLAIN
S: + 
C: AGFsaWNlAHNlY3JldA==
S: A0001 OK Logged in
C: A0002 CAPABILITY
S: * CAPABILITY IMAP4rev1 AUTH=PLAIN MOVE
S: A0002 OK Capability completed.
)");
  ImapClient client(stream);
  client.readGreeting();
  client.signIn({net::Credentials::Method::kPassword, "alice", [] { return "secret"; }});
  EXPECT_TRUE(client.hasCapability("MOVE"));
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapClient, ExchangeXoauth2AndCapabilitiesAgainAfterSignIn) {
  // Exchange announces MOVE only after sign-in, and not in the tagged OK (outlook.md).
  ScriptedStream stream(R"(
S: * OK The Microsoft Exchange IMAP4 service is ready. [TQBXADIAUABSADEAMQBDAEEAMAAwADEANQAuAG4AYQBtAHAAcgBkADEAMQAuAHAAcgBvAGQA]
C: A0001 CAPABILITY
S: * CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+
S: A0001 OK CAPABILITY completed.
C: A0002 AUTHENTICATE XOAUTH2 dXNlcj1hQGIuY29tAWF1dGg9QmVhcmVyIHRva2VuAQE=
S: A0002 OK AUTHENTICATE completed.
C: A0003 CAPABILITY
S: * CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+
S: A0003 OK CAPABILITY completed.
)");
  ImapClient client(stream);
  client.readGreeting();
  client.refreshCapabilities();
  EXPECT_FALSE(client.hasCapability("MOVE"));
  client.signIn({net::Credentials::Method::kXoauth2, "a@b.com", [] { return "token"; }});
  EXPECT_TRUE(client.hasCapability("MOVE"));
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapClient, Xoauth2FailureChallengeIsAnsweredAndReported) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready
C: A0001 AUTHENTICATE XOAUTH2 dXNlcj1hQGIuY29tAWF1dGg9QmVhcmVyIHRva2VuAQE=
S: + eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=
C: 
S: A0001 NO [AUTHENTICATIONFAILED] AUTHENTICATE failed.
)");
  ImapClient client(stream);
  client.readGreeting();
  try {
    client.signIn({net::Credentials::Method::kXoauth2, "a@b.com", [] { return "token"; }});
    FAIL() << "no AuthError";
  } catch (const net::AuthError& e) {
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(std::string(e.what()).find(R"({"status":"401")"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("AUTHENTICATIONFAILED"), std::string::npos);
  }
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapClient, LoginRefusedIsAPermanentAuthError) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1] ready
C: A0001 LOGIN alice wrong
S: A0001 NO [AUTHENTICATIONFAILED] Authentication failed.
)");
  ImapClient client(stream);
  client.readGreeting();
  try {
    client.signIn({net::Credentials::Method::kPassword, "alice", [] { return "wrong"; }});
    FAIL() << "no AuthError";
  } catch (const net::AuthError& e) {
    EXPECT_FALSE(e.retryable());
  }
}

TEST(ImapClient, ExchangeAuthenticatedButNotConnectedToTheSignInIsAMailboxAccessRefusal) {
  ScriptedStream stream(R"(
S: * OK The Microsoft Exchange IMAP4 service is ready. [TQBX]
C: A0001 CAPABILITY
S: * CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS
S: A0001 OK CAPABILITY completed.
C: A0002 AUTHENTICATE XOAUTH2 dXNlcj1hQGIuY29tAWF1dGg9QmVhcmVyIHRva2VuAQE=
S: A0002 BAD User is authenticated but not connected.
S: * BYE Connection closed. 14
-- close
)");
  ImapClient client(stream);
  client.readGreeting();
  client.refreshCapabilities();
  try {
    client.signIn({net::Credentials::Method::kXoauth2, "a@b.com", [] { return "token"; }});
    FAIL() << "no MailboxAccessError";
  } catch (const net::MailboxAccessError& e) {
    // Not a glitch to retry forever: the worker signs in once more, then a person must act.
    EXPECT_FALSE(e.retryable()) << e.what();
    EXPECT_NE(std::string(e.what()).find("another account than a@b.com"), std::string::npos)
        << e.what();
  }
}

TEST(ImapClient, ServerUnavailableAfterSignInStaysAnOrdinaryRefusal) {
  // Only Exchange's "authenticated but not connected" means "no access to this mailbox".
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready
C: A0001 AUTHENTICATE PLAIN AGFAYi5jb20AcHc=
S: A0001 OK [CAPABILITY IMAP4rev1] Logged in
C: A0002 SELECT INBOX
S: A0002 NO Server Unavailable. 15
)");
  ImapClient client(stream);
  client.readGreeting();
  client.signIn({net::Credentials::Method::kPassword, "a@b.com", [] { return "pw"; }});
  try {
    client.select("INBOX");
    FAIL() << "no CommandError";
  } catch (const net::MailboxAccessError& e) {
    FAIL() << e.what();
  } catch (const net::CommandError& e) {
    EXPECT_NE(std::string(e.what()).find("Server Unavailable"), std::string::npos);
  }
}

TEST(ImapClient, LiteralForEightBitPasswordSynchronizingAndNonSynchronizing) {
  const std::string password = "p\xc3\xa4ss";  // "päss": 8-bit, so not a quoted string
  ScriptedStream sync("S: * OK [CAPABILITY IMAP4rev1] ready\n");
  sync.clientLine("A0001 LOGIN alice {5}");
  sync.serverLine("+ OK");
  sync.clientLine(password);
  sync.serverLine("A0001 OK [CAPABILITY IMAP4rev1] Logged in");
  ImapClient client(sync);
  client.readGreeting();
  client.login("alice", password);
  EXPECT_TRUE(sync.finished()) << sync.pendingStep();

  ScriptedStream plus("S: * OK [CAPABILITY IMAP4rev1 LITERAL+] ready\n");
  plus.clientLine("A0001 LOGIN alice {5+}").clientLine(password);
  plus.serverLine("A0001 OK [CAPABILITY IMAP4rev1] Logged in");
  ImapClient client2(plus);
  client2.readGreeting();
  client2.login("alice", password);
  EXPECT_TRUE(plus.finished()) << plus.pendingStep();
}

TEST(ImapClient, StartTlsRefusedWhenNotOffered) {
  ScriptedStream stream("S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\n");
  ImapClient client(stream);
  client.readGreeting();
  EXPECT_THROW(client.startTls(), net::TlsError);
  EXPECT_EQ(stream.written(), "") << "nothing may be sent in clear text";
}

TEST(ImapClient, StartTlsThenCapabilitiesAgain) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready
C: A0001 STARTTLS
S: A0001 OK Begin TLS negotiation now.
-- starttls
C: A0002 CAPABILITY
S: * CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR
S: A0002 OK Pre-login capabilities listed, post-login capabilities have more.
)");
  ImapClient client(stream);
  client.readGreeting();
  EXPECT_TRUE(client.hasCapability("LOGINDISABLED"));
  client.startTls();
  EXPECT_TRUE(stream.isEncrypted());
  EXPECT_FALSE(client.hasCapability("LOGINDISABLED")) << "pre-TLS capabilities are void";
  EXPECT_TRUE(client.hasCapability("AUTH=PLAIN"));
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapClient, StartTlsResponseInjectionIsRefused) {
  ScriptedStream stream("S: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready\nC: A0001 STARTTLS\n");
  stream.server("A0001 OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n");
  ImapClient client(stream);
  client.readGreeting();
  EXPECT_THROW(client.startTls(), net::ProtocolError);
  EXPECT_FALSE(stream.isEncrypted());
}

TEST(ImapClient, NoIsACommandErrorAndTheSessionGoesOn) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1] ready
C: A0001 SELECT "Junk Email"
S: A0001 NO Mailbox doesn't exist: Junk Email
C: A0002 UID COPY 4 Archive
S: A0002 NO [TRYCREATE] Mailbox doesn't exist: Archive
C: A0003 SELECT INBOX
S: * 0 EXISTS
S: * OK [UIDVALIDITY 7] ok
S: A0003 OK done
)");
  ImapClient client(stream);
  client.readGreeting();
  EXPECT_THROW(client.select("Junk Email"), net::CommandError);
  try {
    client.uidCopy("4", "Archive");
    FAIL() << "no CommandError";
  } catch (const net::CommandError& e) {
    EXPECT_NE(std::string(e.what()).find("TRYCREATE"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("UID COPY"), std::string::npos);
  }
  EXPECT_EQ(client.select("INBOX").uidvalidity, 7u);
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapClient, ExchangeThrottlingCarriesTheSuggestedBackoff) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1] ready
C: A0001 UID SEARCH ALL
S: A0001 BAD Request is throttled. Suggested Backoff Time: 299961 milliseconds
)");
  ImapClient client(stream);
  client.readGreeting();
  try {
    client.uidSearch("ALL");
    FAIL() << "no ThrottledError";
  } catch (const net::ThrottledError& e) {
    EXPECT_EQ(e.suggestedBackoff().count(), 299961);
  }
}

TEST(ImapClient, ByeThenCloseIsANetworkErrorNamingTheBye) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1] ready
C: A0001 SELECT INBOX
S: * BYE Server shutting down
-- close
)");
  ImapClient client(stream);
  client.readGreeting();
  try {
    client.select("INBOX");
    FAIL() << "no NetworkError";
  } catch (const net::NetworkError& e) {
    EXPECT_NE(std::string(e.what()).find("Server shutting down"), std::string::npos) << e.what();
  }
}

TEST(ImapClient, GreetingByeIsRefusal) {
  ScriptedStream stream("S: * BYE Too many connections\n");
  ImapClient client(stream);
  EXPECT_THROW(client.readGreeting(), net::NetworkError);
}

TEST(ImapClient, TagsNeverRepeat) {
  ScriptedStream stream("S: * OK [CAPABILITY IMAP4rev1] ready\n");
  for (int i = 1; i <= 120; ++i) {
    char tag[16];
    std::snprintf(tag, sizeof(tag), "A%04d", i);
    stream.clientLine(std::string(tag) + " CAPABILITY");
    stream.serverLine("* CAPABILITY IMAP4rev1");
    stream.serverLine(std::string(tag) + " OK done");
  }
  ImapClient client(stream);
  client.readGreeting();
  for (int i = 0; i < 120; ++i) client.refreshCapabilities();
  std::set<std::string> tags;
  std::istringstream lines(stream.written());
  std::string line;
  while (std::getline(lines, line)) EXPECT_TRUE(tags.insert(line.substr(0, line.find(' '))).second);
  EXPECT_EQ(tags.size(), 120u);
}

TEST(ImapClient, ReplyWithAForeignTagIsAProtocolError) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1] ready
C: A0001 CAPABILITY
S: B0007 OK what
)");
  ImapClient client(stream);
  client.readGreeting();
  EXPECT_THROW(client.refreshCapabilities(), net::ProtocolError);
}

TEST(ImapClient, LogoutDoesNotWaitForTheReply) {
  ScriptedStream stream("S: * OK [CAPABILITY IMAP4rev1] ready\nC: A0001 LOGOUT\n");
  ImapClient client(stream);
  client.readGreeting();
  client.logout();
  EXPECT_TRUE(stream.finished());
  stream.setStrictEnd(false);
  client.logout();  // a second LOGOUT is harmless and never throws
  EXPECT_NE(stream.written().find("A0002 LOGOUT"), std::string::npos);
}

}  // namespace
}  // namespace hd::imap
