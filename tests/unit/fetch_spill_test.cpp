// Fetched messages land in spill::Bytes (issue 11, big mail): an IMAP BODY[] literal and a POP3
// RETR over the spill threshold come out in a spill file, byte-identical, and smaller ones in
// memory; reads split at every kind of boundary, over-limit bodies still drained, cuts still
// broken fetches.

#include <gtest/gtest.h>

#include <string>
#include <system_error>
#include <vector>

#include "connectors/crypto/sha256.hpp"
#include "connectors/imap/imap_source.hpp"
#include "connectors/net/errors.hpp"
#include "connectors/pop3/pop3_source.hpp"
#include "connectors/spill/bytes.hpp"
#include "tests/support/scripted_stream.hpp"

namespace hd {
namespace {

using source::AfterIngest;
using test::ScriptedStream;

constexpr std::uint64_t kThreshold = 64 * 1024;

spill::SpillPolicy smallThreshold() {
  return {::testing::TempDir(), kThreshold};
}

// A message of about `bytes` bytes whose lines often start with '.' (some are only "." or ".."),
// so that POP3 dot-stuffing happens all over it. `seed` makes two messages differ.
std::string dottedMessage(std::size_t bytes, int seed) {
  std::string raw = "Subject: big " + std::to_string(seed) + "\r\n\r\n";
  for (int line = 0; raw.size() < bytes; ++line) {
    switch ((line + seed) % 4) {
      case 0:
        raw += ".\r\n";
        break;
      case 1:
        raw += "..\r\n";
        break;
      case 2:
        raw += ".line " + std::to_string(line) + " starts with a dot\r\n";
        break;
      default:
        raw += "line " + std::to_string(line) + std::string(line % 97, 'x') + "\r\n";
    }
  }
  return raw;
}

// RFC 1939 section 3: every line that starts with '.' gets one more, then the terminator.
std::string dotStuffed(const std::string& raw) {
  std::string out;
  bool line_start = true;
  for (const char c : raw) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  return out + ".\r\n";
}

void expectSameBytes(const spill::Bytes& got, const std::string& sent) {
  EXPECT_EQ(got.size(), sent.size());
  EXPECT_EQ(spill::sha256Hex(got), crypto::sha256Hex(sent));
}

// The first message was over the message limit: drained, only its size reported; the second,
// over the spill threshold, came after it intact.
void expectDrainedThenSpilled(const std::vector<source::FetchedMessage>& fetched,
                              const std::string& drained, const std::string& spilled) {
  ASSERT_EQ(fetched.size(), 2u);
  EXPECT_EQ(fetched[0].over_limit_size, drained.size());
  EXPECT_TRUE(fetched[0].raw.empty()) << "drained, never kept";
  EXPECT_EQ(fetched[1].over_limit_size, 0u);
  EXPECT_FALSE(fetched[1].raw.inMemory());
  expectSameBytes(fetched[1].raw, spilled);
}

// ---- IMAP ----

constexpr const char* kImapSession = R"(
S: * OK [CAPABILITY IMAP4rev1] ready
C: A0001 LOGIN alice secret
S: A0001 OK [CAPABILITY IMAP4rev1] Logged in
C: A0002 SELECT INBOX
S: * 3 EXISTS
S: * OK [UIDVALIDITY 9] ok
S: A0002 OK [READ-WRITE] done
)";

imap::ImapSourceOptions imapOptions() {
  imap::ImapSourceOptions o;
  o.mailbox_name = "support";
  o.endpoint = {"imap.example.com", 993, net::TlsMode::kImplicit};
  o.credentials = {net::Credentials::Method::kPassword, "alice", [] { return "secret"; }};
  o.after_ingest = {AfterIngest::Action::kKeep, ""};
  o.spill = smallThreshold();
  return o;
}

std::vector<source::MessageRef> imapRefs(const imap::ImapSource& source,
                                         const std::vector<std::uint64_t>& uids) {
  std::vector<source::MessageRef> refs;
  for (const std::uint64_t uid : uids) {
    source::MessageRef ref;
    ref.uid = uid;
    ref.source_key = source.sourceKey(9, uid);
    refs.push_back(ref);
  }
  return refs;
}

// `* n FETCH (UID n BODY[] {size}` CRLF, the bytes, `)` CRLF.
void literalAnswer(ScriptedStream& stream, std::uint64_t uid, const std::string& bytes) {
  stream.server("* " + std::to_string(uid) + " FETCH (UID " + std::to_string(uid) +
                " RFC822.SIZE " + std::to_string(bytes.size()) + " BODY[] {" +
                std::to_string(bytes.size()) + "}\r\n");
  stream.server(bytes);
  stream.serverLine(")");
}

TEST(FetchSpill, ImapLiteralOverTheThresholdIsSpilledAndOneUnderItStaysInMemory) {
  const std::string big = dottedMessage(3 * kThreshold + 12345, 1);
  const std::string small = dottedMessage(kThreshold / 2, 2);
  const std::string exact = std::string(kThreshold, 'e');
  // Reads of odd sizes: the literal's pieces never line up with the reader's buffer.
  for (const std::size_t chunk : {std::size_t{7001}, std::size_t{65536}, std::size_t{200000}}) {
    ScriptedStream stream(kImapSession);
    stream.clientLine("A0003 UID FETCH 1:3 (UID RFC822.SIZE BODY.PEEK[])");
    literalAnswer(stream, 1, big);
    literalAnswer(stream, 2, small);
    literalAnswer(stream, 3, exact);
    stream.serverLine("A0003 OK done");
    stream.setReadChunk(chunk);
    imap::ImapSource source(imapOptions(),
                            [&stream](const net::Endpoint&) { return test::borrowStream(stream); });
    source.open();
    const auto fetched = source.fetch(imapRefs(source, {1, 2, 3}));
    ASSERT_EQ(fetched.size(), 3u) << chunk;
    EXPECT_FALSE(fetched[0].raw.inMemory()) << chunk;
    expectSameBytes(fetched[0].raw, big);
    EXPECT_TRUE(fetched[1].raw.inMemory()) << chunk;
    EXPECT_EQ(fetched[1].raw, small);
    EXPECT_TRUE(fetched[2].raw.inMemory()) << "at the threshold, not over it; " << chunk;
    EXPECT_EQ(fetched[2].raw, exact);
    EXPECT_TRUE(stream.finished()) << stream.pendingStep();
    stream.setStrictEnd(false);
  }
}

TEST(FetchSpill, ImapLiteralOverTheMessageLimitIsDrainedNotSpilled) {
  const std::string huge = dottedMessage(4 * kThreshold, 3);
  const std::string next = dottedMessage(2 * kThreshold, 4);
  ScriptedStream stream(kImapSession);
  stream.clientLine("A0003 UID FETCH 1:2 (UID RFC822.SIZE BODY.PEEK[])");
  literalAnswer(stream, 1, huge);
  literalAnswer(stream, 2, next);
  stream.serverLine("A0003 OK done");
  stream.setReadChunk(4099);
  imap::ImapSourceOptions o = imapOptions();
  o.limits.max_message_size = 3 * kThreshold;
  imap::ImapSource source(std::move(o),
                          [&stream](const net::Endpoint&) { return test::borrowStream(stream); });
  source.open();
  const auto fetched = source.fetch(imapRefs(source, {1, 2}));
  expectDrainedThenSpilled(fetched, huge, next);
  stream.setStrictEnd(false);
}

TEST(FetchSpill, ImapConnectionLostInTheMiddleOfASpilledLiteralIsABrokenFetch) {
  const std::string big = dottedMessage(3 * kThreshold, 5);
  ScriptedStream stream(kImapSession);
  stream.clientLine("A0003 UID FETCH 1 (UID RFC822.SIZE BODY.PEEK[])");
  stream.server("* 1 FETCH (UID 1 BODY[] {" + std::to_string(3 * kThreshold) + "}\r\n");
  stream.server(big.substr(0, 2 * kThreshold));
  stream.close();
  imap::ImapSource source(imapOptions(),
                          [&stream](const net::Endpoint&) { return test::borrowStream(stream); });
  source.open();
  EXPECT_THROW(source.fetch(imapRefs(source, {1})), net::NetworkError);
  stream.setStrictEnd(false);
}

// ---- POP3 ----

constexpr char kPop3Session[] =
    "S: +OK ready\nC: CAPA\nS: +OK\nS: UIDL\nS: PIPELINING\nS: .\n"
    "C: USER alice\nS: +OK\nC: PASS s3cret\nS: +OK\n"
    "C: UIDL\nS: +OK\nS: 1 a1\nS: 2 b2\nS: .\nC: LIST\nS: +OK\nS: 1 10\nS: 2 20\nS: .\n"
    "C: RETR 1\nC: RETR 2\n";

pop3::Pop3SourceOptions pop3Options() {
  pop3::Pop3SourceOptions options;
  options.mailbox_name = "support";
  options.endpoint = {"127.0.0.1", 995, net::TlsMode::kImplicit};
  options.credentials.method = net::Credentials::Method::kPassword;
  options.credentials.username = "alice";
  options.credentials.secret = [] { return std::string("s3cret"); };
  options.after_ingest.action = AfterIngest::Action::kKeep;
  options.spill = smallThreshold();
  return options;
}

// Pipelined RETR of a big and a small message (LIST understated both), read in `chunk` pieces.
std::vector<source::FetchedMessage> retrieveTwo(const std::string& first, const std::string& second,
                                                std::size_t chunk,
                                                pop3::Pop3SourceOptions options = pop3Options()) {
  ScriptedStream stream(kPop3Session);
  stream.serverLine("+OK");
  stream.server(dotStuffed(first));
  stream.serverLine("+OK");
  stream.server(dotStuffed(second));
  stream.addTranscript("C: QUIT\nS: +OK\n");
  stream.setReadChunk(chunk);
  pop3::Pop3Source source(std::move(options), [&stream](const net::Endpoint&) {
    return test::borrowStream(stream, true);
  });
  source.open();
  auto fetched = source.fetch(source.listPending({}).pending);
  source.close();
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
  return fetched;
}

TEST(FetchSpill, Pop3RetrOverTheThresholdIsSpilledUnstuffedAcrossEveryReadBoundary) {
  // A small threshold, so that reads of a few bytes stay cheap.
  pop3::Pop3SourceOptions options = pop3Options();
  options.spill.threshold_bytes = 4096;
  const std::string big = dottedMessage(3 * 4096 + 777, 6);
  const std::string small = dottedMessage(4096 / 3, 7);
  // Sizes around the lines' lengths put a "\r\n.." (and a ".\r\n") across two reads many times.
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5},
                                  std::size_t{4093}, std::size_t{65536}}) {
    const auto fetched = retrieveTwo(big, small, chunk, options);
    ASSERT_EQ(fetched.size(), 2u) << chunk;
    EXPECT_FALSE(fetched[0].raw.inMemory()) << chunk;
    expectSameBytes(fetched[0].raw, big);
    EXPECT_TRUE(fetched[1].raw.inMemory()) << chunk;
    EXPECT_EQ(fetched[1].raw, small) << chunk;
  }
}

