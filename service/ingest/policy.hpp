#pragma once
// The configurable side of decide(): filled once from the service configuration (tickets section).

#include <cstdint>
#include <string>
#include <vector>

namespace hd::ingest {

struct Policy {
  // Public ticket references are prefix + id; a subject token is "[" prefix id "]", e.g. "[HD-42]",
  // matched case-insensitively.
  std::string reference_prefix = "HD-";
  // New tickets one sender may open per hour; beyond it mail is recorded as rate_limited.
  // 0 switches the limit off.
  std::uint32_t new_tickets_per_sender_per_hour = 20;
  // Addresses of our own mailboxes (any case): their mail never opens a ticket.
  std::vector<std::string> own_addresses;
};

}  // namespace hd::ingest
