#include "db/content_chunks.hpp"

#include <stdexcept>

#include "db/prepared_statement.hpp"

namespace hd::db {
namespace {

struct ChunkStatements {
  PreparedStatement insert;
  PreparedStatement summary;
  PreparedStatement read;
};

constexpr ChunkStatements kRawMessageChunks{
    {"hd_insert_raw_message_chunk",
     "INSERT INTO raw_message_chunks (message_id, seq, bytes) VALUES ($1, $2, $3)"},
    {"hd_summarize_raw_message_chunks",
     "SELECT count(*)::integer, coalesce(sum(octet_length(bytes)), 0)::bigint"
     " FROM raw_message_chunks WHERE message_id = $1"},
    {"hd_read_raw_message_chunk",
     "SELECT bytes FROM raw_message_chunks WHERE message_id = $1 AND seq = $2"}};
constexpr ChunkStatements kAttachmentChunks{
    {"hd_insert_attachment_chunk",
     "INSERT INTO attachment_chunks (attachment_id, seq, bytes) VALUES ($1, $2, $3)"},
    {"hd_summarize_attachment_chunks",
     "SELECT count(*)::integer, coalesce(sum(octet_length(bytes)), 0)::bigint"
     " FROM attachment_chunks WHERE attachment_id = $1"},
    {"hd_read_attachment_chunk",
     "SELECT bytes FROM attachment_chunks WHERE attachment_id = $1 AND seq = $2"}};
constexpr ChunkStatements kQuarantineChunks{
    {"hd_insert_quarantine_chunk",
     "INSERT INTO quarantine_chunks (quarantine_id, seq, bytes) VALUES ($1, $2, $3)"},
    {"hd_summarize_quarantine_chunks",
     "SELECT count(*)::integer, coalesce(sum(octet_length(bytes)), 0)::bigint"
     " FROM quarantine_chunks WHERE quarantine_id = $1"},
    {"hd_read_quarantine_chunk",
     "SELECT bytes FROM quarantine_chunks WHERE quarantine_id = $1 AND seq = $2"}};

const ChunkStatements& statementsFor(ChunkedContent content) {
  switch (content) {
    case ChunkedContent::kRawMessage:
      return kRawMessageChunks;
    case ChunkedContent::kAttachment:
      return kAttachmentChunks;
    case ChunkedContent::kQuarantineRaw:
      return kQuarantineChunks;
  }
  throw std::logic_error("unknown chunked content");
}

// substring() counts from 1 and takes integers: offsets stay under limits.max_message_bytes.
constexpr PreparedStatement kReadInlineRawSpan{
    "hd_read_inline_raw_span",
    "SELECT substring(coalesce(r.raw, c.raw) FROM ($2::bigint + 1)::integer FOR $3::integer)"
    " FROM raw_messages r LEFT JOIN raw_contents c ON c.sha256 = r.content_sha256"
    " WHERE r.message_id = $1 AND (r.raw IS NOT NULL OR c.raw IS NOT NULL)"};
// The chunks that overlap the span, each cut to it; a chunk's start is the sizes of those before.
constexpr PreparedStatement kReadChunkedRawSpan{
    "hd_read_chunked_raw_span",
    "SELECT coalesce(string_agg(substring(bytes FROM (greatest($2::bigint - start, 0) + 1)::integer"
    "   FOR (least(start + size, $2::bigint + $3::bigint) - greatest(start, $2::bigint))::integer),"
    "   ''::bytea ORDER BY seq), ''::bytea), count(*) > 0 OR EXISTS"
    "   (SELECT 1 FROM raw_messages WHERE message_id = $1)"
    " FROM (SELECT seq, bytes, octet_length(bytes)::bigint AS size,"
    "   sum(octet_length(bytes)::bigint) OVER (ORDER BY seq) - octet_length(bytes) AS start"
    "   FROM raw_message_chunks WHERE message_id = $1) AS chunk"
    " WHERE start < $2::bigint + $3::bigint AND start + size > $2::bigint"};

}  // namespace

std::optional<std::string> readRawSpan(pqxx::transaction_base& tx, const Base64Span& span,
                                       std::uint64_t offset, std::uint64_t length) {
  const auto from = static_cast<std::int64_t>(offset);
  const auto count = static_cast<std::int64_t>(length);
  if (!span.raw_in_chunks) {
    const auto rows = execPrepared(tx, kReadInlineRawSpan, span.message_id, from, count);
    if (rows.empty()) return std::nullopt;
    return pqxx::binarystring(rows[0][0]).str();
  }
  const auto row = execPrepared(tx, kReadChunkedRawSpan, span.message_id, from, count).at(0);
  if (!row[1].as<bool>()) return std::nullopt;
  return pqxx::binarystring(row[0]).str();
}

void writeChunks(pqxx::transaction_base& tx, ChunkedContent content, std::int64_t owner_id,
                 const spill::Bytes& bytes) {
  const auto& insert = statementsFor(content).insert;
  std::int32_t seq = 0;
  bytes.forEachChunk(kChunkBytes, [&](std::string_view chunk) {
    execPrepared(tx, insert, owner_id, seq++, pqxx::binarystring(chunk.data(), chunk.size()));
  });
}

ChunkSummary summarizeChunks(pqxx::transaction_base& tx, ChunkedContent content,
                             std::int64_t owner_id) {
  const auto row = execPrepared(tx, statementsFor(content).summary, owner_id).at(0);
  return ChunkSummary{row[0].as<std::int32_t>(), row[1].as<std::uint64_t>()};
}

StoredBytes storedBytes(pqxx::transaction_base& tx, ChunkedContent content, std::int64_t owner_id,
                        const pqxx::field& inline_column) {
  StoredBytes stored;
  stored.content = content;
  stored.owner_id = owner_id;
  if (inline_column.is_null()) {
    stored.chunks = summarizeChunks(tx, content, owner_id);
  } else {
    stored.inline_bytes = pqxx::binarystring(inline_column).str();
  }
  return stored;
}

std::optional<std::string> readChunk(pqxx::transaction_base& tx, ChunkedContent content,
                                     std::int64_t owner_id, std::int32_t seq) {
  const auto rows = execPrepared(tx, statementsFor(content).read, owner_id, seq);
  if (rows.empty()) return std::nullopt;
  return pqxx::binarystring(rows[0][0]).str();
}

spill::Bytes readAllChunks(pqxx::transaction_base& tx, ChunkedContent content,
                           std::int64_t owner_id, const spill::SpillPolicy& policy) {
  const ChunkSummary summary = summarizeChunks(tx, content, owner_id);
  spill::BytesBuilder builder(policy);
  builder.expect(summary.size);
  for (std::int32_t seq = 0; seq < summary.count; ++seq) {
    const auto chunk = readChunk(tx, content, owner_id, seq);
    if (!chunk) throw std::runtime_error("chunk " + std::to_string(seq) + " is missing");
    builder.append(*chunk);
  }
  return std::move(builder).finish();
}

}  // namespace hd::db
