#pragma once
// IMAP sequence-set text for UIDs (RFC 3501 section 9, "sequence-set"). Pure, thread-safe.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hd::imap {

// "1:5,8,10:12" for {1,2,3,4,5,8,10,11,12}: sorted, duplicates removed, runs as ranges.
// Returns "" for no UIDs (callers must not send an empty set).
std::string compressUidSet(std::span<const std::uint64_t> uids);

// The same UIDs split into sets of at most `max_length` characters each (a set always holds at
// least one range, however long), so that no command line grows without bound.
std::vector<std::string> splitUidSets(std::span<const std::uint64_t> uids,
                                      std::size_t max_length = 8000);

}  // namespace hd::imap
