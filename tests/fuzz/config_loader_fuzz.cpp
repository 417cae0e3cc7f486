// libFuzzer target: arbitrary text into the config loader (JSON with comments, then validation).
// Any input must end in a Config or a ConfigError naming the key: any other exception (what the
// service would report as exit 70) is a finding. No environment; relative *_file paths resolve
// under a directory that does not exist.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "service/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const hd::service::EnvLookup no_env = [](const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  try {
    (void)hd::service::parseConfig(text, no_env, "/nonexistent-hd-fuzz");
  } catch (const hd::service::ConfigError&) {
  }
  return 0;
}
