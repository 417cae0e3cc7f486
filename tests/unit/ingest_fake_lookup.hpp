#pragma once
// An in-memory ThreadLookup for the decide() table tests: stored Message-IDs, tickets by
// reference with their people, and per-sender counts of recent tickets.

#include <map>
#include <string>
#include <vector>

#include "service/ingest/thread_lookup.hpp"

namespace hd::ingest::testing {

class FakeLookup : public ThreadLookup {
 public:
  std::map<std::string, TicketMatch> by_message_id;
  std::map<std::string, TicketPeople> by_reference;
  std::map<std::string, std::int64_t> recent_tickets;  // by lowercase address

  // What was asked, in order, so tests can assert what decide() did NOT look at.
  std::vector<std::vector<std::string>> asked_ids;
  std::vector<std::string> asked_references;
  std::vector<std::string> asked_counts;

  std::optional<TicketMatch> findByMessageIds(const std::vector<std::string>& ids) override {
    asked_ids.push_back(ids);
    for (const auto& id : ids) {
      auto it = by_message_id.find(id);
      if (it != by_message_id.end()) return it->second;
    }
    return std::nullopt;
  }

  std::optional<TicketPeople> findByReference(const std::string& reference) override {
    asked_references.push_back(reference);
    auto it = by_reference.find(reference);
    if (it == by_reference.end()) return std::nullopt;
    return it->second;
  }

  std::int64_t newTicketsInLastHour(const std::string& address) override {
    asked_counts.push_back(address);
    auto it = recent_tickets.find(address);
    return it == recent_tickets.end() ? 0 : it->second;
  }

  void addTicket(std::int64_t id, const std::string& requester,
                 std::vector<std::string> participants = {}) {
    by_reference["HD-" + std::to_string(id)] = {id, "HD-" + std::to_string(id), requester,
                                                std::move(participants)};
  }
};

}  // namespace hd::ingest::testing
