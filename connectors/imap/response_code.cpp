#include "connectors/imap/response_code.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hd::imap {
namespace {

std::string upper(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return result;
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> result;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    if (end > pos) result.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return result;
}

std::optional<std::uint64_t> toNumber(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return {};
  return value;
}

}  // namespace

ResponseCode parseResponseCode(std::string_view inside) {
  ResponseCode code;
  const std::size_t space = inside.find(' ');
  code.name = upper(inside.substr(0, space));
  if (space != std::string_view::npos) code.arguments = std::string(inside.substr(space + 1));

  const std::vector<std::string> args = words(code.arguments);
  if (code.name == "UIDVALIDITY" || code.name == "UIDNEXT" || code.name == "UNSEEN") {
    if (args.size() == 1) code.number = toNumber(args[0]).value_or(0);
  } else if (code.name == "CAPABILITY") {
    code.atoms = args;
  } else if (code.name == "PERMANENTFLAGS") {
    std::string_view list = code.arguments;
    if (!list.empty() && list.front() == '(') list.remove_prefix(1);
    if (!list.empty() && list.back() == ')') list.remove_suffix(1);
    code.atoms = words(list);
  } else if (code.name == "COPYUID" && args.size() == 3) {
    // RFC 4315 section 3: COPYUID <uidvalidity> <source set> <destination set>.
    code.number = toNumber(args[0]).value_or(0);
    code.source_uids = args[1];
    code.destination_uids = args[2];
  } else if (code.name == "APPENDUID" && args.size() == 2) {
    code.number = toNumber(args[0]).value_or(0);
    code.destination_uids = args[1];
  }
  return code;
}

RespText parseRespText(std::string_view line) {
  RespText result;
  if (!line.empty() && line.front() == '[') {
    const std::size_t close = line.find(']');
    if (close != std::string_view::npos) {
      result.code = parseResponseCode(line.substr(1, close - 1));
      line.remove_prefix(close + 1);
      if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    }
  }
  result.text = std::string(line);
  return result;
}

const char* toString(Status status) {
  switch (status) {
    case Status::kOk:
      return "OK";
    case Status::kNo:
      return "NO";
    case Status::kBad:
      return "BAD";
    case Status::kBye:
      return "BYE";
    case Status::kPreauth:
      return "PREAUTH";
    case Status::kNone:
      break;
  }
  return "";
}

}  // namespace hd::imap
