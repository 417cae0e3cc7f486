#include "tests/bench/copy_floor.hpp"

#include <arpa/inet.h>
#include <libpq-fe.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "connectors/crypto/sha256.hpp"
#include "connectors/mime/parse.hpp"
#include "db/large_value_session.hpp"

namespace hd::bench {
namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

void exec(PGconn* c, const char* sql) {
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c, sql), PQclear);
  const auto status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(std::string(sql) + ": " + PQerrorMessage(c));
  }
}

// PostgreSQL's binary COPY format: a header, then per row a field count and length-prefixed
// fields in network byte order, then -1.
class BinaryCopy {
 public:
  BinaryCopy(PGconn* c, const std::string& statement) : c_(c) {
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c, statement.c_str()), PQclear);
    if (PQresultStatus(r.get()) != PGRES_COPY_IN) {
      throw std::runtime_error(statement + ": " + PQerrorMessage(c));
    }
    buffer_.append("PGCOPY\n\377\r\n\0", 11);
    int32(0);  // flags
    int32(0);  // header extension length
  }
  void row(std::int16_t fields) { int16(fields); }
  void text(const std::string& value) { bytes(value.data(), value.size()); }
  void null() { int32(-1); }
  void bytes(const char* data, std::size_t size) {
    int32(static_cast<std::int32_t>(size));
    buffer_.append(data, size);
    if (buffer_.size() > (1 << 20)) flush();
  }
  void int8(std::int64_t value) {
    int32(8);
    const auto high = static_cast<std::uint32_t>(static_cast<std::uint64_t>(value) >> 32);
    const auto low = static_cast<std::uint32_t>(value);
    int32(static_cast<std::int32_t>(high));
    int32(static_cast<std::int32_t>(low));
  }
  void finish() {
    int16(-1);
    flush();
    if (PQputCopyEnd(c_, nullptr) != 1) throw std::runtime_error(PQerrorMessage(c_));
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQgetResult(c_), PQclear);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      throw std::runtime_error(std::string("COPY: ") + PQerrorMessage(c_));
    }
    while (PGresult* rest = PQgetResult(c_)) PQclear(rest);
  }

 private:
  void int16(std::int16_t v) {
    const std::uint16_t n = htons(static_cast<std::uint16_t>(v));
    buffer_.append(reinterpret_cast<const char*>(&n), 2);
  }
  void int32(std::int32_t v) {
    const std::uint32_t n = htonl(static_cast<std::uint32_t>(v));
    buffer_.append(reinterpret_cast<const char*>(&n), 4);
  }
  void flush() {
    if (!buffer_.empty() &&
        PQputCopyData(c_, buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
      throw std::runtime_error(PQerrorMessage(c_));
    }
    buffer_.clear();
  }
  PGconn* c_;
  std::string buffer_;
};

std::string crlf(const std::string& lf) {
  std::string out;
  out.reserve(lf.size() + lf.size() / 30);
  for (char ch : lf) {
    if (ch == '\n') out += '\r';
    out += ch;
  }
  return out;
}

}  // namespace

void loadWithCopy(const std::string& url, int count,
                  const std::function<std::string(int)>& message) {
  Connection c(PQconnectdb(url.c_str()), PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c.get()));
  // The service's writing sessions start with this too: the floor is not to pay for page faults
  // that they are spared.
  exec(c.get(), db::kLargeValueSessionSetup);
  exec(c.get(), "BEGIN");
  // One table at a time (COPY streams one table); the corpus is regenerated per table so memory
  // stays small. Every message gets its own ticket: an upper bound on the ticket rows.
  BinaryCopy tickets(c.get(),
                     "COPY tickets (id, reference, mailbox, subject, requester_address)"
                     " FROM STDIN (FORMAT binary)");
  for (int i = 0; i < count; ++i) {
    const auto parsed = mime::parse(crlf(message(i)));
    tickets.row(5);
    tickets.int8(i + 1);
    tickets.text("HD-" + std::to_string(i + 1));
    tickets.text("bench");
    tickets.text(parsed.message.subject);
    tickets.text(parsed.message.from ? parsed.message.from->address : "");
  }
  tickets.finish();

  BinaryCopy messages(c.get(),
                      "COPY messages (id, ticket_id, source_key, mailbox, internet_message_id,"
                      " subject, from_address, from_name, body_text, body_text_new, body_html,"
                      " classification, raw_size, raw_sha256) FROM STDIN (FORMAT binary)");
  for (int i = 0; i < count; ++i) {
    const std::string raw = crlf(message(i));
    const auto parsed = mime::parse(raw);
    const auto& m = parsed.message;
    messages.row(14);
    messages.int8(i + 1);
    messages.int8(i + 1);
    messages.text("copy:bench:" + std::to_string(i));
    messages.text("bench");
    messages.text(m.message_id);
    messages.text(m.subject);
    messages.text(m.from ? m.from->address : "");
    messages.text(m.from ? m.from->name : "");
    messages.text(m.text_body);
    messages.text(m.text_body_new);
    messages.text(m.html_body);
    messages.text("customer");
    messages.int8(static_cast<std::int64_t>(raw.size()));
    messages.text(crypto::sha256Hex(raw));
  }
  messages.finish();

  BinaryCopy raws(c.get(), "COPY raw_messages (message_id, raw) FROM STDIN (FORMAT binary)");
  for (int i = 0; i < count; ++i) {
    const std::string raw = crlf(message(i));
    raws.row(2);
    raws.int8(i + 1);
    raws.bytes(raw.data(), raw.size());
  }
  raws.finish();

  // As the store writes them: a base64 attachment as its span of the raw message, any other
  // with its content (migration 0014).
  BinaryCopy attachments(c.get(),
                         "COPY attachments (message_id, filename, content_type, size, sha256,"
                         " base64_offset, base64_length, content) FROM STDIN (FORMAT binary)");
  for (int i = 0; i < count; ++i) {
    const auto parsed = mime::parse(crlf(message(i)));
    for (const auto& a : parsed.message.attachments) {
      attachments.row(8);
      attachments.int8(i + 1);
      attachments.text(a.filename);
      attachments.text(a.content_type);
      attachments.int8(static_cast<std::int64_t>(a.content.size()));
      attachments.text(a.sha256_hex);
      if (a.base64_in_raw) {
        attachments.int8(static_cast<std::int64_t>(a.base64_in_raw->offset));
        attachments.int8(static_cast<std::int64_t>(a.base64_in_raw->length));
        attachments.null();
      } else {
        attachments.null();
        attachments.null();
        attachments.bytes(a.content.memory().data(), a.content.memory().size());
      }
    }
  }
  attachments.finish();

  BinaryCopy events(c.get(),
                    "COPY events (type, ticket_id, message_id) FROM STDIN (FORMAT binary)");
  for (int i = 0; i < count; ++i) {
    for (const char* type : {"ticket.created", "message.added"}) {
      events.row(3);
      events.text(type);
      events.int8(i + 1);
      events.int8(i + 1);
    }
  }
  events.finish();
  exec(c.get(), "COMMIT");
}

}  // namespace hd::bench
