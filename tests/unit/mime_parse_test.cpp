#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "connectors/crypto/sha256.hpp"
#include "connectors/mime/parse.hpp"
#include "mime_spill_helpers.hpp"

namespace hd::mime {
namespace {

std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

ParseResult parseLf(std::string_view lf, const Limits& limits = {}) {
  return parse(crlf(lf), limits);
}

bool hasWarning(const ParseResult& r, WarningKind kind) {
  for (const Warning& w : r.warnings) {
    if (w.kind == kind) return true;
  }
  return false;
}

TEST(MimeParse, HeaderFields) {
  const ParseResult r = parseLf(
      "From: Jane <jane@example.com>\nSender: s@example.com\nTo: a@example.com, B <b@example.com>\n"
      "Cc: c@example.com\nReply-To: r@example.com\nSubject: Hi\n"
      "Message-ID: <id-1@example.com>\nIn-Reply-To: <p-2@example.com> (comment)\n"
      "References: <r-0@example.com>\n <r-1@example.com> <p-2@example.com>\n"
      "Date: Tue, 02 Jan 2024 10:00:00 +0100\n\nbody\n");
  ASSERT_TRUE(r.ok) << r.error;
  const Message& m = r.message;
  ASSERT_TRUE(m.from);
  EXPECT_EQ(m.from->name, "Jane");
  EXPECT_EQ(m.sender->address, "s@example.com");
  ASSERT_EQ(m.to.size(), 2u);
  EXPECT_EQ(m.to[1].name, "B");
  EXPECT_EQ(m.cc.at(0).address, "c@example.com");
  EXPECT_EQ(m.reply_to.at(0).address, "r@example.com");
  EXPECT_EQ(m.message_id, "id-1@example.com");
  EXPECT_EQ(m.in_reply_to, "p-2@example.com");
  EXPECT_EQ(m.references,
            (std::vector<std::string>{"r-0@example.com", "r-1@example.com", "p-2@example.com"}));
  ASSERT_TRUE(m.date);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(m.date->time_since_epoch()).count(),
            1704186000);
  EXPECT_EQ(m.text_body, "body\n");
}

TEST(MimeParse, Gmime3213WorkaroundInSubjectNamesAndFilenames) {
  const std::string words = "=?UTF-8?B?SGVsbG8gd29ybGQ=?= =?UTF-8?B?IGFnYWlu?=";
  const ParseResult r = parseLf("From: " + words + " <a@example.com>\nTo: \"" + words +
                                "\" <b@example.com>\nSubject: " + words +
                                "\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                                "Content-Type: text/plain\n\nx\n--b\n"
                                "Content-Type: application/pdf; name=\"" +
                                words + "\"\n\npdf\n--b--\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.message.subject, "Hello world again");
  EXPECT_EQ(r.message.from->name, "Hello world again");
  EXPECT_EQ(r.message.to.at(0).name, "Hello world again");
  ASSERT_EQ(r.message.attachments.size(), 1u);
  EXPECT_EQ(r.message.attachments[0].filename, "Hello world again");
}

TEST(MimeParse, DatesOutsideTheClockRangeAreIgnoredWithAWarning) {
  const ParseResult r = parseLf("From: a@b.example\nDate: Fri, 31 Dec 9999 23:59:59 +0000\n\nx\n");
  ASSERT_TRUE(r.ok);
  EXPECT_FALSE(r.message.date);
  EXPECT_TRUE(hasWarning(r, WarningKind::kUnparseableDateIgnored));
}

TEST(MimeParse, AutomationHeaders) {
  const ParseResult r = parseLf(
      "From: MAILER-DAEMON@x.example\nReturn-Path: <>\nAuto-Submitted: auto-replied\n"
      "Precedence: bulk\nX-Auto-Response-Suppress: All\nX-Autoreply: yes\nX-Autorespond: 1\n"
      "List-Id: <list.example>\nContent-Type: multipart/report; report-type=Delivery-Status;"
      " boundary=r\n\n--r\nContent-Type: text/plain\n\nfailed\n--r\n"
      "Content-Type: message/delivery-status\n\nAction: failed\n--r--\n");
  ASSERT_TRUE(r.ok);
  const AutomationHeaders& h = r.message.automation;
  ASSERT_TRUE(h.return_path);
  EXPECT_EQ(*h.return_path, "");
  EXPECT_EQ(h.auto_submitted, "auto-replied");
  EXPECT_EQ(h.precedence, "bulk");
  EXPECT_EQ(h.x_auto_response_suppress, "All");
  EXPECT_EQ(h.x_autoreply, "yes");
  EXPECT_EQ(h.x_autorespond, "1");
  EXPECT_EQ(h.list_id, "<list.example>");
  EXPECT_EQ(h.content_type, "multipart/report");
  EXPECT_EQ(h.report_type, "delivery-status");
  EXPECT_EQ(r.message.text_body, "failed");
  ASSERT_EQ(r.message.attachments.size(), 1u);
  EXPECT_EQ(r.message.attachments[0].content_type, "message/delivery-status");
  EXPECT_FALSE(parseLf("From: a@b.example\n\nx").message.automation.return_path);
}

TEST(MimeParse, AlternativePrefersPlainAndKeepsHtml) {
  const ParseResult r = parseLf(
      "From: a@b.example\nContent-Type: multipart/alternative; boundary=a\n\n--a\n"
      "Content-Type: text/html; charset=utf-8\n\n<p>html</p>\n--a\n"
      "Content-Type: text/plain; charset=utf-8\n\nplain\n--a--\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.message.text_body, "plain");
  EXPECT_EQ(r.message.html_body, "<p>html</p>");
  EXPECT_TRUE(r.message.attachments.empty());
}

TEST(MimeParse, HtmlOnlyBodyIsConvertedToText) {
  const ParseResult r =
      parseLf("From: a@b.example\nContent-Type: text/html\n\n<p>Hello<br>there</p>\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.message.text_body, "Hello\nthere");
  EXPECT_EQ(r.message.text_body_new, "Hello\nthere");
}

TEST(MimeParse, RelatedImagesAreInlineAttachmentsWithContentId) {
  const ParseResult r = parseLf(
      "From: a@b.example\nContent-Type: multipart/related; boundary=r\n\n--r\n"
      "Content-Type: text/html\n\n<img src=cid:i1>text\n--r\nContent-Type: image/PNG\n"
      "Content-ID: <i1@x>\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--r--\n");
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.message.attachments.size(), 1u);
  const Attachment& a = r.message.attachments[0];
  EXPECT_EQ(a.content_type, "image/png");
  EXPECT_EQ(a.content_id, "i1@x");
  EXPECT_TRUE(a.is_inline);
  EXPECT_EQ(a.content, "hello");
  EXPECT_EQ(a.sha256_hex, crypto::sha256Hex("hello"));
  EXPECT_EQ(r.message.text_body, "text");
}

TEST(MimeParse, ForwardedMessageIsOneAttachment) {
  const ParseResult r = parseLf(
      "From: a@b.example\nContent-Type: multipart/mixed; boundary=m\n\n--m\n"
      "Content-Type: text/plain\n\nsee below\n--m\nContent-Type: message/rfc822\n\n"
      "From: Orig <o@x.example>\nSubject: Broken printer\nMessage-ID: <o1@x>\n"
      "Content-Type: multipart/mixed; boundary=i\n\n--i\nContent-Type: text/plain\n\ninner\n"
      "--i\nContent-Type: image/png\n\npng\n--i--\n--m--\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.message.text_body, "see below");
  ASSERT_EQ(r.message.attachments.size(), 1u);
  const Attachment& a = r.message.attachments[0];
  EXPECT_EQ(a.content_type, "message/rfc822");
  EXPECT_EQ(a.filename, "Broken printer.eml");
  EXPECT_NE(a.content.memory().find("Subject: Broken printer"), std::string::npos);
  EXPECT_NE(a.content.memory().find("inner"), std::string::npos);
  ASSERT_TRUE(a.forwarded);
  EXPECT_EQ(a.forwarded->subject, "Broken printer");
  EXPECT_EQ(a.forwarded->from->address, "o@x.example");
  EXPECT_EQ(a.forwarded->message_id, "o1@x");
}

TEST(MimeParse, TextPartsWithFilenameOrAttachmentDispositionAreAttachments) {
  const ParseResult r = parseLf(
      "From: a@b.example\nContent-Type: multipart/mixed; boundary=m\n\n--m\n"
      "Content-Type: text/plain\n\nbody\n--m\nContent-Type: text/plain; name=log.txt\n\nlog\n"
      "--m\nContent-Type: text/html\nContent-Disposition: attachment\n\n<p>x</p>\n--m\n"
      "Content-Type: application/ms-tnef; name=winmail.dat\nContent-Transfer-Encoding: base64\n\n"
      "eJ8+Ig==\n--m--\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.message.text_body, "body");
  EXPECT_TRUE(r.message.html_body.empty());
  ASSERT_EQ(r.message.attachments.size(), 3u);
  EXPECT_EQ(r.message.attachments[0].filename, "log.txt");
  EXPECT_EQ(r.message.attachments[1].content_type, "text/html");
  EXPECT_EQ(r.message.attachments[2].filename, "winmail.dat");
  EXPECT_EQ(r.message.attachments[2].content, "\x78\x9f\x3e\x22");
}

TEST(MimeParse, BrokenStructureStillParses) {
  // Bare LF line endings and a missing closing boundary.
  const ParseResult r = parse(
      "From: a@b.example\nContent-Type: multipart/mixed; boundary=m\n\n--m\n"
      "Content-Type: text/plain\n\nfirst\n--m\nContent-Type: application/pdf; name=a.pdf\n\npdf\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.message.text_body, "first");
  ASSERT_EQ(r.message.attachments.size(), 1u);
  EXPECT_EQ(r.message.attachments[0].filename, "a.pdf");
  EXPECT_TRUE(hasWarning(r, WarningKind::kTruncatedMessage));
}

TEST(MimeParse, EightBitWithoutCharset) {
  ParseResult r = parseLf("From: a@b.example\n\nZ\xC3\xBCrich\n");
  EXPECT_EQ(r.message.text_body, "Z\xC3\xBCrich\n");
  EXPECT_FALSE(hasWarning(r, WarningKind::kUndeclared8Bit));
  r = parseLf("From: a@b.example\n\nZ\xFCrich\n");
  EXPECT_EQ(r.message.text_body, "Z\xC3\xBCrich\n");
  EXPECT_TRUE(hasWarning(r, WarningKind::kUndeclared8Bit));
}

TEST(MimeParse, QuotedHistoryIsStrippedIntoTextBodyNew) {
  const ParseResult r =
      parseLf("From: a@b.example\n\nFixed, thanks.\n\n-----Original Message-----\nold\n");
  EXPECT_EQ(r.message.text_body_new, "Fixed, thanks.");
  EXPECT_NE(r.message.text_body.find("old"), std::string::npos);
}

TEST(MimeParse, FailsOnlyWhenNothingIsUsableOrALimitIsExceeded) {
  EXPECT_FALSE(parse("").ok);
  EXPECT_FALSE(parse(" \r\n\r\n").ok);
  const ParseResult no_headers = parse("just some words\n");
  EXPECT_FALSE(no_headers.ok);
  EXPECT_FALSE(no_headers.error.empty());

  Limits small;
  small.max_message_bytes = 100;
  EXPECT_FALSE(parse(std::string(200, 'a')).ok);
  EXPECT_FALSE(parse("From: a@b.example\n\n" + std::string(200, 'x'), small).ok);

  Limits headers;
  headers.max_header_bytes = 64;
  EXPECT_FALSE(parse("From: a@b.example\nX-Long: " + std::string(100, 'x') + "\n\nb", headers).ok);

  std::string many = "From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 50; ++i) many += "--b\nContent-Type: text/plain\n\nx\n";
  many += "--b--\n";
  Limits parts;
  parts.max_parts = 20;
  const ParseResult too_many = parse(many, parts);
  EXPECT_FALSE(too_many.ok);
  EXPECT_NE(too_many.error.find("parts"), std::string::npos);
  EXPECT_TRUE(parse(many).ok);

  std::string deep = "From: a@b.example\n";
  for (int i = 0; i < 10; ++i) {
    deep += "Content-Type: multipart/mixed; boundary=d" + std::to_string(i) + "\n\n--d" +
            std::to_string(i) + "\n";
  }
  deep += "Content-Type: text/plain\n\nx\n";
  Limits depth;
  depth.max_depth = 5;
  const ParseResult too_deep = parse(deep, depth);
  EXPECT_FALSE(too_deep.ok);
  EXPECT_NE(too_deep.error.find("nesting"), std::string::npos);
  EXPECT_TRUE(parse(deep).ok);
}

// RFC 2045 section 5.2: a Content-Type GMime cannot read ("text" without a subtype) is
// text/plain; it used to become a nameless application/octet-stream attachment.
TEST(MimeParse, TextWithoutSubtypeIsPlainText) {
  for (const char* type :
       {"text", "TEXT", "text/", "text; charset=iso-8859-1", " Text ; format=x"}) {
    const ParseResult r =
        parseLf("From: a@b.example\nContent-Type: " + std::string(type) + "\n\nhello caf\xe9\n");
    ASSERT_TRUE(r.ok) << type << ": " << r.error;
    EXPECT_TRUE(r.message.attachments.empty()) << type;
    EXPECT_EQ(r.message.text_body.substr(0, 9), "hello caf") << type;
  }
  const ParseResult latin1 =
      parseLf("From: a@b.example\nContent-Type: text; charset=iso-8859-1\n\ncaf\xe9\n");
  EXPECT_EQ(latin1.message.text_body.rfind("caf\xc3\xa9", 0), 0u);
  const ParseResult in_multipart = parseLf(
      "From: a@b.example\nContent-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text\n\n"
      "part text\n--m--\n");
  ASSERT_TRUE(in_multipart.ok) << in_multipart.error;
  EXPECT_EQ(in_multipart.message.text_body.rfind("part text", 0), 0u);
  EXPECT_TRUE(in_multipart.message.attachments.empty());
  // Other unreadable types stay attachments.
  const ParseResult image = parseLf("From: a@b.example\nContent-Type: image\n\nxx\n");
  ASSERT_TRUE(image.ok);
  EXPECT_EQ(image.message.attachments.size(), 1u);
}

TEST(MimeParse, ContentTypeAloneIsAHeader) {
  const ParseResult r = parseLf("Content-Type: text/plain\n\nonly a body\n");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.message.text_body.rfind("only a body", 0), 0u);
  const ParseResult text = parseLf("Content-Type: text\n\nbare\n");
  ASSERT_TRUE(text.ok) << text.error;
  EXPECT_EQ(text.message.text_body.rfind("bare", 0), 0u);
}

// "invoice<U+202E>gpj.exe" reads as "invoiceexe.jpg": every bidi control leaves the file name,
// however the name was encoded.
TEST(MimeParse, BidiControlsAreRemovedFromAttachmentNames) {
  const std::string head =
      "From: a@b.example\nContent-Type: multipart/mixed; boundary=m\n\n--m\n"
      "Content-Type: text/plain\n\nsee attached\n--m\nContent-Type: application/octet-stream\n"
      "Content-Disposition: attachment; ";
  for (const std::string& disposition :
       {std::string("filename=\"invoice\xE2\x80\xAEgpj.exe\""),
        std::string("filename*=utf-8''invoice%E2%80%AEgpj.exe"),
        std::string("filename=\"=?utf-8?B?aW52b2ljZeKArmdwai5leGU=?=\""),
        std::string(
            "filename*=utf-8''%E2%80%AA%E2%80%AB%E2%80%AC%E2%80%AD%E2%81%A6%E2%81%A7%E2%81%A8"
            "%E2%81%A9%E2%80%8E%E2%80%8F%D8%9Cinvoicegpj.exe")}) {
    const ParseResult r = parseLf(head + disposition + "\n\nMZ\n--m--\n");
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.message.attachments.size(), 1u) << disposition;
    EXPECT_EQ(r.message.attachments[0].filename, "invoicegpj.exe") << disposition;
  }
  // Other non-ASCII names are kept.
  const ParseResult r = parseLf(head + "filename*=utf-8''caf%C3%A9.pdf\n\nx\n--m--\n");
  ASSERT_EQ(r.message.attachments.size(), 1u);
  EXPECT_EQ(r.message.attachments[0].filename, "caf\xC3\xA9.pdf");
}

TEST(MimeParse, WarningsAreCapped) {
  std::string raw = "From: a@b.example\n";
  for (int i = 0; i < 50; ++i) raw += "Subject: dup\n";
  raw += "\nx\n";
  Limits limits;
  limits.max_warnings = 3;
  const ParseResult r = parse(raw, limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.warnings.size(), 4u);
  EXPECT_EQ(r.warnings.back().kind, WarningKind::kWarningsOmitted);
}

// Issue 11: bodies become strings, so a hostile 150 MB text/plain part would be 150 MB in memory
// (and copies). Each body keeps at most max_body_bytes of decoded text, cut after a whole line,
// with a warning; the raw message keeps all of it. The same from a spill file.
TEST(MimeParse, BodiesAreCutAtTheLimitWithAWarning) {
  std::string lines;
  for (int i = 0; i < 200; ++i)
    lines += "line " + std::to_string(100 + i) + " of the body.........\n";
  const std::size_t line_bytes = 30;  // 31 on the wire, with its CR
  ASSERT_EQ(lines.size(), 200 * line_bytes);
  const std::string raw = crlf(
      "From: a@b.example\nContent-Type: multipart/mixed; boundary=m\n\n--m\n"
      "Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\n" +
      lines + "--a\nContent-Type: text/html\n\n<p>" + lines +
      "</p>\n--a--\n--m\n"
      "Content-Type: text/plain\nContent-Disposition: inline\n\nfooter\n--m--\n");
  Limits limits;
  limits.max_body_bytes = 1000;
  for (const ParseResult& r :
       {parse(raw, limits), parseBytes(test::spilled(raw), test::spillingEverything(limits))}) {
    ASSERT_TRUE(r.ok) << r.error;
    const std::size_t kept = 1000 / (line_bytes + 1) * line_bytes;
    EXPECT_EQ(r.message.text_body, lines.substr(0, kept));
    EXPECT_LE(r.message.html_body.size(), 1000u);
    EXPECT_EQ(r.message.html_body.rfind("<p>line 100", 0), 0u);
    std::vector<std::string> cut;
    for (const Warning& w : r.warnings) {
      if (w.kind == WarningKind::kBodyTruncated) cut.push_back(render(w));
    }
    EXPECT_EQ(cut, (std::vector<std::string>{
                       "text/plain body: cut after 1000 bytes; the raw message keeps all of it",
                       "text/html body: cut after 1000 bytes; the raw message keeps all of it",
                       "text/plain body: cut after 1000 bytes; the raw message keeps all of it"}));
  }
  // The budget is for all the text parts together: a footer after a body that used it all is
  // left out. (The CRLF before a boundary line belongs to the boundary, not to the text.)
  const std::string text = lines.substr(0, lines.size() - 1);
  limits.max_body_bytes = 200 * (line_bytes + 1) - 2;
  const ParseResult whole = parse(raw, limits);
  EXPECT_EQ(whole.message.text_body, text);
  EXPECT_EQ(std::count_if(whole.warnings.begin(), whole.warnings.end(),
                          [](const Warning& w) {
                            return w.kind == WarningKind::kBodyTruncated &&
                                   w.where == "text/plain body";
                          }),
            1);
  const ParseResult untouched = parse(raw);
  EXPECT_EQ(untouched.message.text_body, text + "\n\nfooter");
  EXPECT_FALSE(hasWarning(untouched, WarningKind::kBodyTruncated));
}

TEST(MimeParse, TheHeaderBoundEndsAtTheFirstEmptyLineInEitherSpelling) {
  // 48 bytes of header fields (the bound is 64), then an empty line in one spelling; the other
  // spelling, or a long line, appears only later in the body.
  const std::string fields = "From: a@b.example\nX-Filler: " + std::string(19, 'x') + "\n";
  ASSERT_EQ(fields.size(), 48u);
  const std::string long_line = std::string(100, 'y') + "\n";
  const std::vector<std::string> fits = {
      crlf(fields) + "\r\nbody\r\n" + long_line + "\n\n",
      fields + "\nbody\n" + long_line + "\r\n\r\n",
      fields + "\r\nbody\n" + long_line + "\n\n",
  };
  const std::vector<std::string> too_big = {
      fields + "X-Long: " + long_line + "\r\n", crlf(fields) + "X-Long: " + long_line + "\n\n",
      fields + long_line,  // no empty line at all: all of it is header
  };
  Limits limits;
  limits.max_header_bytes = 64;
  for (const std::string& raw : fits) {
    EXPECT_TRUE(parse(raw, limits).ok) << testing::PrintToString(raw);
    EXPECT_TRUE(parseBytes(test::spilled(raw), test::spillingEverything(limits)).ok);
  }
  for (const std::string& raw : too_big) {
    EXPECT_NE(parse(raw, limits).error.find("header block larger"), std::string::npos)
        << testing::PrintToString(raw);
    EXPECT_NE(parseBytes(test::spilled(raw), test::spillingEverything(limits))
                  .error.find("header block larger"),
              std::string::npos);
  }
}

TEST(MimeParse, GarbageNeverThrows) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919) % 256));
  EXPECT_NO_THROW(parse(garbage));
  EXPECT_NO_THROW(parse("From: a@b.example\nContent-Type: multipart/mixed; boundary=\"\"\n\n--\n"));
  EXPECT_NO_THROW(parse("Subject: =?utf-8?B?====?= =?x?Q?=ZZ?=\n\n"));
}

}  // namespace
}  // namespace hd::mime
