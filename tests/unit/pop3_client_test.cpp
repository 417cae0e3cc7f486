// Pop3Source and Pop3Client on recorded dialogues (tests/transcripts/pop3/) and small inline
// scripts: Dovecot-shaped and Outlook.com-shaped sessions, STLS, sign-in choices and failures,
// pipelining, and what close() does after errors.

#include <gtest/gtest.h>

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "connectors/net/errors.hpp"
#include "connectors/pop3/client.hpp"
#include "connectors/pop3/pop3_source.hpp"
#include "tests/support/scripted_stream.hpp"
#include "tests/support/test_env.hpp"

namespace hd::pop3 {
namespace {

using source::AfterIngest;

Pop3SourceOptions passwordOptions(AfterIngest::Action action = AfterIngest::Action::kDelete) {
  Pop3SourceOptions options;
  options.mailbox_name = "support";
  options.endpoint.host = "127.0.0.1";
  options.endpoint.port = 995;
  options.endpoint.tls = net::TlsMode::kImplicit;
  options.credentials.method = net::Credentials::Method::kPassword;
  options.credentials.username = "alice";
  options.credentials.secret = [] { return std::string("s3cret"); };
  options.after_ingest.action = action;
  return options;
}

Pop3SourceOptions outlookOptions(AfterIngest::Action action = AfterIngest::Action::kKeep) {
  Pop3SourceOptions options = passwordOptions(action);
  options.mailbox_name = "outlook";
  options.endpoint.host = "outlook.office365.com";
  options.credentials.method = net::Credentials::Method::kXoauth2;
  options.credentials.username = "helpdesk@outlook.com";
  options.credentials.secret = [] { return std::string("EwBoA-token"); };
  return options;
}

// One Pop3Source whose every connection replays the same script.
struct Session {
  explicit Session(Pop3SourceOptions options, std::string_view transcript = {})
      : script(transcript), source(std::move(options), [this](const net::Endpoint& endpoint) {
          ++connects;
          return test::borrowStream(script, endpoint.tls == net::TlsMode::kImplicit);
        }) {}

  // close(), then check that the client followed the script to its end.
  void finish() {
    source.close();
    EXPECT_TRUE(script.finished()) << script.pendingStep();
  }

  test::ScriptedStream script;
  int connects = 0;
  Pop3Source source;
};

std::string transcript(const std::string& name) {
  return test::readTestFile("transcripts/pop3/" + name);
}

// Collects what the "hd.pop3" logger writes, at debug level, for the test's lifetime.
class LogCapture : public Poco::Channel {
 public:
  void log(const Poco::Message& message) override { text += message.getText() + "\n"; }
  std::string text;
};

class CapturedLog {
 public:
  CapturedLog()
      : channel_(new LogCapture),
        logger_(Poco::Logger::get("hd.pop3")),
        old_channel_(logger_.getChannel()),
        old_level_(logger_.getLevel()) {
    logger_.setChannel(Poco::Channel::Ptr(channel_));
    logger_.setLevel(Poco::Message::PRIO_DEBUG);
  }
  ~CapturedLog() {
    logger_.setLevel(old_level_);
    logger_.setChannel(old_channel_);
  }
  const std::string& text() const { return channel_->text; }

