#pragma once
// application/x-www-form-urlencoded bodies (HTML 5 URL-encoded form serializer, as RFC 6749
// section 4.1.3 / appendix B requires for token requests).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hd::oauth2 {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Unreserved bytes stay, space becomes '+', every other byte becomes %XX (upper-case hex).
std::string formEncode(std::string_view text);
// "k1=v1&k2=v2" in the given order.
std::string formEncode(const FormFields& fields);

}  // namespace hd::oauth2
