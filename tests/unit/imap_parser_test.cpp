// The IMAP response parser on bytes: literals, strings, lists, codes, server quirks, and hostile
// or broken input. Bytes go through a ScriptedStream so reads can be split anywhere.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/imap/response_parser.hpp"
#include "connectors/net/buffered_reader.hpp"
#include "connectors/net/errors.hpp"
#include "tests/support/scripted_stream.hpp"

namespace hd::imap {
namespace {

using test::ScriptedStream;

std::string literal(const std::string& bytes) {
  return "{" + std::to_string(bytes.size()) + "}\r\n" + bytes;
}

// Parses every response in `bytes`, delivered in reads of at most `chunk` bytes.
std::vector<Response> parseAll(const std::string& bytes, std::size_t chunk = 1 << 20,
                               const ImapLimits& limits = {}) {
  ScriptedStream stream;
  stream.server(bytes);
  stream.setReadChunk(chunk);
  net::BufferedReader reader(stream);
  ResponseParser parser(reader, limits);
  std::vector<Response> responses;
  while (!stream.finished() || reader.buffered() > 0) responses.push_back(parser.next());
  return responses;
}

Response parseOne(const std::string& bytes, const ImapLimits& limits = {}) {
  std::vector<Response> responses = parseAll(bytes, 1 << 20, limits);
  EXPECT_EQ(responses.size(), 1u);
  return responses.empty() ? Response{} : std::move(responses.front());
}

template <typename Error>
std::string errorOf(const std::string& bytes, const ImapLimits& limits = {}) {
  try {
    parseAll(bytes, 1 << 20, limits);
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception for: " << bytes.substr(0, 80);
  return "";
}

const std::string kMessage = "From: a@example.com\r\nSubject: hi\r\n\r\nline 1\r\n{5}\r\n) \"\r\n";

TEST(ImapParser, FetchBodyLiteralKeepsExactBytesIncludingCrlfAndBraces) {
  const Response r = parseOne("* 3 FETCH (UID 17 RFC822.SIZE " + std::to_string(kMessage.size()) +
                              " BODY[] " + literal(kMessage) + ")\r\n");
  EXPECT_EQ(r.type, Response::Type::kFetch);
  EXPECT_EQ(r.number, 3u);
  EXPECT_EQ(r.fetch.uid, 17u);
  EXPECT_EQ(r.fetch.rfc822_size, kMessage.size());
  ASSERT_TRUE(r.fetch.body.has_value());
  EXPECT_EQ(*r.fetch.body, kMessage);
}

TEST(ImapParser, EmptyLiteralAndNonSynchronizingForm) {
  const Response empty = parseOne("* 1 FETCH (BODY[] {0}\r\n UID 4)\r\n");
  ASSERT_TRUE(empty.fetch.body.has_value());
  EXPECT_EQ(*empty.fetch.body, "");
  EXPECT_EQ(empty.fetch.uid, 4u);

  const Response plus = parseOne("* 1 FETCH (UID 5 BODY[] {3+}\r\nabc)\r\n");
  EXPECT_EQ(plus.fetch.body.value_or("?"), "abc");
}

TEST(ImapParser, LiteralSplitAcrossReadsAtEveryByteBoundary) {
  const std::string bytes =
      "* 1 FETCH (UID 9 BODY[] " + literal(kMessage) + ")\r\nA0001 OK done\r\n";
  for (std::size_t split = 1; split < bytes.size(); ++split) {
    ScriptedStream stream;
    stream.server(bytes.substr(0, split)).server(bytes.substr(split));
    net::BufferedReader reader(stream);
    ResponseParser parser(reader, ImapLimits{});
    const Response fetch = parser.next();
    const Response done = parser.next();
    ASSERT_EQ(fetch.fetch.body.value_or(""), kMessage) << "split at " << split;
    ASSERT_EQ(fetch.fetch.uid, 9u) << "split at " << split;
    ASSERT_EQ(done.tag, "A0001") << "split at " << split;
  }
  // And one byte per read.
  const std::vector<Response> bytewise = parseAll(bytes, 1);
  ASSERT_EQ(bytewise.size(), 2u);
  EXPECT_EQ(bytewise[0].fetch.body.value_or(""), kMessage);
}

TEST(ImapParser, QuotedStringsWithEscapes) {
  const Response r =
      parseOne("* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk \\\"Email\\\" \\\\ x\"\r\n");
  EXPECT_EQ(r.type, Response::Type::kList);
  EXPECT_EQ(r.list.mailbox, "Junk \"Email\" \\ x");
  EXPECT_EQ(r.list.delimiter, "/");
  EXPECT_EQ(r.list.attributes, (std::vector<std::string>{"\\HasNoChildren", "\\Junk"}));

  const Response body = parseOne("* 2 FETCH (BODY[] \"a \\\"quoted\\\" body\" UID 3)\r\n");
  EXPECT_EQ(body.fetch.body.value_or(""), "a \"quoted\" body");
}

TEST(ImapParser, NilDelimiterAndNilBody) {
  const Response list = parseOne("* LIST () NIL INBOX\r\n");
  EXPECT_EQ(list.list.delimiter, "");
  EXPECT_EQ(list.list.mailbox, "INBOX");

  const Response fetch = parseOne("* 2 FETCH (UID 8 BODY[] NIL)\r\n");
  EXPECT_FALSE(fetch.fetch.body.has_value());
  EXPECT_EQ(fetch.fetch.uid, 8u);
}

TEST(ImapParser, NestedListsAndSectionsAreSkippedAroundWantedItems) {
  const std::string header = "From: x\r\n\r\n";
  const Response r = parseOne(
      "* 4 FETCH (FLAGS (\\Seen $Forwarded) ENVELOPE (\"Mon, 1 Jan 2024\" \"subj\" "
      "((\"A\" NIL \"a\" \"example.com\")) NIL NIL NIL NIL NIL NIL \"<id@x>\") "
      "BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 1)"
      "(\"text\" \"html\" NIL NIL NIL \"base64\" 20 2) \"alternative\") "
      "BODY[HEADER.FIELDS (FROM TO)] " +
      literal(header) + " INTERNALDATE \"01-Jan-2024 10:00:00 +0000\" UID 42 RFC822.SIZE 999)\r\n");
  EXPECT_EQ(r.fetch.uid, 42u);
  EXPECT_EQ(r.fetch.rfc822_size, 999u);
  ASSERT_TRUE(r.fetch.flags.has_value());
  EXPECT_EQ(*r.fetch.flags, (std::vector<std::string>{"\\Seen", "$Forwarded"}));
  EXPECT_FALSE(r.fetch.body.has_value()) << "a header section is not the message";
}

TEST(ImapParser, UntaggedResponsesBetweenTaggedOnes) {
  const std::vector<Response> r = parseAll(
      "* 3 EXISTS\r\nA0001 OK [READ-WRITE] SELECT completed\r\n* 1 RECENT\r\n* 2 EXPUNGE\r\n"
      "* 5 FETCH (FLAGS (\\Seen))\r\nA0002 NO [TRYCREATE] no such folder\r\n");
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].type, Response::Type::kExists);
  EXPECT_EQ(r[0].number, 3u);
  EXPECT_EQ(r[1].kind, Response::Kind::kTagged);
  EXPECT_EQ(r[1].tag, "A0001");
  EXPECT_EQ(r[1].status, Status::kOk);
  EXPECT_EQ(r[1].code->name, "READ-WRITE");
  EXPECT_EQ(r[1].text, "SELECT completed");
  EXPECT_EQ(r[2].type, Response::Type::kRecent);
  EXPECT_EQ(r[3].type, Response::Type::kExpunge);
  EXPECT_EQ(r[3].number, 2u);
  EXPECT_FALSE(r[4].fetch.uid.has_value());
  EXPECT_EQ(r[5].status, Status::kNo);
  EXPECT_EQ(r[5].code->name, "TRYCREATE");
}

TEST(ImapParser, ResponseCodes) {
  const std::vector<Response> r = parseAll(
      "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
      "* OK [UIDNEXT 4392] Predicted next UID\r\n"
      "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n"
      "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n"
      "A0003 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n"
      "A0004 OK [APPENDUID 38505 3955] APPEND completed\r\n"
      "A0005 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
      "* OK [X-UNKNOWN-CODE some (args)] kept\r\n"
      "* OK [ALERT] System shutdown in 10 minutes\r\n");
  ASSERT_EQ(r.size(), 9u);
  EXPECT_EQ(r[0].code->name, "UIDVALIDITY");
  EXPECT_EQ(r[0].code->number, 3857529045u);
  EXPECT_EQ(r[0].text, "UIDs valid");
  EXPECT_EQ(r[1].code->number, 4392u);
  EXPECT_EQ(r[2].code->atoms, (std::vector<std::string>{"\\Deleted", "\\Seen", "\\*"}));
  EXPECT_EQ(r[3].code->atoms, (std::vector<std::string>{"IMAP4rev1", "SASL-IR", "AUTH=PLAIN"}));
  EXPECT_EQ(r[4].code->number, 38505u);
  EXPECT_EQ(r[4].code->source_uids, "304,319:320");
  EXPECT_EQ(r[4].code->destination_uids, "3956:3958");
  EXPECT_EQ(r[5].code->destination_uids, "3955");
  EXPECT_EQ(r[6].code->name, "AUTHENTICATIONFAILED");
  EXPECT_EQ(r[7].code->name, "X-UNKNOWN-CODE");
  EXPECT_EQ(r[7].code->arguments, "some (args)");
  EXPECT_EQ(r[7].text, "kept");
  EXPECT_EQ(r[8].code->name, "ALERT");
}

TEST(ImapParser, ExchangeGreetingBracketIsTextNotACode) {
  const Response r = parseOne(
      "* OK The Microsoft Exchange IMAP4 service is ready. "
      "[TQBXADIAUABSADEAMQBDAEEAMAAwADEANQAuAG4AYQBtAHAAcgBkADEAMQAuAHAAcgBvAGQA]\r\n");
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_FALSE(r.code.has_value());
  EXPECT_TRUE(r.text.starts_with("The Microsoft Exchange IMAP4 service is ready. [TQBX"));
}

TEST(ImapParser, ExchangeBareCopyUidLine) {
  const std::vector<Response> r =
      parseAll("[COPYUID 55 31 6]\r\n* 1 EXPUNGE\r\nA0007 OK MOVE completed.\r\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].kind, Response::Kind::kUntagged);
  EXPECT_EQ(r[0].status, Status::kOk);
  EXPECT_EQ(r[0].code->name, "COPYUID");
  EXPECT_EQ(r[0].code->source_uids, "31");
  EXPECT_EQ(r[0].code->destination_uids, "6");
  EXPECT_EQ(r[2].tag, "A0007");
}

TEST(ImapParser, CapabilitySearchFlagsContinuationBye) {
  const std::vector<Response> r = parseAll(
      "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN LITERAL+\r\n"
      "* SEARCH 2 84 882\r\n"
      "* SEARCH\r\n"
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
      "+ \r\n"
      "+\r\n"
      "+ IDLE accepted, awaiting DONE command.\r\n"
      "* BYE Connection closed. 14\r\n");
  ASSERT_EQ(r.size(), 8u);
  EXPECT_EQ(r[0].atoms,
            (std::vector<std::string>{"IMAP4rev1", "STARTTLS", "AUTH=PLAIN", "LITERAL+"}));
  EXPECT_EQ(r[1].numbers, (std::vector<std::uint64_t>{2, 84, 882}));
  EXPECT_TRUE(r[2].numbers.empty());
  EXPECT_EQ(r[3].atoms.size(), 5u);
  EXPECT_EQ(r[4].kind, Response::Kind::kContinuation);
  EXPECT_EQ(r[4].text, "");
  EXPECT_EQ(r[5].kind, Response::Kind::kContinuation);
  EXPECT_EQ(r[6].text, "IDLE accepted, awaiting DONE command.");
  EXPECT_EQ(r[7].status, Status::kBye);
  EXPECT_EQ(r[7].text, "Connection closed. 14");
}

TEST(ImapParser, UnknownUntaggedResponsesAreSkippedIncludingTrailingLiterals) {
  const std::vector<Response> r = parseAll(
      "* ID (\"name\" \"Dovecot\")\r\n"
      "* STATUS \"Sent Items\" (MESSAGES 2 UIDNEXT 3)\r\n"
      "* XWEIRD \"unbalanced {4}\r\nab\r\n\r\n"
      "* 7 XNEWTHING whatever\r\n"
      "A0001 OK fine\r\n");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].type, Response::Type::kOther);
  EXPECT_EQ(r[0].text, "ID");
  EXPECT_EQ(r[1].text, "STATUS");
  EXPECT_EQ(r[2].text, "XWEIRD");
  EXPECT_EQ(r[3].type, Response::Type::kOther);
  EXPECT_EQ(r[4].tag, "A0001");
}

