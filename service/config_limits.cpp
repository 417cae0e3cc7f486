#include "service/config_sections.hpp"

namespace hd::service::config_detail {
namespace {

// "spill_directory", else $TMPDIR, else /tmp (as mkstemp users do). Whether it exists and is
// writable is checked at start (service/spill_directory.hpp), not here: parsing reads no disk.
std::string spillDirectory(ObjectReader& in) {
  const std::string key = in.key("spill_directory");
  std::string directory;
  std::string origin = key;
  if (auto configured = in.string("spill_directory")) {
    directory = *configured;
    if (directory.empty()) throw ConfigError(key, "must not be empty");
  } else if (auto tmpdir = in.env()("TMPDIR"); tmpdir && !tmpdir->empty()) {
    directory = *tmpdir;
    origin = "$TMPDIR";
  } else {
    return "/tmp";
  }
  // A NUL would cut the path short at open(); a relative path would depend on the working
  // directory of whoever starts the service.
  if (directory.find('\0') != std::string::npos)
    throw ConfigError(key, "must not contain a NUL character (from " + origin + ")");
  if (directory.front() != '/')
    throw ConfigError(key, "must be an absolute path (from " + origin + ": \"" + directory + "\")");
  return directory;
}

}  // namespace

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
  l.spill.directory = spillDirectory(in);
  l.spill.threshold_bytes = static_cast<std::uint64_t>(
      in.integer("spill_threshold_bytes", kMinSpillThresholdBytes, kMaxSpillThresholdBytes)
          .value_or(static_cast<std::int64_t>(l.spill.threshold_bytes)));
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
