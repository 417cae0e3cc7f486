#pragma once
// A pass's batches, formed once from the listing (and nowhere else: the sources fetch what they
// are given). A batch is the unit of fetch, group commit, acknowledge and checkpoint. It is
// bounded by messages and by the announced bytes of what must be fetched: messages already
// stored (an interrupted earlier pass) are only acknowledged again and cost no bytes. A message
// larger than the byte bound travels alone.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "connectors/source/mail_source.hpp"

namespace hd::service {

struct PassBatch {
  std::vector<source::MessageRef> refs;      // listing order (ascending UID for IMAP)
  std::vector<source::MessageRef> to_fetch;  // the refs not yet accounted for, same order
  std::uint64_t fetch_bytes = 0;             // announced size of to_fetch
};

// `accounted(source_key)`: the key already has a row. max_messages 0 counts as 1.
std::vector<PassBatch> planBatches(std::span<const source::MessageRef> pending,
                                   const std::function<bool(const std::string&)>& accounted,
                                   std::size_t max_messages, std::uint64_t max_bytes);

}  // namespace hd::service
