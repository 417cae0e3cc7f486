// IMAP IDLE (RFC 2177) over replayed dialogues: what wakes the client, when it says DONE, how it
// renews a long IDLE, and how failures surface. The scripted stream is "silent" whenever the
// script expects the client to write next, so timeouts need no real waiting beyond max_wait.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "connectors/imap/imap_client.hpp"
#include "connectors/imap/imap_source.hpp"
#include "connectors/net/errors.hpp"
#include "tests/support/scripted_stream.hpp"

namespace hd::imap {
namespace {

using namespace std::chrono_literals;
using test::ScriptedStream;
using Outcome = ImapClient::IdleOutcome;

const auto kNever = [] { return false; };

constexpr const char* kSignedIn = R"(
S: * OK [CAPABILITY IMAP4rev1 SASL-IR IDLE AUTH=PLAIN] Dovecot ready.
C: A0001 LOGIN alice secret
S: A0001 OK [CAPABILITY IMAP4rev1 SASL-IR IDLE] Logged in
)";

ScriptedStream signedIn(std::string_view rest) {
  ScriptedStream stream(kSignedIn);
  stream.addTranscript(rest);
  return stream;
}

void signIn(ImapClient& client) {
  client.readGreeting();
  client.login("alice", "secret");
}

TEST(ImapIdle, ExistsWakesTheClientWhichEndsIdleWithDone) {
  ScriptedStream stream = signedIn(R"(
C: A0002 IDLE
S: + idling
S: * 1 EXPUNGE
S: * 3 FETCH (FLAGS (\Seen))
S: * 4 EXISTS
C: DONE
S: A0002 OK Idle completed (0.001 + 1.234 secs).
)");
  ImapClient client(stream);
  signIn(client);
  EXPECT_EQ(client.idle(10s, kNever), Outcome::kNewMail)
      << "EXPUNGE and FETCH are no news; EXISTS is";
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapIdle, SilenceUntilMaxWaitIsATimeoutAndTheSessionGoesOn) {
  ScriptedStream stream = signedIn(R"(
C: A0002 IDLE
S: + idling
C: DONE
S: A0002 OK Idle completed.
C: A0003 CAPABILITY
S: * CAPABILITY IMAP4rev1 IDLE
S: A0003 OK done
)");
  ImapClient client(stream);
  signIn(client);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(client.idle(30ms, kNever, 5ms), Outcome::kTimeout);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 30ms) << "waited for max_wait";
  client.refreshCapabilities();  // the session is usable afterwards
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapIdle, InterruptionEndsIdlePolitely) {
  ScriptedStream stream = signedIn(R"(
C: A0002 IDLE
S: + idling
C: DONE
S: A0002 OK Idle completed.
)");
  ImapClient client(stream);
  signIn(client);
  int asked = 0;
  EXPECT_EQ(client.idle(
                10s, [&] { return ++asked >= 3; }, 1ms),
            Outcome::kInterrupted);
  EXPECT_EQ(asked, 3);
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

// Exchange (outlook.md): "Untagged * n EXISTS can arrive around the continuation".
TEST(ImapIdle, ExistsBeforeTheContinuationCounts) {
  ScriptedStream stream = signedIn(R"(
C: A0002 IDLE
S: * 9 EXISTS
S: + IDLE accepted, awaiting DONE command.
C: DONE
S: A0002 OK Idle completed.
)");
  ImapClient client(stream);
  signIn(client);
  EXPECT_EQ(client.idle(10s, kNever), Outcome::kNewMail);
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapIdle, ExistsCrossingDoneCounts) {
  ScriptedStream stream = signedIn(R"(
C: A0002 IDLE
S: + idling
C: DONE
S: * 5 EXISTS
S: A0002 OK Idle completed.
)");
  ImapClient client(stream);
  signIn(client);
  EXPECT_EQ(client.idle(5ms, kNever, 1ms), Outcome::kNewMail);
}

TEST(ImapIdle, RefusedIdleIsACommandErrorAndTheSessionStaysUsable) {
  ScriptedStream stream = signedIn(R"(
C: A0002 IDLE
S: A0002 NO IDLE not allowed here
C: A0003 CAPABILITY
S: * CAPABILITY IMAP4rev1 IDLE
S: A0003 OK done
)");
  ImapClient client(stream);
  signIn(client);
  EXPECT_THROW(client.idle(10s, kNever), net::CommandError);
  client.refreshCapabilities();
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapIdle, ByeWhileIdlingIsANetworkErrorNamingIt) {
  ScriptedStream stream = signedIn(R"(
C: A0002 IDLE
S: + idling
S: * BYE Disconnected for inactivity.
-- close
)");
  ImapClient client(stream);
  signIn(client);
  try {
    client.idle(10s, kNever);
    FAIL() << "expected NetworkError";
  } catch (const net::NetworkError& e) {
    EXPECT_NE(std::string(e.what()).find("Disconnected for inactivity"), std::string::npos)
        << e.what();
  }
}

TEST(ImapIdle, NotOfferedIsRefusedWithoutSendingAnything) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready
C: A0001 LOGIN alice secret
S: A0001 OK [CAPABILITY IMAP4rev1] Logged in
)");
  ImapClient client(stream);
  signIn(client);
  EXPECT_THROW(client.idle(10s, kNever), net::CommandError);
  EXPECT_TRUE(stream.finished());
}

