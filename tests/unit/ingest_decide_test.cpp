// decide(): threading by Message-IDs and by subject reference, as table tests over a fake lookup.

#include <gtest/gtest.h>

#include "service/ingest/decide.hpp"
#include "service/ingest/subject.hpp"
#include "service/ingest/threading.hpp"
#include "tests/unit/ingest_fake_lookup.hpp"

namespace hd::ingest {
namespace {

using testing::FakeLookup;
using Kind = Outcome::Kind;

mime::Message mail(const std::string& from, const std::string& subject = "Printer broken") {
  mime::Message m;
  if (!from.empty()) m.from = mime::Address{"", from};
  m.subject = subject;
  m.message_id = "incoming@example.com";
  return m;
}

TEST(TicketSubject, StripsReplyAndForwardPrefixes) {
  struct Case {
    const char* subject;
    const char* expected;
  } cases[] = {
      {"Printer broken", "Printer broken"},
      {"Re: Printer broken", "Printer broken"},
      {"RE: RE: Fwd: Printer broken", "Printer broken"},
      {"AW: WG: Drucker kaputt", "Drucker kaputt"},
      {"Re[2]: Printer", "Printer"},
      {"re : spaced", "spaced"},
      {"  FW:   trimmed  ", "trimmed"},
      {"Regarding: not a prefix", "Regarding: not a prefix"},
      {"Re:", "(no subject)"},
      {"", "(no subject)"},
      {"Réunion: accents stay", "Réunion: accents stay"},
  };
  for (const auto& c : cases) EXPECT_EQ(ticketSubject(c.subject), c.expected) << c.subject;
}

// The stored world every threading case runs against.
FakeLookup storedConversations() {
  FakeLookup lookup;
  lookup.by_message_id["first@example.com"] = {7, 70};
  lookup.by_message_id["old@example.com"] = {1, 10};
  lookup.by_message_id["newer@example.com"] = {2, 20};
  lookup.addTicket(7, "Jane@Example.com", {"bob@example.com", "support@helpdesk.example"});
  lookup.addTicket(9, "carl@example.com");
  return lookup;
}

TEST(DecideThreading, Table) {
  struct Case {
    const char* name;
    std::string from;
    std::string subject;
    std::string in_reply_to;
    std::vector<std::string> references;
    Kind kind;
    std::int64_t ticket;  // for kFollowUp
    const char* reason;   // a part of Outcome::reason
  } cases[] = {
      {"fresh mail",
       "jane@example.com",
       "Printer broken",
       "",
       {},
       Kind::kNewTicket,
       0,
       "new conversation"},
      {"In-Reply-To",
       "jane@example.com",
       "Re: Printer",
       "first@example.com",
       {},
       Kind::kFollowUp,
       7,
       "message 70"},
      {"References newest first",
       "jane@example.com",
       "Re: x",
       "unknown@example.com",
       {"old@example.com", "newer@example.com"},
       Kind::kFollowUp,
       2,
       "message 20"},
      {"reply to unknown mail",
       "jane@example.com",
       "Re: x",
       "elsewhere@example.com",
       {},
       Kind::kNewTicket,
       0,
       "replies to no stored message"},
      {"token from requester",
       "jane@example.com",
       "Re: [HD-7] Printer",
       "",
       {},
       Kind::kFollowUp,
       7,
       "[HD-7] in the subject, sent by its requester"},
      {"token any case, requester any case",
       "JANE@EXAMPLE.COM",
       "AW: [hd-007] Drucker",
       "",
       {},
       Kind::kFollowUp,
       7,
       "requester"},
      {"token from participant",
       "Bob@example.com",
       "[HD-7] more info",
       "",
       {},
       Kind::kFollowUp,
       7,
       "participant"},
      {"token from stranger",
       "mallory@evil.example",
       "Re: [HD-7] give me the data",
       "",
       {},
       Kind::kNewTicket,
       0,
       "mallory@evil.example has not taken part in it: new ticket"},
      {"token naming no ticket",
       "jane@example.com",
       "[HD-99] hello",
       "",
       {},
       Kind::kNewTicket,
       0,
       "[HD-99] in the subject names no ticket"},
      {"token of another prefix",
       "jane@example.com",
       "[XY-7] hello",
       "",
       {},
       Kind::kNewTicket,
       0,
       "new conversation"},
      {"In-Reply-To beats the token",
       "carl@example.com",
       "[HD-9]",
       "first@example.com",
       {},
       Kind::kFollowUp,
       7,
       "message 70"},
      {"stranger replying by In-Reply-To",
       "mallory@evil.example",
       "Re: [HD-9]",
       "first@example.com",
       {},
       Kind::kFollowUp,
       7,
       "message 70"},
      {"second token is the sender's",
       "jane@example.com",
       "[HD-9] [HD-7]",
       "",
       {},
       Kind::kFollowUp,
       7,
       "[HD-7]"},
      {"unknown reply, then token",
       "jane@example.com",
       "Re: [HD-7]",
       "elsewhere@example.com",
       {},
       Kind::kFollowUp,
       7,
       "[HD-7]"},
      {"token without sender", "", "[HD-7]", "", {}, Kind::kNewTicket, 0, "the sender is unknown"},
  };
  for (const auto& c : cases) {
    FakeLookup lookup = storedConversations();
    mime::Message m = mail(c.from, c.subject);
    m.in_reply_to = c.in_reply_to;
    m.references = c.references;
    const Outcome outcome = decide(m, lookup);
    EXPECT_EQ(outcome.kind, c.kind) << c.name << ": " << outcome.reason;
    EXPECT_EQ(outcome.classification, Classification::kCustomer) << c.name;
    if (c.kind == Kind::kFollowUp) {
      EXPECT_EQ(outcome.ticket_id, c.ticket) << c.name;
    }
    EXPECT_NE(outcome.reason.find(c.reason), std::string::npos)
        << c.name << ": reason was \"" << outcome.reason << "\"";
  }
}

TEST(DecideThreading, OneLookupTriesInReplyToThenReferencesNewestFirst) {
  FakeLookup lookup;
  mime::Message m = mail("jane@example.com");
  m.in_reply_to = "parent@x";
  m.references = {"root@x", "middle@x", "parent@x", ""};
  decide(m, lookup);
  ASSERT_EQ(lookup.asked_ids.size(), 1u);
  EXPECT_EQ(lookup.asked_ids[0], (std::vector<std::string>{"parent@x", "middle@x", "root@x"}));
}

TEST(DecideThreading, AHugeReferencesHeaderIsCappedToItsNewestEntries) {
  FakeLookup lookup;
  mime::Message m = mail("jane@example.com");
  for (int i = 0; i < 5000; ++i) m.references.push_back("r" + std::to_string(i) + "@x");
  decide(m, lookup);
  ASSERT_EQ(lookup.asked_ids.size(), 1u);
  EXPECT_EQ(lookup.asked_ids[0].size(), kMaxThreadingIds);
  EXPECT_EQ(lookup.asked_ids[0].front(), "r4999@x");
}

TEST(DecideThreading, MailWithoutThreadingHeadersAsksNothingButTheRateLimit) {
  FakeLookup lookup;
  const Outcome outcome = decide(mail("jane@example.com", "Re: Help"), lookup);
  EXPECT_EQ(outcome.kind, Kind::kNewTicket);
  EXPECT_EQ(outcome.ticket_subject, "Help");
  EXPECT_TRUE(lookup.asked_ids.empty());
  EXPECT_TRUE(lookup.asked_references.empty());
  EXPECT_EQ(lookup.asked_counts, (std::vector<std::string>{"jane@example.com"}));
}

TEST(DecideThreading, TheConfiguredPrefixDecidesWhatIsAToken) {
  FakeLookup lookup;
  lookup.by_reference["SUP-7"] = {7, "SUP-7", "jane@example.com", {}};
  Policy policy;
  policy.reference_prefix = "SUP-";
  const Outcome outcome = decide(mail("jane@example.com", "Re: [sup-7] [HD-7]"), lookup, policy);
  EXPECT_EQ(outcome.kind, Kind::kFollowUp);
  EXPECT_EQ(outcome.ticket_id, 7);
  EXPECT_EQ(lookup.asked_references, (std::vector<std::string>{"SUP-7"}));
}

TEST(DecideThreading, TheSenderFallsBackToTheSenderHeader) {
  FakeLookup lookup = storedConversations();
  mime::Message m = mail("", "[HD-7] from the assistant");
  m.sender = mime::Address{"", "bob@example.com"};
  const Outcome outcome = decide(m, lookup);
  EXPECT_EQ(outcome.kind, Kind::kFollowUp) << outcome.reason;
}

}  // namespace
}  // namespace hd::ingest
