// countBoundaryLines(): the bound on MIME parts checked before GMime builds any. Every spelling of
// the boundary parameter that GMime accepts must count, or a message of empty parts slips past
// the limit and costs gigabytes (issue 12: "BOUNDARY=SS" took an 8 MiB mail to 1.4 GB).

#include <gtest/gtest.h>

#include <string>

#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/parse.hpp"
#include "connectors/mime/part_count.hpp"

namespace hd::mime {
namespace {

constexpr std::size_t kNoLimit = 1'000'000;

// `header` followed by `parts` empty parts separated by "--<boundary>" and the closing line.
std::string bomb(const std::string& header, const std::string& boundary, int parts) {
  std::string raw = "From: a@b.example\r\n" + header + "\r\n\r\n";
  for (int i = 0; i < parts; ++i) raw += "--" + boundary + "\r\n\r\n";
  raw += "--" + boundary + "--\r\n";
  return raw;
}

std::size_t count(const std::string& raw) {
  ensureGMimeInitialised();
  return countBoundaryLines(raw, kNoLimit);
}

TEST(MimePartCount, EverySpellingOfTheBoundaryParameterCounts) {
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

TEST(MimePartCount, TrailingWhitespaceAndTheClosingLineCountAsGMimeReadsThem) {
  const std::string raw =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b \t\r\n--b\n--b--\r\n--b--  \r\n"
      "--bx\r\n---b\r\n-- b\r\n";
  EXPECT_EQ(count(raw), 4u);
}

TEST(MimePartCount, NestedMultipartsCountEveryLevel) {
  std::string raw = "Content-Type: multipart/mixed; boundary=outer\r\n\r\n";
  for (int i = 0; i < 10; ++i) {
    raw +=
        "--outer\r\nContent-Type: multipart/alternative;\r\n BOUNDARY*0=in; boundary*1=ner\r\n"
        "\r\n--inner\r\n--inner\r\n--inner--\r\n";
  }
  raw += "--outer--\r\n";
  EXPECT_EQ(count(raw), 11u + 30u);
}

TEST(MimePartCount, NoBoundaryNoCountAndGivesUpPastTheLimit) {
  EXPECT_EQ(count("Subject: x\r\n\r\n--b\r\n--b\r\n"), 0u);
  EXPECT_EQ(count("Content-Type: text/plain; boundary-x=b\r\n\r\n--b\r\n"), 0u);
  ensureGMimeInitialised();
  EXPECT_LE(countBoundaryLines(bomb("Content-Type: multipart/mixed; boundary=b", "b", 1000), 10),
            11u);
}

// The limit holds before GMime builds anything, however the header is written.
TEST(MimePartCount, ParseRefusesTooManyPartsInEverySpelling) {
  Limits limits;
  limits.max_parts = 20;
  for (const char* header : {"Content-Type: multipart/mixed; BOUNDARY=SS",
                             "Content-Type: multipart/mixed; boundary = \"SS\"",
                             "Content-Type: multipart/mixed; boundary*0=S; boundary*1=S",
                             "Content-Type: multipart/mixed; boundary*=utf-8''SS",
                             "Content-Type: multipart/mixed;\r\n boundary=SS"}) {
    const ParseResult r = parse(bomb(header, "SS", 100), limits);
    EXPECT_FALSE(r.ok) << header;
    EXPECT_NE(r.error.find("MIME parts"), std::string::npos) << header << ": " << r.error;
  }
}

}  // namespace
}  // namespace hd::mime
