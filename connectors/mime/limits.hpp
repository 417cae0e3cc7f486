#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "connectors/spill/bytes.hpp"

namespace hd::mime {

// Every bound on untrusted mail in one place, with safe defaults. Exceeding one sends the message
// to quarantine (with its raw bytes), never drops it.
struct Limits {
  std::size_t max_message_bytes = 64u * 1024 * 1024;
  std::size_t max_parts = 1000;
  std::size_t max_depth = 32;
  std::size_t max_header_bytes = 1024 * 1024;  // the message's own header block
  // Header fields in all header blocks together (message, parts, attached messages): GMime keeps
  // each as an object of about 500 bytes, so 8 MiB of "a:b" lines would take 800 MB.
  std::size_t max_header_fields = 100'000;
  // Content-Type and Content-Disposition values together, wherever they are: GMime turns every
  // parameter into an object of about 300 bytes.
  std::size_t max_parameter_bytes = 1024 * 1024;
  // Not a failure: warnings past this many are counted in one last warning.
  std::size_t max_warnings = 100;
  // Not a failure: decoded text of the body parts kept as text (text/plain parts together, and
  // the text/html part); the rest is cut with a warning, the raw message keeps all of it.
  std::size_t max_body_bytes = 4u * 1024 * 1024;
  // Where decoded attachments too large for memory go (issue 11, big mail).
  spill::SpillPolicy spill;
  // Which attachments keep their decoded content when it is the base64 decoding of a span of the
  // raw message (Attachment::base64_in_raw), asked with the attachment's content type. Unset:
  // all of them. A reader that stores the raw bytes and the span (the ingest) needs only the
  // size and SHA-256 of the others, and saves a decoded copy of each in memory or in a spill
  // file; they are still decoded, to hash them.
  std::function<bool(std::string_view content_type)> keep_span_content;
};

}  // namespace hd::mime
