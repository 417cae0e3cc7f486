#include "service/config.hpp"

#include <cstdlib>
#include <filesystem>
#include <set>

#include "connectors/oauth2/secret_box.hpp"
#include "service/config_json.hpp"
#include "service/config_reader.hpp"
#include "service/config_sections.hpp"
#include "service/mailbox_overlap.hpp"

namespace hd::service {

using namespace config_detail;

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

std::string toString(Protocol protocol) {
  return protocol == Protocol::kImap ? "imap" : "pop3";
}

Config parseConfig(const std::string& json_text, const EnvLookup& env,
                   const std::string& base_dir) {
  Json root = parseJson(json_text);
  Config config;
  WarningsScope warnings(config.warnings);
  ObjectReader top(root, "", env, base_dir);
  std::optional<std::vector<std::string>> own_addresses;

  if (!top.has("database")) throw ConfigError("database", "is required");
  config.database_url = parseDatabase(top.child("database"));
  if (top.has("http")) parseHttp(top.child("http"), config);
  if (top.has("tickets")) own_addresses = parseTickets(top.child("tickets"), config);
  // Read even when absent: the spill directory's default comes from the environment.
  const Json no_limits = Json::object();
  config.limits = parseLimits(top.has("limits") ? top.child("limits")
                                                : ObjectReader(no_limits, "limits", env, base_dir));
  if (top.has("backoff")) config.backoff = parseBackoff(top.child("backoff"));
  if (top.has("log")) config.log = parseLog(top.child("log"));
  if (top.has("secrets")) parseSecrets(top.child("secrets"), config);
  if (config.secret_key.empty()) {
    if (auto key = env(oauth2::kSecretKeyEnv); key && !key->empty()) {
      config.secret_key = *key;
      config.secret_key_origin = oauth2::kSecretKeyEnv;
    }
  }
  if (!top.has("mailboxes")) throw ConfigError("mailboxes", "is required (a list of mailboxes)");
  const Json& boxes = top.raw("mailboxes");
  if (!boxes.is_array() || boxes.empty())
    throw ConfigError("mailboxes", "must be a non-empty list");
  std::set<std::string> names;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    std::string path = "mailboxes[" + std::to_string(i) + "]";
    MailboxConfig mailbox = parseMailbox(ObjectReader(boxes[i], path, env, base_dir));
    if (!names.insert(mailbox.name).second)
      throw ConfigError(path + ".name", "duplicate mailbox name \"" + mailbox.name + "\"");
    config.mailboxes.push_back(std::move(mailbox));
  }
  rejectOverlappingMailboxes(config.mailboxes);
  if (own_addresses) {
    config.own_addresses = std::move(*own_addresses);
  } else {
    for (const auto& mailbox : config.mailboxes) {
      if (mailbox.username.find('@') != std::string::npos)
        config.own_addresses.push_back(mailbox.username);
    }
  }
  top.rejectUnknownKeys();
  return config;
}

Config loadConfig(const std::string& path, const EnvLookup& env) {
  const std::string text = readBoundedFile(path, kMaxConfigFileBytes, "--config");
  auto base = std::filesystem::path(path).parent_path().string();
  return parseConfig(text, env, base.empty() ? "." : base);
}

}  // namespace hd::service
