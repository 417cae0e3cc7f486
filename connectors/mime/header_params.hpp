#pragma once
// Reading parameters straight from a raw Content-Type / Content-Disposition value, for the cases
// where GMime's own decoding must be bypassed (see rfc2047.hpp). Thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace hd::mime {

// The value of parameter `name` (case-insensitive, plain form only: not "name*" / "name*0*"),
// unquoted, exactly as written otherwise. nullopt if absent.
std::optional<std::string> rawParameter(std::string_view header_value, std::string_view name);

// Whether the RFC 2231 form ("name*=", "name*0=", "name*0*=") of the parameter is present.
bool hasExtendedParameter(std::string_view header_value, std::string_view name);

}  // namespace hd::mime
