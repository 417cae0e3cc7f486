#include <gtest/gtest.h>

#include "connectors/mime/charset.hpp"

namespace hd::mime {
namespace {

struct Case {
  const char* charset;
  std::string bytes;
  std::string utf8;
};

TEST(MimeCharset, DecodesTheCharsetsOurCustomersUse) {
  const std::vector<Case> cases = {
      {"windows-1252", "\x80 \x93q\x94 \x96",
       "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D \xE2\x80\x93"},
      {"ISO-8859-1", "caf\xE9", "caf\xC3\xA9"},
      // Outlook labels windows-1252 as iso-8859-1: 0x93/0x94 are quotes, not C1 controls.
      {"iso-8859-1", "\x93x\x94", "\xE2\x80\x9Cx\xE2\x80\x9D"},
      {"iso-8859-15", "\xA4", "\xE2\x82\xAC"},
      {"ISO-2022-JP", "\x1B$B$3$s\x1B(B", "\xE3\x81\x93\xE3\x82\x93"},
      {"gb2312", "\xD6\xD0\xCE\xC4", "\xE4\xB8\xAD\xE6\x96\x87"},
      {"GBK", "\x86\xB4", "\xE5\x96\x86"},
      // Chinese mailers label GBK text as gb2312; GMime maps the label to GBK.
      {"gb2312", "\xE9\x46", "\xE9\x95\x95"},
      {"Shift_JIS", "\x95\x5C\x8E\xA6", "\xE8\xA1\xA8\xE7\xA4\xBA"},
      {"koi8-r", "\xF0\xD2\xC9", "\xD0\x9F\xD1\x80\xD0\xB8"},
      {"utf-8", "\xE2\x82\xAC", "\xE2\x82\xAC"},
  };
  for (const Case& c : cases) {
    std::vector<Warning> warnings;
    EXPECT_EQ(toUtf8(c.bytes, c.charset, warnings, "body"), c.utf8) << c.charset;
    EXPECT_TRUE(warnings.empty()) << c.charset;
  }
}

TEST(MimeCharset, UnknownCharsetFallsBackToWindows1252WithAWarning) {
  std::vector<Warning> warnings;
  EXPECT_EQ(toUtf8("M\xFCller", "x-unknown", warnings, "body"), "M\xC3\xBCller");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(
      warnings[0],
      (Warning{.kind = WarningKind::kUnknownCharset, .where = "body", .detail = "x-unknown"}));
}

TEST(MimeCharset, UndeclaredEightBitKeepsUtf8ElseWindows1252) {
  std::vector<Warning> warnings;
  EXPECT_EQ(toUtf8("\xC3\xBC", "", warnings, "body"), "\xC3\xBC");
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(toUtf8("\xFC", "", warnings, "body"), "\xC3\xBC");
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(MimeCharset, InvalidSequencesNeverLoseTheRestOfTheText) {
  std::vector<Warning> warnings;
  // Mostly valid UTF-8 with one stray byte: keep the text, mark the byte.
  EXPECT_EQ(toUtf8("\xE6\x97\xA5 \xFF ok", "utf-8", warnings, "body"),
            "\xE6\x97\xA5 \xEF\xBF\xBD ok");
  // Shift_JIS with a truncated final character.
  const std::string out = toUtf8("\x95\x5C\x95", "shift_jis", warnings, "body");
  EXPECT_EQ(out.rfind("\xE8\xA1\xA8", 0), 0u);
  EXPECT_TRUE(isValidUtf8(out));
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], (Warning{.kind = WarningKind::kInvalidUtf8Replaced, .where = "body"}));
  EXPECT_EQ(warnings[1], (Warning{.kind = WarningKind::kUndecodableBytes,
                                  .where = "body",
                                  .detail = "shift_jis",
                                  .count = 1}));
}

TEST(MimeCharset, Windows1252IsTotal) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_TRUE(isValidUtf8(windows1252ToUtf8(all)));
}

}  // namespace
}  // namespace hd::mime
