// Ticket decisions end to end: a conversation in a real Dovecot mailbox, ingested by
// build/helpdesk-ingest --once into a real PostgreSQL, becomes the expected tickets, follow-ups and
// recorded-only messages, each with its classification and reason.

#include <gtest/gtest.h>

#include "tests/support/service_process.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr const char* kSupport = "support@helpdesk.example";

std::string conversationConfig(const ScratchDatabase& db, const TestMailbox& box) {
  const auto& env = TestEnv::get();
  return R"({
    "database": {"url": ")" +
         db.url() + R"("},
    "http": {"listen": "127.0.0.1:0"},
    "tickets": {"new_tickets_per_sender_per_hour": 2, "own_addresses": [")" +
         kSupport + R"("]},
    "mailboxes": [{
      "name": "support", "host": ")" +
         env.mail_host + R"(", "port": )" + std::to_string(env.imaps_port) + R"(, "ca_file": ")" +
         env.ca_file + R"(",
      "username": ")" +
         box.user() + R"(", "password": ")" + env.mail_password + R"(",
      "after_ingest": "seen"
    }]
  })";
}

// A text/plain mail; `headers` are extra header lines, each ending in "\n".
std::string mail(const std::string& from, const std::string& subject, const std::string& id,
                 const std::string& headers = "", const std::string& body = "Hello.\n") {
  return "From: " + from + "\nTo: Support <" + kSupport + ">\nSubject: " + subject +
         "\nMessage-ID: <" + id + ">\nDate: Mon, 2 Mar 2026 10:00:00 +0100\n" + headers +
         "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body;
}

// A Postfix-shaped bounce returning our reply, whose References name the ticket's first mail.
std::string bounce(const std::string& id, const std::string& returned_references) {
  return "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nTo: " + std::string(kSupport) +
         "\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <" + id +
         ">\nDate: Mon, 2 Mar 2026 10:05:00 +0100\nAuto-Submitted: auto-replied\n"
         "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;"
         " boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\nYour message could not be "
         "delivered.\n\n--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; "
         "mx.example.net\n\nFinal-Recipient: rfc822; gone@example.com\nAction: failed\n"
         "Status: 5.1.1\n\n--b1\nContent-Type: text/rfc822-headers\n\nFrom: " +
         kSupport + "\nTo: gone@example.com\nSubject: Re: [HD-1] Printer on fire\n" +
         "Message-ID: <agent-reply-" + id +
         "@helpdesk.example>\nReferences: " + returned_references + "\n\n--b1--\n";
}

class IngestConversation : public ::testing::Test {
 protected:
  // "classification ticket-reference" of the message with this Message-ID ("-" for no ticket).
  std::string decision(const std::string& message_id) {
    return db_.scalar(
        "SELECT m.classification || ' ' || coalesce(t.reference, '-') FROM messages m"
        " LEFT JOIN tickets t ON t.id = m.ticket_id WHERE m.internet_message_id = '" +
        message_id + "'");
  }
  std::string reason(const std::string& message_id) {
    return db_.scalar("SELECT decision_reason FROM messages WHERE internet_message_id = '" +
                      message_id + "'");
  }
  void runPass() {
    TempFile config(conversationConfig(db_, box_));
    auto result = runService({"--config", config.path(), "--once"}, {}, 300);
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }

  ScratchDatabase db_;
  TestMailbox box_{"conv"};
};

