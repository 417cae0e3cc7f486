#include "connectors/mime/part_count.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>

#include "connectors/mime/ascii.hpp"
#include "connectors/mime/gmime_support.hpp"

namespace hd::mime {
namespace {

constexpr std::string_view kContentType = "content-type";

// The line at `at` up to (not including) its LF.
std::string_view lineAt(std::string_view raw, std::size_t at) {
  const std::size_t lf = raw.find('\n', at);
  return raw.substr(at, lf == std::string_view::npos ? std::string_view::npos : lf - at);
}

// If the line is the first line of a Content-Type field, the offset of its value in the line.
std::optional<std::size_t> contentTypeValueAt(std::string_view line) {
  if (!startsWithIgnoreCase(line, kContentType)) return std::nullopt;
  std::size_t at = kContentType.size();
  while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
  if (at == line.size() || line[at] != ':') return std::nullopt;
  return at + 1;
}

// The boundary parameter of a Content-Type value, as GMime reads it. An empty one counts: GMime
// then takes every "--" line for a boundary.
std::optional<std::string> boundaryOf(const std::string& value) {
  GPtr<GMimeContentType> type(g_mime_content_type_parse(nullptr, value.c_str()));
  if (!type) return std::nullopt;
  const char* boundary = g_mime_content_type_get_parameter(type.get(), "boundary");
  if (boundary == nullptr) return std::nullopt;
  return std::string(boundary);
}

std::unordered_set<std::string> declaredBoundaries(std::string_view raw) {
  std::unordered_set<std::string> boundaries;
  for (std::size_t at = 0; at < raw.size();) {
    std::string_view line = lineAt(raw, at);
    std::size_t next = at + line.size() + 1;
    if (auto value_at = contentTypeValueAt(line)) {
      // The value with its continuation lines, folding kept: GMime's parameter parser skips it.
      std::string value(line.substr(*value_at));
      while (next < raw.size() && (raw[next] == ' ' || raw[next] == '\t')) {
        const std::string_view continuation = lineAt(raw, next);
        value += '\n';
        value += continuation;
        next += continuation.size() + 1;
      }
      // GMime reads a header value as a C string: it ends at the first NUL.
      value.resize(std::min(value.size(), value.find('\0')));
      if (auto boundary = boundaryOf(value)) boundaries.insert(std::move(*boundary));
    }
    at = next;
  }
  return boundaries;
}

}  // namespace

std::size_t countBoundaryLines(std::string_view raw, std::size_t give_up_after) {
  const std::unordered_set<std::string> boundaries = declaredBoundaries(raw);
  if (boundaries.empty()) return 0;
  std::size_t count = 0;
  std::string key;
  for (std::size_t at = 0; at < raw.size() && count <= give_up_after;) {
    const std::string_view line = lineAt(raw, at);
    at += line.size() + 1;
    if (!line.starts_with("--")) continue;
    // Trailing whitespace only: a boundary may start with a space.
    std::string_view rest = line.substr(2);
    rest = rest.substr(0, rest.find_last_not_of(" \t\r") + 1);
    key.assign(rest);
    if (boundaries.count(key) != 0) {
      ++count;
    } else if (rest.ends_with("--")) {
      key.assign(rest.substr(0, rest.size() - 2));
      if (boundaries.count(key) != 0) ++count;
    }
  }
  return count;
}

}  // namespace hd::mime
