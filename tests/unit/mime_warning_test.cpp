#include <gtest/gtest.h>

#include <set>

#include "connectors/mime/parse.hpp"
#include "connectors/mime/parser_warnings.hpp"
#include "connectors/mime/warning.hpp"

namespace hd::mime {
namespace {

// LF line endings throughout: GMime reads them as CRLF (mime_parse_test covers both).
std::vector<WarningKind> kinds(const ParseResult& r) {
  std::vector<WarningKind> out;
  for (const Warning& w : r.warnings) out.push_back(w.kind);
  return out;
}

std::string rendered(const ParseResult& r) {
  std::string out;
  for (const Warning& w : r.warnings) out += render(w) + "\n";
  return out;
}

// The texts stored in messages.warnings before warnings were typed: render() must give them
// back byte for byte, so the database rows and the API do not change.
TEST(MimeWarning, RendersTheTextsStoredBeforeWarningsWereTyped) {
  const std::vector<std::pair<Warning, std::string>> cases = {
      {{.kind = WarningKind::kUnencoded8BitHeader, .detail = "From", .offset = 0},
       "unencoded 8-bit header: From (at byte 0)"},
      {{.kind = WarningKind::kMissingBoundary, .detail = "MIXED", .offset = 643},
       "malformed multipart (missing boundary): MIXED (at byte 643)"},
      {{.kind = WarningKind::kMultipartWithoutBoundary, .detail = "mixed", .offset = 197},
       "multipart without boundary: mixed (at byte 197)"},
      {{.kind = WarningKind::kTruncatedMessage}, "truncated message"},
      {{.kind = WarningKind::kOtherParserIssue, .offset = 5}, "parser warning (at byte 5)"},
      {{.kind = WarningKind::kByteOrderMark}, "UTF-8 byte order mark before the headers ignored"},
      {{.kind = WarningKind::kMultipartWithoutParts, .where = "multipart/alternative"},
       "multipart/alternative without parts"},
      {{.kind = WarningKind::kTextFromPreamble},
       "no body part; text taken from the multipart preamble"},
      {{.kind = WarningKind::kUndeclared8Bit, .where = "From"},
       "From: 8-bit text without charset, decoded as windows-1252"},
      {{.kind = WarningKind::kMislabelledAscii, .where = "Subject"},
       "Subject: 8-bit text labelled us-ascii, decoded as windows-1252"},
      {{.kind = WarningKind::kUnknownCharset, .where = "text/plain body", .detail = "x-made-up"},
       "text/plain body: unknown charset \"x-made-up\", decoded as windows-1252"},
      {{.kind = WarningKind::kMislabelledUtf8, .where = "text/plain body"},
       "text/plain body: invalid UTF-8, decoded as windows-1252"},
      {{.kind = WarningKind::kInvalidUtf8Replaced, .where = "filename"},
       "filename: invalid UTF-8 sequences replaced by U+FFFD"},
      {{.kind = WarningKind::kUndecodableBytes, .where = "body", .detail = "shift_jis", .count = 2},
       "body: 2 invalid shift_jis sequence(s) replaced by U+FFFD"},
      {{.kind = WarningKind::kAddressesDropped, .where = "To", .count = 1},
       "To: 1 entries without a usable address dropped"},
      {{.kind = WarningKind::kAddressListRepaired, .where = "Cc"},
       "Cc: malformed address list repaired"},
      {{.kind = WarningKind::kUnparseableDateIgnored, .where = "Date"},
       "Date: unparseable value ignored"},
      {{.kind = WarningKind::kWarningsOmitted, .count = 100},
       "warnings after the first 100 omitted"},
  };
  for (const auto& [warning, text] : cases) {
    EXPECT_EQ(render(warning), text) << toString(warning.kind);
  }
}

// Each GMime code keeps its own kind and the phrase it was always stored with.
TEST(MimeWarning, GMimeCodesMapToDistinctKindsWithTheirFormerPhrases) {
  const std::vector<std::pair<GMimeParserWarning, std::string>> codes = {
      {GMIME_WARN_DUPLICATED_HEADER, "duplicated header"},
      {GMIME_WARN_DUPLICATED_PARAMETER, "duplicated header parameter"},
      {GMIME_WARN_UNENCODED_8BIT_HEADER, "unencoded 8-bit header"},
      {GMIME_WARN_INVALID_CONTENT_TYPE, "invalid content type"},
      {GMIME_WARN_INVALID_RFC2047_HEADER_VALUE, "invalid RFC 2047 header value"},
      {GMIME_WARN_MALFORMED_MULTIPART, "malformed multipart (missing boundary)"},
      {GMIME_WARN_TRUNCATED_MESSAGE, "truncated message"},
      {GMIME_WARN_MALFORMED_MESSAGE, "malformed message"},
      {GMIME_CRIT_INVALID_HEADER_NAME, "invalid header name"},
      {GMIME_CRIT_CONFLICTING_HEADER, "conflicting header"},
      {GMIME_CRIT_CONFLICTING_PARAMETER, "conflicting header parameter"},
      {GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY, "multipart without boundary"},
      {GMIME_WARN_INVALID_PARAMETER, "invalid header parameter"},
      {GMIME_WARN_INVALID_ADDRESS_LIST, "invalid address list"},
      {GMIME_CRIT_NESTING_OVERFLOW, "MIME nesting overflow"},
      {GMIME_WARN_PART_WITHOUT_CONTENT, "part without content"},
      {GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT, "part without headers or content"},
  };
  std::set<WarningKind> seen;
  for (const auto& [code, phrase] : codes) {
    const WarningKind kind = kindOf(code);
    EXPECT_TRUE(seen.insert(kind).second) << phrase;
    EXPECT_EQ(render({.kind = kind}), phrase);
    EXPECT_EQ(render({.kind = kind, .detail = "X-Item", .offset = 7}),
              phrase + ": X-Item (at byte 7)");
  }
  EXPECT_EQ(kindOf(static_cast<GMimeParserWarning>(999)), WarningKind::kOtherParserIssue);
}

TEST(MimeWarning, KindNamesAreDistinctIdentifiers) {
  std::set<std::string_view> names;
  for (int k = 0; k <= static_cast<int>(WarningKind::kWarningsOmitted); ++k) {
    const std::string_view name = toString(static_cast<WarningKind>(k));
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), name.npos) << name;
  }
  EXPECT_EQ(toString(WarningKind::kUnknownCharset), "unknown_charset");
}

