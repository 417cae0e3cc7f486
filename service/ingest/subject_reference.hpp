#pragma once
// Ticket references written into subjects by the helpdesk's replies: "[HD-42] Printer broken".

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hd::ingest {

// A subject is untrusted input: at most this many references are looked up per mail.
constexpr std::size_t kMaxSubjectReferences = 3;

// The references named in `subject` as "[" prefix digits "]" (prefix compared ASCII
// case-insensitively, digits without leading zeros, at most 18 of them), in order of appearance,
// without duplicates, at most kMaxSubjectReferences, each written canonically as prefix + number
// ("[hd-0042]" with prefix "HD-" gives "HD-42").
std::vector<std::string> subjectReferences(std::string_view subject, std::string_view prefix);

}  // namespace hd::ingest
