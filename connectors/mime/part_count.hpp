#pragma once
// A bound on the MIME parts GMime would build from a message, computed before it builds any:
// every part costs an object tree, so a message of empty parts ("--b" lines) would take about
// 175 times its size in memory. Not thread-safe only in that GMime must be initialised first.

#include <cstddef>
#include <string_view>

namespace hd::mime {

// The number of boundary lines in `raw` (stops counting past `give_up_after`): lines "--b" or
// "--b--" (trailing whitespace allowed, as GMime allows it) for every boundary b that any
// Content-Type header in the message declares. Headers are found wherever a line starts with
// the field name (any case, whitespace before the colon, folded onto continuation lines) and their
// parameters are read by GMime's own parser, so every spelling GMime accepts counts: BOUNDARY=,
// boundary = "x", RFC 2231 boundary*0= / boundary*=utf-8''x. Finding a header in a body only
// makes the bound larger, never smaller. Work and memory are linear in the size of `raw`.
std::size_t countBoundaryLines(std::string_view raw, std::size_t give_up_after);

}  // namespace hd::mime