// GMime's parser quotes raw input: a header line of any length stays one bounded line.
TEST(MimeWarning, QuotedInputIsOneLineOfAtMost80Bytes) {
  std::vector<Warning> warnings;
  ParserReport report{&warnings, 10};
  const std::string item = "Bad\r\nName" + std::string(200, 'x');
  onParserWarning(42, GMIME_CRIT_INVALID_HEADER_NAME, item.c_str(), &report);
  onParserWarning(-1, GMIME_WARN_TRUNCATED_MESSAGE, nullptr, &report);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].kind, WarningKind::kInvalidHeaderName);
  EXPECT_EQ(warnings[0].detail, "BadName" + std::string(73, 'x'));
  EXPECT_EQ(warnings[0].offset, 42);
  EXPECT_EQ(warnings[1], (Warning{.kind = WarningKind::kTruncatedMessage}));
}

TEST(MimeWarningsOfHostileMail, UnknownCharset) {
  const ParseResult r =
      parse("From: a@b.example\nContent-Type: text/plain; charset=x-made-up\n\nM\xFCller\n");
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], (Warning{.kind = WarningKind::kUnknownCharset,
                                    .where = "text/plain body",
                                    .detail = "x-made-up"}));
  EXPECT_EQ(render(r.warnings[0]),
            "text/plain body: unknown charset \"x-made-up\", decoded as windows-1252");
}

TEST(MimeWarningsOfHostileMail, EightBitHeaders) {
  const ParseResult r = parse("From: J\xF6rg <j@example.com>\nSubject: Gr\xFC\xDF\n\nx\n");
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.warnings.size(), 4u) << rendered(r);
  EXPECT_EQ(r.warnings[0],
            (Warning{.kind = WarningKind::kUnencoded8BitHeader, .detail = "From", .offset = 0}));
  EXPECT_EQ(r.warnings[1].kind, WarningKind::kUnencoded8BitHeader);
  EXPECT_EQ(r.warnings[1].detail, "Subject");
  EXPECT_EQ(r.warnings[2], (Warning{.kind = WarningKind::kUndeclared8Bit, .where = "Subject"}));
  EXPECT_EQ(r.warnings[3], (Warning{.kind = WarningKind::kUndeclared8Bit, .where = "From"}));
  EXPECT_EQ(render(r.warnings[0]), "unencoded 8-bit header: From (at byte 0)");
  EXPECT_EQ(render(r.warnings[3]), "From: 8-bit text without charset, decoded as windows-1252");
}

