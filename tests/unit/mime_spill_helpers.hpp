#pragma once
// Test helpers for the spilled-message path of hd::mime: bytes in a spill file, and limits that
// spill every decoded content, so the file path is taken wherever it exists.

#include <string_view>

#include "connectors/mime/limits.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::mime::test {

// `raw` in an anonymous spill file (empty input stays in memory: there is nothing to spill).
inline spill::Bytes spilled(std::string_view raw) {
  spill::BytesBuilder builder(spill::SpillPolicy{.directory = "/tmp", .threshold_bytes = 0});
  builder.append(raw);
  return std::move(builder).finish();
}

// `limits` with a spill threshold of 0: every non-empty decoded content goes to a spill file.
inline Limits spillingEverything(Limits limits = {}) {
  limits.spill.threshold_bytes = 0;
  return limits;
}

}  // namespace hd::mime::test
