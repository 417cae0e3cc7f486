// The "tickets" section of the configuration, which fills ingest::Policy.

#include <gtest/gtest.h>

#include "service/config.hpp"

namespace hd::service {
namespace {

std::optional<std::string> noEnvironment(const std::string&) {
  return std::nullopt;
}

std::string configWith(const std::string& tickets,
                       const std::string& username = "support@helpdesk.example") {
  return R"({"database": {"url": "postgresql://x"},)" + tickets + R"(
    "mailboxes": [
      {"name": "a", "host": "h", "username": ")" +
         username + R"(", "password": "p"},
      {"name": "b", "host": "h", "username": "billing", "password": "p"},
      {"name": "c", "host": "h", "username": "Sales@Example.com", "password": "p"}]})";
}

TEST(TicketsConfig, DefaultsAreTwentyAnHourAndTheMailboxAddresses) {
  const Config config = parseConfig(configWith(""), noEnvironment);
  EXPECT_EQ(config.new_tickets_per_sender_per_hour, 20u);
  EXPECT_EQ(config.own_addresses,
            (std::vector<std::string>{"support@helpdesk.example", "Sales@Example.com"}));
}

TEST(TicketsConfig, ExplicitValuesReplaceTheDefaults) {
  const Config config = parseConfig(
      configWith(R"("tickets": {"reference_prefix": "SUP-", "new_tickets_per_sender_per_hour": 0,
                 "own_addresses": ["helpdesk@example.com"]},)"),
      noEnvironment);
  EXPECT_EQ(config.ticket_prefix, "SUP-");
  EXPECT_EQ(config.new_tickets_per_sender_per_hour, 0u);
  EXPECT_EQ(config.own_addresses, (std::vector<std::string>{"helpdesk@example.com"}));
  const Config none =
      parseConfig(configWith(R"("tickets": {"own_addresses": []},)"), noEnvironment);
  EXPECT_TRUE(none.own_addresses.empty());
}

TEST(TicketsConfig, BadValuesNameTheKey) {
  struct Case {
    const char* tickets;
    const char* key;
  } cases[] = {
      {R"("tickets": {"new_tickets_per_sender_per_hour": -1},)",
       "tickets.new_tickets_per_sender_per_hour"},
      {R"("tickets": {"new_tickets_per_sender_per_hour": "20"},)",
       "tickets.new_tickets_per_sender_per_hour"},
      {R"("tickets": {"own_addresses": "support@example.com"},)", "tickets.own_addresses"},
      {R"("tickets": {"own_addresses": ["ok@example.com", "not an address"]},)",
       "tickets.own_addresses[1]"},
      {R"("tickets": {"own_addresses": [42]},)", "tickets.own_addresses[0]"},
      {R"("tickets": {"rate_limit": 5},)", "tickets.rate_limit"},
  };
  for (const auto& c : cases) {
    try {
      parseConfig(configWith(c.tickets), noEnvironment);
      ADD_FAILURE() << "accepted: " << c.tickets;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), c.key) << e.what();
    }
  }
}

}  // namespace
}  // namespace hd::service
