#include <gtest/gtest.h>

#include <map>

#include "service/ingest/decide.hpp"
#include "service/ingest/subject.hpp"

namespace hd::ingest {
namespace {

// An in-memory thread index: Message-ID -> (ticket, message).
class FakeLookup : public ThreadLookup {
 public:
  std::map<std::string, TicketMatch> known;
  std::optional<TicketMatch> findByMessageIds(const std::vector<std::string>& ids) override {
    asked = ids;
    for (const auto& id : ids) {
      auto it = known.find(id);
      if (it != known.end()) return it->second;
    }
    return std::nullopt;
  }
  std::vector<std::string> asked;
};

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

TEST(Decide, NewConversationOpensATicket) {
  FakeLookup lookup;
  mime::Message m;
  m.subject = "Re: Help";
  Outcome outcome = decide(m, lookup);
  EXPECT_EQ(outcome.kind, Outcome::Kind::kNewTicket);
  EXPECT_EQ(outcome.ticket_subject, "Help");
  EXPECT_EQ(outcome.classification, Classification::kCustomer);
  EXPECT_TRUE(lookup.asked.empty());
}

TEST(Decide, InReplyToAStoredMessageFollowsUp) {
  FakeLookup lookup;
  lookup.known["a@x"] = {7, 70};
  mime::Message m;
  m.in_reply_to = "a@x";
  Outcome outcome = decide(m, lookup);
  EXPECT_EQ(outcome.kind, Outcome::Kind::kFollowUp);
  EXPECT_EQ(outcome.ticket_id, 7);
  EXPECT_NE(outcome.reason.find("70"), std::string::npos);
}

TEST(Decide, ReferencesAreTriedNewestFirstAfterInReplyTo) {
  FakeLookup lookup;
  lookup.known["old@x"] = {1, 10};
  lookup.known["new@x"] = {2, 20};
  mime::Message m;
  m.in_reply_to = "unknown@x";
  m.references = {"old@x", "new@x", "unknown@x"};
  Outcome outcome = decide(m, lookup);
  EXPECT_EQ(outcome.kind, Outcome::Kind::kFollowUp);
  EXPECT_EQ(outcome.ticket_id, 2);
  EXPECT_EQ(lookup.asked, (std::vector<std::string>{"unknown@x", "new@x", "old@x"}));
}

TEST(Decide, ReplyToAnUnknownMessageOpensATicket) {
  FakeLookup lookup;
  mime::Message m;
  m.in_reply_to = "elsewhere@x";
  Outcome outcome = decide(m, lookup);
  EXPECT_EQ(outcome.kind, Outcome::Kind::kNewTicket);
}

}  // namespace
}  // namespace hd::ingest
