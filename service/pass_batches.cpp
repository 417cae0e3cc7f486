#include "service/pass_batches.hpp"

#include <algorithm>

namespace hd::service {

std::vector<PassBatch> planBatches(std::span<const source::MessageRef> pending,
                                   const std::function<bool(const std::string&)>& accounted,
                                   std::size_t max_messages, std::uint64_t max_bytes) {
  max_messages = std::max<std::size_t>(max_messages, 1);
  std::vector<PassBatch> batches;
  PassBatch current;
  for (const source::MessageRef& ref : pending) {
    const bool fetch = !accounted(ref.source_key);
    const std::uint64_t bytes = fetch ? ref.size : 0;
    const bool over_bytes = !current.to_fetch.empty() && current.fetch_bytes + bytes > max_bytes;
    if (current.refs.size() >= max_messages || over_bytes) {
      batches.push_back(std::move(current));
      current = {};
    }
    current.refs.push_back(ref);
    if (fetch) {
      current.to_fetch.push_back(ref);
      current.fetch_bytes += bytes;
    }
  }
  if (!current.refs.empty()) batches.push_back(std::move(current));
  return batches;
}

}  // namespace hd::service
