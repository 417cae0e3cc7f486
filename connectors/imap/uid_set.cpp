#include "connectors/imap/uid_set.hpp"

#include <algorithm>

namespace hd::imap {
namespace {

struct Range {
  std::uint64_t first;
  std::uint64_t last;
};

std::vector<Range> toRanges(std::span<const std::uint64_t> uids) {
  std::vector<std::uint64_t> sorted(uids.begin(), uids.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<Range> ranges;
  for (std::uint64_t uid : sorted) {
    if (!ranges.empty() && ranges.back().last + 1 == uid) {
      ranges.back().last = uid;
    } else {
      ranges.push_back({uid, uid});
    }
  }
  return ranges;
}

std::string toText(const Range& range) {
  if (range.first == range.last) return std::to_string(range.first);
  return std::to_string(range.first) + ":" + std::to_string(range.last);
}

}  // namespace

std::string compressUidSet(std::span<const std::uint64_t> uids) {
  std::string result;
  for (const Range& range : toRanges(uids)) {
    if (!result.empty()) result.push_back(',');
    result += toText(range);
  }
  return result;
}

std::vector<std::string> splitUidSets(std::span<const std::uint64_t> uids, std::size_t max_length) {
  std::vector<std::string> sets;
  std::string current;
  for (const Range& range : toRanges(uids)) {
    const std::string text = toText(range);
    if (!current.empty() && current.size() + 1 + text.size() > max_length) {
      sets.push_back(std::move(current));
      current.clear();
    }
    if (!current.empty()) current.push_back(',');
    current += text;
  }
  if (!current.empty()) sets.push_back(std::move(current));
  return sets;
}

}  // namespace hd::imap
