#include "service/fetch_for_commit.hpp"

#include <Poco/Logger.h>

namespace hd::service {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.ingest");
}

}  // namespace

FetchedForCommit fetchForCommit(source::MailSource& source,
                                const std::vector<source::MessageRef>& refs,
                                const PassLimits& limits, const std::string& mailbox) {
  FetchedForCommit out;
  std::vector<source::MessageRef> to_fetch, too_large;
  for (const auto& ref : refs) {
    (ref.size > limits.max_message_bytes ? too_large : to_fetch).push_back(ref);
  }
  if (!to_fetch.empty()) {
    auto fetched = source.fetch(to_fetch);
    out.fetched = fetched.size();
    for (auto& message : fetched) {
      if (message.over_limit_size != 0) {
        // The listed size understated it (servers' sizes are approximate): the source drained
        // the body; decided like a message listed too large.
        message.ref.size = message.over_limit_size;
        too_large.push_back(message.ref);
      } else if (message.raw.empty() && message.ref.size != 0) {
        logger().warning("mailbox %s: %s came back empty although listed with %s bytes; will retry",
                         mailbox, message.ref.source_key, std::to_string(message.ref.size));
      } else {
        out.usable.push_back(std::move(message));
      }
    }
  }
  if (!too_large.empty()) {
    out.left_on_server = source.fetchHeaders(too_large, limits.mime.max_header_bytes);
    for (auto& message : out.left_on_server) {
      // The header answer carries the listed ref; the size is the one that decided.
      for (const auto& ref : too_large) {
        if (ref.source_key == message.ref.source_key) message.ref.size = ref.size;
      }
      logger().warning(
          "mailbox %s: %s is %s bytes, over limits.max_message_bytes (%s): "
          "quarantined with its header and left on the server",
          mailbox, message.ref.source_key, std::to_string(message.ref.size),
          std::to_string(limits.max_message_bytes));
    }
  }
  return out;
}

}  // namespace hd::service
