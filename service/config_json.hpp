#pragma once
// The configuration text as JSON (comments allowed). Errors report where, never what: the text
// around a syntax error may be a password, and an unterminated comment would be the rest of the
// file.

#include <nlohmann/json.hpp>
#include <string>

namespace hd::service::config_detail {

// ConfigError("(file)", "not valid JSON at line L, column C: ...") on a syntax error;
// ConfigError(<key path>, ...) when a value cannot be represented (a number out of range).
nlohmann::json parseJson(const std::string& text);

}  // namespace hd::service::config_detail
