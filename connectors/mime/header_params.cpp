#include "connectors/mime/header_params.hpp"

#include <vector>

#include "connectors/mime/ascii.hpp"

namespace hd::mime {
namespace {

struct RawParam {
  std::string name;  // lowercase
  std::string value;
};

// RFC 2045 5.1 parameters after the first ';', with quoted-string values (RFC 5322 3.2.4).
std::vector<RawParam> splitParams(std::string_view value) {
  std::vector<RawParam> params;
  std::size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    const std::size_t eq = value.find_first_of("=;", i);
    if (eq == std::string_view::npos) break;
    if (value[eq] == ';') {
      i = eq;
      continue;
    }
    RawParam param;
    param.name = asciiLower(trimView(value.substr(i, eq - i)));
    std::size_t j = eq + 1;
    while (j < value.size() && (value[j] == ' ' || value[j] == '\t')) ++j;
    if (j < value.size() && value[j] == '"') {
      for (++j; j < value.size() && value[j] != '"'; ++j) {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        param.value.push_back(value[j]);
      }
      i = value.find(';', j);
    } else {
      const std::size_t end = value.find(';', j);
      param.value =
          std::string(trimView(value.substr(j, end == std::string_view::npos ? end : end - j)));
      i = end;
    }
    params.push_back(std::move(param));
  }
  return params;
}

}  // namespace

std::optional<std::string> rawParameter(std::string_view header_value, std::string_view name) {
  const std::string wanted = asciiLower(name);
  for (RawParam& param : splitParams(header_value)) {
    if (param.name == wanted) return std::move(param.value);
  }
  return std::nullopt;
}

bool hasExtendedParameter(std::string_view header_value, std::string_view name) {
  const std::string prefix = asciiLower(name) + "*";
  for (const RawParam& param : splitParams(header_value)) {
    if (param.name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace hd::mime
