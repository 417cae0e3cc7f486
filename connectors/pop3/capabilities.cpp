#include "connectors/pop3/capabilities.hpp"

#include <cctype>
#include <sstream>

namespace hd::pop3 {
namespace {

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

bool Capabilities::hasSasl(std::string_view mechanism) const {
  return sasl.contains(upper(std::string(mechanism)));
}

Capabilities Capabilities::parse(const std::vector<std::string>& lines) {
  Capabilities caps;
  caps.known = true;
  for (const auto& line : lines) {
    std::istringstream words(line);
    std::string name;
    if (!(words >> name)) continue;
    name = upper(name);
    if (name == "TOP") {
      caps.top = true;
    } else if (name == "USER") {
      caps.user = true;
    } else if (name == "UIDL") {
      caps.uidl = true;
    } else if (name == "PIPELINING") {
      caps.pipelining = true;
    } else if (name == "STLS") {
      caps.stls = true;
    } else if (name == "SASL") {
      for (std::string mechanism; words >> mechanism;) caps.sasl.insert(upper(mechanism));
    } else if (name == "IMPLEMENTATION") {
      std::getline(words >> std::ws, caps.implementation);
    }
  }
  return caps;
}

}  // namespace hd::pop3
