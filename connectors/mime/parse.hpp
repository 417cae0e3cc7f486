#pragma once
// hd::mime::parse(): raw RFC 5322 bytes -> Message. Never throws on malformed mail: it returns the
// best result plus warnings. It fails (ok == false) only when a limit is exceeded or nothing
// usable can be recovered; the caller then quarantines the raw bytes with `error`.
// Thread-safe (GMime is initialised once, process-wide).

#include <string>
#include <string_view>
#include <vector>

#include "connectors/mime/limits.hpp"
#include "connectors/mime/message.hpp"
#include "connectors/mime/warning.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::mime {

struct ParseResult {
  bool ok = false;
  std::string error;  // why not ok, for the quarantine row
  Message message;
  std::vector<Warning> warnings;
};

ParseResult parse(std::string_view raw, const Limits& limits = {});
// The same, for bytes that may be in a spill file.
ParseResult parseBytes(const spill::Bytes& raw, const Limits& limits = {});

}  // namespace hd::mime
