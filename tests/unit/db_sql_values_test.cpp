#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "db/sql_values.hpp"

namespace hd::db {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(DbValidUtf8, KeepsWellFormedText) {
  const std::string text = "plain ASCII, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80";
  EXPECT_EQ(validUtf8(text), text);
  EXPECT_EQ(validUtf8(""), "");
}

TEST(DbValidUtf8, DropsNulBytes) {
  EXPECT_EQ(validUtf8(std::string("a\0b\0", 4)), "ab");
}

TEST(DbValidUtf8, ReplacesStrayAndLatin1Bytes) {
  EXPECT_EQ(validUtf8("caf\xE9!"), "caf" + kFffd + "!");
  EXPECT_EQ(validUtf8("\x80\xBF"), kFffd + kFffd);  // lone continuation bytes
  EXPECT_EQ(validUtf8("\xFF"), kFffd);
}

TEST(DbValidUtf8, TruncatedSequenceIsOneReplacement) {
  // Unicode 3.9 "maximal subpart": E2 82 is the start of a valid sequence cut short.
  EXPECT_EQ(validUtf8("\xE2\x82"
                      "A"),
            kFffd + "A");
  EXPECT_EQ(validUtf8("x\xF0\x9F\x98"), "x" + kFffd);
}

TEST(DbValidUtf8, RejectsOverlongSurrogatesAndOutOfRange) {
  EXPECT_EQ(validUtf8("\xC0\xAF"), kFffd + kFffd);                          // overlong '/'
  EXPECT_EQ(validUtf8("\xE0\x80\xAF"), kFffd + kFffd + kFffd);              // overlong, 3 bytes
  EXPECT_EQ(validUtf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);              // U+D800 surrogate
  EXPECT_EQ(validUtf8("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // above U+10FFFF
  EXPECT_EQ(validUtf8("\xF4\x8F\xBF\xBF"), "\xF4\x8F\xBF\xBF");  // U+10FFFF itself is fine
}

TEST(DbTextArrayLiteral, QuotesAndEscapesEveryElement) {
  EXPECT_EQ(textArrayLiteral({}), "{}");
  EXPECT_EQ(textArrayLiteral({"a@b", ""}), R"({"a@b",""})");
  EXPECT_EQ(textArrayLiteral({R"(q"uo\te)", "NULL", "{x,y}"}), R"({"q\"uo\\te","NULL","{x,y}"})");
}

TEST(DbTextArrayLiteral, SanitisesElements) {
  EXPECT_EQ(textArrayLiteral({std::string("a\0\xFF", 3)}), "{\"a" + kFffd + "\"}");
}

TEST(DbAddressesJson, ArrayOfNameAndAddress) {
  const auto json = nlohmann::json::parse(
      addressesJson({{"Jane \"JD\" Doe", "jane@example.com"}, {"", "bob@example.com"}}));
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["name"], "Jane \"JD\" Doe");
  EXPECT_EQ(json[0]["address"], "jane@example.com");
  EXPECT_EQ(json[1]["name"], "");
  EXPECT_EQ(addressesJson({}), "[]");
}

TEST(DbAddressesJson, InvalidUtf8AndNulDoNotBreakTheJson) {
  // nlohmann would throw on invalid UTF-8, and PostgreSQL's jsonb refuses \u0000.
  const std::string json = addressesJson({{std::string("J\xE9r\0me", 6), "j@example.com"}});
  EXPECT_EQ(json.find("\\u0000"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(json)[0]["name"], "J" + kFffd + "rme");
}

// The stored form is unchanged by typed warnings: an array of their rendered texts.
TEST(DbWarningsJson, ArrayOfRenderedStrings) {
  using mime::WarningKind;
  EXPECT_EQ(warningsJson({}), "[]");
  EXPECT_EQ(
      warningsJson({{.kind = WarningKind::kMissingBoundary, .detail = "mixed", .offset = 42},
                    {.kind = WarningKind::kUnknownCharset,
                     .where = "text/plain body",
                     .detail = "x-\"made\"-up"}}),
      R"js(["malformed multipart (missing boundary): mixed (at byte 42)",)js"
      R"js("text/plain body: unknown charset \"x-\"made\"-up\", decoded as windows-1252"])js");
}

// GMime quotes raw header bytes in a warning's detail: they must not break the jsonb value.
TEST(DbWarningsJson, RawBytesInADetailBecomeValidUtf8) {
  const std::string json = warningsJson(
      {{.kind = mime::WarningKind::kUnencoded8BitHeader, .detail = std::string("Z\xFC\0rich", 7)}});
  EXPECT_EQ(json.find("\\u0000"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(json)[0], "unencoded 8-bit header: Z" + kFffd + "rich");
}

TEST(DbEpochSeconds, AbsentIsEmpty) {
  using std::chrono::seconds;
  using std::chrono::system_clock;
  EXPECT_EQ(epochSecondsOrEmpty(std::nullopt), "");
  EXPECT_EQ(epochSecondsOrEmpty(system_clock::time_point(seconds(1700000000))), "1700000000");
  EXPECT_EQ(epochSecondsOrEmpty(system_clock::time_point(seconds(-86400))), "-86400");
}

}  // namespace
}  // namespace hd::db
