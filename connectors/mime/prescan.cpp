#include "connectors/mime/prescan.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "connectors/mime/ascii.hpp"
#include "connectors/mime/gmime_support.hpp"

namespace hd::mime {
namespace {

// What a line keeps beyond max_parameter_bytes: room for a field name and the whitespace GMime
// allows before its colon. A boundary is never longer than max_parameter_bytes (it comes from a
// Content-Type value), so a kept line always holds a whole boundary line.
constexpr std::size_t kLineMargin = 64 * 1024;

// One line without its LF. `kept` is all of it, or its first max_parameter_bytes + kLineMargin
// bytes when `length` is larger; `blank_tail`: the bytes past `kept` are spaces, tabs and CRs.
struct Line {
  std::string_view kept;
  std::size_t length;
  bool blank_tail;
  bool cut() const { return length > kept.size(); }
};

// If the line is the first line of a `name` field, the offset of its value in the line. A cut
// line with only whitespace after the name in what it keeps may be one: the end of what it keeps.
std::optional<std::size_t> fieldValueAt(const Line& line, std::string_view name) {
  const std::string_view kept = line.kept;
  if (!startsWithIgnoreCase(kept, name)) return std::nullopt;
  std::size_t at = name.size();
  while (at < kept.size() && (kept[at] == ' ' || kept[at] == '\t')) ++at;
  if (at == kept.size()) return line.cut() ? std::optional(at) : std::nullopt;
  if (kept[at] != ':') return std::nullopt;
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

// First pass: adds up the Content-Type and Content-Disposition values (each with its
// continuation lines, folding kept: GMime's parameter parser skips it) and collects the
// boundaries of the Content-Type fields. Stops before parsing anything more once the bytes pass
// the limit.
class FieldScan {
 public:
  FieldScan(const Limits& limits, Prescan& scan, std::unordered_set<std::string>& boundaries)
      : limits_(limits), scan_(scan), boundaries_(boundaries) {}

  // False once the bytes passed the limit: there is nothing more to learn.
  bool line(const Line& line) {
    if (open_ && !line.kept.empty() && (line.kept[0] == ' ' || line.kept[0] == '\t')) {
      return continueField(line);
    }
    if (open_ && !close()) return false;
    // Both names start with "content-": most lines (a body's) are passed over here, cheaply.
    if (!startsWithIgnoreCase(line.kept, "content-")) return true;
    std::optional<std::size_t> value_at = fieldValueAt(line, "content-type");
    content_type_ = value_at.has_value();
    if (!value_at) value_at = fieldValueAt(line, "content-disposition");
    if (!value_at) return true;
    // Longer than the limit whatever its value: count all of it.
    if (line.cut()) return overBy(line.length);
    value_.assign(line.kept.substr(*value_at));
    open_ = true;
    return true;
  }

  void finish() {
    if (open_) close();
  }

 private:
  bool continueField(const Line& line) {
    if (line.cut()) return overBy(value_.size() + 1 + line.length);
    value_ += '\n';
    value_.append(line.kept);
    // The value's last CR is not counted, so one byte more may still fit.
    if (scan_.parameter_bytes + value_.size() > limits_.max_parameter_bytes + 1) {
      return overBy(value_.size());
    }
    return true;
  }

  bool close() {
    open_ = false;
    if (!value_.empty() && value_.back() == '\r') value_.pop_back();
    scan_.parameter_bytes += value_.size();
    if (scan_.parameter_bytes > limits_.max_parameter_bytes) return false;
    if (content_type_) {
      // GMime reads a header value as a C string: it ends at the first NUL.
      value_.resize(std::min(value_.size(), value_.find('\0')));
      if (auto boundary = boundaryOf(value_)) boundaries_.insert(std::move(*boundary));
    }
    return true;
  }

  bool overBy(std::size_t bytes) {
    open_ = false;
    scan_.parameter_bytes += bytes;
    return false;
  }

  const Limits& limits_;
  Prescan& scan_;
  std::unordered_set<std::string>& boundaries_;
  bool open_ = false;
  bool content_type_ = false;
  std::string value_;
};

// Second pass: counts the boundary lines, until there are more than the limit allows.
class BoundaryCount {
 public:
  BoundaryCount(const std::unordered_set<std::string>& boundaries, std::size_t give_up_after,
                Prescan& scan)
      : boundaries_(boundaries), give_up_after_(give_up_after), scan_(scan) {}

  // False once the count passed the limit.
  bool line(const Line& line) {
    if (!line.blank_tail || !line.kept.starts_with("--")) return true;
    // Trailing whitespace only: a boundary may start with a space.
    std::string_view rest = line.kept.substr(2);
    rest = rest.substr(0, rest.find_last_not_of(" \t\r") + 1);
    key_.assign(rest);
    if (boundaries_.count(key_) != 0) {
      ++scan_.boundary_lines;
    } else if (rest.ends_with("--")) {
      key_.assign(rest.substr(0, rest.size() - 2));
      if (boundaries_.count(key_) != 0) ++scan_.boundary_lines;
    }
    return scan_.boundary_lines <= give_up_after_;
  }

 private:
  const std::unordered_set<std::string>& boundaries_;
  const std::size_t give_up_after_;
  Prescan& scan_;
  std::string key_;
};

std::size_t keptLineBytes(const Limits& limits) {
  return limits.max_parameter_bytes + kLineMargin;
}

// Both passes over the lines that `lines(visit)` gives, in order, while visit() returns true.
template <class Lines>
Prescan scanLines(const Lines& lines, const Limits& limits) {
  Prescan scan;
  std::unordered_set<std::string> boundaries;
  FieldScan fields(limits, scan, boundaries);
  lines([&](const Line& line) { return fields.line(line); });
  fields.finish();
  if (boundaries.empty() || scan.parameter_bytes > limits.max_parameter_bytes) return scan;
  BoundaryCount count(boundaries, 2 * limits.max_parts + 1, scan);
  lines([&](const Line& line) { return count.line(line); });
  return scan;
}

// The lines of a spill file, read `chunk_bytes` at a time. A line within one chunk is passed
// where it lies; one across chunks is gathered, keeping at most `keep` bytes of it.
template <class Visit>
void forEachFileLine(const spill::SpillFile& file, std::size_t keep, std::size_t chunk_bytes,
                     const Visit& visit) {
  std::vector<char> buffer(std::max<std::size_t>(chunk_bytes, 1));
  std::string kept;
  std::size_t length = 0;
  bool blank_tail = true;
  const auto add = [&](std::string_view piece) {
    const std::size_t room = keep - kept.size();
    kept.append(piece.substr(0, room));
    if (piece.size() > room && blank_tail) {
      blank_tail = piece.find_first_not_of(" \t\r", room) == std::string_view::npos;
    }
    length += piece.size();
  };
  for (std::uint64_t offset = 0; offset < file.size();) {
    const std::size_t n = file.readAt(offset, buffer.data(), buffer.size());
    if (n == 0) throw std::runtime_error("a spill file ended early");
    offset += n;
    for (std::string_view chunk(buffer.data(), n); !chunk.empty();) {
      const std::size_t lf = chunk.find('\n');
      if (lf == std::string_view::npos) {
        add(chunk);
        break;
      }
      const std::string_view piece = chunk.substr(0, lf);
      chunk.remove_prefix(lf + 1);
      if (length == 0 && piece.size() <= keep) {
        if (!visit(Line{piece, piece.size(), true})) return;
        continue;
      }
      add(piece);
      if (!visit(Line{kept, length, blank_tail})) return;
      kept.clear();
      length = 0;
      blank_tail = true;
    }
  }
  if (length > 0) visit(Line{kept, length, blank_tail});
}

}  // namespace

Prescan prescan(std::string_view raw, const Limits& limits) {
  const std::size_t keep = keptLineBytes(limits);
  const auto lines = [&](const auto& visit) {
    for (std::size_t at = 0; at < raw.size();) {
      const std::size_t lf = raw.find('\n', at);
      const std::string_view line =
          raw.substr(at, lf == std::string_view::npos ? std::string_view::npos : lf - at);
      at += line.size() + 1;
      const bool cut = line.size() > keep;
      const bool blank_tail =
          !cut || line.find_first_not_of(" \t\r", keep) == std::string_view::npos;
      if (!visit(Line{line.substr(0, keep), line.size(), blank_tail})) return;
    }
  };
  return scanLines(lines, limits);
}

Prescan prescanBytes(const spill::Bytes& raw, const Limits& limits, std::size_t chunk_bytes) {
  if (raw.inMemory()) return prescan(std::string_view(raw.memory()), limits);
  const std::size_t keep = keptLineBytes(limits);
  const auto lines = [&](const auto& visit) {
    forEachFileLine(*raw.file(), keep, chunk_bytes, visit);
  };
  return scanLines(lines, limits);
}

}  // namespace hd::mime
