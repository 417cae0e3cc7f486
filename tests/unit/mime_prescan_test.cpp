// prescan() and the limits parse() enforces while GMime reads: every spelling of the boundary
// parameter that GMime accepts must count, or a message of empty parts slips past the part limit
// and costs gigabytes (issue 12: "BOUNDARY=SS" took an 8 MiB mail to 1.4 GB); header fields and
// Content-Type parameters are bounded the same way.

#include <gtest/gtest.h>

#include <string>

#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/parse.hpp"
#include "connectors/mime/prescan.hpp"
#include "mime_spill_helpers.hpp"

namespace hd::mime {
namespace {

// `header` followed by `parts` empty parts separated by "--<boundary>" and the closing line.
std::string bomb(const std::string& header, const std::string& boundary, int parts) {
  std::string raw = "From: a@b.example\r\n" + header + "\r\n\r\n";
  for (int i = 0; i < parts; ++i) raw += "--" + boundary + "\r\n\r\n";
  raw += "--" + boundary + "--\r\n";
  return raw;
}

// The in-memory parse, checked against the parse of the same bytes from a spill file (issue 11:
// every limit holds for a spilled message, before GMime reads it).
ParseResult parseBoth(const std::string& raw, const Limits& limits = {}) {
  ParseResult in_memory = parse(raw, limits);
  const ParseResult from_file = parseBytes(test::spilled(raw), test::spillingEverything(limits));
  EXPECT_EQ(from_file.ok, in_memory.ok) << in_memory.error;
  EXPECT_EQ(from_file.error, in_memory.error);
  return in_memory;
}

std::size_t count(const std::string& raw) {
  ensureGMimeInitialised();
  Limits limits;
  limits.max_parts = 1'000'000;
  return prescan(raw, limits).boundary_lines;
}

TEST(MimePrescan, EverySpellingOfTheBoundaryParameterCounts) {
  struct Case {
    const char* header;
    const char* boundary;
  };
  const Case cases[] = {
      {"Content-Type: multipart/mixed; boundary=SS", "SS"},
      {"Content-Type: multipart/mixed; BOUNDARY=SS", "SS"},
      {"Content-Type: multipart/mixed; BoUnDaRy=SS", "SS"},
      {"Content-Type: multipart/mixed; boundary = \"x\"", "x"},
      {"Content-Type: multipart/mixed; boundary\t=\tx", "x"},
      {"Content-Type: multipart/mixed; boundary*0=\"a\"; boundary*1=\"b\"", "ab"},
      {"Content-Type: multipart/mixed; boundary*0=a; boundary*1=b", "ab"},
      {"Content-Type: multipart/mixed; boundary*=utf-8''x", "x"},
      {"Content-Type: multipart/mixed; boundary*=us-ascii'en'%41%42", "AB"},
      {"Content-Type: multipart/mixed;\r\n\tboundary=\"folded\"", "folded"},
      {"Content-Type:\r\n multipart/mixed;\r\n boundary\r\n =\r\n fold2", "fold2"},
      {"content-type: multipart/mixed; boundary=lower", "lower"},
      {"CONTENT-TYPE : multipart/mixed; boundary=upper", "upper"},
      {"Content-Type: multipart/mixed; boundary=\" lead\"", " lead"},
      {"Content-Type: multipart/mixed; boundary=\"\"", ""},
      {"Content-Type: multipart/mixed; charset=x; boundary=(comment)c", "c"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(count(bomb(c.header, c.boundary, 50)), 51u) << c.header;
  }
}

TEST(MimePrescan, TrailingWhitespaceAndTheClosingLineCountAsGMimeReadsThem) {
  const std::string raw =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b \t\r\n--b\n--b--\r\n--b--  \r\n"
      "--bx\r\n---b\r\n-- b\r\n";
  EXPECT_EQ(count(raw), 4u);
}

TEST(MimePrescan, NestedMultipartsCountEveryLevel) {
  std::string raw = "Content-Type: multipart/mixed; boundary=outer\r\n\r\n";
  for (int i = 0; i < 10; ++i) {
    raw +=
        "--outer\r\nContent-Type: multipart/alternative;\r\n BOUNDARY*0=in; boundary*1=ner\r\n"
        "\r\n--inner\r\n--inner\r\n--inner--\r\n";
  }
  raw += "--outer--\r\n";
  EXPECT_EQ(count(raw), 11u + 30u);
}

TEST(MimePrescan, NoBoundaryNoCountAndGivesUpPastTheLimit) {
  EXPECT_EQ(count("Subject: x\r\n\r\n--b\r\n--b\r\n"), 0u);
  EXPECT_EQ(count("Content-Type: text/plain; boundary-x=b\r\n\r\n--b\r\n"), 0u);
  Limits limits;
  limits.max_parts = 5;
  EXPECT_EQ(
      prescan(bomb("Content-Type: multipart/mixed; boundary=b", "b", 1000), limits).boundary_lines,
      12u);
}

TEST(MimePrescan, ParameterFieldsAreAddedUpWhereverTheyAre) {
  ensureGMimeInitialised();
  const std::string raw =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\ncontent-disposition : attachment;"
      "\r\n filename=x\r\n\r\n--b--\r\n";
  EXPECT_EQ(prescan(raw, Limits{}).parameter_bytes,
            std::string(" multipart/mixed; boundary=b").size() +
                std::string(" attachment;\r\n filename=x").size());
}

// The limit holds before GMime builds anything, however the header is written.
TEST(MimePrescan, ParseRefusesTooManyPartsInEverySpelling) {
  Limits limits;
  limits.max_parts = 20;
  for (const char* header : {"Content-Type: multipart/mixed; BOUNDARY=SS",
                             "Content-Type: multipart/mixed; boundary = \"SS\"",
                             "Content-Type: multipart/mixed; boundary*0=S; boundary*1=S",
                             "Content-Type: multipart/mixed; boundary*=utf-8''SS",
                             "Content-Type: multipart/mixed;\r\n boundary=SS"}) {
    const ParseResult r = parseBoth(bomb(header, "SS", 100), limits);
    EXPECT_FALSE(r.ok) << header;
    EXPECT_NE(r.error.find("MIME parts"), std::string::npos) << header << ": " << r.error;
  }
}

// 8 MiB of "a:b" header lines in one part took GMime to 800 MB: header fields are counted as
// GMime reads them, in every header block, and the parse stops at the limit.
TEST(MimePrescan, ParseRefusesTooManyHeaderFieldsInAnyHeaderBlock) {
  Limits limits;
  limits.max_header_fields = 1000;
  std::string part_headers =
      "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n";
  for (int i = 0; i < 5000; ++i) part_headers += "a:b\r\n";
  part_headers += "\r\nbody\r\n--b--\r\n";
  ParseResult r = parseBoth(part_headers, limits);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("header fields"), std::string::npos) << r.error;

  std::string attached =
      "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
      "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n";
  for (int i = 0; i < 5000; ++i) attached += "X-Inner: y\r\n";
  attached += "\r\ninner body\r\n--b--\r\n";
  r = parseBoth(attached, limits);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("header fields"), std::string::npos) << r.error;

