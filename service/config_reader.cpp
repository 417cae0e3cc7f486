#include "service/config_reader.hpp"

#include <fstream>
#include <regex>

#include "connectors/net/redact.hpp"

namespace hd::service::config_detail {
namespace {

thread_local std::vector<std::string>* t_warnings = nullptr;

}  // namespace

WarningsScope::WarningsScope(std::vector<std::string>& warnings) {
  t_warnings = &warnings;
}

WarningsScope::~WarningsScope() {
  t_warnings = nullptr;
}

std::string readBoundedFile(const std::filesystem::path& path, std::uintmax_t max_bytes,
                            const std::string& key) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status))
    throw ConfigError(key, "cannot read " + path.string() + " (not found)");
  if (!std::filesystem::is_regular_file(status))
    throw ConfigError(key, path.string() + " is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(key, "cannot read " + path.string());
  std::string content(static_cast<std::size_t>(max_bytes) + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (content.size() > max_bytes) {
    throw ConfigError(key,
                      path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  if (t_warnings && (status.permissions() & std::filesystem::perms::others_read) !=
                        std::filesystem::perms::none) {
    t_warnings->push_back(key + ": " + path.string() +
                          " is readable by every user of this machine; restrict it (chmod o-r)");
  }
  return content;
}

ObjectReader::ObjectReader(const Json& object, std::string path, const EnvLookup& env,
                           std::string base_dir)
    : object_(object), path_(std::move(path)), env_(env), base_dir_(std::move(base_dir)) {
  if (!object_.is_object())
    throw ConfigError(path_.empty() ? "(top level)" : path_, "must be an object");
}

ObjectReader ObjectReader::child(const std::string& name) {
  return ObjectReader(raw(name), key(name), env_, base_dir_);
}

std::string ObjectReader::key(const std::string& name) const {
  return path_.empty() ? name : path_ + "." + name;
}

bool ObjectReader::has(const std::string& name) {
  used_.insert(name);
  return object_.contains(name) && !object_.at(name).is_null();
}

const Json& ObjectReader::raw(const std::string& name) {
  used_.insert(name);
  return object_.at(name);
}

std::optional<std::string> ObjectReader::string(const std::string& name) {
  if (!has(name)) return std::nullopt;
  const Json& value = object_.at(name);
  if (!value.is_string()) throw ConfigError(key(name), "must be a string");
  return expandEnvironment(value.get<std::string>(), key(name));
}

std::string ObjectReader::string(const std::string& name, const std::string& fallback) {
  return string(name).value_or(fallback);
}

std::string ObjectReader::requiredString(const std::string& name) {
  auto value = string(name);
  if (!value || value->empty()) throw ConfigError(key(name), "is required");
  return *value;
}

std::optional<std::string> ObjectReader::secret(const std::string& name) {
  auto inline_value = string(name);
  auto file = string(name + "_file");
  if (inline_value && file)
    throw ConfigError(key(name), "give either " + name + " or " + name + "_file, not both");
  if (!file) {
    if (inline_value) net::rememberSecret(*inline_value);
    return inline_value;
  }
  std::filesystem::path path(*file);
  if (path.is_relative()) path = std::filesystem::path(base_dir_) / path;
  std::string content = readBoundedFile(path, kMaxSecretFileBytes, key(name + "_file"));
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  net::rememberSecret(content);
  return content;
}

std::optional<std::int64_t> ObjectReader::integer(const std::string& name, std::int64_t min,
                                                  std::int64_t max) {
  if (!has(name)) return std::nullopt;
  const Json& value = object_.at(name);
  if (!value.is_number_integer()) throw ConfigError(key(name), "must be an integer");
  auto number = value.get<std::int64_t>();
  if (number < min || number > max) {
    throw ConfigError(key(name),
                      "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return number;
}

std::optional<bool> ObjectReader::boolean(const std::string& name) {
  if (!has(name)) return std::nullopt;
  const Json& value = object_.at(name);
  if (!value.is_boolean()) throw ConfigError(key(name), "must be true or false");
  return value.get<bool>();
}

void ObjectReader::rejectUnknownKeys() const {
  for (const auto& [name, value] : object_.items()) {
    if (!used_.count(name)) throw ConfigError(key(name), "unknown key");
  }
}

std::string ObjectReader::expandEnvironment(const std::string& text,
                                            const std::string& where) const {
  static const std::regex kReference(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
  std::string result;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kReference);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto& match = *it;
    result.append(text, last, static_cast<std::size_t>(match.position()) - last);
    auto value = env_(match[1].str());
    if (!value) throw ConfigError(where, "environment variable " + match[1].str() + " is not set");
    result += *value;
    last = static_cast<std::size_t>(match.position() + match.length());
  }
  result.append(text, last);
  return result;
}

}  // namespace hd::service::config_detail
