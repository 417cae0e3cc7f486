#pragma once
// Unicode bidirectional controls in names a person reads (attachment file names):
// "invoice\u202Egpj.exe" shows as "invoiceexe.jpg". They have no business in a file name, so they
// are removed. Thread-safe.

#include <string>
#include <string_view>

namespace hd::mime {

// `utf8` without U+202A..U+202E (embeddings, overrides), U+2066..U+2069 (isolates), U+200E/U+200F
// (marks) and U+061C (Arabic letter mark). Other bytes are kept as they are.
std::string withoutBidiControls(std::string_view utf8);

}  // namespace hd::mime
