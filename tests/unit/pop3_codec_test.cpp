// POP3 codec on bytes: status lines, dot-unstuffing of multi-line responses, limits, and a
// server that splits its bytes anywhere or closes early.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "connectors/net/byte_stream.hpp"
#include "connectors/net/errors.hpp"
#include "connectors/pop3/dot_decoder.hpp"
#include "connectors/pop3/response_reader.hpp"
#include "connectors/pop3/status_line.hpp"

namespace hd::pop3 {
namespace {

// Serves `data` in reads whose sizes follow `cuts` (absolute offsets where a read ends), then
// reports end-of-stream.
class SplitStream : public net::ByteStream {
 public:
  SplitStream(std::string data, std::vector<std::size_t> cuts)
      : data_(std::move(data)), cuts_(std::move(cuts)) {}

  std::size_t read(char* buffer, std::size_t size) override {
    std::size_t end = data_.size();
    for (const auto cut : cuts_) {
      if (cut > pos_) {
        end = std::min(end, cut);
        break;
      }
    }
    const std::size_t n = std::min(size, end - pos_);
    std::copy_n(data_.data() + pos_, n, buffer);
    pos_ += n;
    return n;
  }
  void write(std::string_view) override {}
  void startTls() override {}
  bool isEncrypted() const override { return false; }

 private:
  std::string data_;
  std::vector<std::size_t> cuts_;
  std::size_t pos_ = 0;
};

std::vector<std::size_t> everyByte(std::size_t size) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i <= size; ++i) cuts.push_back(i);
  return cuts;
}

// Decodes `wire` fed to a DotDecoder in the pieces given by `cuts`; returns the output and how
// many bytes were consumed.
std::pair<std::string, std::size_t> decodePieces(std::string_view wire,
                                                 const std::vector<std::size_t>& cuts,
                                                 std::uint64_t max_size = 1 << 20) {
  DotDecoder decoder(max_size);
  std::string out;
  std::size_t consumed = 0;
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(wire.size());
  for (const auto end : ends) {
    if (end <= start) continue;
    const std::size_t used = decoder.feed(wire.substr(start, end - start), out);
    consumed += used;
    if (decoder.done()) break;
    EXPECT_EQ(used, end - start) << "a decoder that is not done consumes everything";
    start = end;
  }
  EXPECT_TRUE(decoder.done());
  return {out, consumed};
}

// Checks that `wire` decodes to `expected` (using `terminator_end` bytes) for one piece, for
// every split into two pieces, and byte by byte.
void expectDecodes(std::string_view wire, std::string_view expected, std::size_t terminator_end) {
  SCOPED_TRACE(testing::Message() << "wire: " << testing::PrintToString(std::string(wire)));
  std::vector<std::vector<std::size_t>> splits = {{}, everyByte(wire.size())};
  for (std::size_t cut = 1; cut < wire.size(); ++cut) splits.push_back({cut});
  for (const auto& cuts : splits) {
    const auto [out, consumed] = decodePieces(wire, cuts);
    EXPECT_EQ(out, expected);
    EXPECT_EQ(consumed, terminator_end);
  }
}

TEST(Pop3StatusLine, ParsesOkWithText) {
  const auto status = parseStatusLine("+OK Dovecot ready.");
  EXPECT_EQ(status.kind, StatusLine::Kind::kOk);
  EXPECT_EQ(status.text, "Dovecot ready.");
  EXPECT_EQ(status.code, "");
}

TEST(Pop3StatusLine, ParsesBareOkAndLowerCase) {
  EXPECT_EQ(parseStatusLine("+OK").kind, StatusLine::Kind::kOk);
  EXPECT_EQ(parseStatusLine("+OK").text, "");
  EXPECT_EQ(parseStatusLine("+ok fine").kind, StatusLine::Kind::kOk);
  EXPECT_EQ(parseStatusLine("-err no").kind, StatusLine::Kind::kErr);
}

TEST(Pop3StatusLine, ParsesErrWithResponseCode) {
  const auto status = parseStatusLine("-ERR [IN-USE] Mailbox is locked by another POP3 session");
  EXPECT_EQ(status.kind, StatusLine::Kind::kErr);
  EXPECT_EQ(status.code, "IN-USE");
  EXPECT_EQ(status.text, "[IN-USE] Mailbox is locked by another POP3 session");
  EXPECT_EQ(parseStatusLine("-ERR [SYS/TEMP] later").code, "SYS/TEMP");
  EXPECT_EQ(parseStatusLine("-ERR [unterminated").code, "");
}

