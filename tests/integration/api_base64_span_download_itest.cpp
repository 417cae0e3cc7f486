// Issue 10: a base64 attachment is stored as the span of its message's raw bytes that decodes to
// it (migration 0014), not as a second, decoded copy. Against a real PostgreSQL and the running
// service: mail parsed by our parser and stored by the store has no attachment bytes of its own
// (no content, no chunks) for its base64 attachments and keeps them for other encodings; every
// attachment downloads as exactly the parsed bytes (SHA-256, Content-Length), from an inline raw
// message and from one in chunks (the span crossing chunk boundaries); a row whose span is
// damaged is an error, never other bytes.

#include <gtest/gtest.h>

#include <csignal>

#include "connectors/crypto/sha256.hpp"
#include "connectors/mime/parse.hpp"
#include "tests/integration/api_test_support.hpp"
#include "tests/integration/db_store_fixture.hpp"
#include "tests/support/noise_bytes.hpp"

namespace hd::test {
namespace {

// A mail with a base64 PDF of `pdf_size` bytes, a quoted-printable CSV and a base64 image.
std::string mailWith(std::size_t pdf_size, const std::string& id) {
  return "From: Jane <jane@example.com>\r\nTo: support@example.com\r\nSubject: scans " + id +
         "\r\nMessage-ID: <" + id +
         "@example.com>\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
         "--b\r\nContent-Type: text/plain\r\n\r\nThe scans are attached.\r\n"
         "--b\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         base64Lines(noise(pdf_size, pdf_size)) +
         "\r\n--b\r\nContent-Type: text/csv; name=\"t.csv\"\r\n"
         "Content-Transfer-Encoding: quoted-printable\r\n\r\na=3Db,c\r\n"
         "--b\r\nContent-Type: image/png; name=\"i.png\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         base64Lines(noise(3000, 7)) + "\r\n--b--\r\n";
}

// Big enough for the raw message to be stored in chunks, the PDF's span across several.
constexpr std::size_t kBigPdf = 3 * 1024 * 1024 + 5;

class ApiBase64SpanDownload : public ::testing::Test {
 protected:
  void SetUp() override {
    db::TicketStore store(db_.url());
    store.migrate();
    small_ = storeParsed(store, spill::Bytes(mailWith(70'000, "small")), "imap:support:1:1");
    // As the fetch hands over a big message: in a spill file.
    spill::BytesBuilder builder(spill::SpillPolicy{
        .directory = std::filesystem::temp_directory_path().string(), .threshold_bytes = 0});
    builder.append(mailWith(kBigPdf, "big"));
    big_ = storeParsed(store, std::move(builder).finish(), "imap:support:1:2");
    ASSERT_GT(std::stoi(db_.scalar("SELECT count(*) FROM raw_message_chunks WHERE message_id = " +
                                   big_.message_id)),
              3);

    config_ = std::make_unique<TempFile>(apiConfigJson(db_.url(), box_.user()));
    service_ =
        std::make_unique<ServiceProcess>(std::vector<std::string>{"--config", config_->path()});
    port_ = waitForPort(*service_);
    ASSERT_NE(port_, 0);
    ASSERT_TRUE(waitUntilReady(port_)) << service_->output();
  }

  void TearDown() override {
    if (!service_) return;
    service_->signal(SIGTERM);
    service_->wait(40);
  }

  struct Stored {
    std::string message_id;
    std::vector<mime::Attachment> parsed;  // what the parser decoded, in the message's order
  };

  Stored storeParsed(db::TicketStore& store, spill::Bytes raw, const std::string& key) {
    const mime::ParseResult parsed = mime::parseBytes(raw);
    EXPECT_TRUE(parsed.ok) << parsed.error;
    auto in = db::itest::incoming(key, parsed.message, "");
    in.raw = std::move(raw);
    const auto result = store.commitMessage(in, db::itest::newTicket);
    EXPECT_EQ(result.status, db::CommitStatus::kInserted);
    return {std::to_string(result.message_id), parsed.message.attachments};
  }

  // filename:has content:has span:chunks, in id order.
  std::string rowsOf(const Stored& stored) {
    return db_.scalar(
        "SELECT string_agg(filename || ':' || (content IS NOT NULL) || ':' ||"
        " (base64_offset IS NOT NULL) || ':' || (SELECT count(*) FROM attachment_chunks c"
        " WHERE c.attachment_id = a.id), ',' ORDER BY id) FROM attachments a WHERE message_id = " +
        stored.message_id);
  }

  std::string attachmentId(const Stored& stored, const std::string& filename) {
    return db_.scalar("SELECT id FROM attachments WHERE message_id = " + stored.message_id +
                      " AND filename = '" + filename + "'");
  }

  void expectDownloadsAsParsed(const Stored& stored) {
    for (const mime::Attachment& a : stored.parsed) {
      const auto download =
          httpGet(port_, "/api/v1/attachments/" + attachmentId(stored, a.filename));
      ASSERT_EQ(download.status, 200) << a.filename << ": " << download.body.substr(0, 200);
      EXPECT_EQ(download.headers.at("Content-Length"), std::to_string(a.content.size()));
      EXPECT_EQ(download.body.size(), a.content.size()) << a.filename;
      EXPECT_EQ(crypto::sha256Hex(download.body), a.sha256_hex) << a.filename;
    }
  }

  ScratchDatabase db_;
  TestMailbox box_{"spans"};
  Stored small_, big_;
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<ServiceProcess> service_;
  int port_ = 0;
};

TEST_F(ApiBase64SpanDownload, Base64AttachmentsAreStoredAsSpansOthersAsContent) {
  EXPECT_EQ(rowsOf(small_), "scan.pdf:false:true:0,t.csv:true:false:0,i.png:false:true:0");
  EXPECT_EQ(rowsOf(big_), "scan.pdf:false:true:0,t.csv:true:false:0,i.png:false:true:0");
  // The raw message is stored whole, once: the big one's 4+ MB are its chunks alone.
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM attachment_chunks"), "0");
  EXPECT_EQ(db_.scalar("SELECT (raw IS NULL)::text FROM raw_messages WHERE message_id = " +
                       big_.message_id),
            "true");
}

TEST_F(ApiBase64SpanDownload, EveryAttachmentDownloadsAsTheParserDecodedIt) {
  ASSERT_EQ(small_.parsed.size(), 3u);
  ASSERT_EQ(big_.parsed.size(), 3u);
  EXPECT_EQ(big_.parsed[0].content.size(), kBigPdf);
  expectDownloadsAsParsed(small_);
  expectDownloadsAsParsed(big_);  // the PDF's span crosses chunks and takes several pieces
}

TEST_F(ApiBase64SpanDownload, ADamagedSpanIsAnErrorNotOtherBytes) {
  const std::string id = attachmentId(small_, "scan.pdf");
  // Four characters on: whole quanta, so the size still matches, but not the bytes.
  db_.scalar(
      "UPDATE attachments SET base64_offset = base64_offset + 4,"
      " size = size - 3 WHERE id = " +
      id + " RETURNING id");
  const auto shifted = httpGet(port_, "/api/v1/attachments/" + id);
  EXPECT_EQ(shifted.status, 500) << shifted.body.substr(0, 200);
  EXPECT_EQ(shifted.body.find("SHA-256"), std::string::npos) << "no internals in the answer";
  // A span past the end of its message.
  db_.scalar("UPDATE attachments SET base64_offset = 100000000 WHERE id = " + id + " RETURNING id");
  EXPECT_EQ(httpGet(port_, "/api/v1/attachments/" + id).status, 500);
  EXPECT_TRUE(service_->running());
  // The others still download.
  const auto image = httpGet(port_, "/api/v1/attachments/" + attachmentId(small_, "i.png"));
  EXPECT_EQ(crypto::sha256Hex(image.body), small_.parsed[2].sha256_hex);
}

// A span longer than one piece is streamed, so its head is sent before the whole content is
// decoded; the last piece is held back until the size and SHA-256 are checked, and a damaged row
// ends the connection short of Content-Length instead of serving other bytes whole.
TEST_F(ApiBase64SpanDownload, ADamagedBigSpanIsCutShortNeverServedWhole) {
  const std::string id = attachmentId(big_, "scan.pdf");
  db_.scalar(
      "UPDATE attachments SET base64_offset = base64_offset + 4,"
      " size = size - 3 WHERE id = " +
      id + " RETURNING id");
  try {
    const auto download = httpGet(port_, "/api/v1/attachments/" + id);
    EXPECT_EQ(download.status, 200) << "the head went out before the damage could be seen";
    EXPECT_EQ(download.headers.at("Content-Length"), std::to_string(kBigPdf - 3));
    EXPECT_LT(download.body.size(), kBigPdf - 3) << "served whole although its SHA-256 differs";
  } catch (const Poco::Exception& e) {
    SUCCEED() << "cut short: " << e.displayText();  // what a client sees: the body ended early
  }
  EXPECT_TRUE(service_->running());
  // A monitor sees it as a failure, not as the 200 its head said.
  const auto metrics = httpGet(port_, "/metrics");
  EXPECT_NE(metrics.body.find("helpdesk_ingest_http_requests_total{route=\"/api/v1/attachments/"
                              "{id}\",method=\"GET\",status=\"0\"} 1"),
            std::string::npos)
      << metrics.body;
  // Undamaged, the same attachment downloads whole.
  db_.scalar(
      "UPDATE attachments SET base64_offset = base64_offset - 4,"
      " size = size + 3 WHERE id = " +
      id + " RETURNING id");
  const auto whole = httpGet(port_, "/api/v1/attachments/" + id);
  EXPECT_EQ(crypto::sha256Hex(whole.body), big_.parsed[0].sha256_hex);
}

}  // namespace
}  // namespace hd::test
