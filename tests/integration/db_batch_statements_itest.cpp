// The group commit's statements against a real PostgreSQL: what the batch looks up once (stored
// contents, accounted keys) still sees the batch's own earlier messages, the ticket and message
// written by one statement keep references gapless and refuse a follow-up to a missing ticket,
// and attachments inserted many rows at a time keep their order and bytes.

#include <gtest/gtest.h>

#include <vector>

#include "connectors/mime/parse.hpp"
#include "db/attachment_writer.hpp"
#include "db/sql_values.hpp"
#include "tests/integration/db_store_fixture.hpp"
#include "tests/support/noise_bytes.hpp"

namespace hd::db {
namespace {

using namespace itest;

TEST_F(TicketStoreTest, ACopyLaterInTheSameBatchIsAnAliasOfTheFirst) {
  const auto m = mail("Twice", "twice@example.com");
  const std::vector<IncomingMessage> batch{incoming("imap:support:7:1", m, "same bytes"),
                                           incoming("imap:support:7:2", m, "same bytes")};
  const auto results =
      store_.commitBatch(batch, [&](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); });
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].commit.status, CommitStatus::kInserted);
  EXPECT_EQ(results[1].commit.status, CommitStatus::kDuplicateContent);
  EXPECT_EQ(results[1].commit.message_id, results[0].commit.message_id);
  EXPECT_EQ(results[1].commit.ticket_reference, results[0].commit.ticket_reference);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(
      db_.scalar("SELECT message_id FROM source_aliases WHERE source_key = 'imap:support:7:2'"),
      std::to_string(results[0].commit.message_id));
}

TEST_F(TicketStoreTest, MailWithoutATicketDrawsNoTicketNumber) {
  std::vector<mime::Message> mails;
  for (int i = 0; i < 4; ++i) mails.push_back(mail("M" + std::to_string(i), std::to_string(i)));
  std::vector<IncomingMessage> batch;
  for (int i = 0; i < 4; ++i) {
    batch.push_back(incoming("imap:support:7:" + std::to_string(i), mails[i], std::to_string(i)));
  }
  const auto results = store_.commitBatch(batch, [&](std::size_t i, ingest::ThreadLookup& l) {
    return i % 2 == 0 ? recorded(l) : newTicket(l);
  });
  EXPECT_EQ(results[1].commit.ticket_reference, "HD-1");
  EXPECT_EQ(results[3].commit.ticket_reference, "HD-2");
  EXPECT_EQ(results[2].commit.ticket_id, 0);
  EXPECT_EQ(db_.scalar("SELECT string_agg(type || ':' || coalesce(ticket_id::text, '-'), ','"
                       " ORDER BY id) FROM events"),
            "message.added:-,ticket.created:1,message.added:1,message.added:-,"
            "ticket.created:2,message.added:2");
}

TEST_F(TicketStoreTest, AFollowUpToAMissingTicketRollsTheBatchBack) {
  const auto first = mail("First", "first@example.com");
  const auto lost = mail("Re: gone", "lost@example.com");
  const std::vector<IncomingMessage> batch{incoming("imap:support:7:1", first, "1"),
                                           incoming("imap:support:7:2", lost, "2")};
  EXPECT_THROW(store_.commitBatch(batch,
                                  [&](std::size_t i, ingest::ThreadLookup& l) {
                                    if (i == 0) return newTicket(l);
                                    Outcome o;
                                    o.kind = Kind::kFollowUp;
                                    o.ticket_id = 4242;
                                    return o;
                                  }),
               std::invalid_argument);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 0);
}

// A mail whose parts after the text are `parts`: "b64" (a base64 PNG) or "qp" (a quoted-printable
// CSV), named p0, p1...
std::string mailWithParts(const std::string& id, const std::vector<std::string>& parts) {
  std::string mail = "From: Jane <jane@example.com>\r\nSubject: " + id + "\r\nMessage-ID: <" + id +
                     "@example.com>\r\nMIME-Version: 1.0\r\n"
                     "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                     "--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string name = "p" + std::to_string(i);
    mail += parts[i] == "b64" ? "--b\r\nContent-Type: image/png; name=\"" + name +
                                    "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                                    test::base64Lines(test::noise(5000 + i, i + 1)) + "\r\n"
                              : "--b\r\nContent-Type: text/csv; name=\"" + name +
                                    "\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                                    "a=3Db," +
                                    name + "\r\n";
  }
  return mail + "--b--\r\n";
}

