#include "db/attachment_writer.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <span>
#include <string>

#include "db/content_chunks.hpp"
#include "db/named_statement.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

constexpr const char* kDefaultContentType = "application/octet-stream";

std::string field(std::size_t row, const char* name) {
  return ":" + std::string(name) + "_" + std::to_string(row);
}

// INSERT of `rows` attachments of one message: parameters :message_id, :filename_0, ...
std::unique_ptr<NamedStatement> insertStatement(std::size_t rows) {
  std::string sql =
      "INSERT INTO attachments (message_id, filename, content_type, content_id, is_inline, size,"
      " sha256, content) VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    if (r > 0) sql += ", ";
    sql += "(:message_id::bigint, " + field(r, "filename") + ", " + field(r, "content_type") +
           ", " + field(r, "content_id") + ", " + field(r, "is_inline") + "::boolean, " +
           field(r, "size") + "::bigint, " + field(r, "sha256") + ", " + field(r, "content") +
           "::bytea)";
  }
  return std::make_unique<NamedStatement>("hd_insert_attachments_" + std::to_string(rows), sql);
}

// Compiled on first use, shared by every connection (the workers run in several threads).
const NamedStatement& statementFor(std::size_t rows) {
  static std::mutex mutex;
  static std::array<std::unique_ptr<NamedStatement>, kAttachmentsPerStatement + 1> statements;
  std::lock_guard lock(mutex);
  auto& statement = statements.at(rows);
  if (!statement) statement = insertStatement(rows);
  return *statement;
}

// One spilled attachment: its row, with the content NULL, then its chunks.
const NamedStatement kInsertChunkedAttachment(
    "hd_insert_chunked_attachment",
    "INSERT INTO attachments (message_id, filename, content_type, content_id, is_inline, size,"
    " sha256, content) VALUES (:message_id::bigint, :filename_0, :content_type_0, :content_id_0,"
    " :is_inline_0::boolean, :size_0::bigint, :sha256_0, NULL) RETURNING id");

// Sets the columns of row `r` but the content.
void setColumns(NamedArgs& args, std::size_t r, const mime::Attachment& a) {
  const auto name = [r](const char* column) { return field(r, column).substr(1); };
  args.set(name("filename"), validUtf8(a.filename))
      .set(name("content_type"),
           validUtf8(a.content_type.empty() ? kDefaultContentType : a.content_type))
      .set(name("content_id"), validUtf8(a.content_id))
      .set(name("is_inline"), a.is_inline)
      .set(name("size"), static_cast<std::int64_t>(a.content.size()))
      .set(name("sha256"), a.sha256_hex.empty() ? spill::sha256Hex(a.content) : a.sha256_hex);
}

void insertRows(pqxx::transaction_base& tx, std::int64_t message_id,
                std::span<const mime::Attachment> rows) {
  NamedArgs args(statementFor(rows.size()));
  args.set("message_id", message_id);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    setColumns(args, r, rows[r]);
    args.set(field(r, "content").substr(1), rows[r].content.memory());
  }
  args.exec(tx);
}

void insertChunked(pqxx::transaction_base& tx, std::int64_t message_id,
                   const mime::Attachment& attachment) {
  NamedArgs args(kInsertChunkedAttachment);
  args.set("message_id", message_id);
  setColumns(args, 0, attachment);
  const auto id = args.exec(tx).at(0).at(0).as<std::int64_t>();
  writeChunks(tx, ChunkedContent::kAttachment, id, attachment.content);
}

}  // namespace

void writeAttachments(pqxx::transaction_base& tx, std::int64_t message_id,
                      const std::vector<mime::Attachment>& attachments) {
  const std::span<const mime::Attachment> all(attachments);
  std::size_t first = 0;
  while (first < all.size()) {
    if (storedInChunks(all[first].content)) {
      insertChunked(tx, message_id, all[first++]);
      continue;
    }
    // The run of in-memory contents from `first`, up to a statement's rows.
    std::size_t end = first;
    while (end < all.size() && end - first < kAttachmentsPerStatement &&
           !storedInChunks(all[end].content)) {
      ++end;
    }
    insertRows(tx, message_id, all.subspan(first, end - first));
    first = end;
  }
}

}  // namespace hd::db