 private:
  Poco::AutoPtr<LogCapture> channel_;
  Poco::Logger& logger_;
  Poco::Channel::Ptr old_channel_;
  int old_level_;
};

// open() must fail with an AuthError; returns it (empty after a test failure otherwise).
std::optional<net::AuthError> openRefused(Pop3Source& source) {
  try {
    source.open();
    ADD_FAILURE() << "open() signed in";
  } catch (const net::AuthError& error) {
    return error;
  }
  return std::nullopt;
}

// Sign-in prologues and a two-message listing shared by the inline scripts below.
constexpr char kOldServerLogin[] =  // pre-RFC 2449: no CAPA, USER/PASS
    "S: +OK ready\nC: CAPA\nS: -ERR\nC: USER alice\nS: +OK\nC: PASS s3cret\nS: +OK\n";
constexpr char kPipeliningLogin[] =
    "S: +OK ready\nC: CAPA\nS: +OK\nS: UIDL\nS: PIPELINING\nS: .\n"
    "C: USER alice\nS: +OK\nC: PASS s3cret\nS: +OK\n";
constexpr char kTwoMessages[] =
    "C: UIDL\nS: +OK\nS: 1 a1\nS: 2 b2\nS: .\nC: LIST\nS: +OK\nS: 1 10\nS: 2 20\nS: .\n";

TEST(Pop3Source, DovecotSessionListsFetchesAndDeletesPipelined) {
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{1} << 20}) {
    SCOPED_TRACE(testing::Message() << "read chunk " << chunk);
    Session session(passwordOptions(), transcript("dovecot_pop3s_delete.txt"));
    session.script.setReadChunk(chunk);
    session.source.open();

    const auto listing = session.source.listPending({});
    EXPECT_EQ(listing.uidvalidity, 0u);
    ASSERT_EQ(listing.pending.size(), 2u);
    EXPECT_EQ(listing.pending[0].source_key, "pop3:support:00000001657a1b2c");
    EXPECT_EQ(listing.pending[0].uidl, "00000001657a1b2c");
    EXPECT_EQ(listing.pending[0].number, 1u);
    EXPECT_EQ(listing.pending[0].size, 52u);
    EXPECT_EQ(listing.pending[0].uid, 0u);
    EXPECT_EQ(listing.pending[1].source_key, "pop3:support:00000002657a1b2c");
    EXPECT_EQ(listing.pending[1].size, 41u);

    const auto fetched = session.source.fetch(listing.pending);
    ASSERT_EQ(fetched.size(), 2u);
    EXPECT_EQ(fetched[0].ref.source_key, listing.pending[0].source_key);
    EXPECT_EQ(fetched[0].raw, "Subject: one\r\n\r\n.leading dot\r\nlast line\r\n");
    EXPECT_EQ(fetched[1].raw, "Subject: two\r\n\r\n.\r\n");

    session.source.acknowledge(listing.pending);
    session.finish();
  }
}

TEST(Pop3Source, OutlookSessionWithXoauth2AndNoPipelining) {
  Session session(outlookOptions(AfterIngest::Action::kKeep),
                  transcript("outlook_xoauth2_keep.txt"));
  session.source.open();
  const auto listing = session.source.listPending({});
  ASSERT_EQ(listing.pending.size(), 2u);
  EXPECT_EQ(listing.pending[1].source_key,
            "pop3:outlook:AAQkADAwATM0MDAAMS1hMWI2LTY5ZDQtMDACLTAwCgBGAAAE");
  const auto fetched = session.source.fetch(listing.pending);
  ASSERT_EQ(fetched.size(), 2u);
  EXPECT_EQ(fetched[1].raw, "Subject: second\r\n\r\nworld\r\n");
  session.source.acknowledge(listing.pending);  // keep: no DELE in the transcript
  session.finish();
}

TEST(Pop3Source, Xoauth2ErrorChallengeIsAnsweredWithAnEmptyLine) {
  Session session(outlookOptions(), transcript("outlook_xoauth2_error_challenge.txt"));
  const auto error = openRefused(session.source);
  ASSERT_TRUE(error);
  EXPECT_FALSE(error->retryable());
  EXPECT_NE(std::string(error->what()).find("unknown user name or bad password"),
            std::string::npos);
  session.source.close();  // the channel is fine after a refusal: QUIT politely
  EXPECT_TRUE(session.script.finished()) << session.script.pendingStep();
}

TEST(Pop3Source, OutlookPasswordRefusalIsAnAuthError) {
  Session session(passwordOptions(), R"(
S: +OK The Microsoft Exchange POP3 service is ready.
C: CAPA
S: +OK
S: TOP
S: UIDL
S: SASL PLAIN XOAUTH2
S: USER
S: .
C: AUTH PLAIN
S: + 
C: AGFsaWNlAHMzY3JldA==
S: -ERR Authentication failure: unknown user name or bad password.
C: QUIT
S: +OK
)");
  const auto error = openRefused(session.source);
  ASSERT_TRUE(error);
  EXPECT_FALSE(error->retryable());
  session.finish();
}

TEST(Pop3Source, LockedMaildropIsARetryableAuthError) {
  Session session(passwordOptions(), R"(
S: +OK Dovecot ready.
C: CAPA
S: +OK
S: USER
S: UIDL
S: .
C: USER alice
S: +OK
C: PASS s3cret
S: -ERR [IN-USE] Couldn't open INBOX: Mailbox is locked by another POP3 session
C: QUIT
S: +OK
)");
  const auto error = openRefused(session.source);
  ASSERT_TRUE(error);
  EXPECT_TRUE(error->retryable());
  session.finish();
}

