#pragma once
// How much big mail may sit in the spill directory at once, derived from the limits: what the
// README, the Kubernetes volume and the start-up log size it by.
//
// Per mailbox worker, a pass holds up to three batches (service/fetch_stage.hpp: the one being
// committed, one waiting, the one being fetched). A batch is bounded by fetch_batch_bytes, or is
// one message alone of at most max_message_bytes; of it only contents over the spill threshold
// are in files: its raw bytes, and the decoded attachment contents, which are never larger than
// the raw bytes they come from (base64 and quoted-printable only shrink). A quarantine retry
// (HTTP) holds one more message, raw and decoded.

#include <cstddef>
#include <cstdint>

#include "service/config.hpp"

namespace hd::service {

inline constexpr std::uint64_t kBatchesInFlightPerMailbox = 3;

// The bound in bytes for `mailboxes` workers and one quarantine retry at a time.
std::uint64_t spillSpaceBound(const LimitsConfig& limits, std::size_t mailboxes);

}  // namespace hd::service
