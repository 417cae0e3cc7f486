#pragma once
// A part's content as GMime writes it (decoded, or an object serialized) into a
// spill::BytesBuilder with its SHA-256 computed on the way, or into a bounded string: a big
// content never sits whole in memory. Internal to connectors/mime.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/message.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::mime {

struct PartContent {
  spill::Bytes bytes;      // in a spill file above the policy's threshold; see Attachment::content
  std::string sha256_hex;  // of the content
  std::optional<Base64InRaw> base64_in_raw;  // see Attachment
  std::uint64_t size = 0;                    // of the content, kept in `bytes` or not
};

// The stream GMime parses the message from, whose first byte is byte `origin` of the raw message:
// a part whose content stream is a window of this one has its place in the raw bytes.
struct RawSource {
  GMimeStream* stream = nullptr;
  gint64 origin = 0;
};

// The content of a leaf part with its Content-Transfer-Encoding removed; empty when it has none
// or cannot be read. A base64 content read straight from `source` says where its encoded text
// is; its decoded bytes are left out of `bytes` unless `keep_span` (only the size and SHA-256
// are taken as it is decoded). Throws std::system_error when a spill file cannot be written.
PartContent decodedContent(GMimePart* part, const spill::SpillPolicy& policy,
                           const RawSource& source, bool keep_span);

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
