#include "connectors/mime/address.hpp"

#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/rfc2047.hpp"

namespace hd::mime {
namespace {

// GMime turns a phrase with no address (MimeKit's stack-overflow.txt) into a "mailbox" whose
// address is the phrase; such entries name nobody and are dropped.
bool isPlausibleAddress(std::string_view addr) {
  return !addr.empty() && addr.find_first_of(" \t\"<>()") == std::string_view::npos;
}

void collect(InternetAddressList* list, std::vector<Address>& out, int depth, int& dropped) {
  const int count = internet_address_list_length(list);
  for (int i = 0; i < count; ++i) {
    InternetAddress* address = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
      const char* name = internet_address_get_name(address);
      const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
      if (addr == nullptr || !isPlausibleAddress(addr)) {
        ++dropped;
        continue;
      }
      out.push_back({name != nullptr ? name : "", addr});
    } else if (INTERNET_ADDRESS_IS_GROUP(address) && depth < 4) {
      collect(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), out, depth + 1,
              dropped);
    }
  }
}

std::string trimmed(std::string_view s, std::string_view chars = " \t\"'<>,;") {
  const std::size_t begin = s.find_first_not_of(chars);
  if (begin == std::string_view::npos) return {};
  const std::size_t end = s.find_last_not_of(chars);
  return std::string(s.substr(begin, end - begin + 1));
}

// Last resort for lists GMime cannot parse: comma-separated entries, the word holding '@' is
// the address and the rest is the name.
std::vector<Address> repair(const std::string& text) {
  std::vector<Address> out;
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] == '"') quoted = !quoted;
    if (i < text.size() && (quoted || (text[i] != ',' && text[i] != ';'))) continue;
    const std::string entry = text.substr(start, i - start);
    start = i + 1;
    const std::size_t at = entry.rfind('@');
    if (at == std::string::npos) continue;
    std::size_t word_begin = entry.find_last_of(" \t<", at);
    word_begin = word_begin == std::string::npos ? 0 : word_begin + 1;
    std::size_t word_end = entry.find_first_of(" \t>", at);
    if (word_end == std::string::npos) word_end = entry.size();
    Address address;
    address.address = trimmed(entry.substr(word_begin, word_end - word_begin));
    address.name = trimmed(entry.substr(0, word_begin) + " " + entry.substr(word_end));
    if (!address.address.empty()) out.push_back(std::move(address));
  }
  return out;
}

}  // namespace

std::vector<Address> parseAddressList(std::string_view raw, std::vector<Warning>& warnings,
                                      std::string_view where) {
  ensureGMimeInitialised();
  const std::string text = decodeEncodedWordsInPhrases(raw, warnings, where);
  std::vector<Address> out;
  if (text.empty()) return out;
  GPtr<InternetAddressList> list(internet_address_list_parse(nullptr, text.c_str()));
  int dropped = 0;
  if (list) collect(list.get(), out, 0, dropped);
  if (dropped > 0) {
    warnings.push_back({.kind = WarningKind::kAddressesDropped,
                        .where = std::string(where),
                        .count = static_cast<std::size_t>(dropped)});
  }
  if (text.find('@') != std::string::npos) {
    // GMime drops the entries it cannot parse; keep them if the lenient split finds more.
    std::vector<Address> repaired = repair(text);
    if (repaired.size() > out.size()) {
      out = std::move(repaired);
      warnings.push_back({.kind = WarningKind::kAddressListRepaired, .where = std::string(where)});
    }
  }
  return out;
}

}  // namespace hd::mime