TEST(FetchSpill, Pop3RetrOverTheMessageLimitIsStillDrained) {
  const std::string huge = dottedMessage(4 * kThreshold, 8);
  const std::string next = dottedMessage(2 * kThreshold, 9);
  pop3::Pop3SourceOptions options = pop3Options();
  options.limits.max_message_size = 3 * kThreshold;
  const auto fetched = retrieveTwo(huge, next, 4099, options);
  expectDrainedThenSpilled(fetched, huge, next);
}

TEST(FetchSpill, Pop3ConnectionLostInTheMiddleOfASpilledRetrIsABrokenFetch) {
  const std::string big = dottedMessage(3 * kThreshold, 10);
  ScriptedStream stream(kPop3Session);
  stream.serverLine("+OK");
  stream.server(dotStuffed(big).substr(0, 2 * kThreshold));
  stream.close();
  pop3::Pop3Source source(
      pop3Options(), [&stream](const net::Endpoint&) { return test::borrowStream(stream, true); });
  source.open();
  EXPECT_THROW(source.fetch(source.listPending({}).pending), net::NetworkError);
  source.close();
}

// The spill directory cannot take a file (gone, full): the fetch fails, nothing comes back short,
// and the session, stopped in the middle of a response, is dropped without QUIT (a QUIT would
// read the rest of the message as its reply).
TEST(FetchSpill, Pop3SpillFailureMidRetrFailsTheFetchAndDropsTheSessionWithoutQuit) {
  const std::string big = dottedMessage(3 * kThreshold, 11);
  ScriptedStream stream(kPop3Session);
  stream.serverLine("+OK");
  stream.server(dotStuffed(big));
  stream.serverLine("+OK");
  stream.server(dotStuffed("small\r\n"));
  pop3::Pop3SourceOptions options = pop3Options();
  options.spill.directory = ::testing::TempDir() + "/no-such-spill-directory";
  pop3::Pop3Source source(std::move(options), [&stream](const net::Endpoint&) {
    return test::borrowStream(stream, true);
  });
  source.open();
  try {
    (void)source.fetch(source.listPending({}).pending);
    ADD_FAILURE() << "fetched although no spill file could be made";
  } catch (const std::system_error& error) {
    EXPECT_NE(std::string(error.what()).find("no-such-spill-directory"), std::string::npos)
        << error.what();
  }
  source.close();  // a QUIT here would be a write the strict script refuses
}

TEST(FetchSpill, ImapSpillFailureMidLiteralFailsTheFetch) {
  ScriptedStream stream(kImapSession);
  stream.clientLine("A0003 UID FETCH 1 (UID RFC822.SIZE BODY.PEEK[])");
  // Over the threshold, the literal goes to a file from its first byte: making it fails at once.
  stream.server("* 1 FETCH (UID 1 BODY[] {" + std::to_string(3 * kThreshold) + "}\r\n");
  imap::ImapSourceOptions o = imapOptions();
  o.spill.directory = ::testing::TempDir() + "/no-such-spill-directory";
  imap::ImapSource source(std::move(o),
                          [&stream](const net::Endpoint&) { return test::borrowStream(stream); });
  source.open();
  EXPECT_THROW((void)source.fetch(imapRefs(source, {1})), std::system_error);
  stream.setStrictEnd(false);
}

}  // namespace
}  // namespace hd