TEST(Pop3StatusLine, ParsesContinuations) {
  const auto challenge = parseStatusLine("+ eyJzdGF0dXMiOiI0MDEifQ==");
  EXPECT_EQ(challenge.kind, StatusLine::Kind::kContinuation);
  EXPECT_EQ(challenge.text, "eyJzdGF0dXMiOiI0MDEifQ==");
  EXPECT_EQ(parseStatusLine("+ ").kind, StatusLine::Kind::kContinuation);
  EXPECT_EQ(parseStatusLine("+ ").text, "");
  EXPECT_EQ(parseStatusLine("+").kind, StatusLine::Kind::kContinuation);
}

TEST(Pop3StatusLine, RejectsLinesWithoutIndicator) {
  EXPECT_THROW(parseStatusLine(""), net::ProtocolError);
  EXPECT_THROW(parseStatusLine("* OK IMAP ready"), net::ProtocolError);
  EXPECT_THROW(parseStatusLine("+OKAY"), net::ProtocolError);
  EXPECT_THROW(parseStatusLine("-ERROR"), net::ProtocolError);
  EXPECT_THROW(parseStatusLine("OK"), net::ProtocolError);
}

TEST(Pop3DotDecoder, EmptyBodyIsJustTheTerminator) {
  expectDecodes(".\r\n", "", 3);
}

TEST(Pop3DotDecoder, KeepsCrlfLinesByteExact) {
  expectDecodes("Subject: hi\r\n\r\nbody\r\n.\r\n", "Subject: hi\r\n\r\nbody\r\n", 24);
}

TEST(Pop3DotDecoder, UnstuffsDoubledDots) {
  expectDecodes("..\r\n...x\r\n..\r\n.\r\n", ".\r\n..x\r\n.\r\n", 17);
}

TEST(Pop3DotDecoder, StripsALeadingDotThatIsNotDoubled) {
  // RFC 1939 §3: the first octet of a line starting with "." is stripped in every case.
  expectDecodes(".x\r\n. y\r\n.\r\n", "x\r\n y\r\n", 12);
}

TEST(Pop3DotDecoder, DotCrWithoutLfIsALine) {
  expectDecodes(".\rX\r\n.\r\n", "\rX\r\n", 8);
}

TEST(Pop3DotDecoder, KeepsBareLfAndDotsInsideLines) {
  expectDecodes("a\nb.c\n..d\r\n.\r\n", "a\nb.c\n.d\r\n", 14);
}

TEST(Pop3DotDecoder, KeepsBinaryBytes) {
  const std::string body("\x00\xff\xe2\x82\xac\r\x1b\r\n", 9);
  expectDecodes(body + ".\r\n", body, 12);
}

TEST(Pop3DotDecoder, StopsAtTheTerminatorAndLeavesTheNextResponse) {
  expectDecodes("x\r\n.\r\n+OK next\r\n", "x\r\n", 6);
}

TEST(Pop3DotDecoder, EnforcesTheSizeLimit) {
  DotDecoder exact(3);
  std::string out;
  EXPECT_EQ(exact.feed("abc", out), 3u);
  EXPECT_EQ(out, "abc");
  EXPECT_FALSE(exact.done());
  EXPECT_THROW(exact.feed("\r\n.\r\n", out), net::ProtocolError);

  DotDecoder at_limit(5);
  out.clear();
  at_limit.feed("abc\r\n.\r\n", out);
  EXPECT_TRUE(at_limit.done());
  EXPECT_EQ(out, "abc\r\n");

  DotDecoder over(4);
  out.clear();
  EXPECT_THROW(over.feed("abc\r\n.\r\n", out), net::ProtocolError);
}

// --- ResponseReader over a ByteStream ---

Pop3Limits smallLimits() {
  Pop3Limits limits;
  limits.max_line_length = 20;
  limits.max_listing_size = 200;
  limits.max_message_size = 100;
  return limits;
}

