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
#include <vector>

#include "connectors/mime/message.hpp"

namespace pqxx {
class transaction_base;
}

namespace hd::db {

inline constexpr std::size_t kAttachmentsPerStatement = 16;

void writeAttachments(pqxx::transaction_base& tx, std::int64_t message_id, std::uint64_t raw_size,
                      const std::vector<mime::Attachment>& attachments);

}  // namespace hd::db