// ImapSource: IDLE on the selected folder after a pass.

constexpr const char* kPassOverInbox = R"(
S: * OK [CAPABILITY IMAP4rev1 SASL-IR IDLE UIDPLUS AUTH=PLAIN] Dovecot ready.
C: A0001 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==
S: A0001 OK [CAPABILITY IMAP4rev1 SASL-IR IDLE UIDPLUS] Logged in
C: A0002 SELECT INBOX
S: * 2 EXISTS
S: * OK [UIDVALIDITY 77] UIDs valid
S: * OK [UIDNEXT 3] Predicted next UID
S: A0002 OK [READ-WRITE] Select completed.
)";

ImapSourceOptions sourceOptions() {
  ImapSourceOptions o;
  o.mailbox_name = "support";
  o.endpoint = {"imap.example.com", 993, net::TlsMode::kImplicit};
  o.credentials = {net::Credentials::Method::kPassword, "alice", [] { return "secret"; }};
  o.after_ingest = {source::AfterIngest::Action::kKeep, ""};
  return o;
}

ImapSource makeSource(ScriptedStream& stream, ImapSourceOptions o) {
  return ImapSource(std::move(o),
                    [&stream](const net::Endpoint&) { return test::borrowStream(stream, true); });
}

TEST(ImapIdleSource, RenewsIdleWithinTheRenewalPeriodUntilNewMail) {
  ScriptedStream stream(kPassOverInbox);
  stream.addTranscript(R"(
C: A0003 IDLE
S: + idling
C: DONE
S: A0003 OK Idle completed.
C: A0004 IDLE
S: + idling
S: * 3 EXISTS
C: DONE
S: A0004 OK Idle completed.
C: A0005 LOGOUT
)");
  ImapSourceOptions o = sourceOptions();
  o.idle_renewal = 20ms;
  ImapSource source = makeSource(stream, std::move(o));
  source.open();
  EXPECT_FALSE(source.canWaitForNewMail()) << "no folder selected yet";
  EXPECT_TRUE(source.listPending({77, 2}).pending.empty());
  ASSERT_TRUE(source.canWaitForNewMail());
  EXPECT_EQ(source.waitForNewMail(10s, kNever), source::WaitOutcome::kNewMail);
  source.close();
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapIdleSource, MailAnnouncedDuringThePassStartsTheNextPassWithoutIdling) {
  ScriptedStream stream(kPassOverInbox);
  stream.addTranscript(R"(
C: A0003 UID SEARCH UID 2:*
S: * 3 EXISTS
S: * SEARCH 2
S: A0003 OK Search completed.
C: A0004 UID FETCH 2 (UID RFC822.SIZE)
S: * 2 FETCH (UID 2 RFC822.SIZE 10)
S: A0004 OK Fetch completed.
C: A0005 LOGOUT
)");
  ImapSource source = makeSource(stream, sourceOptions());
  source.open();
  EXPECT_EQ(source.listPending({77, 1}).pending.size(), 1u);
  EXPECT_EQ(source.waitForNewMail(10s, kNever), source::WaitOutcome::kNewMail)
      << "the EXISTS that came with SEARCH may be a message the listing missed";
  source.close();
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapIdleSource, WaitsOnlyWhenEnabledAndOffered) {
  ScriptedStream stream(kPassOverInbox);
  stream.addTranscript("C: A0003 LOGOUT");
  ImapSourceOptions o = sourceOptions();
  o.idle = false;
  ImapSource source = makeSource(stream, std::move(o));
  source.open();
  source.listPending({77, 2});
  EXPECT_FALSE(source.canWaitForNewMail());
  EXPECT_EQ(source.waitForNewMail(10s, kNever), source::WaitOutcome::kUnsupported);
  source.close();
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();

  ScriptedStream no_idle(R"(
S: * OK [CAPABILITY IMAP4rev1 SASL-IR UIDPLUS AUTH=PLAIN] ready.
C: A0001 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==
S: A0001 OK [CAPABILITY IMAP4rev1 SASL-IR UIDPLUS] Logged in
C: A0002 SELECT INBOX
S: * 0 EXISTS
S: * OK [UIDVALIDITY 77] UIDs valid
S: A0002 OK [READ-WRITE] Select completed.
C: A0003 LOGOUT
)");
  ImapSource plain = makeSource(no_idle, sourceOptions());
  plain.open();
  plain.listPending({77, 2});
  EXPECT_FALSE(plain.canWaitForNewMail());
  EXPECT_EQ(plain.waitForNewMail(10s, kNever), source::WaitOutcome::kUnsupported);
  plain.close();
  EXPECT_TRUE(no_idle.finished()) << no_idle.pendingStep();
}

}  // namespace
}  // namespace hd::imap