// Rows inserted by one statement share its command id (PostgreSQL's cmin).
TEST_F(TicketStoreTest, SpanAttachmentsGoWithTheirMessagesStatementOthersAfterItInOrder) {
  const std::vector<std::string> raws{mailWithParts("spans", {"b64", "b64"}),
                                      mailWithParts("mixed", {"b64", "qp", "b64"})};
  std::vector<mime::ParseResult> parsed;
  for (const auto& raw : raws) parsed.push_back(mime::parseBytes(spill::Bytes(raw)));
  std::vector<IncomingMessage> batch;
  for (std::size_t i = 0; i < raws.size(); ++i) {
    ASSERT_TRUE(parsed[i].ok) << parsed[i].error;
    batch.push_back(incoming("imap:support:7:" + std::to_string(i), parsed[i].message, raws[i]));
  }
  store_.commitBatch(batch, [](std::size_t, ingest::ThreadLookup& l) { return newTicket(l); });

  const auto rowsOf = [&](const std::string& subject) {
    return db_.scalar(
        "SELECT string_agg(a.filename || ':' || (a.cmin::text = m.cmin::text) || ':' ||"
        " (a.base64_offset IS NOT NULL), ',' ORDER BY a.id)"
        " FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.subject = '" +
        subject + "'");
  };
  EXPECT_EQ(rowsOf("spans"), "p0:true:true,p1:true:true") << "no statement of their own";
  EXPECT_EQ(rowsOf("mixed"), "p0:false:true,p1:false:false,p2:false:true")
      << "all after the message, in their order";
  // Every span stored is the parser's.
  for (std::size_t i = 0; i < raws.size(); ++i) {
    for (const mime::Attachment& a : parsed[i].message.attachments) {
      if (!a.base64_in_raw) continue;
      EXPECT_EQ(db_.scalar("SELECT base64_offset || '/' || base64_length || '/' || size || '/' ||"
                           " sha256 FROM attachments a JOIN messages m ON m.id = a.message_id"
                           " WHERE m.source_key = 'imap:support:7:" +
                           std::to_string(i) + "' AND filename = '" + a.filename + "'"),
                std::to_string(a.base64_in_raw->offset) + "/" +
                    std::to_string(a.base64_in_raw->length) + "/" + std::to_string(a.size) + "/" +
                    a.sha256_hex);
    }
  }
}

// A filename is the sender's: quotes, backslashes, commas, braces and NUL must not break the
// array literal that carries it in the message's statement.
TEST_F(TicketStoreTest, AHostileFilenameOfASpanAttachmentIsStoredAsParsed) {
  const std::string raw =
      "From: Jane <jane@example.com>\r\nSubject: names\r\nMessage-ID: <names@example.com>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
      "--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment;"
      " filename*=UTF-8''a%22b%5Cc%2C%7Bd%7D%00%C3%A9%22%2C%22x.png\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      test::base64Lines(test::noise(3000, 5)) + "\r\n--b--\r\n";
  const mime::ParseResult parsed = mime::parseBytes(spill::Bytes(raw));
  ASSERT_TRUE(parsed.ok) << parsed.error;
  ASSERT_EQ(parsed.message.attachments.size(), 1u);
  const mime::Attachment& a = parsed.message.attachments[0];
  ASSERT_TRUE(a.base64_in_raw.has_value());
  ASSERT_NE(a.filename.find_first_of("\"\\,{}"), std::string::npos) << a.filename;
  store_.commitMessage(incoming("imap:support:7:1", parsed.message, raw), newTicket);
  EXPECT_EQ(db_.scalar("SELECT filename FROM attachments"), validUtf8(a.filename));
  EXPECT_EQ(db_.scalar("SELECT (a.cmin::text = m.cmin::text) FROM attachments a"
                       " JOIN messages m ON m.id = a.message_id"),
            "t")
      << "stored by the message's statement";
}

TEST_F(TicketStoreTest, ManyAttachmentsKeepTheirOrderAndBytes) {
  auto m = mail("Photos", "photos@example.com");
  const std::size_t n = 2 * kAttachmentsPerStatement + 3;  // three statements
  for (std::size_t i = 0; i < n; ++i) {
    mime::Attachment a;
    a.filename = "photo-" + std::to_string(i) + ".bin";
    a.content_type = i == 0 ? "" : "image/png";
    a.is_inline = i % 2 == 1;
    a.content = allBytes() + std::to_string(i);
    a.size = a.content.size();
    m.attachments.push_back(a);
  }
  const auto result = store_.commitMessage(incoming("imap:support:7:1", m, "raw"), newTicket);
  ASSERT_EQ(result.status, CommitStatus::kInserted);
  ASSERT_EQ(count("SELECT count(*) FROM attachments"), static_cast<long long>(n));
  for (std::size_t i : {std::size_t{0}, std::size_t{1}, kAttachmentsPerStatement, n - 1}) {
    const std::string& content = m.attachments[i].content.memory();
    EXPECT_EQ(db_.scalar("SELECT filename || '|' || content_type || '|' || is_inline || '|' ||"
                         " size || '|' || encode(content, 'hex') FROM attachments ORDER BY id"
                         " OFFSET " +
                         std::to_string(i) + " LIMIT 1"),
              m.attachments[i].filename + "|" +
                  (i == 0 ? "application/octet-stream" : "image/png") + "|" +
                  (i % 2 == 1 ? "true" : "false") + "|" + std::to_string(content.size()) + "|" +
                  hex(content));
  }
}

}  // namespace
}  // namespace hd::db
