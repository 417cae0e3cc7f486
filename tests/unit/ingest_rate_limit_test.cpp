// The per-sender limit on new tickets.

#include <gtest/gtest.h>

#include <cctype>

#include "service/ingest/decide.hpp"
#include "tests/unit/ingest_fake_lookup.hpp"

namespace hd::ingest {
namespace {

using testing::FakeLookup;
using Kind = Outcome::Kind;

mime::Message mail(const std::string& from) {
  mime::Message m;
  if (!from.empty()) m.from = mime::Address{"", from};
  m.subject = "Buy now";
  return m;
}

TEST(RateLimit, Table) {
  struct Case {
    const char* name;
    std::uint32_t limit;
    std::string from;
    std::int64_t recent;  // tickets the sender opened in the last hour
    Kind kind;
  } cases[] = {
      {"below the default limit", 20, "flood@example.com", 19, Kind::kNewTicket},
      {"at the default limit", 20, "flood@example.com", 20, Kind::kRecorded},
      {"far beyond", 20, "flood@example.com", 500, Kind::kRecorded},
      {"limit of one, first ticket", 1, "flood@example.com", 0, Kind::kNewTicket},
      {"limit of one, second ticket", 1, "flood@example.com", 1, Kind::kRecorded},
      {"counted per lowercase address", 2, "Flood@Example.COM", 2, Kind::kRecorded},
      {"no sender counts as one sender", 2, "", 2, Kind::kRecorded},
      {"limit switched off", 0, "flood@example.com", 1000, Kind::kNewTicket},
  };
  for (const auto& c : cases) {
    FakeLookup lookup;
    std::string key = c.from;
    for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    lookup.recent_tickets[key] = c.recent;
    Policy policy;
    policy.new_tickets_per_sender_per_hour = c.limit;
    const Outcome outcome = decide(mail(c.from), lookup, policy);
    EXPECT_EQ(outcome.kind, c.kind) << c.name << ": " << outcome.reason;
    if (c.kind == Kind::kRecorded) {
      EXPECT_EQ(outcome.classification, Classification::kRateLimited) << c.name;
      EXPECT_NE(outcome.reason.find("in the last hour (limit " + std::to_string(c.limit) + ")"),
                std::string::npos)
          << c.name << ": " << outcome.reason;
    } else {
      EXPECT_EQ(outcome.classification, Classification::kCustomer) << c.name;
    }
    if (c.limit == 0) {
      EXPECT_TRUE(lookup.asked_counts.empty()) << c.name;
    }
  }
}

TEST(RateLimit, FollowUpsOfALimitedSenderStillArrive) {
  FakeLookup lookup;
  lookup.recent_tickets["flood@example.com"] = 1000;
  lookup.by_message_id["first@example.com"] = {4, 40};
  mime::Message m = mail("flood@example.com");
  m.in_reply_to = "first@example.com";
  const Outcome outcome = decide(m, lookup);
  EXPECT_EQ(outcome.kind, Kind::kFollowUp);
  EXPECT_EQ(outcome.classification, Classification::kCustomer);
  EXPECT_TRUE(lookup.asked_counts.empty());
}

TEST(RateLimit, TheDefaultIsTwentyAnHour) {
  EXPECT_EQ(Policy{}.new_tickets_per_sender_per_hour, 20u);
}

}  // namespace
}  // namespace hd::ingest
