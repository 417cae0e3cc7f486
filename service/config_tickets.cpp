#include <regex>

#include "service/config_sections.hpp"

namespace hd::service::config_detail {
namespace {

// A list of mail addresses ("support@example.com"); an empty list is allowed (no own mail).
std::vector<std::string> parseOwnAddresses(const Json& value, const std::string& key) {
  if (!value.is_array()) throw ConfigError(key, "must be a list of mail addresses");
  std::vector<std::string> addresses;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    if (!value[i].is_string()) throw ConfigError(item_key, "must be a string");
    const auto address = value[i].get<std::string>();
    const auto at = address.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size() ||
        address.find_first_of(" \t<>") != std::string::npos) {
      throw ConfigError(item_key, "must be a mail address such as support@example.com");
    }
    addresses.push_back(address);
  }
  return addresses;
}

}  // namespace

std::optional<std::vector<std::string>> parseTickets(ObjectReader in, Config& config) {
  std::optional<std::vector<std::string>> own_addresses;
  config.ticket_prefix = in.string("reference_prefix", config.ticket_prefix);
  static const std::regex kPrefix("[A-Za-z][A-Za-z0-9_-]{0,15}");
  if (!std::regex_match(config.ticket_prefix, kPrefix)) {
    throw ConfigError("tickets.reference_prefix", "must be a short word such as \"HD-\"");
  }
  config.new_tickets_per_sender_per_hour =
      static_cast<std::uint32_t>(in.integer("new_tickets_per_sender_per_hour", 0, 1000000)
                                     .value_or(config.new_tickets_per_sender_per_hour));
  if (in.has("own_addresses")) {
    own_addresses = parseOwnAddresses(in.raw("own_addresses"), "tickets.own_addresses");
  }
  in.rejectUnknownKeys();
  return own_addresses;
}

}  // namespace hd::service::config_detail