TEST(MimeWarningsOfHostileMail, MissingClosingBoundary) {
  const ParseResult r = parse(
      "From: a@b.example\nContent-Type: multipart/mixed; boundary=m\n\n--m\n"
      "Content-Type: text/plain\n\nfirst\n--m\nContent-Type: application/pdf\n\npdf\n");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(kinds(r), std::vector<WarningKind>{WarningKind::kTruncatedMessage}) << rendered(r);
  EXPECT_EQ(render(r.warnings[0]), "truncated message");
}

TEST(MimeWarningsOfHostileMail, BoundaryThatNeverAppears) {
  const ParseResult r = parse(
      "From: a@b.example\nContent-Type: multipart/mixed; boundary=m\n\n"
      "This is the preamble.\n--x\nContent-Type: text/plain\n\nfirst\n");
  ASSERT_TRUE(r.ok) << r.error;
  const std::vector<WarningKind> expected = {WarningKind::kTruncatedMessage,
                                             WarningKind::kMultipartWithoutParts,
                                             WarningKind::kTextFromPreamble};
  EXPECT_EQ(kinds(r), expected) << rendered(r);
  EXPECT_EQ(r.warnings[1].where, "multipart/mixed");
  EXPECT_EQ(r.message.text_body.rfind("This is the preamble.", 0), 0u);
}

// MimeKit empty-multipart.txt: the parent's boundary ends a child multipart before it has parts.
TEST(MimeWarningsOfHostileMail, NestedMultipartEndedByItsParent) {
  const ParseResult r = parse(
      "From: a@b.example\nContent-Type: multipart/mixed; boundary=o\n\n--o\n"
      "Content-Type: multipart/alternative; boundary=i\n\n--o\nContent-Type: text/plain\n\n"
      "hi\n--o--\n");
  ASSERT_TRUE(r.ok) << r.error;
  const std::vector<WarningKind> expected = {WarningKind::kMissingBoundary,
                                             WarningKind::kMultipartWithoutParts};
  EXPECT_EQ(kinds(r), expected) << rendered(r);
  EXPECT_EQ(r.warnings[0].detail, "alternative");
  EXPECT_TRUE(r.warnings[0].offset);
  EXPECT_EQ(r.warnings[1].where, "multipart/alternative");
  EXPECT_EQ(render(r.warnings[1]), "multipart/alternative without parts");
}

TEST(MimeWarningsOfHostileMail, ByteOrderMark) {
  const ParseResult r = parse(
      "\xEF\xBB\xBF"
      "From: a@b.example\n\nhello\n");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(kinds(r), std::vector<WarningKind>{WarningKind::kByteOrderMark}) << rendered(r);
  EXPECT_EQ(render(r.warnings[0]), "UTF-8 byte order mark before the headers ignored");
}

TEST(MimeWarningsOfHostileMail, TooManyWarningsEndWithTheOmittedCount) {
  std::string raw = "From: a@b.example\n";
  for (int i = 0; i < 50; ++i) raw += "Subject: dup\n";
  Limits limits;
  limits.max_warnings = 3;
  const ParseResult r = parse(raw + "\nx\n", limits);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.warnings.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.warnings[i].kind, WarningKind::kDuplicatedHeader) << render(r.warnings[i]);
    EXPECT_EQ(r.warnings[i].detail, "Subject");
  }
  EXPECT_EQ(r.warnings[3], (Warning{.kind = WarningKind::kWarningsOmitted, .count = 3}));
  EXPECT_EQ(render(r.warnings[3]), "warnings after the first 3 omitted");
}

TEST(MimeWarningsOfHostileMail, AddressesAndDates) {
  const ParseResult r = parse(
      "From: a@b.example\nTo: Carl Missing Brackets carl@example.net\nDate: yesterday-ish\n\nx\n");
  ASSERT_TRUE(r.ok) << r.error;
  const std::vector<WarningKind> expected = {WarningKind::kInvalidAddressList,
                                             WarningKind::kAddressListRepaired,
                                             WarningKind::kUnparseableDateIgnored};
  ASSERT_EQ(kinds(r), expected) << rendered(r);
  EXPECT_EQ(r.warnings[0].detail, "Carl Missing Brackets carl@example.net");
  EXPECT_EQ(r.warnings[1].where, "To");
  EXPECT_EQ(render(r.warnings[1]), "To: malformed address list repaired");
  EXPECT_EQ(r.warnings[2].where, "Date");
  ASSERT_EQ(r.message.to.size(), 1u);
  EXPECT_EQ(r.message.to[0].address, "carl@example.net");
}

}  // namespace
}  // namespace hd::mime
