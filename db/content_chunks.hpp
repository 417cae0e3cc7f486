#pragma once
// Big contents in chunk rows (migration 0013): a raw message, an attachment or a quarantined raw
// message that was spilled to a file (spill::Bytes not in memory) is written as rows of about
// kChunkBytes each, read from the file one at a time, and its inline column stays NULL. Readers
// get one chunk at a time, so no side ever holds the whole content.
//
// Which contents are chunked: exactly the spilled ones. The fetch and the MIME decoder spill what
// is too big for memory (limits.spill), so the common small mail is written inline with the same
// statements as before (issue 10), and memory() is never asked of a spilled content.
//
// Nothing here commits; libpqxx exceptions pass through.

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "connectors/spill/bytes.hpp"

namespace hd::db {

inline constexpr std::size_t kChunkBytes = 1024 * 1024;

// The content a chunk belongs to (each its own table, so that its rows cascade with their owner).
enum class ChunkedContent { kRawMessage, kAttachment, kQuarantineRaw };

inline bool storedInChunks(const spill::Bytes& bytes) {
  return !bytes.inMemory();
}

// Writes `bytes` as chunks 0, 1, ... of `owner_id`, one statement per chunk.
void writeChunks(pqxx::transaction_base& tx, ChunkedContent content, std::int64_t owner_id,
                 const spill::Bytes& bytes);

// How many chunks `owner_id` has and their total size (0, 0 for an inline content).
struct ChunkSummary {
  std::int32_t count = 0;
  std::uint64_t size = 0;
};
ChunkSummary summarizeChunks(pqxx::transaction_base& tx, ChunkedContent content,
                             std::int64_t owner_id);

// An attachment stored as the base64 text it was decoded from, a span of its message's raw bytes
// (migration 0014): read the span with readRawSpan() and decode it with mime::Base64Decoder.
struct Base64Span {
  std::int64_t message_id = 0;
  bool raw_in_chunks = false;  // the raw message is in raw_message_chunks, not inline
  std::uint64_t offset = 0;    // in the raw message
  std::uint64_t length = 0;
  std::uint64_t decoded_size = 0;  // attachments.size
  std::string decoded_sha256;      // attachments.sha256
};

// A stored content as a reader finds it: its bytes when inline (small), or a base64 span of its
// message, else where its chunks are, to be read one at a time with readChunk().
struct StoredBytes {
  std::optional<std::string> inline_bytes;
  std::optional<Base64Span> base64_of_raw;
  ChunkedContent content = ChunkedContent::kRawMessage;
  std::int64_t owner_id = 0;
  ChunkSummary chunks;  // {0, 0} when inline

  std::uint64_t size() const {
    if (inline_bytes) return inline_bytes->size();
    return base64_of_raw ? base64_of_raw->decoded_size : chunks.size;
  }
};

// `inline_column` is the row's inline column: its bytes, or NULL for a chunked content.
StoredBytes storedBytes(pqxx::transaction_base& tx, ChunkedContent content, std::int64_t owner_id,
                        const pqxx::field& inline_column);

// Bytes [offset, offset + length) of `span`'s raw message (at most `length` bytes, fewer past its
// end); empty when the message is gone (deleted meanwhile). Reads only the chunks it needs.
std::optional<std::string> readRawSpan(pqxx::transaction_base& tx, const Base64Span& span,
                                       std::uint64_t offset, std::uint64_t length);

// Chunk `seq`; empty when there is no such chunk (the owner was deleted meanwhile).
std::optional<std::string> readChunk(pqxx::transaction_base& tx, ChunkedContent content,
                                     std::int64_t owner_id, std::int32_t seq);

// Every chunk of `owner_id` in order, collected by a BytesBuilder under `policy` (a big content
// goes to a spill file, one chunk in memory at a time). Read in `tx`'s snapshot.
spill::Bytes readAllChunks(pqxx::transaction_base& tx, ChunkedContent content,
                           std::int64_t owner_id, const spill::SpillPolicy& policy);

}  // namespace hd::db
