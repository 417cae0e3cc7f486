#include "connectors/mime/prescan.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>

#include "connectors/mime/ascii.hpp"
#include "connectors/mime/gmime_support.hpp"

namespace hd::mime {
namespace {

// The line at `at` up to (not including) its LF.
std::string_view lineAt(std::string_view raw, std::size_t at) {
  const std::size_t lf = raw.find('\n', at);
  return raw.substr(at, lf == std::string_view::npos ? std::string_view::npos : lf - at);
}

// If the line is the first line of a `name` field, the offset of its value in the line.
std::optional<std::size_t> fieldValueAt(std::string_view line, std::string_view name) {
  if (!startsWithIgnoreCase(line, name)) return std::nullopt;
  std::size_t at = name.size();
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

// Collects the boundaries of every Content-Type field and adds up the parameter fields' bytes;
// stops before parsing anything more once the bytes pass the limit.
void scanFields(std::string_view raw, const Limits& limits, Prescan& scan,
                std::unordered_set<std::string>& boundaries) {
  for (std::size_t at = 0; at < raw.size();) {
    const std::string_view line = lineAt(raw, at);
    std::size_t next = at + line.size() + 1;
    auto value_at = fieldValueAt(line, "content-type");
    const bool content_type = value_at.has_value();
    if (!content_type) value_at = fieldValueAt(line, "content-disposition");
    if (value_at) {
      // The value with its continuation lines, folding kept: GMime's parameter parser skips it.
      std::size_t end = at + line.size();
      while (next < raw.size() && (raw[next] == ' ' || raw[next] == '\t')) {
        end = next + lineAt(raw, next).size();
        next = end + 1;
      }
      if (end > at && raw[end - 1] == '\r') --end;
      const std::size_t begin = at + *value_at;
      scan.parameter_bytes += end - begin;
      if (scan.parameter_bytes > limits.max_parameter_bytes) return;
      if (content_type) {
        // GMime reads a header value as a C string: it ends at the first NUL.
        std::string value(raw.substr(begin, end - begin));
        value.resize(std::min(value.size(), value.find('\0')));
        if (auto boundary = boundaryOf(value)) boundaries.insert(std::move(*boundary));
      }
    }
    at = next;
  }
}

}  // namespace

Prescan prescan(std::string_view raw, const Limits& limits) {
  Prescan scan;
  std::unordered_set<std::string> boundaries;
  scanFields(raw, limits, scan, boundaries);
  if (boundaries.empty() || scan.parameter_bytes > limits.max_parameter_bytes) return scan;
  const std::size_t give_up_after = 2 * limits.max_parts + 1;
  std::string key;
  for (std::size_t at = 0; at < raw.size() && scan.boundary_lines <= give_up_after;) {
    const std::string_view line = lineAt(raw, at);
    at += line.size() + 1;
    if (!line.starts_with("--")) continue;
    // Trailing whitespace only: a boundary may start with a space.
    std::string_view rest = line.substr(2);
    rest = rest.substr(0, rest.find_last_not_of(" \t\r") + 1);
    key.assign(rest);
    if (boundaries.count(key) != 0) {
      ++scan.boundary_lines;
    } else if (rest.ends_with("--")) {
      key.assign(rest.substr(0, rest.size() - 2));
      if (boundaries.count(key) != 0) ++scan.boundary_lines;
    }
  }
  return scan;
}

}  // namespace hd::mime
