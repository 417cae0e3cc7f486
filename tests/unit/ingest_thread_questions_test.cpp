// threadQuestions(): everything decide() asks a ThreadLookup is among the questions known before
// it runs, whatever the stored world answers (the batch lookup asks them all at once; a question
// outside them would cost a round trip per message again).

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "service/ingest/decide.hpp"
#include "service/ingest/thread_questions.hpp"
#include "tests/unit/ingest_fake_lookup.hpp"

namespace hd::ingest {
namespace {

using testing::FakeLookup;

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

mime::Message mail(const std::string& from, const std::string& subject) {
  mime::Message m;
  if (!from.empty()) m.from = mime::Address{"", from};
  m.subject = subject;
  m.message_id = "incoming@example.com";
  return m;
}

std::vector<mime::Message> sampleMail() {
  std::vector<mime::Message> mails;
  mails.push_back(mail("jane@example.com", "Printer broken"));
  auto reply = mail("jane@example.com", "Re: [HD-7] Printer broken");
  reply.in_reply_to = "first@example.com";
  reply.references = {"old@example.com", "", "first@example.com", "newer@example.com"};
  mails.push_back(reply);
  mails.push_back(mail("bob@example.com", "[HD-7] and [HD-9] and [HD-404]"));
  mails.push_back(mail("", "[HD-9] no sender"));
  auto auto_reply = mail("robot@example.com", "Out of office: [HD-7]");
  auto_reply.automation.auto_submitted = "auto-replied";
  mails.push_back(auto_reply);
  auto bounce = mail("MAILER-DAEMON@example.com", "Undelivered Mail Returned to Sender");
  bounce.automation.content_type = "multipart/report";
  bounce.automation.report_type = "delivery-status";
  bounce.text_body = "Message-ID: <first@example.com>\nReferences: <newer@example.com>\n";
  mails.push_back(bounce);
  return mails;
}

// The stored worlds decide() runs against: nothing stored, and everything found.
std::vector<FakeLookup> worlds() {
  FakeLookup empty;
  FakeLookup full;
  full.by_message_id["first@example.com"] = {7, 70};
  full.by_message_id["newer@example.com"] = {2, 20};
  full.addTicket(7, "jane@example.com", {"bob@example.com"});
  full.addTicket(9, "carl@example.com");
  full.recent_tickets["jane@example.com"] = 50;
  return {empty, full};
}

TEST(ThreadQuestions, CoverEverythingDecideAsks) {
  std::vector<Policy> policies(2);
  policies[1].new_tickets_per_sender_per_hour = 0;
  policies[1].reference_prefix = "T#";
  for (const Policy& policy : policies) {
    for (const mime::Message& message : sampleMail()) {
      const ThreadQuestions questions = threadQuestions(message, policy);
      for (FakeLookup lookup : worlds()) {
        decide(message, lookup, policy);
        for (const auto& ids : lookup.asked_ids) {
          for (const auto& id : ids) {
            if (!id.empty()) {
              EXPECT_TRUE(contains(questions.message_ids, id)) << id;
            }
          }
        }
        for (const auto& reference : lookup.asked_references) {
          EXPECT_TRUE(contains(questions.references, reference)) << reference;
        }
        for (const auto& sender : lookup.asked_counts) {
          EXPECT_TRUE(contains(questions.senders, sender)) << message.subject;
        }
      }
    }
  }
}

TEST(ThreadQuestions, AreTheRepliedIdsTheReferencesAndTheSender) {
  auto reply = mail("Jane@Example.com", "Re: [HD-7] Printer [HD-8]");
  reply.in_reply_to = "parent@example.com";
  reply.references = {"root@example.com", "parent@example.com"};
  const ThreadQuestions questions = threadQuestions(reply, Policy{});
  EXPECT_EQ(questions.message_ids,
            (std::vector<std::string>{"parent@example.com", "root@example.com"}));
  EXPECT_EQ(questions.references, (std::vector<std::string>{"HD-7", "HD-8"}));
  EXPECT_EQ(questions.senders, (std::vector<std::string>{"jane@example.com"}));

  Policy unlimited;
  unlimited.new_tickets_per_sender_per_hour = 0;
  EXPECT_TRUE(threadQuestions(reply, unlimited).senders.empty()) << "no limit, no count";
}

}  // namespace
}  // namespace hd::ingest
