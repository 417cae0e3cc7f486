#pragma once
// The attachments of one stored message, written with multi-row INSERTs (up to
// kAttachmentsPerStatement rows per round trip, each row count prepared once per connection).
// A base64 attachment whose encoded text is a span of the raw message (mime::Base64InRaw, inside
// `raw_size`) is stored as that span: a NULL content, no chunks (migration 0014; the download
// decodes the span). Other contents travel as binary parameters (no escaping); a spilled one
// (db/content_chunks.hpp) gets a row of its own with a NULL content, then its chunks. Rows keep
// the message's order (ascending ids). Runs in the caller's transaction; libpqxx exceptions pass
// through.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/mime/message.hpp"

namespace pqxx {
class transaction_base;
}

namespace hd::db {

inline constexpr std::size_t kAttachmentsPerStatement = 16;

void writeAttachments(pqxx::transaction_base& tx, std::int64_t message_id, std::uint64_t raw_size,
                      const std::vector<mime::Attachment>& attachments);

// The columns of attachments that are all spans of the raw message, each column a PostgreSQL
// array literal in the attachments' order, for an INSERT ... SELECT FROM unnest() in the
// statement of the message itself (db/message_rows.hpp): no round trip of their own. nullopt when
// one of them is not such a span; writeAttachments writes those. No attachments: empty arrays.
struct SpanAttachmentColumns {
  std::string filenames, content_types, content_ids, inline_flags, sizes, sha256s, offsets, lengths;
};
std::optional<SpanAttachmentColumns> spanAttachmentColumns(
    std::uint64_t raw_size, const std::vector<mime::Attachment>& attachments);

}  // namespace hd::db
