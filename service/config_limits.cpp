#include "service/config_sections.hpp"

namespace hd::service::config_detail {

LimitsConfig parseLimits(ObjectReader in) {
  LimitsConfig l;
  l.max_message_bytes =
      static_cast<std::uint64_t>(in.integer("max_message_bytes", 1024, 1024ll * 1024 * 1024)
                                     .value_or(static_cast<std::int64_t>(l.max_message_bytes)));
  l.max_parts = static_cast<std::size_t>(
      in.integer("max_parts", 1, 100000).value_or(static_cast<std::int64_t>(l.max_parts)));
  l.max_depth = static_cast<std::size_t>(
      in.integer("max_depth", 1, 1000).value_or(static_cast<std::int64_t>(l.max_depth)));
  l.max_header_bytes =
      static_cast<std::size_t>(in.integer("max_header_bytes", 1024, 64ll * 1024 * 1024)
                                   .value_or(static_cast<std::int64_t>(l.max_header_bytes)));
  l.fetch_batch_messages =
      static_cast<std::size_t>(in.integer("fetch_batch_messages", 1, 1000)
                                   .value_or(static_cast<std::int64_t>(l.fetch_batch_messages)));
  l.fetch_batch_bytes =
      static_cast<std::uint64_t>(in.integer("fetch_batch_bytes", 1024, 1024ll * 1024 * 1024)
                                     .value_or(static_cast<std::int64_t>(l.fetch_batch_bytes)));
  in.rejectUnknownKeys();
  return l;
}

BackoffConfig parseBackoff(ObjectReader in) {
  BackoffConfig backoff;
  backoff.initial = std::chrono::seconds(
      in.integer("initial_seconds", 1, 3600).value_or(backoff.initial.count()));
  backoff.max =
      std::chrono::seconds(in.integer("max_seconds", 1, 86400).value_or(backoff.max.count()));
  if (backoff.max < backoff.initial)
    throw ConfigError("backoff.max_seconds", "must be >= initial_seconds");
  in.rejectUnknownKeys();
  return backoff;
}

}  // namespace hd::service::config_detail
