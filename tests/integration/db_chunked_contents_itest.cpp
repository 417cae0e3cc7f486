// Big contents in chunk rows (migration 0013, db/content_chunks.hpp) against a real PostgreSQL:
// a spilled raw message, attachment or quarantined raw is written as ~1 MiB chunks with its
// inline column NULL and its sizes right; readers get the same bytes back; deleting the owner
// removes the chunks; small contents stay inline with no chunk rows.

#include <gtest/gtest.h>

#include "connectors/spill/bytes.hpp"
#include "db/quarantine_queue.hpp"
#include "db/read_connection.hpp"
#include "db/ticket_reader.hpp"
#include "tests/integration/db_store_fixture.hpp"

namespace hd::db {
namespace {

using namespace itest;

constexpr std::size_t kBigRaw = 20 * 1024 * 1024 + 12345;  // 21 chunks, the last one partial
constexpr std::size_t kBigAttachment = 3 * 1024 * 1024 + 7;

mime::Attachment attachment(const std::string& name, spill::Bytes content) {
  mime::Attachment a;
  a.filename = name;
  a.content_type = "application/pdf";
  a.content = std::move(content);
  a.size = a.content.size();
  return a;
}

class ChunkedContentsTest : public TicketStoreTest {
 protected:
  // SHA-256 of the chunks of `table` for `owner_column` = `id`, concatenated in order.
  std::string chunksSha256(const std::string& table, const std::string& owner_column,
                           std::int64_t id) {
    return db_.scalar(
        "SELECT encode(sha256(string_agg(bytes, ''::bytea ORDER BY seq)), 'hex')"
        " FROM " +
        table + " WHERE " + owner_column + " = " + std::to_string(id));
  }

  // Every byte of `stored` as the API reads it: inline, or chunk by chunk.
  std::string readBack(TicketReader& reader, const StoredBytes& stored) {
    if (stored.inline_bytes) return *stored.inline_bytes;
    std::string all;
    for (std::int32_t seq = 0; seq < stored.chunks.count; ++seq) {
      const auto chunk = reader.chunk(stored, seq);
      EXPECT_TRUE(chunk.has_value()) << seq;
      if (chunk) all += *chunk;
    }
    return all;
  }

