#include "db/attachment_writer.hpp"

#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <span>
#include <stdexcept>
#include <string>

#include "db/content_chunks.hpp"
#include "db/named_statement.hpp"
#include "db/sized_statements.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

constexpr const char* kDefaultContentType = "application/octet-stream";

std::string field(std::size_t row, const char* name) {
  return ":" + std::string(name) + "_" + std::to_string(row);
}

// INSERT of `rows` attachments of one message: parameters :message_id, :filename_0, ... A row
// with a base64 span (:base64_offset_N not empty) gets a NULL content.
std::unique_ptr<NamedStatement> insertStatement(std::size_t rows) {
  std::string sql =
      "INSERT INTO attachments (message_id, filename, content_type, content_id, is_inline, size,"
      " sha256, base64_offset, base64_length, content) VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    const std::string offset = "NULLIF(" + field(r, "base64_offset") + ", '')::bigint";
    if (r > 0) sql += ", ";
    sql += "(:message_id::bigint, " + field(r, "filename") + ", " + field(r, "content_type") +
           ", " + field(r, "content_id") + ", " + field(r, "is_inline") + "::boolean, " +
           field(r, "size") + "::bigint, " + field(r, "sha256") + ", " + offset + ", NULLIF(" +
           field(r, "base64_length") + ", '')::bigint, CASE WHEN " + offset + " IS NULL THEN " +
           field(r, "content") + "::bytea END)";
  }
  return std::make_unique<NamedStatement>("hd_insert_attachments_" + std::to_string(rows), sql);
}

const NamedStatement& statementFor(std::size_t rows) {
  static SizedStatements<kAttachmentsPerStatement> statements(insertStatement);
  return statements.forSize(rows);
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
      .set(name("size"), static_cast<std::int64_t>(a.size))
      .set(name("sha256"), a.sha256_hex.empty() ? spill::sha256Hex(a.content) : a.sha256_hex);
}

// The span of the raw message that decodes to the attachment, when there is one inside the raw.
std::optional<mime::Base64InRaw> spanOf(const mime::Attachment& a, std::uint64_t raw_size) {
  const auto& span = a.base64_in_raw;
  if (!span || span->offset > raw_size || span->length > raw_size - span->offset) {
    return std::nullopt;
  }
  return span;
}

void insertRows(pqxx::transaction_base& tx, std::int64_t message_id, std::uint64_t raw_size,
                std::span<const mime::Attachment> rows) {
  NamedArgs args(statementFor(rows.size()));
  args.set("message_id", message_id);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto name = [r](const char* column) { return field(r, column).substr(1); };
    setColumns(args, r, rows[r]);
    if (const auto span = spanOf(rows[r], raw_size)) {
      args.set(name("base64_offset"), std::to_string(span->offset))
          .set(name("base64_length"), std::to_string(span->length))
          .set(name("content"), std::string_view());
    } else {
      // The parser leaves a content out only when it has a span; a content stored without one
      // must be whole, never fewer bytes than its size says.
      if (rows[r].content.size() != rows[r].size) {
        // No filename: it comes from the mail, and this message may reach a log.
        throw std::invalid_argument("an attachment has " + std::to_string(rows[r].content.size()) +
                                    " of its " + std::to_string(rows[r].size) +
                                    " bytes and no span");
      }
      args.set(name("base64_offset"), "")
          .set(name("base64_length"), "")
          .set(name("content"), rows[r].content.memory());
    }
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

std::optional<SpanAttachmentColumns> spanAttachmentColumns(
    std::uint64_t raw_size, const std::vector<mime::Attachment>& attachments) {
  std::vector<std::string> filenames, content_types, content_ids, inline_flags, sizes, sha256s,
      offsets, lengths;
  for (const mime::Attachment& a : attachments) {
    const auto span = spanOf(a, raw_size);
    if (!span || a.sha256_hex.empty()) return std::nullopt;
    filenames.push_back(a.filename);
    content_types.push_back(a.content_type.empty() ? kDefaultContentType : a.content_type);
    content_ids.push_back(a.content_id);
    inline_flags.push_back(a.is_inline ? "true" : "false");
    sizes.push_back(std::to_string(a.size));
    sha256s.push_back(a.sha256_hex);
    offsets.push_back(std::to_string(span->offset));
    lengths.push_back(std::to_string(span->length));
  }
  // textArrayLiteral makes each element valid UTF-8, as setColumns does.
  return SpanAttachmentColumns{textArrayLiteral(filenames),   textArrayLiteral(content_types),
                               textArrayLiteral(content_ids), textArrayLiteral(inline_flags),
                               textArrayLiteral(sizes),       textArrayLiteral(sha256s),
                               textArrayLiteral(offsets),     textArrayLiteral(lengths)};
}

void writeAttachments(pqxx::transaction_base& tx, std::int64_t message_id, std::uint64_t raw_size,
                      const std::vector<mime::Attachment>& attachments) {
  const std::span<const mime::Attachment> all(attachments);
  // Only a spilled content without a span is written in chunks; a span needs no content at all.
  const auto chunked = [&](const mime::Attachment& a) {
    return storedInChunks(a.content) && !spanOf(a, raw_size);
  };
  std::size_t first = 0;
  while (first < all.size()) {
    if (chunked(all[first])) {
      insertChunked(tx, message_id, all[first++]);
      continue;
    }
    // The run of rows from `first` that need no chunks, up to a statement's rows.
    std::size_t end = first;
    while (end < all.size() && end - first < kAttachmentsPerStatement && !chunked(all[end])) {
      ++end;
    }
    insertRows(tx, message_id, raw_size, all.subspan(first, end - first));
    first = end;
  }
}

}  // namespace hd::db
