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

}  // namespace

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