TEST(Pop3Source, StartTlsUpgradesAndAsksCapaAgain) {
  auto options = passwordOptions();
  options.endpoint.tls = net::TlsMode::kStartTls;
  Session session(options, transcript("dovecot_stls.txt"));
  session.source.open();
  EXPECT_TRUE(session.script.isEncrypted());
  session.finish();
}

TEST(Pop3Source, StartTlsNotOfferedIsRefusedBeforeAnyCredentialIsSent) {
  auto options = passwordOptions();
  options.endpoint.tls = net::TlsMode::kStartTls;
  Session session(options, R"(
S: +OK Dovecot ready.
C: CAPA
S: +OK
S: USER
S: UIDL
S: SASL PLAIN
S: .
C: QUIT
S: +OK Logging out.
)");
  EXPECT_THROW(session.source.open(), net::TlsError);
  session.finish();
  EXPECT_EQ(session.script.written().find("s3cret"), std::string::npos);
  EXPECT_EQ(session.script.written().find("AGFsaWNl"), std::string::npos);
}

TEST(Pop3Source, StartTlsRefusedByTheServerIsATlsError) {
  auto options = passwordOptions();
  options.endpoint.tls = net::TlsMode::kStartTls;
  // A pre-RFC 2449 server: no CAPA, so STLS is tried, and refused.
  Session session(options, R"(
S: +OK POP3 ready
C: CAPA
S: -ERR unknown command
C: STLS
S: -ERR unknown command
)");
  EXPECT_THROW(session.source.open(), net::TlsError);
  EXPECT_EQ(session.script.written().find("PASS"), std::string::npos);
}

TEST(Pop3Source, BytesInjectedBeforeTheTlsHandshakeAreAProtocolError) {
  auto options = passwordOptions();
  options.endpoint.tls = net::TlsMode::kStartTls;
  Session session(options, R"(
S: +OK Dovecot ready.
C: CAPA
S: +OK
S: STLS
S: .
C: STLS
)");
  // One read carries the +OK and a line a man in the middle appended in clear text.
  session.script.server("+OK Begin TLS negotiation now.\r\n+OK Logged in.\r\n");
  EXPECT_THROW(session.source.open(), net::ProtocolError);
  EXPECT_FALSE(session.script.isEncrypted());
  session.source.close();  // unusable session: no QUIT (the script fails on any further write)
  EXPECT_TRUE(session.script.finished()) << session.script.pendingStep();
}

TEST(Pop3Source, PasswordWithoutSaslPlainUsesUserPassAndMasksThePassword) {
  CapturedLog log;
  Session session(passwordOptions(), R"(
S: +OK POP3 ready
C: CAPA
S: -ERR unknown command
C: USER alice
S: +OK
C: PASS s3cret
S: +OK maildrop has 0 messages
C: UIDL
S: +OK
S: .
C: LIST
S: +OK
S: .
C: QUIT
S: +OK bye
)");
  session.source.open();
  EXPECT_TRUE(session.source.listPending({}).pending.empty());
  session.finish();
  EXPECT_NE(log.text().find("C: PASS <redacted>"), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("C: USER alice"), std::string::npos);
  EXPECT_EQ(log.text().find("s3cret"), std::string::npos);
}

TEST(Pop3Source, SaslResponsesNeverReachTheLog) {
  CapturedLog log;
  Session session(outlookOptions(), transcript("outlook_xoauth2_keep.txt"));
  session.source.open();
  session.source.fetch(session.source.listPending({}).pending);
  session.finish();
  EXPECT_NE(log.text().find("C: AUTH XOAUTH2"), std::string::npos) << log.text();
  EXPECT_EQ(log.text().find("dXNlcj1oZWxwZGVzaw"), std::string::npos) << log.text();
  EXPECT_EQ(log.text().find("EwBoA-token"), std::string::npos);
}

TEST(Pop3Source, Xoauth2NotAdvertisedIsRefusedWithoutSendingTheToken) {
  Session session(outlookOptions(), R"(
S: +OK Dovecot ready.
C: CAPA
S: +OK
S: UIDL
S: SASL PLAIN
S: .
C: QUIT
S: +OK bye
)");
  EXPECT_THROW(session.source.open(), net::AuthError);
  session.finish();
}