TEST(ImapParser, BareLineFeedsAreTolerated) {
  const std::vector<Response> r = parseAll("* 2 EXISTS\nA0001 OK done\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].number, 2u);
  EXPECT_EQ(r[1].text, "done");
}

TEST(ImapParser, TruncatedInputIsANetworkErrorNotAHang) {
  EXPECT_NE(errorOf<net::NetworkError>("* 1 FETCH (UID 5 BODY[] {100}\r\nshort"), "");
  EXPECT_NE(errorOf<net::NetworkError>("* 1 FETCH (UID"), "");
  EXPECT_NE(errorOf<net::NetworkError>("A0001 OK no line end"), "");
  EXPECT_NE(errorOf<net::NetworkError>("* 1 FETCH (BODY[] \"open quote"), "");
}

TEST(ImapParser, GarbageIsAProtocolErrorWithAClearMessage) {
  EXPECT_NE(errorOf<net::ProtocolError>(std::string("\x01\x02garbage\r\n", 10))
                .find("start of a response"),
            std::string::npos);
  EXPECT_NE(errorOf<net::ProtocolError>("A0001 MAYBE later\r\n").find("MAYBE"), std::string::npos);
  EXPECT_NE(errorOf<net::ProtocolError>("* 1 FETCH UID 5)\r\n").find("open FETCH data"),
            std::string::npos);
  EXPECT_NE(errorOf<net::ProtocolError>("* 1 FETCH (UID abc)\r\n").find("UID"), std::string::npos);
  EXPECT_NE(
      errorOf<net::ProtocolError>("* 1 FETCH (UID 99999999999999999999999)\r\n").find("too large"),
      std::string::npos);
  EXPECT_NE(errorOf<net::ProtocolError>("* 1 FETCH (BODY[] \"multi\r\nline\")\r\n").find("quoted"),
            std::string::npos);
  EXPECT_NE(errorOf<net::ProtocolError>("* 1 FETCH (BODY[] {x}\r\n)\r\n").find("literal size"),
            std::string::npos);
}

TEST(ImapParser, LimitsAreEnforcedWithClearErrors) {
  ImapLimits limits;
  limits.max_line_length = 100;
  limits.max_literal_size = 10;
  limits.max_nesting_depth = 4;
  limits.max_tokens = 50;

  EXPECT_NE(errorOf<net::ProtocolError>("* OK " + std::string(200, 'x') + "\r\n", limits)
                .find("longer than 100"),
            std::string::npos);
  // Any literal but a message body (those are drained over max_message_size, see below).
  EXPECT_NE(errorOf<net::ProtocolError>("* 1 FETCH (BODY[TEXT] {11}\r\n01234567890)\r\n", limits)
                .find("exceeds the limit of 10"),
            std::string::npos);
  EXPECT_NE(errorOf<net::ProtocolError>("* 1 LIST () \"/\" {11}\r\n01234567890\r\n", limits)
                .find("exceeds the limit of 10"),
            std::string::npos);
  EXPECT_NE(errorOf<net::ProtocolError>("* 1 FETCH (BODYSTRUCTURE (((((1))))))\r\n", limits)
                .find("nested deeper than 4"),
            std::string::npos);
  std::string many = "* SEARCH";
  for (int i = 0; i < 60; ++i) many += " 1";
  EXPECT_NE(errorOf<net::ProtocolError>(many + "\r\n", limits).find("more than 50 tokens"),
            std::string::npos);

  // Within the limits the same shapes parse (the FETCH list is the first of 4 levels), and a
  // literal does not count as line length.
  EXPECT_EQ(parseOne("* 1 FETCH (BODYSTRUCTURE (((1))) UID 3)\r\n", limits).fetch.uid, 3u);
  limits.max_line_length = 40;
  EXPECT_EQ(parseOne("* 1 FETCH (UID 3 BODY[] {10}\r\n0123456789)\r\n", limits).fetch.body,
            "0123456789");
}

// A message over the size limit must not stall its folder: its literal is read to its end and
// dropped (memory stays bounded), only its size is reported, and the session goes on. Every
// spelling of a message body counts; max_literal_size does not apply to them.
TEST(ImapParser, ABodyOverTheMessageLimitIsDrainedAndReportedInEverySpelling) {
  ImapLimits limits;
  limits.max_message_size = 50;
  limits.max_literal_size = 10;
  const std::string big(200, 'x');
  for (const std::string item : {"BODY[]", "body[]", "RFC822", "BINARY[]", "Body[]"}) {
    for (const std::string open : {"{200}", "{200+}"}) {
      const std::string bytes = "* 7 FETCH (UID 9 RFC822.SIZE 20 " + item + " " + open + "\r\n" +
                                big + " FLAGS (\\Seen))\r\nA0001 OK done\r\n";
      for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{7}}) {
        const std::vector<Response> r = parseAll(bytes, chunk, limits);
        ASSERT_EQ(r.size(), 2u) << item << open;
        EXPECT_FALSE(r[0].fetch.body) << item;
        EXPECT_EQ(r[0].fetch.body_over_limit, 200u) << item;
        EXPECT_EQ(r[0].fetch.uid, 9u);
        ASSERT_TRUE(r[0].fetch.flags) << "the items after the drained literal are parsed";
        EXPECT_EQ(r[1].tag, "A0001");
      }
    }
  }
  // At the limit it is kept, exactly.
  const Response kept =
      parseOne("* 7 FETCH (UID 9 BODY[] {50}\r\n" + std::string(50, 'y') + ")\r\n", limits);
  EXPECT_EQ(kept.fetch.body, std::string(50, 'y'));
  EXPECT_EQ(kept.fetch.body_over_limit, 0u);
  // Empty and NIL bodies are reported as such (the pass decides what a broken fetch is).
  EXPECT_EQ(parseOne("* 7 FETCH (UID 9 BODY[] {0}\r\n)\r\n", limits).fetch.body, "");
  EXPECT_FALSE(parseOne("* 7 FETCH (UID 9 BODY[] NIL)\r\n", limits).fetch.body);
}

TEST(ImapParser, AHeaderBlockIsCappedAndTheRestDrained) {
  ImapLimits limits;
  limits.max_header_size = 8;
  for (const std::string item : {"BODY[HEADER]", "BODY[HEADER]<0>", "body[header]<0>"}) {
    const Response r = parseOne(
        "* 2 FETCH (UID 4 " + item + " {22}\r\nSubject: abcdefghijk\r\n UID 4)\r\n", limits);
    ASSERT_TRUE(r.fetch.header) << item;
    EXPECT_EQ(*r.fetch.header, "Subject:") << item;
    EXPECT_FALSE(r.fetch.body) << "a header is not a body";
  }
  EXPECT_EQ(parseOne("* 2 FETCH (UID 4 BODY[HEADER] \"A: b\")\r\n", limits).fetch.header, "A: b");
}

TEST(ImapParser, DefaultLimitsAreSafeAndFitLargeMessages) {
  const ImapLimits limits;
  EXPECT_GE(limits.max_literal_size, 256ull * 1024 * 1024);
  EXPECT_LE(limits.max_line_length, 8u * 1024 * 1024);
  EXPECT_LE(limits.max_nesting_depth, 128u);
}

}  // namespace
}  // namespace hd::imap
