#include <gtest/gtest.h>

#include "connectors/mime/address.hpp"
#include "connectors/mime/rfc2047.hpp"

namespace hd::mime {
namespace {

std::string decode(std::string_view raw) {
  std::vector<Warning> warnings;
  return decodeHeaderText(raw, warnings, "test");
}

// GMime 3.2.13 returns "Hello world" here (padded word swallows the next one).
TEST(MimeRfc2047, PaddedBase64WordsAreDecodedOneByOne) {
  EXPECT_EQ(decode("=?UTF-8?B?SGVsbG8gd29ybGQ=?= =?UTF-8?B?IGFnYWlu?="), "Hello world again");
}

TEST(MimeRfc2047, AdjacentWordsJoinWithoutTheWhitespaceBetween) {
  EXPECT_EQ(decode("=?utf-8?Q?a?=  \r\n\t=?utf-8?Q?b?="), "ab");
  EXPECT_EQ(decode("=?utf-8?Q?a?= plain =?utf-8?Q?b?="), "a plain b");
}

TEST(MimeRfc2047, MultibyteCharacterSplitAcrossWords) {
  // "é" is C3 A9: the first word ends inside it.
  EXPECT_EQ(decode("=?utf-8?Q?Caf=C3?= =?UTF-8?Q?=A9?="), "Caf\xC3\xA9");
  EXPECT_EQ(decode("=?utf-8?B?5pel?= =?utf-8?B?5pys?="), "\xE6\x97\xA5\xE6\x9C\xAC");
}

TEST(MimeRfc2047, QEncodingUnderscoresAndLanguageSuffix) {
  EXPECT_EQ(decode("=?iso-8859-1*fr?Q?caf=E9_cr=E8me?="), "caf\xC3\xA9 cr\xC3\xA8me");
}

TEST(MimeRfc2047, CharsetsIconvKnows) {
  EXPECT_EQ(decode("=?ISO-2022-JP?B?GyRCJEokaiQmGyhC?="), "\xE3\x81\xAA\xE3\x82\x8A\xE3\x81\x86");
  EXPECT_EQ(decode("=?koi8-r?B?8MnN1dI=?="), "\xD0\x9F\xD0\xB8\xD0\xBC\xD1\x83\xD1\x80");
  EXPECT_EQ(decode("=?gb2312?B?1tDOxA==?="), "\xE4\xB8\xAD\xE6\x96\x87");
}

TEST(MimeRfc2047, MalformedWordsStayAsWritten) {
  EXPECT_EQ(decode("=?utf-8?X?abc?= and =?broken"), "=?utf-8?X?abc?= and =?broken");
  EXPECT_EQ(decode("Re:=?utf-8?Q?x?="), "Re:x");
}

TEST(MimeRfc2047, UnencodedEightBitIsUtf8OrWindows1252) {
  std::vector<Warning> warnings;
  EXPECT_EQ(decodeHeaderText("Gr\xC3\xBC\xC3\x9F"
                             "e",
                             warnings, "Subject"),
            "Gr\xC3\xBC\xC3\x9F"
            "e");
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(decodeHeaderText("M\xFCller \x80", warnings, "Subject"), "M\xC3\xBCller \xE2\x82\xAC");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], (Warning{.kind = WarningKind::kUndeclared8Bit, .where = "Subject"}));
}

TEST(MimeRfc2047, AddressDisplayNamesUseTheWorkaroundToo) {
  std::vector<Warning> warnings;
  const auto list = parseAddressList(
      "=?UTF-8?B?SGVsbG8gd29ybGQ=?= =?UTF-8?B?IGFnYWlu?= <a@example.com>, "
      "\"=?UTF-8?B?SGVsbG8gd29ybGQ=?= =?UTF-8?B?IGFnYWlu?=\" <b@example.com>",
      warnings, "To");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "Hello world again");
  EXPECT_EQ(list[0].address, "a@example.com");
  EXPECT_EQ(list[1].name, "Hello world again");
}

TEST(MimeRfc2047, DecodedNamesWithQuotesAndCommasStayOneAddress) {
  std::vector<Warning> warnings;
  // "Doe, \"J\"" encoded: the comma and quotes must not split or break the list.
  const auto list =
      parseAddressList("=?utf-8?B?RG9lLCAiSiI=?= <j@example.com>, x@example.com", warnings, "To");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "Doe, \"J\"");
  EXPECT_EQ(list[1].address, "x@example.com");
}

TEST(MimeAddress, GroupsCommentsAndMissingBrackets) {
  std::vector<Warning> warnings;
  auto list =
      parseAddressList("Team: a@example.org, \"B\" <b@example.org>;, nobody:;", warnings, "To");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].name, "B");
  list = parseAddressList("jane@example.com (Jane Doe)", warnings, "From");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "Jane Doe");
  EXPECT_TRUE(warnings.empty());
  list = parseAddressList("Jane Doe jane@example.com", warnings, "From");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "Jane Doe");
  EXPECT_EQ(list[0].address, "jane@example.com");
  EXPECT_FALSE(warnings.empty());
}

}  // namespace
}  // namespace hd::mime
