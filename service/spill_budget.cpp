#include "service/spill_budget.hpp"

#include <algorithm>

namespace hd::service {

std::uint64_t spillSpaceBound(const LimitsConfig& limits, std::size_t mailboxes) {
  const std::uint64_t batch = std::max(limits.fetch_batch_bytes, limits.max_message_bytes);
  const std::uint64_t raw_and_decoded = 2;
  return mailboxes * kBatchesInFlightPerMailbox * batch * raw_and_decoded +
         limits.max_message_bytes * raw_and_decoded;
}

}  // namespace hd::service
