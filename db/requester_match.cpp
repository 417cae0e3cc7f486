#include "db/requester_match.hpp"

#include <algorithm>

#include "connectors/mime/ascii.hpp"
#include "connectors/mime/charset.hpp"
#include "db/sql_values.hpp"

namespace hd::db {

std::vector<std::string> requesterKeys(const mime::Message& mail) {
  std::vector<std::string> keys;
  if (!mail.from && !mail.sender) keys.emplace_back();
  for (const auto& address : {mail.from, mail.sender}) {
    if (address) keys.push_back(mime::asciiLower(validUtf8(address->address)));
  }
  return keys;
}

bool mayCountAny(const std::vector<std::string>& requesters, const std::string& address) {
  if (requesters.empty()) return false;
  if (!mime::isAscii(address)) return true;
  const std::string folded = mime::asciiLower(validUtf8(address));
  return std::any_of(requesters.begin(), requesters.end(),
                     [&](const std::string& r) { return !mime::isAscii(r) || r == folded; });
}

}  // namespace hd::db
