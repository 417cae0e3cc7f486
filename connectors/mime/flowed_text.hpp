#pragma once
// RFC 3676 format=flowed text/plain. Thread-safe.

#include <string>
#include <string_view>

namespace hd::mime {

// Joins soft line breaks (a line ending in a space continues on the next line of the same quote
// depth), removes space-stuffing, and with `delete_space` (delsp=yes) drops the space that marks
// the soft break. Quote markers are written back as "> " per level. `text` has "\n" line ends.
std::string unflowText(std::string_view text, bool delete_space);

}  // namespace hd::mime
