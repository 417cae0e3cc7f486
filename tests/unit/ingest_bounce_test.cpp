// Bounces: recognised by shape, attached to the ticket of the mail they return, else recorded.

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "connectors/mime/parse.hpp"
#include "service/ingest/bounce.hpp"
#include "service/ingest/decide.hpp"
#include "tests/support/test_env.hpp"
#include "tests/unit/ingest_fake_lookup.hpp"

namespace hd::ingest {
namespace {

using testing::FakeLookup;
using Kind = Outcome::Kind;

mime::Message report() {
  mime::Message m;
  m.from = mime::Address{"Mail Delivery System", "MAILER-DAEMON@mx.example.net"};
  m.subject = "Undelivered Mail Returned to Sender";
  m.message_id = "bounce-1@mx.example.net";
  m.automation.content_type = "multipart/report";
  m.automation.report_type = "delivery-status";
  return m;
}

mime::Attachment part(const std::string& type, const std::string& content) {
  mime::Attachment a;
  a.content_type = type;
  a.content = content;
  return a;
}

TEST(BounceReason, Table) {
  using Edit = std::function<void(mime::Message&)>;
  struct Case {
    const char* name;
    Edit edit;
    const char* reason;  // nullptr: not a bounce
  } cases[] = {
      {"delivery-status report", [](mime::Message&) {}, "delivery status report"},
      {"MAILER-DAEMON without report",
       [](mime::Message& m) { m.automation.content_type = "text/plain"; },
       "sent by mailer-daemon@"},
      {"Exchange NDR from postmaster",
       [](mime::Message& m) {
         m.automation = {};
         m.from->address = "postmaster@contoso.onmicrosoft.com";
         m.subject = "Undeliverable: Your invoice";
       },
       "delivery failure notice from postmaster@contoso.onmicrosoft.com"},
      {"German Outlook NDR",
       [](mime::Message& m) {
         m.automation = {};
         m.from->address = "postmaster@example.de";
         m.subject = "Unzustellbar: Rechnung";
       },
       "postmaster@example.de"},
      {"qmail failure notice with null Return-Path",
       [](mime::Message& m) {
         m.automation = {};
         m.automation.return_path = "";
         m.from->address = "mailer@mx.example.org";
         m.subject = "failure notice";
       },
       "null Return-Path"},
      {"postmaster chatting",
       [](mime::Message& m) {
         m.automation = {};
         m.from->address = "postmaster@example.com";
         m.subject = "Please whitelist us";
       },
       nullptr},
      {"read receipt",
       [](mime::Message& m) {
         m.from->address = "jane@example.com";
         m.automation.report_type = "disposition-notification";
       },
       nullptr},
      {"customer mentioning a bounce",
       [](mime::Message& m) {
         m.automation = {};
         m.from->address = "jane@example.com";
         m.subject = "Your mail was undeliverable?";
       },
       nullptr},
  };
  for (const auto& c : cases) {
    mime::Message m = report();
    c.edit(m);
    const auto reason = bounceReason(m);
    if (c.reason == nullptr) {
      EXPECT_FALSE(reason) << c.name << ": " << *reason;
    } else {
      ASSERT_TRUE(reason) << c.name;
      EXPECT_NE(reason->find(c.reason), std::string::npos) << c.name << ": " << *reason;
    }
  }
}

TEST(BouncedMessageIds, ReturnedMailComesFirstThenInReplyToThenReferencesNewestFirst) {
  mime::Message m = report();
  m.attachments.push_back(part("message/delivery-status", "Reporting-MTA: dns; mx\n"));
  m.attachments.push_back(part("message/rfc822",
                               "From: support@helpdesk.example\n"
                               "References: <root@example.com>\n <middle@example.com>\n"
                               "\t<parent@example.com>\n"
                               "Message-ID: <our-reply@helpdesk.example>\n"
                               "In-Reply-To: <parent@example.com>\n"
                               "Subject: Re: [HD-7] Printer\n"
                               "\n"
                               "Message-ID: <in-the-body@example.com>\n"));
  EXPECT_EQ(bouncedMessageIds(m),
            (std::vector<std::string>{"our-reply@helpdesk.example", "parent@example.com",
                                      "middle@example.com", "root@example.com"}));
}

TEST(BouncedMessageIds, HeadersOnlyPartsAndTheForwardedSummaryCount) {
  mime::Message m = report();
  m.attachments.push_back(part("text/rfc822-headers", "message-id:   <headers-only@x>  \n\n"));
  m.attachments.push_back(part("message/global-headers", "Message-Id: bare-id@x\n"));
  mime::Attachment returned = part("message/rfc822", "");
  returned.forwarded = mime::ForwardedMessage{};
  returned.forwarded->message_id = "from-summary@x";
  m.attachments.push_back(returned);
  m.attachments.push_back(part("application/pdf", "Message-ID: <not-a-header-part@x>\n"));
  EXPECT_EQ(bouncedMessageIds(m),
            (std::vector<std::string>{"headers-only@x", "bare-id@x", "from-summary@x"}));
}

TEST(BouncedMessageIds, QmailAndEximPasteTheReturnedMailIntoTheBody) {
  mime::Message m = report();
  m.text_body =
      "Hi. This is the qmail-send program at mx.example.org.\n"
      "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
      "--- Below this line is a copy of the message.\n\n"
      "Return-Path: <support@helpdesk.example>\n"
      "   Message-ID: <pasted@helpdesk.example>\n"
      "> References: <quoted-root@example.com>\n"
      ">    <quoted-parent@example.com>\n"
      "Subject: Re: hello\n"
      "Message-ID: <bounce-1@mx.example.net>\n";
  EXPECT_EQ(bouncedMessageIds(m),
            (std::vector<std::string>{"pasted@helpdesk.example", "quoted-parent@example.com",
                                      "quoted-root@example.com"}));
}

TEST(BouncedMessageIds, AreCappedAndDeduplicated) {
  mime::Message m = report();
  std::string references = "References:";
  for (int i = 0; i < 500; ++i) references += " <r" + std::to_string(i % 200) + "@x>";
  m.attachments.push_back(part("text/rfc822-headers", references + "\n"));
  const auto ids = bouncedMessageIds(m);
  EXPECT_EQ(ids.size(), kMaxBouncedMessageIds);
  EXPECT_EQ(ids.front(), "r99@x");  // the newest of 500 references: 499 % 200
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

TEST(DecideBounce, Table) {
  struct Case {
    const char* name;
    std::string returned_headers;  // "" = no returned mail at all
    Kind kind;
    const char* reason;
  } cases[] = {
      {"returns a stored message", "Message-ID: <first@example.com>\n", Kind::kFollowUp,
       "returns message 70"},
      {"returns our reply on a ticket",
       "Message-ID: <our-reply@helpdesk.example>\nReferences: <first@example.com>\n",
       Kind::kFollowUp, "returns message 70"},
      {"returns unknown mail", "Message-ID: <unknown@example.com>\n", Kind::kRecorded,
       "returns no stored message"},
      {"returns nothing", "", Kind::kRecorded, "no returned Message-ID found"},
  };
  for (const auto& c : cases) {
    FakeLookup lookup;
    lookup.by_message_id["first@example.com"] = {7, 70};
    lookup.addTicket(7, "mailer-daemon@mx.example.net");  // a token must not thread a bounce
    mime::Message m = report();
    m.subject = "Undelivered Mail: [HD-7]";
    if (!c.returned_headers.empty()) {
      m.attachments.push_back(part("text/rfc822-headers", c.returned_headers));
    }
    const Outcome outcome = decide(m, lookup);
    EXPECT_EQ(outcome.kind, c.kind) << c.name << ": " << outcome.reason;
    EXPECT_EQ(outcome.classification, Classification::kBounce) << c.name;
    if (c.kind == Kind::kFollowUp) {
      EXPECT_EQ(outcome.ticket_id, 7) << c.name;
    }
    EXPECT_NE(outcome.reason.find(c.reason), std::string::npos) << c.name << ": " << outcome.reason;
    EXPECT_TRUE(lookup.asked_references.empty()) << c.name;
    EXPECT_TRUE(lookup.asked_counts.empty()) << c.name;
  }
}

// A real Postfix bounce of a helpdesk's own reply (MimeKit corpus): the returned message/rfc822
// carries the reply's Message-ID and a References naming the ticket's first mail.
TEST(DecideBounce, APostfixBounceOfAHelpdeskReplyThreadsThroughItsReferences) {
  const auto parsed = mime::parse(hd::test::readTestFile("corpus/mimekit/bounce.txt"));
  ASSERT_TRUE(parsed.ok);
  const auto ids = bouncedMessageIds(parsed.message);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0],
            "44565655.JitbitHelpdesk.13439.691a0afc-a0a0-457c-8208-f20b7c4a4cb1@jitbit.com");
  EXPECT_EQ(ids[1], "44565655.JitbitHelpdesk.13439@jitbit.com");

  FakeLookup lookup;
  lookup.by_message_id["44565655.JitbitHelpdesk.13439@jitbit.com"] = {12, 120};
  const Outcome outcome = decide(parsed.message, lookup);
  EXPECT_EQ(outcome.kind, Kind::kFollowUp) << outcome.reason;
  EXPECT_EQ(outcome.ticket_id, 12);
  EXPECT_EQ(outcome.classification, Classification::kBounce);
}

TEST(DecideBounce, TheCorpusBounceReturnsItsOriginal) {
  const auto parsed =
      mime::parse(hd::test::readTestFile("corpus/hard/multipart-report-bounce.eml"));
  ASSERT_TRUE(parsed.ok);
  FakeLookup lookup;
  lookup.by_message_id["hd-7-1@example.org"] = {7, 71};
  const Outcome outcome = decide(parsed.message, lookup);
  EXPECT_EQ(outcome.kind, Kind::kFollowUp) << outcome.reason;
  EXPECT_EQ(outcome.classification, Classification::kBounce);
}

}  // namespace
}  // namespace hd::ingest
