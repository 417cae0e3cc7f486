#pragma once
// Bounds on what GMime would build from a message, computed before it builds anything. GMime's
// objects cost far more than the bytes they come from: an empty part ("--b" and an empty line)
// about 1.3 kB, a Content-Type parameter (";a=1") about 300 bytes, so an 8 MiB message of either
// would take over 600 MB. Work and memory here are linear in the size of the message.
// GMime must be initialised (ensureGMimeInitialised()).

#include <cstddef>
#include <string_view>

#include "connectors/mime/limits.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::mime {

struct Prescan {
  // Lines "--b" or "--b--" (trailing whitespace allowed, as GMime allows it) for every boundary b
  // that any Content-Type field in the message declares; counting stops past 2 * max_parts + 1.
  std::size_t boundary_lines = 0;
  // Bytes of all Content-Type and Content-Disposition values (the fields whose parameters GMime
  // parses into objects); the scan stops as soon as this passes max_parameter_bytes.
  std::size_t parameter_bytes = 0;
};

// Fields are found wherever a line starts with the field name (any case, whitespace before the
// colon, folded onto continuation lines), and Content-Type parameters are read by GMime's own
// parser, so every spelling GMime accepts counts: BOUNDARY=, boundary = "x", RFC 2231
// boundary*0= / boundary*=utf-8''x. A field found in a body only makes the bounds larger. A field
// line longer than max_parameter_bytes plus a margin counts whole, wherever its colon is (a
// spilled message is read line by line, keeping at most that much of a line).
Prescan prescan(std::string_view raw, const Limits& limits);

// The same for bytes that may be in a spill file, read in chunks of `chunk_bytes` (two passes
// over the file; memory bounded by max_parameter_bytes, whatever the size of the message).
Prescan prescanBytes(const spill::Bytes& raw, const Limits& limits,
                     std::size_t chunk_bytes = 256 * 1024);

}  // namespace hd::mime