TEST(Pop3Source, ServerWithoutUidlIsAClearProtocolError) {
  Session session(passwordOptions(), std::string(kOldServerLogin) + R"(
C: UIDL
S: -ERR unknown command
)");
  session.source.open();
  try {
    session.source.listPending({});
    FAIL() << "listPending() succeeded without UIDL";
  } catch (const net::ProtocolError& error) {
    EXPECT_NE(std::string(error.what()).find("does not support UIDL; safe deletion is impossible"),
              std::string::npos)
        << error.what();
  }
}

TEST(Pop3Source, ExchangeRefusingTheMailboxAfterAPasswordSignInIsAMailboxAccessError) {
  Session session(passwordOptions(), R"(
S: +OK The Microsoft Exchange POP3 service is ready.
C: CAPA
S: +OK
S: UIDL
S: SASL PLAIN
S: .
C: AUTH PLAIN
S: + 
C: AGFsaWNlAHMzY3JldA==
S: +OK User successfully authenticated.
C: UIDL
S: -ERR User is authenticated but not connected.
C: QUIT
S: +OK
)");
  session.source.open();
  try {
    session.source.listPending({});
    FAIL() << "listPending() succeeded";
  } catch (const net::MailboxAccessError& error) {
    EXPECT_NE(std::string(error.what()).find("another account than alice"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("PopEnabled"), std::string::npos) << error.what();
  }
  session.finish();
}

TEST(Pop3Source, ServerUnavailableLaterInTheSessionIsNoMailboxAccessError) {
  // Only the first reply after the sign-in says whether the mailbox is open to the session.
  Session session(passwordOptions(), std::string(kOldServerLogin) + R"(
C: UIDL
S: +OK
S: 1 a
S: .
C: LIST
S: -ERR Server Unavailable. 21
C: QUIT
S: +OK
)");
  session.source.open();
  EXPECT_THROW(
      {
        try {
          session.source.listPending({});
        } catch (const net::MailboxAccessError&) {
          ADD_FAILURE() << "a later -ERR is not about the sign-in";
        }
      },
      net::CommandError);
  session.finish();
}

TEST(Pop3Source, DuplicateUidlsStopThePass) {
  Session session(passwordOptions(), std::string(kOldServerLogin) + R"(
C: UIDL
S: +OK
S: 1 same
S: 2 same
S: .
C: QUIT
S: +OK
)");
  session.source.open();
  EXPECT_THROW(session.source.listPending({}), net::ProtocolError);
  session.finish();
}

TEST(Pop3Source, DeleteWithoutPipeliningGoesOneAtATimeAndToleratesErr) {
  Session session(passwordOptions(), std::string(kOldServerLogin) + kTwoMessages + R"(
C: DELE 1
S: -ERR message 1 already deleted
C: DELE 2
S: +OK
C: QUIT
S: +OK
)");
  session.source.open();
  const auto listing = session.source.listPending({});
  session.source.acknowledge(listing.pending);
  session.finish();
}

TEST(Pop3Source, RefsAreMatchedByUidlAcrossSessions) {
  // Session 1 lists a1 as message 2; in session 2 it is message 1 (b2 was deleted meanwhile).
  // The ack must delete message 1, and the ref of the vanished message must be skipped.
  Session session(passwordOptions(), std::string(kPipeliningLogin) + R"(
C: UIDL
S: +OK
S: 1 b2
S: 2 a1
S: .
C: LIST
S: +OK
S: 1 10
S: 2 20
S: .
C: QUIT
S: +OK
)" + std::string(kPipeliningLogin) + R"(
C: UIDL
S: +OK
S: 1 a1
S: .
C: RETR 1
S: +OK
S: A
S: .
C: DELE 1
S: +OK
C: QUIT
S: +OK
)");
  session.source.open();
  const auto listing = session.source.listPending({});
  session.source.close();
  session.source.open();
  const auto fetched = session.source.fetch(listing.pending);
  ASSERT_EQ(fetched.size(), 1u);
  EXPECT_EQ(fetched[0].ref.uidl, "a1");
  EXPECT_EQ(fetched[0].ref.number, 1u);
  EXPECT_EQ(fetched[0].raw, "A\r\n");
  session.source.acknowledge(listing.pending);
  session.source.close();
  EXPECT_EQ(session.connects, 2);
  EXPECT_TRUE(session.script.finished()) << session.script.pendingStep();
}

TEST(Pop3Source, RetrErrLeavesTheMessageOutOfTheResult) {
  Session session(passwordOptions(), std::string(kPipeliningLogin) + kTwoMessages + R"(
C: RETR 1
C: RETR 2
S: -ERR no such message
S: +OK
S: B
S: .
C: QUIT
S: +OK
)");
  session.source.open();
  const auto fetched = session.source.fetch(session.source.listPending({}).pending);
  ASSERT_EQ(fetched.size(), 1u);
  EXPECT_EQ(fetched[0].ref.uidl, "b2");
  EXPECT_EQ(fetched[0].raw, "B\r\n");
  session.finish();
}

// LIST sizes are approximate: a message that turns out larger than the limit is read to its end
// and dropped (its size reported), and the next answer of the pipeline is read correctly.
TEST(Pop3Source, AMessageOverTheSizeLimitIsDrainedAndTheSessionGoesOn) {
  auto options = passwordOptions();
  options.limits.max_message_size = 15;
  Session session(options, std::string(kPipeliningLogin) + kTwoMessages + R"(
C: RETR 1
C: RETR 2
S: +OK
S: Subject: larger than LIST said
S: ..dot-stuffed
S: .
S: +OK
S: B
S: .
C: QUIT
S: +OK
)");
  session.source.open();
  const auto fetched = session.source.fetch(session.source.listPending({}).pending);
  ASSERT_EQ(fetched.size(), 2u);
  EXPECT_EQ(fetched[0].ref.uidl, "a1");
  EXPECT_EQ(fetched[0].raw, "");
  EXPECT_EQ(fetched[0].over_limit_size, 46u) << "decoded bytes, the dropped ones counted";
  EXPECT_EQ(fetched[1].raw, "B\r\n");
  EXPECT_EQ(fetched[1].over_limit_size, 0u);
  session.finish();
}

TEST(Pop3Source, HeadersComeFromTopWithNoBodyLinesCappedAndWithoutTopAreMissing) {
  Session session(passwordOptions(), std::string(kPipeliningLogin) + kTwoMessages + R"(
C: TOP 1 0
C: TOP 2 0
S: +OK
S: Subject: big one
S: X-Long: 0123456789
S: 
S: .
S: -ERR TOP not supported
C: QUIT
S: +OK
)");
  session.source.open();
  const auto headers = session.source.fetchHeaders(session.source.listPending({}).pending, 20);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].ref.uidl, "a1");
  EXPECT_EQ(headers[0].raw, "Subject: big one\r\nX-") << "at most the 20 bytes asked for";
  session.finish();
}

