#include "connectors/mime/flowed_text.hpp"

namespace hd::mime {

std::string unflowText(std::string_view text, bool delete_space) {
  std::string out;
  bool continuing = false;  // the previous line was flowed
  std::size_t previous_depth = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;

    std::size_t depth = 0;
    while (depth < line.size() && line[depth] == '>') ++depth;
    line.remove_prefix(depth);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);  // RFC 3676 4.4 stuffing
    // RFC 3676 4.3: the signature separator "-- " is never flowed.
    const bool flowed = !line.empty() && line.back() == ' ' && line != "-- ";
    if (flowed && delete_space) line.remove_suffix(1);

    if (continuing && depth != previous_depth) out.push_back('\n');  // 4.5: depth change breaks
    if (!continuing || depth != previous_depth) {
      for (std::size_t i = 0; i < depth; ++i) out.append(">");
      if (depth > 0) out.push_back(' ');
    }
    out.append(line);
    if (!flowed && !last) out.push_back('\n');
    continuing = flowed;
    previous_depth = depth;
  }
  return out;
}

}  // namespace hd::mime
