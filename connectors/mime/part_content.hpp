#pragma once
// A part's content as GMime writes it (decoded, or an object serialized) into a
// spill::BytesBuilder with its SHA-256 computed on the way, or into a bounded string: a big
// content never sits whole in memory. Internal to connectors/mime.

#include <cstddef>
#include <string>

#include "connectors/mime/gmime_support.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::mime {

struct PartContent {
  spill::Bytes bytes;      // in a spill file above the policy's threshold
  std::string sha256_hex;  // of `bytes`
};

// The content of a leaf part with its Content-Transfer-Encoding removed; empty when it has none
// or cannot be read. Throws std::system_error when a spill file cannot be written.
PartContent decodedContent(GMimePart* part, const spill::SpillPolicy& policy);

// The object as it would be written to the wire (headers and body), e.g. an attached message.
PartContent serializedContent(GMimeObject* object, const spill::SpillPolicy& policy);

// The first `max` bytes of a leaf part's decoded content (for a body); `cut` when it has more,
// of which nothing more is decoded.
struct ContentHead {
  std::string bytes;
  bool cut = false;
};
ContentHead decodedHead(GMimePart* part, std::size_t max);

}  // namespace hd::mime
