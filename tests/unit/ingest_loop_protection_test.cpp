// Loop protection (RFC 3834) and own mail: automatic mail never opens a ticket, but is attached
// (flagged) when it threads to one.

#include <gtest/gtest.h>

#include <functional>

#include "service/ingest/decide.hpp"
#include "service/ingest/mail_kind.hpp"
#include "tests/unit/ingest_fake_lookup.hpp"

namespace hd::ingest {
namespace {

using testing::FakeLookup;
using Kind = Outcome::Kind;
using C = Classification;

mime::Message mail(const std::string& from = "frank@example.com") {
  mime::Message m;
  m.from = mime::Address{"Frank", from};
  m.subject = "Automatic reply: Your ticket";
  m.message_id = "auto@example.com";
  return m;
}

Policy ourPolicy() {
  Policy policy;
  policy.own_addresses = {"Support@Helpdesk.example"};
  return policy;
}

TEST(LoopProtection, Table) {
  using Edit = std::function<void(mime::Message&)>;
  struct Case {
    const char* name;
    Edit edit;
    C classification;
    const char* reason;  // part of the reason
  } cases[] = {
      {"plain mail", [](mime::Message&) {}, C::kCustomer, ""},
      {"Auto-Submitted: auto-replied",
       [](mime::Message& m) { m.automation.auto_submitted = "auto-replied"; }, C::kAutoReply,
       "Auto-Submitted: auto-replied"},
      {"Auto-Submitted: auto-generated",
       [](mime::Message& m) { m.automation.auto_submitted = "Auto-Generated"; }, C::kAutoReply,
       "Auto-Submitted: auto-generated"},
      {"Auto-Submitted with parameters",
       [](mime::Message& m) { m.automation.auto_submitted = "auto-replied; owner=x@example.com"; },
       C::kAutoReply, "Auto-Submitted: auto-replied"},
      {"Auto-Submitted: no", [](mime::Message& m) { m.automation.auto_submitted = " No "; },
       C::kCustomer, ""},
      {"Exchange X-Auto-Response-Suppress",
       [](mime::Message& m) { m.automation.x_auto_response_suppress = "All"; }, C::kAutoReply,
       "X-Auto-Response-Suppress: All"},
      {"X-Autoreply", [](mime::Message& m) { m.automation.x_autoreply = "yes"; }, C::kAutoReply,
       "X-Autoreply"},
      {"X-Autorespond", [](mime::Message& m) { m.automation.x_autorespond = "1"; }, C::kAutoReply,
       "X-Autorespond"},
      {"Precedence: bulk", [](mime::Message& m) { m.automation.precedence = "bulk"; }, C::kBulk,
       "Precedence: bulk"},
      {"Precedence: JUNK", [](mime::Message& m) { m.automation.precedence = "JUNK"; }, C::kBulk,
       "Precedence: junk"},
      {"Precedence: list", [](mime::Message& m) { m.automation.precedence = "list"; }, C::kBulk,
       "Precedence: list"},
      {"Precedence: auto_reply", [](mime::Message& m) { m.automation.precedence = "auto_reply"; },
       C::kAutoReply, "Precedence: auto_reply"},
      {"Precedence: first-class", [](mime::Message& m) { m.automation.precedence = "first-class"; },
       C::kCustomer, ""},
      {"List-Id", [](mime::Message& m) { m.automation.list_id = "<users.lists.example.org>"; },
       C::kBulk, "List-Id"},
      {"null Return-Path", [](mime::Message& m) { m.automation.return_path = ""; }, C::kAutoReply,
       "null Return-Path"},
      {"ordinary Return-Path",
       [](mime::Message& m) { m.automation.return_path = "frank@example.com"; }, C::kCustomer, ""},
      {"read receipt",
       [](mime::Message& m) {
         m.automation.content_type = "multipart/report";
         m.automation.report_type = "disposition-notification";
       },
       C::kAutoReply, "read receipt"},
      {"postmaster", [](mime::Message& m) { m.from->address = "postmaster@example.com"; },
       C::kAutoReply, "postmaster@example.com"},
      {"MAILER-DAEMON", [](mime::Message& m) { m.from->address = "MAILER-DAEMON@mx.example.net"; },
       C::kBounce, "mailer-daemon@mx.example.net"},
      {"own address, any case",
       [](mime::Message& m) { m.from->address = "support@HELPDESK.example"; }, C::kOwnMail,
       "our own address support@helpdesk.example"},
      {"own address beats auto-reply headers",
       [](mime::Message& m) {
         m.from->address = "support@helpdesk.example";
         m.automation.auto_submitted = "auto-replied";
       },
       C::kOwnMail, "own address"},
  };
  for (const auto& c : cases) {
    mime::Message m = mail();
    c.edit(m);
    const MailKind kind = classifyMail(m, ourPolicy());
    EXPECT_EQ(kind.classification, c.classification) << c.name << ": " << kind.reason;
    EXPECT_NE(kind.reason.find(c.reason), std::string::npos)
        << c.name << ": reason was \"" << kind.reason << "\"";

    // Unthreaded, only customer mail opens a ticket; automatic mail never asks for the rate limit.
    FakeLookup lookup;
    const Outcome outcome = decide(m, lookup, ourPolicy());
    EXPECT_EQ(outcome.classification, c.classification) << c.name;
    if (c.classification == C::kCustomer) {
      EXPECT_EQ(outcome.kind, Kind::kNewTicket) << c.name;
    } else {
      EXPECT_EQ(outcome.kind, Kind::kRecorded) << c.name;
      EXPECT_NE(outcome.reason.find("no ticket opened"), std::string::npos) << outcome.reason;
      EXPECT_TRUE(lookup.asked_counts.empty()) << c.name;
    }
  }
}

TEST(LoopProtection, AnAutoReplyThatThreadsIsAttachedAndFlagged) {
  FakeLookup lookup;
  lookup.by_message_id["our-reply@helpdesk.example"] = {7, 70};
  mime::Message m = mail();
  m.automation.auto_submitted = "auto-replied";
  m.in_reply_to = "our-reply@helpdesk.example";
  const Outcome outcome = decide(m, lookup, ourPolicy());
  EXPECT_EQ(outcome.kind, Kind::kFollowUp);
  EXPECT_EQ(outcome.ticket_id, 7);
  EXPECT_EQ(outcome.classification, C::kAutoReply);
  EXPECT_NE(outcome.reason.find("message 70"), std::string::npos) << outcome.reason;
  EXPECT_NE(outcome.reason.find("Auto-Submitted"), std::string::npos) << outcome.reason;
}

TEST(LoopProtection, AnOutOfOfficeWithTheRequestersTokenIsAttached) {
  FakeLookup lookup;
  lookup.addTicket(7, "frank@example.com");
  mime::Message m = mail();
  m.subject = "Automatic reply: [HD-7] Printer broken";
  m.automation.x_auto_response_suppress = "All";
  const Outcome outcome = decide(m, lookup, ourPolicy());
  EXPECT_EQ(outcome.kind, Kind::kFollowUp) << outcome.reason;
  EXPECT_EQ(outcome.classification, C::kAutoReply);
}

TEST(LoopProtection, AnUnthreadedAutoReplySaysWhyItWasNotThreaded) {
  FakeLookup lookup;
  mime::Message m = mail();
  m.automation.auto_submitted = "auto-replied";
  m.in_reply_to = "gone@helpdesk.example";
  const Outcome outcome = decide(m, lookup, ourPolicy());
  EXPECT_EQ(outcome.kind, Kind::kRecorded);
  EXPECT_NE(outcome.reason.find("replies to no stored message"), std::string::npos)
      << outcome.reason;
}

TEST(LoopProtection, OwnMailThreadsButNeverOpensATicket) {
  FakeLookup lookup;
  lookup.by_message_id["first@example.com"] = {3, 30};
  mime::Message m = mail("support@helpdesk.example");
  m.subject = "Re: Printer broken";
  EXPECT_EQ(decide(m, lookup, ourPolicy()).kind, Kind::kRecorded);
  m.in_reply_to = "first@example.com";
  const Outcome outcome = decide(m, lookup, ourPolicy());
  EXPECT_EQ(outcome.kind, Kind::kFollowUp);
  EXPECT_EQ(outcome.ticket_id, 3);
  EXPECT_EQ(outcome.classification, C::kOwnMail);
}

TEST(LoopProtection, WithoutOwnAddressesNothingIsOwnMail) {
  FakeLookup lookup;
  EXPECT_EQ(decide(mail("support@helpdesk.example"), lookup).classification, C::kCustomer);
}

}  // namespace
}  // namespace hd::ingest
