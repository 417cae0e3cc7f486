#include <gtest/gtest.h>

#include "connectors/mime/html_to_text.hpp"

namespace hd::mime {
namespace {

TEST(MimeHtmlToText, ParagraphsAndLineBreaks) {
  EXPECT_EQ(htmlToText("<p>One</p><p>Two<br>Three</p>"), "One\n\nTwo\nThree");
  EXPECT_EQ(htmlToText("<div>a</div><div>b</div>"), "a\nb");
}

TEST(MimeHtmlToText, OutlookMsoNormalParagraphsAreLines) {
  EXPECT_EQ(htmlToText("<p class=MsoNormal>Hi,<o:p></o:p></p><p class=MsoNormal>&nbsp;</p>"
                       "<p class=MsoNormal>Regards</p>"),
            "Hi,\n\nRegards");
}

TEST(MimeHtmlToText, WhitespaceCollapsesLikeABrowser) {
  EXPECT_EQ(htmlToText("<p>  a \n\t b   <b>c</b>d </p>"), "a b cd");
  EXPECT_EQ(htmlToText("<pre>x\n  y</pre>"), "x\n  y");
}

TEST(MimeHtmlToText, ListsLinksAndEntities) {
  EXPECT_EQ(htmlToText("<ul><li>one</li><li>two<ol><li>inner</li></ol></li></ul>"),
            "- one\n- two\n  - inner");
  EXPECT_EQ(htmlToText("<a href=\"https://x.example/p\">the page</a>"),
            "the page <https://x.example/p>");
  EXPECT_EQ(htmlToText("<a href=\"https://x.example/\">https://x.example/</a>"),
            "https://x.example/");
  EXPECT_EQ(htmlToText("<a href=\"mailto:a@x.example\">a@x.example</a>"), "a@x.example");
  EXPECT_EQ(htmlToText("<p>&lt;b&gt; &amp; &eacute; &#8364;</p>"), "<b> & \xC3\xA9 \xE2\x82\xAC");
}

TEST(MimeHtmlToText, NoHeadScriptOrStyleContent) {
  EXPECT_EQ(htmlToText("<html><head><title>T</title><style>p{}</style></head>"
                       "<body><script>var x;</script><p>Body</p></body></html>"),
            "Body");
}

TEST(MimeHtmlToText, TablesRowPerLineAndQuotes) {
  EXPECT_EQ(htmlToText("<table><tr><td>a</td><td></td><td>b</td></tr><tr><td>c</td></tr></table>"),
            "a | b\nc");
  EXPECT_EQ(htmlToText("<p>new</p><blockquote><p>old</p></blockquote>"), "new\n\n> old");
}

TEST(MimeHtmlToText, BrokenHtmlStillYieldsText) {
  EXPECT_EQ(htmlToText("<div><p>unclosed <b>bold"), "unclosed bold");
  EXPECT_EQ(htmlToText(""), "");
  EXPECT_EQ(htmlToText("plain words"), "plain words");
}

}  // namespace
}  // namespace hd::mime