  ReadConnection read_{db_.url()};
  TicketReader reader_{read_};
  QuarantineQueue queue_{read_};
};

TEST_F(ChunkedContentsTest, ASpilledRawAndAttachmentAreStoredAsChunksAndReadBackIdentical) {
  const spill::Bytes raw = spilledBytes(kBigRaw);
  ASSERT_FALSE(raw.inMemory());
  auto m = mail("Big scan", "big@example.com");
  // A small attachment on either side of the big one: rows keep the message's order.
  m.attachments = {attachment("before.txt", std::string("before")),
                   attachment("scan.pdf", spilledBytes(kBigAttachment, 3)),
                   attachment("after.txt", std::string("after"))};
  auto in = incoming("imap:support:7:1", m, "");
  in.raw = raw;
  const auto result = store_.commitMessage(in, newTicket);
  ASSERT_EQ(result.status, CommitStatus::kInserted);
  const std::string id = std::to_string(result.message_id);

  EXPECT_EQ(db_.scalar("SELECT (raw IS NULL)::text FROM raw_messages WHERE message_id = " + id),
            "true");
  EXPECT_EQ(db_.scalar("SELECT count(*) || '|' || sum(octet_length(bytes)) || '|' ||"
                       " max(octet_length(bytes)) FROM raw_message_chunks WHERE message_id = " +
                       id),
            "21|" + std::to_string(kBigRaw) + "|" + std::to_string(kChunkBytes));
  EXPECT_EQ(chunksSha256("raw_message_chunks", "message_id", result.message_id),
            spill::sha256Hex(raw));
  EXPECT_EQ(db_.scalar("SELECT raw_size || '|' || raw_sha256 FROM messages WHERE id = " + id),
            std::to_string(kBigRaw) + "|" + spill::sha256Hex(raw));

  EXPECT_EQ(db_.scalar("SELECT string_agg(filename || ':' || size || ':' || (content IS NULL)"
                       " || ':' || (SELECT count(*) FROM attachment_chunks c"
                       "            WHERE c.attachment_id = a.id), ',' ORDER BY id)"
                       " FROM attachments a WHERE message_id = " +
                       id),
            "before.txt:6:false:0,scan.pdf:" + std::to_string(kBigAttachment) +
                ":true:4,after.txt:5:false:0");
  const auto scan_id =
      std::stoll(db_.scalar("SELECT id FROM attachments WHERE filename = 'scan.pdf'"));
  EXPECT_EQ(chunksSha256("attachment_chunks", "attachment_id", scan_id),
            spill::sha256Hex(m.attachments[1].content));
  EXPECT_EQ(db_.scalar("SELECT sha256 FROM attachments WHERE id = " + std::to_string(scan_id)),
            spill::sha256Hex(m.attachments[1].content));

  // The readers behind the API: the size before the first byte, then the same bytes.
  const auto stored_raw = reader_.rawMessage(result.message_id);
  ASSERT_TRUE(stored_raw.has_value());
  EXPECT_FALSE(stored_raw->inline_bytes.has_value());
  EXPECT_EQ(stored_raw->size(), kBigRaw);
  EXPECT_EQ(readBack(reader_, *stored_raw), raw.toString());
  const auto scan = reader_.attachment(scan_id);
  ASSERT_TRUE(scan.has_value());
  EXPECT_EQ(scan->filename, "scan.pdf");
  EXPECT_EQ(scan->content.size(), kBigAttachment);
  EXPECT_EQ(readBack(reader_, scan->content), m.attachments[1].content.toString());
  // The message's JSON reports the sizes of the chunked contents.
  const auto json = reader_.message(result.message_id);
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(json->at("raw_size").get<std::uint64_t>(), kBigRaw) << json->dump();

  // Deleting the message (its events first: the feed refers to it) removes every chunk.
  db_.scalar("DELETE FROM events WHERE message_id = " + id);
  db_.scalar("DELETE FROM messages WHERE id = " + id);
  EXPECT_EQ(count("SELECT count(*) FROM raw_message_chunks"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM attachment_chunks"), 0);
}

// Migration 0014: an attachment stored as a base64 span is read from its message's raw bytes,
// inline or in chunks; a span read takes only the bytes asked for, across chunk boundaries.
TEST_F(ChunkedContentsTest, ARawSpanIsReadFromTheChunksItOverlapsOrTheInlineRaw) {
  const spill::Bytes big = spilledBytes(kBigRaw, 5);
  const std::string small = "From: a@b.example\r\n\r\nhello, small world\r\n";
  const mime::Message parsed = mail("Span", "");
  std::int64_t ids[2];
  for (int i = 0; i < 2; ++i) {
    auto in = incoming("imap:support:7:" + std::to_string(10 + i), parsed, small);
    if (i == 0) in.raw = big;
    const auto result = store_.commitMessage(in, newTicket);
    ASSERT_EQ(result.status, CommitStatus::kInserted);
    ids[i] = result.message_id;
  }
  const std::string whole = big.toString();
  pqxx::connection c(db_.url());
  pqxx::nontransaction tx(c);
  const Base64Span in_chunks{.message_id = ids[0], .raw_in_chunks = true};
  const Base64Span inline_raw{.message_id = ids[1], .raw_in_chunks = false};
  const std::uint64_t chunk = kChunkBytes;
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> spans = {
      {0, 10},          {chunk - 5, 10},   {chunk, chunk},   {3 * chunk + 17, 2 * chunk + 7},
      {kBigRaw - 3, 3}, {kBigRaw - 3, 10}, {kBigRaw + 5, 4}, {12345, 0}};
  for (const auto& [offset, length] : spans) {
    const auto bytes = readRawSpan(tx, in_chunks, offset, length);
    ASSERT_TRUE(bytes.has_value()) << offset << "+" << length;
    EXPECT_TRUE(*bytes == whole.substr(std::min<std::uint64_t>(offset, whole.size()), length))
        << offset << "+" << length << ": " << bytes->size() << " bytes";
  }
  EXPECT_EQ(readRawSpan(tx, inline_raw, 6, 8), small.substr(6, 8));
  EXPECT_EQ(readRawSpan(tx, inline_raw, small.size() - 2, 10), small.substr(small.size() - 2));
  // A message that is gone: nothing, rather than empty bytes.
  EXPECT_FALSE(readRawSpan(tx, Base64Span{.message_id = 999999, .raw_in_chunks = true}, 0, 5));
  EXPECT_FALSE(readRawSpan(tx, Base64Span{.message_id = 999999}, 0, 5));
}

TEST_F(ChunkedContentsTest, SmallContentsStayInlineWithNoChunkRows) {
  auto m = mail("Small", "small@example.com");
  m.attachments = {attachment("a.bin", std::string("\0\x01\xFF", 3))};
  const auto result = store_.commitMessage(incoming("imap:support:7:2", m, allBytes()), newTicket);
  ASSERT_EQ(result.status, CommitStatus::kInserted);
  EXPECT_EQ(db_.scalar("SELECT encode(raw, 'hex') FROM raw_messages"), hex(allBytes()));
  EXPECT_EQ(db_.scalar("SELECT encode(content, 'hex') FROM attachments"), "0001ff");
  EXPECT_EQ(count("SELECT count(*) FROM raw_message_chunks"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM attachment_chunks"), 0);
  const auto stored = reader_.rawMessage(result.message_id);
  ASSERT_TRUE(stored.has_value());
  ASSERT_TRUE(stored->inline_bytes.has_value());
  EXPECT_EQ(*stored->inline_bytes, allBytes());

  store_.quarantine("imap:support:7:3", "support", std::string("broken"), "cannot parse");
  EXPECT_EQ(db_.scalar("SELECT encode(raw, 'escape') FROM quarantine"), "broken");
  EXPECT_EQ(count("SELECT count(*) FROM quarantine_chunks"), 0);
}

TEST_F(ChunkedContentsTest, AQuarantinedSpilledRawIsChunkedAndItsRetryStoresItByteIdentical) {
  const std::string key = "imap:support:7:4";
  const spill::Bytes raw = spilledBytes(kBigRaw, 5);
  store_.quarantine(key, "support", raw, "cannot parse: no header");
  // Seen again (the next pass): the attempt is counted, the chunks are not written twice.
  store_.quarantine(key, "support", raw, "cannot parse: still no header");
  const auto id = std::stoll(db_.scalar("SELECT id FROM quarantine"));
  EXPECT_EQ(db_.scalar("SELECT (raw IS NULL) || '|' || attempts || '|' || raw_sha256"
                       " FROM quarantine"),
            "true|2|" + spill::sha256Hex(raw));
  EXPECT_EQ(count("SELECT count(*) FROM quarantine_chunks"), 21);
  EXPECT_EQ(chunksSha256("quarantine_chunks", "quarantine_id", id), spill::sha256Hex(raw));
  const auto listed = queue_.list("", 0, 10);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("raw_size").get<std::uint64_t>(), kBigRaw) << listed.dump();

  // The retry reads it back into a spill file, chunk by chunk.
  const auto policy = spill::SpillPolicy{
      .directory = std::filesystem::temp_directory_path().string(), .threshold_bytes = 1024};
  const auto entry = queue_.find(id, policy);
  ASSERT_TRUE(entry.has_value());
  ASSERT_TRUE(entry->raw.has_value());
  EXPECT_FALSE(entry->raw->inMemory());
  EXPECT_EQ(entry->raw->size(), kBigRaw);
  EXPECT_EQ(spill::sha256Hex(*entry->raw), spill::sha256Hex(raw));

  // Fixed meanwhile (here: parsed by the test): stored chunked, byte for byte, the entry and its
  // chunks gone in the same transaction.
  const auto m = mail("Fixed", "fixed@example.com");
  auto in = incoming(key, m, "");
  in.raw = *entry->raw;
  const auto retried =
      store_.commitRetry(id, in, [](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); });
  ASSERT_EQ(retried.kind, RetryResult::Kind::kStored);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM quarantine_chunks"), 0);
  EXPECT_EQ(chunksSha256("raw_message_chunks", "message_id", retried.commit.message_id),
            spill::sha256Hex(raw));
}

TEST_F(ChunkedContentsTest, DeletingAQuarantineRowRemovesItsChunks) {
  store_.quarantine("imap:support:7:5", "support", spilledBytes(2 * kChunkBytes + 1), "broken");
  EXPECT_EQ(count("SELECT count(*) FROM quarantine_chunks"), 3);
  db_.scalar("DELETE FROM quarantine");
  EXPECT_EQ(count("SELECT count(*) FROM quarantine_chunks"), 0);
}

TEST_F(ChunkedContentsTest, InAGroupCommitARefusedSpilledMessageIsQuarantinedChunkedAlone) {
  // The database refuses one message of the batch (a constraint this test adds) at its
  // attachment, after its raw chunks were written: its savepoint takes them back, and its raw
  // bytes go to quarantine in chunks, as do unparsed ones.
  db_.scalar("ALTER TABLE attachments ADD CONSTRAINT no_poison CHECK (filename <> 'poison.bin')");
  const std::size_t size = 2 * kChunkBytes + 3;  // 3 chunks each
  const auto fine = mail("fine", "fine@example.com");
  auto poison = mail("poison", "poison@example.com");
  poison.attachments = {attachment("poison.bin", std::string("x"))};
  std::vector<IncomingMessage> batch{incoming("imap:support:8:1", fine, ""),
                                     incoming("imap:support:8:2", poison, "")};
  batch[0].raw = spilledBytes(size, 1);
  batch[1].raw = spilledBytes(size, 2);
  IncomingMessage broken;
  broken.source_key = "imap:support:8:3";
  broken.mailbox = "support";
  broken.raw = spilledBytes(size, 3);
  broken.quarantine_reason = "cannot parse: no header";
  batch.push_back(broken);

  const auto results =
      store_.commitBatch(batch, [](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); });
  using K = BatchEntryResult::Kind;
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].kind, K::kCommitted);
  EXPECT_EQ(results[1].kind, K::kQuarantined);
  EXPECT_EQ(results[2].kind, K::kQuarantined);
  EXPECT_EQ(count("SELECT count(*) FROM raw_message_chunks"), 3);
  EXPECT_EQ(chunksSha256("raw_message_chunks", "message_id", results[0].commit.message_id),
            spill::sha256Hex(batch[0].raw));
  EXPECT_EQ(db_.scalar("SELECT string_agg(q.source_key || ':' || (q.raw IS NULL) || ':' ||"
                       " (q.raw_sha256 = (SELECT encode(sha256(string_agg(c.bytes, ''::bytea"
                       "  ORDER BY c.seq)), 'hex') FROM quarantine_chunks c"
                       "  WHERE c.quarantine_id = q.id)), ',' ORDER BY q.source_key)"
                       " FROM quarantine q"),
            "imap:support:8:2:true:true,imap:support:8:3:true:true");
}

TEST_F(ChunkedContentsTest, ChunksAreCompressedWithLz4NeverPglz) {
  // Debian's PostgreSQL 15 has lz4 (elsewhere the migration stores chunks uncompressed).
  EXPECT_EQ(db_.scalar("SELECT string_agg(attrelid::regclass || '=' || attcompression::text, ','"
                       " ORDER BY attrelid::regclass::text) FROM pg_attribute"
                       " WHERE attname = 'bytes' AND attrelid IN ('raw_message_chunks'::regclass,"
                       " 'attachment_chunks'::regclass, 'quarantine_chunks'::regclass)"),
            "attachment_chunks=l,quarantine_chunks=l,raw_message_chunks=l");
}

}  // namespace
}  // namespace hd::db