TEST(Pop3ResponseReader, ReadsStatusBodyAndNextStatusForEverySplit) {
  const std::string wire = "+OK 12 octets\r\nA: b\r\n\r\n..x\r\n.\r\n+OK bye\r\n";
  const auto limits = smallLimits();
  std::vector<std::vector<std::size_t>> splits = {{}, everyByte(wire.size())};
  for (std::size_t cut = 1; cut < wire.size(); ++cut) splits.push_back({cut});
  for (const auto& cuts : splits) {
    SCOPED_TRACE(testing::Message() << "first cut " << (cuts.empty() ? 0 : cuts.front()));
    SplitStream stream(wire, cuts);
    ResponseReader reader(stream, limits);
    EXPECT_EQ(reader.readStatus().text, "12 octets");
    EXPECT_EQ(reader.readBody(limits.max_message_size), "A: b\r\n\r\n.x\r\n");
    EXPECT_EQ(reader.readStatus().text, "bye");
    EXPECT_FALSE(reader.hasBufferedInput());
  }
}

TEST(Pop3ResponseReader, ReadsListingsForEverySplit) {
  const std::string wire = "+OK\r\n1 abc\r\n2 ..d\r\n.\r\n";
  const auto limits = smallLimits();
  for (std::size_t cut = 0; cut < wire.size(); ++cut) {
    SplitStream stream(wire, {cut});
    ResponseReader reader(stream, limits);
    EXPECT_TRUE(reader.readStatus().ok());
    EXPECT_EQ(reader.readListing(), (std::vector<std::string>{"1 abc", "2 ..d"}));
  }
}

TEST(Pop3ResponseReader, MissingTerminatorThenCloseIsANetworkError) {
  SplitStream stream("+OK\r\nline one\r\nline two\r\n", {});
  const auto limits = smallLimits();
  ResponseReader reader(stream, limits);
  reader.readStatus();
  EXPECT_THROW(reader.readBody(limits.max_message_size), net::NetworkError);
}

TEST(Pop3ResponseReader, CloseInTheMiddleOfALineIsANetworkError) {
  const auto limits = smallLimits();
  SplitStream stream("+OK 100 octets\r\nFrom: a\r\nSubj", {9});
  ResponseReader reader(stream, limits);
  reader.readStatus();
  EXPECT_THROW(reader.readBody(limits.max_message_size), net::NetworkError);

  SplitStream status_only("+OK welc", {});
  ResponseReader status_reader(status_only, limits);
  EXPECT_THROW(status_reader.readStatus(), net::NetworkError);

  SplitStream nothing("", {});
  ResponseReader empty_reader(nothing, limits);
  EXPECT_THROW(empty_reader.readStatus(), net::NetworkError);
}

TEST(Pop3ResponseReader, LineLengthLimitIsExact) {
  const auto limits = smallLimits();  // 20
  const std::string twenty = "+OK " + std::string(16, 'x');
  for (const auto& cuts : {std::vector<std::size_t>{}, everyByte(30)}) {
    SplitStream ok(twenty + "\r\n", cuts);
    ResponseReader ok_reader(ok, limits);
    EXPECT_EQ(ok_reader.readLine(), twenty);

    SplitStream too_long(twenty + "y\r\n", cuts);
    ResponseReader long_reader(too_long, limits);
    EXPECT_THROW(long_reader.readLine(), net::ProtocolError);
  }
  // An endless line is refused without waiting for its end.
  SplitStream endless("+OK " + std::string(1000, 'z'), everyByte(1004));
  ResponseReader endless_reader(endless, limits);
  EXPECT_THROW(endless_reader.readLine(), net::ProtocolError);
}

TEST(Pop3ResponseReader, OverLongListingLineIsAProtocolError) {
  const auto limits = smallLimits();
  SplitStream stream("+OK\r\n1 " + std::string(30, 'u') + "\r\n.\r\n", {});
  ResponseReader reader(stream, limits);
  reader.readStatus();
  EXPECT_THROW(reader.readListing(), net::ProtocolError);
}

TEST(Pop3ResponseReader, MessageOverTheLimitIsAProtocolError) {
  const auto limits = smallLimits();
  SplitStream stream("+OK\r\n" + std::string(200, 'm') + "\r\n.\r\n", everyByte(300));
  ResponseReader reader(stream, limits);
  reader.readStatus();
  EXPECT_THROW(reader.readBody(limits.max_message_size), net::ProtocolError);
}

TEST(Pop3ResponseReader, ReportsBufferedInput) {
  const auto limits = smallLimits();
  SplitStream stream("+OK Begin TLS\r\n+OK injected\r\n", {});
  ResponseReader reader(stream, limits);
  reader.readStatus();
  EXPECT_TRUE(reader.hasBufferedInput());
}

}  // namespace
}  // namespace hd::pop3