TEST(Pop3Source, ServerClosingMidMessageEndsThePassAndCloseSendsNothing) {
  Session session(passwordOptions(), std::string(kOldServerLogin) + R"(
C: UIDL
S: +OK
S: 1 a1
S: .
C: LIST
S: +OK
S: 1 100
S: .
C: RETR 1
S: +OK
S: Subject: cut
-- close
)");
  session.source.open();
  const auto listing = session.source.listPending({});
  EXPECT_THROW(session.source.fetch(listing.pending), net::NetworkError);
  session.source.close();  // a write here would fail the strict script
  EXPECT_TRUE(session.script.finished()) << session.script.pendingStep();
}

TEST(Pop3Source, CloseNeverThrowsWhenQuitGetsNoReply) {
  Session session(passwordOptions(), std::string(kOldServerLogin) + R"(
C: QUIT
-- close
)");
  session.source.open();
  EXPECT_NO_THROW(session.source.close());
  EXPECT_TRUE(session.script.finished()) << session.script.pendingStep();
  EXPECT_NO_THROW(session.source.close());  // idempotent
}

TEST(Pop3Source, ImplicitTlsEndpointRefusesAPlainStream) {
  test::ScriptedStream script("S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\n");
  Pop3Source source(passwordOptions(),
                    [&script](const net::Endpoint&) { return test::borrowStream(script, false); });
  EXPECT_THROW(source.open(), net::TlsError);
  EXPECT_EQ(script.written().find("USER"), std::string::npos);
}

