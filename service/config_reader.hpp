#pragma once
// The pieces every section parser of the configuration shares: an ObjectReader that reads one
// JSON object and refuses keys nobody asked for, choose() for enumerations, bounded file reads,
// and the warnings of the parse running on this thread. Internal to service/config*.cpp.

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "service/config.hpp"

namespace hd::service::config_detail {

using Json = nlohmann::json;

// Collects the warnings of the parseConfig() call running on this thread (Config::warnings) while
// it lives, so that readers deep in the tree can add one without every reader carrying the list.
class WarningsScope {
 public:
  explicit WarningsScope(std::vector<std::string>& warnings);
  ~WarningsScope();
  WarningsScope(const WarningsScope&) = delete;
  WarningsScope& operator=(const WarningsScope&) = delete;
};

// Reads a regular file (symlinks followed) of at most `max_bytes`; anything else (a directory,
// /dev/zero, a FIFO, a missing file, a larger file) throws ConfigError(key) without reading it.
std::string readBoundedFile(const std::filesystem::path& path, std::uintmax_t max_bytes,
                            const std::string& key);

// Reads one JSON object, remembering which keys were used so that any other key is refused.
// Keys are reported as paths ("mailboxes[0].port") in every error.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path, const EnvLookup& env, std::string base_dir);

  // The object under key `name`, read with the same environment and base directory.
  ObjectReader child(const std::string& name);

  std::string key(const std::string& name) const;
  bool has(const std::string& name);
  const Json& raw(const std::string& name);
  std::optional<std::string> string(const std::string& name);
  std::string string(const std::string& name, const std::string& fallback);
  std::string requiredString(const std::string& name);
  // A secret may be given inline ("password") or as a file ("password_file", for Docker secrets);
  // never both. A trailing newline in the file is not part of the secret.
  std::optional<std::string> secret(const std::string& name);
  std::optional<std::int64_t> integer(const std::string& name, std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(const std::string& name);
  // Refuses keys nobody asked for: a typo must not silently fall back to a default.
  void rejectUnknownKeys() const;

  const EnvLookup& env() const { return env_; }
  const std::string& baseDir() const { return base_dir_; }

 private:
  // "${NAME}" is replaced by the environment variable NAME; an unset variable is an error.
  std::string expandEnvironment(const std::string& text, const std::string& where) const;

  const Json& object_;
  std::string path_;
  const EnvLookup& env_;
  std::string base_dir_;
  std::set<std::string> used_;
};

template <typename Enum>
Enum choose(const std::string& key, const std::string& value,
            std::initializer_list<std::pair<const char*, Enum>> choices) {
  std::string names;
  for (const auto& [name, choice] : choices) {
    if (value == name) return choice;
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  throw ConfigError(key, "must be one of " + names + " (got \"" + value + "\")");
}

}  // namespace hd::service::config_detail
