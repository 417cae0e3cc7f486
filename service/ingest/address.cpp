#include "service/ingest/address.hpp"

namespace hd::ingest {

std::string normalizedAddress(std::string_view address) {
  while (!address.empty() && (address.front() == ' ' || address.front() == '\t')) {
    address.remove_prefix(1);
  }
  while (!address.empty() && (address.back() == ' ' || address.back() == '\t')) {
    address.remove_suffix(1);
  }
  std::string result(address);
  for (char& c : result) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return result;
}

std::string senderAddress(const mime::Message& message) {
  if (message.from && !message.from->address.empty()) {
    return normalizedAddress(message.from->address);
  }
  if (message.sender) return normalizedAddress(message.sender->address);
  return {};
}

std::string_view localPart(std::string_view normalized_address) {
  const auto at = normalized_address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : normalized_address.substr(0, at);
}

}  // namespace hd::ingest