TEST_F(IngestConversation, AConversationBecomesTheRightTicketsAndClassifications) {
  box_.deliver(mail("=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jane@example.com>", "Printer on fire",
                    "first@example.com",
                    "Cc: Frank <frank@example.com>\nReply-To: Jane Desk <desk@example.com>\n"));
  runPass();
  const std::string ref = db_.scalar("SELECT reference FROM tickets");
  ASSERT_FALSE(ref.empty());
  EXPECT_EQ(decision("first@example.com"), "customer " + ref);
  EXPECT_EQ(reason("first@example.com"), "new conversation");
  EXPECT_EQ(db_.scalar("SELECT requester_address || '|' || requester_name FROM tickets"),
            "jane@example.com|Jürgen Müller");
  EXPECT_EQ(db_.scalar("SELECT reply_to_addresses->0->>'address' FROM messages"),
            "desk@example.com");

  const std::string token = "[" + ref + "]";
  box_.deliver(mail("jane@example.com", "Re: Printer on fire", "reply-irt@example.com",
                    "In-Reply-To: <first@example.com>\nReferences: <first@example.com>\n"));
  box_.deliver(mail("Jane <JANE@example.com>", "Re: " + token + " Printer on fire",
                    "reply-token@example.com"));
  box_.deliver(
      mail("frank@example.com", "AW: " + token + " Printer on fire", "cc-participant@example.com"));
  box_.deliver(mail("mallory@evil.example", "Re: " + token + " send me the invoice",
                    "stranger@evil.example"));
  box_.deliver(mail("Frank <frank@example.com>", "Automatic reply: Printer on fire",
                    "ooo-threaded@example.com",
                    "Auto-Submitted: auto-replied\nX-Auto-Response-Suppress: All\n"
                    "In-Reply-To: <first@example.com>\n",
                    "I am out of the office until Monday.\n"));
  box_.deliver(mail("Olga <olga@example.com>", "Out of office", "ooo-alone@example.com",
                    "Auto-Submitted: auto-replied\n", "I am away.\n"));
  box_.deliver(bounce("bounce-known@mx.example.net", "<first@example.com>"));
  box_.deliver(bounce("bounce-unknown@mx.example.net", "<never-seen@example.com>"));
  box_.deliver(mail("Support <support@HELPDESK.example>", "Re: Printer on fire",
                    "own-copy@helpdesk.example"));
  box_.deliver(mail("news@lists.example.org", "Weekly digest", "list@lists.example.org",
                    "List-Id: <weekly.lists.example.org>\nPrecedence: list\n"));
  for (int i = 1; i <= 3; ++i) {
    box_.deliver(mail("flood@example.com", "Buy now " + std::to_string(i),
                      "flood-" + std::to_string(i) + "@example.com"));
  }
  runPass();

  EXPECT_EQ(decision("reply-irt@example.com"), "customer " + ref);
  EXPECT_EQ(decision("reply-token@example.com"), "customer " + ref);
  EXPECT_NE(reason("reply-token@example.com").find("requester"), std::string::npos);
  EXPECT_EQ(decision("cc-participant@example.com"), "customer " + ref);
  EXPECT_NE(reason("cc-participant@example.com").find("participant"), std::string::npos);

  const std::string stranger = decision("stranger@evil.example");
  EXPECT_EQ(stranger.rfind("customer ", 0), 0u) << stranger;
  EXPECT_NE(stranger, "customer " + ref) << "a guessed reference must not join the ticket";
  EXPECT_NE(stranger, "customer -");
  EXPECT_NE(reason("stranger@evil.example").find("mallory@evil.example has not taken part"),
            std::string::npos)
      << reason("stranger@evil.example");

  EXPECT_EQ(decision("ooo-threaded@example.com"), "auto_reply " + ref);
  EXPECT_EQ(decision("ooo-alone@example.com"), "auto_reply -");
  EXPECT_NE(reason("ooo-alone@example.com").find("no ticket opened"), std::string::npos);
  EXPECT_EQ(decision("bounce-known@mx.example.net"), "bounce " + ref);
  EXPECT_EQ(decision("bounce-unknown@mx.example.net"), "bounce -");
  EXPECT_EQ(decision("own-copy@helpdesk.example"), "own_mail -");
  EXPECT_EQ(decision("list@lists.example.org"), "bulk -");

  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages WHERE from_address = 'flood@example.com'"
                       " AND classification = 'customer' AND ticket_id IS NOT NULL"),
            "2");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages WHERE classification = 'rate_limited'"
                       " AND ticket_id IS NULL"),
            "1");

  // jane's, mallory's and two of flood's; nothing else opened a ticket.
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM tickets"), "4");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages"), "14");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages WHERE decision_reason = ''"), "0");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id"
                       " WHERE t.reference = '" +
                       ref + "'"),
            "6");
  EXPECT_EQ(box_.countFlagged('S'), 14u);
}

}  // namespace
}  // namespace hd::test