  limits.max_header_fields = 10'000;
  EXPECT_TRUE(parseBoth(part_headers, limits).ok);
}

// ";a=1" repeated in a Content-Type or Content-Disposition becomes one GMime object per
// parameter: their bytes are bounded before GMime (or the prescan) parses any of them.
TEST(MimePrescan, ParseRefusesTooManyParameterBytes) {
  Limits limits;
  limits.max_parameter_bytes = 4096;
  for (const char* field : {"Content-Type: text/plain", "Content-Disposition: attachment",
                            "CONTENT-TYPE :\r\n text/plain"}) {
    std::string raw =
        "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" +
        std::string(field);
    for (int i = 0; i < 2000; ++i) raw += ";a=1";
    raw += "\r\n\r\nbody\r\n--b--\r\n";
    const ParseResult r = parseBoth(raw, limits);
    EXPECT_FALSE(r.ok) << field;
    EXPECT_NE(r.error.find("Content-Type and Content-Disposition"), std::string::npos) << r.error;
    EXPECT_TRUE(parseBoth(raw).ok) << field;
  }
}

// A spilled message is prescanned line by line from chunks of the file: every line that straddles
// a chunk boundary (chunks of 1 byte put every line across one) counts as it does in memory.
TEST(MimePrescan, ASpilledMessageCountsAsInMemoryWhateverTheChunks) {
  ensureGMimeInitialised();
  std::string nested = "Content-Type: multipart/mixed; boundary=outer\r\n\r\n";
  for (int i = 0; i < 5; ++i) {
    nested +=
        "--outer\r\nContent-Type: multipart/alternative;\r\n BOUNDARY*0=in; boundary*1=ner\r\n"
        "Content-Disposition : attachment;\r\n\tfilename=x\r\n"
        "\r\n--inner\r\n--inner \t \r\n--inner--\r\n";
  }
  nested += "--outer--";  // the last line without its LF
  const std::string cases[] = {
      nested,
      bomb("CONTENT-TYPE : multipart/mixed;\r\n boundary=\"SS\"", "SS", 30),
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b \t\r\n--b\n--b--\r\n--b--  \r\n"
      "--bx\r\n---b\r\n-- b\r\n",
      "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n",
      std::string("Content-Type: multipart/mixed; boundary=\"a\0b\"\r\n\r\n--a\r\n", 54),
      "",
  };
  Limits limits;
  limits.max_parts = 1'000'000;
  for (const std::string& raw : cases) {
    const Prescan expected = prescan(raw, limits);
    for (std::size_t chunk :
         {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{64 * 1024}}) {
      const Prescan actual = prescanBytes(test::spilled(raw), limits, chunk);
      EXPECT_EQ(actual.boundary_lines, expected.boundary_lines) << chunk << ": " << raw;
      EXPECT_EQ(actual.parameter_bytes, expected.parameter_bytes) << chunk << ": " << raw;
    }
  }
}

// Lines are kept up to max_parameter_bytes plus a margin when read from a file; a field line
// longer than that is over the limit however it is written (a long value, or a name padded with
// whitespace before its colon), in memory and from the file alike.
TEST(MimePrescan, AFieldLineLongerThanTheLimitIsRefusedInEverySpelling) {
  Limits limits;
  limits.max_parameter_bytes = 1000;
  const std::string long_value = std::string(200'000, 'x');
  const std::string spaces = std::string(200'000, ' ');
  for (const std::string& field :
       {"Content-Type: text/plain; name=" + long_value, "Content-Type" + spaces + ": text/plain",
        "content-disposition:" + spaces + "attachment", "Content-Type:\r\n " + long_value}) {
    const std::string raw =
        "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + field +
        "\r\n\r\nbody\r\n--b--\r\n";
    const ParseResult r = parseBoth(raw, limits);
    EXPECT_FALSE(r.ok) << field.substr(0, 40);
    EXPECT_NE(r.error.find("Content-Type and Content-Disposition"), std::string::npos) << r.error;
  }
}

// A boundary line padded with whitespace past a chunk (or past what a line keeps) still counts;
// one with anything else after the padding does not.
TEST(MimePrescan, PaddedBoundaryLinesCountFromAFile) {
  const std::string padding(300'000, ' ');
  const std::string raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b" + padding +
                          "\r\n--b" + padding + "x\r\n--b--" + padding + "\r\n";
  EXPECT_EQ(count(raw), 2u);
  Limits limits;
  EXPECT_EQ(prescanBytes(test::spilled(raw), limits, 64 * 1024).boundary_lines, 2u);
}

}  // namespace
}  // namespace hd::mime
