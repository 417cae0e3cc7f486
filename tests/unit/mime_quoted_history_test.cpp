#include <gtest/gtest.h>

#include "connectors/mime/quoted_history.hpp"

namespace hd::mime {
namespace {

TEST(MimeQuotedHistory, OutlookHeaderBlock) {
  EXPECT_EQ(
      stripQuotedHistory("Thanks!\r\n\r\n________________________________\r\n"
                         "From: Help <h@x>\r\nSent: Monday\r\nTo: me\r\nSubject: s\r\n\r\nold"),
      "Thanks!");
  EXPECT_EQ(stripQuotedHistory("Danke\nVon: Help <h@x>\nGesendet: Montag\nAn: ich\n\nalt"),
            "Danke");
}

TEST(MimeQuotedHistory, OriginalMessageRule) {
  EXPECT_EQ(stripQuotedHistory("New\n\n-----Original Message-----\nFrom: a\nold"), "New");
}

TEST(MimeQuotedHistory, GmailWroteLineEvenWhenWrapped) {
  EXPECT_EQ(stripQuotedHistory("Yes\n\nOn Mon, Jan 1, 2024 at 9:00 AM Help <h@x> wrote:\n> old"),
            "Yes");
  EXPECT_EQ(stripQuotedHistory("Yes\n\nOn Mon, Jan 1, 2024 at 9:00 AM Help <\nh@x> wrote:\n> old"),
            "Yes");
}

TEST(MimeQuotedHistory, QuotedLinesGoInlineAnswersStay) {
  EXPECT_EQ(stripQuotedHistory("> question 1\nanswer 1\n> question 2\nanswer 2\n"),
            "answer 1\nanswer 2");
}

TEST(MimeQuotedHistory, TextWithoutHistoryIsUnchanged) {
  EXPECT_EQ(stripQuotedHistory("From my side all is fine.\nOn Monday we ship."),
            "From my side all is fine.\nOn Monday we ship.");
}

TEST(MimeQuotedHistory, HtmlOutlookAndGmailMarkers) {
  EXPECT_EQ(stripQuotedHistoryHtml("<div>New text</div><hr><div id=\"divRplyFwdMsg\"><b>From:</b> "
                                   "x</div><div>old text</div>"),
            "New text");
  EXPECT_EQ(stripQuotedHistoryHtml("<div>Sure</div><div class=\"gmail_quote\">On Mon X wrote:"
                                   "<blockquote>old</blockquote></div>"),
            "Sure");
  // Outlook desktop has no marker element: the text rules catch its header block.
  EXPECT_EQ(stripQuotedHistoryHtml("<p class=MsoNormal>Ok</p><div style='border-top:solid'>"
                                   "<p class=MsoNormal><b>From:</b> a<br><b>Sent:</b> b</p></div>"
                                   "<p>old</p>"),
            "Ok");
}

}  // namespace
}  // namespace hd::mime
