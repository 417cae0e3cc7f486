#pragma once
// Shared by the db_*_itest.cpp files: a migrated scratch database with a TicketStore on it, and
// builders for the messages the tests commit.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "db/migrations.hpp"
#include "db/ticket_store.hpp"
#include "service/ingest/thread_questions.hpp"
#include "tests/support/test_env.hpp"

namespace hd::db::itest {

using ingest::Outcome;
using Kind = ingest::Outcome::Kind;

// Every byte value, NUL and 8-bit included, so a text-mode round trip would show.
inline std::string allBytes() {
  std::string raw = "From: Jane <jane@example.com>\r\nSubject: bytes\r\n\r\n";
  for (int i = 0; i < 256; ++i) raw.push_back(static_cast<char>(i));
  return raw;
}

inline std::string hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0F]);
  }
  return out;
}

// `size` bytes of every value (a pattern that `seed` shifts), spilled to an anonymous file as the
// fetch spills a big message.
inline spill::Bytes spilledBytes(std::size_t size, unsigned seed = 0) {
  spill::BytesBuilder builder(spill::SpillPolicy{
      .directory = std::filesystem::temp_directory_path().string(), .threshold_bytes = 1024});
  builder.expect(size);
  std::string piece;
  for (std::size_t done = 0; done < size; done += piece.size()) {
    piece.resize(std::min<std::size_t>(64 * 1024, size - done));
    for (std::size_t i = 0; i < piece.size(); ++i) {
      const std::size_t at = done + i;
      piece[i] = static_cast<char>((at * 131 + at / 7 + seed) & 0xff);
    }
    builder.append(piece);
  }
  return std::move(builder).finish();
}

inline mime::Message mail(const std::string& subject, const std::string& message_id,
                          const std::string& in_reply_to = "") {
  mime::Message m;
  m.subject = subject;
  m.from = mime::Address{"Jane Doe", "jane@example.com"};
  m.to = {{"Support", "support@example.com"}};
  m.message_id = message_id;
  m.in_reply_to = in_reply_to;
  if (!in_reply_to.empty()) m.references = {in_reply_to};
  m.text_body = "Hello";
  return m;
}

inline IncomingMessage incoming(const std::string& key, const mime::Message& parsed,
                                const std::string& raw, const std::string& mailbox = "support") {
  IncomingMessage in;
  in.source_key = key;
  in.mailbox = mailbox;
  in.raw = raw;
  in.parsed = &parsed;
  // As the service does: the batch's questions are answered together (db/batch_thread_lookup).
  in.thread_questions = ingest::threadQuestions(parsed, ingest::Policy{});
  return in;
}

inline Outcome newTicket(ingest::ThreadLookup&) {
  return Outcome{};
}

// Mail recorded without a ticket (an auto-reply).
inline Outcome recorded(ingest::ThreadLookup&) {
  Outcome o;
  o.kind = Kind::kRecorded;
  o.classification = ingest::Classification::kAutoReply;
  return o;
}

// What decide() does for a reply: follow the ticket of In-Reply-To / References, else open one.
inline Outcome threadOrNew(ingest::ThreadLookup& lookup, const mime::Message& m) {
  std::vector<std::string> ids = m.references;
  ids.insert(ids.begin(), m.in_reply_to);
  Outcome outcome;
  if (const auto match = lookup.findByMessageIds(ids)) {
    outcome.kind = Kind::kFollowUp;
    outcome.ticket_id = match->ticket_id;
    outcome.reason = "In-Reply-To matches message " + std::to_string(match->message_id);
  }
  return outcome;
}

class TicketStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(store_.migrate(), int(embeddedMigrations().size())); }

  long long count(const std::string& sql) { return std::stoll(db_.scalar(sql)); }

  test::ScratchDatabase db_;
  TicketStore store_{db_.url()};
};

}  // namespace hd::db::itest