TEST(Pop3Source, ErrGreetingIsANetworkError) {
  Session session(passwordOptions(), "S: -ERR [SYS/TEMP] too many connections\n");
  EXPECT_THROW(session.source.open(), net::NetworkError);
}

TEST(Pop3Source, SeenAndMoveAreNotPop3Actions) {
  const auto factory = [](const net::Endpoint&) -> std::unique_ptr<net::ByteStream> {
    return nullptr;
  };
  EXPECT_THROW(Pop3Source(passwordOptions(AfterIngest::Action::kSeen), factory),
               std::invalid_argument);
  EXPECT_THROW(Pop3Source(passwordOptions(AfterIngest::Action::kMove), factory),
               std::invalid_argument);
  EXPECT_NO_THROW(Pop3Source(passwordOptions(AfterIngest::Action::kKeep), factory));
  EXPECT_EQ(Pop3SourceOptions{}.after_ingest.action, AfterIngest::Action::kDelete);
}

TEST(Pop3Source, UseBeforeOpenIsALogicError) {
  Session session(passwordOptions());
  EXPECT_THROW(session.source.listPending({}), std::logic_error);
}

// --- Pop3Client commands not covered by the sessions above ---

TEST(Pop3Client, RsetNoopAndCapabilities) {
  test::ScriptedStream script(R"(
S: +OK ready
C: CAPA
S: +OK
S: top
S: SASL plain xoauth2
S: IMPLEMENTATION Example Server 1.0
S: .
C: RSET
S: +OK
C: NOOP
S: -ERR not now
)");
  Pop3Client client(script, Pop3Limits{});
  client.readGreeting();
  const auto& caps = client.capa();
  EXPECT_TRUE(caps.known);
  EXPECT_TRUE(caps.top);
  EXPECT_FALSE(caps.uidl);
  EXPECT_FALSE(caps.pipelining);
  EXPECT_TRUE(caps.hasSasl("XOAUTH2"));
  EXPECT_TRUE(caps.hasSasl("plain"));
  EXPECT_EQ(caps.implementation, "Example Server 1.0");
  client.rset();
  EXPECT_THROW(client.noop(), net::CommandError);
  EXPECT_TRUE(client.usable());  // an -ERR leaves the channel fine
}

TEST(Pop3Client, MalformedListingsAreProtocolErrors) {
  for (const char* line : {"x abc", "0 abc", "1", "1 ", "-1 abc"}) {
    SCOPED_TRACE(line);
    test::ScriptedStream script;
    script.clientLine("UIDL").serverLine("+OK").serverLine(line).serverLine(".");
    Pop3Client client(script, Pop3Limits{});
    EXPECT_THROW(client.uidl(), net::ProtocolError);
    EXPECT_FALSE(client.usable());
  }
  test::ScriptedStream script;
  script.clientLine("LIST").serverLine("+OK").serverLine("1 12x").serverLine(".");
  Pop3Client client(script, Pop3Limits{});
  EXPECT_THROW(client.list(), net::ProtocolError);
}

TEST(Pop3Client, PipelinesInWindowsOfAtMostThirtyTwo) {
  test::ScriptedStream script;
  script.clientLine("CAPA").serverLine("+OK").serverLine("PIPELINING").serverLine(".");
  std::vector<std::uint32_t> numbers;
  for (std::uint32_t n = 1; n <= 40; ++n) numbers.push_back(n);
  for (std::uint32_t n = 1; n <= 32; ++n) script.clientLine("DELE " + std::to_string(n));
  for (std::uint32_t n = 1; n <= 32; ++n) script.serverLine("+OK");
  for (std::uint32_t n = 33; n <= 40; ++n) script.clientLine("DELE " + std::to_string(n));
  for (std::uint32_t n = 33; n <= 40; ++n) script.serverLine(n == 40 ? "-ERR gone" : "+OK");
  Pop3Client client(script, Pop3Limits{});
  client.capa();
  const auto removed = client.remove(numbers);
  ASSERT_EQ(removed.size(), 40u);
  EXPECT_TRUE(removed[38]);
  EXPECT_FALSE(removed[39]);
  EXPECT_TRUE(script.finished()) << script.pendingStep();
}

}  // namespace
}  // namespace hd::pop3
