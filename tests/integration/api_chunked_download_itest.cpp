// GET /api/v1/messages/{id}/raw and /api/v1/attachments/{id} of big contents stored in chunks
// (migration 0013), from the running service: the same bytes (SHA-256) with the stored size as
// Content-Length, streamed with one chunk in memory at a time (the service's peak RSS grows by
// far less than the download), and a client that goes away mid-download ends its stream without
// an error while the next download works; a quarantine retry of a chunked entry stores it chunked.

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <csignal>
#include <fstream>

#include "connectors/crypto/sha256.hpp"
#include "tests/integration/api_test_support.hpp"
#include "tests/integration/db_store_fixture.hpp"
#include "tests/support/memory_bounds.hpp"

namespace hd::test {
namespace {

constexpr std::size_t kBigRaw = 20 * 1024 * 1024 + 999;
constexpr std::size_t kBigAttachment = 12 * 1024 * 1024 + 1;

// A line of /proc/<pid>/status, in kB (VmRSS, VmHWM).
long statusKb(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// Resets the peak RSS (VmHWM) of `pid` to its current RSS.
void resetPeakRss(pid_t pid) {
  std::ofstream("/proc/" + std::to_string(pid) + "/clear_refs") << "5";
}

class ApiChunkedDownload : public ::testing::Test {
 protected:
  void SetUp() override {
    db::TicketStore store(db_.url());
    store.migrate();
    auto m = db::itest::mail("Big scan", "big-scan@example.com");
    mime::Attachment scan;
    scan.filename = "scan.pdf";
    scan.content_type = "application/pdf";
    scan.content = db::itest::spilledBytes(kBigAttachment, 9);
    scan.size = scan.content.size();
    m.attachments = {scan};
    auto in = db::itest::incoming("imap:support:1:1", m, "");
    in.raw = raw_;
    const auto stored = store.commitMessage(in, db::itest::newTicket);
    ASSERT_EQ(stored.status, db::CommitStatus::kInserted);
    message_id_ = std::to_string(stored.message_id);
    attachment_id_ = db_.scalar("SELECT id FROM attachments");
    attachment_sha256_ = spill::sha256Hex(scan.content);
    ASSERT_EQ(db_.scalar("SELECT count(*) FROM raw_message_chunks"), "21");

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

  ScratchDatabase db_;
  TestMailbox box_{"chunks"};
  const spill::Bytes raw_ = db::itest::spilledBytes(kBigRaw, 1);
  std::string message_id_, attachment_id_, attachment_sha256_;
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<ServiceProcess> service_;
  int port_ = 0;
};

TEST_F(ApiChunkedDownload, RawAndAttachmentAreTheStoredBytesWithTheStoredSize) {
  const auto raw = httpGet(port_, "/api/v1/messages/" + message_id_ + "/raw");
  ASSERT_EQ(raw.status, 200) << raw.body.substr(0, 200);
  EXPECT_EQ(raw.headers.at("Content-Length"), std::to_string(kBigRaw));
  EXPECT_EQ(raw.headers.at("Content-Type"), "message/rfc822");
  EXPECT_EQ(raw.body.size(), kBigRaw);
  EXPECT_EQ(crypto::sha256Hex(raw.body), spill::sha256Hex(raw_));

  const auto scan = httpGet(port_, "/api/v1/attachments/" + attachment_id_);
  ASSERT_EQ(scan.status, 200) << scan.body.substr(0, 200);
  EXPECT_EQ(scan.headers.at("Content-Length"), std::to_string(kBigAttachment));
  EXPECT_EQ(scan.headers.at("Content-Type"), "application/pdf");
  EXPECT_EQ(crypto::sha256Hex(scan.body), attachment_sha256_);
}

TEST_F(ApiChunkedDownload, TheServiceHoldsOneChunkAtATimeNotTheWholeContent) {
  const pid_t pid = service_->pid();
  const long rss_before = statusKb(pid, "VmRSS");
  resetPeakRss(pid);
  const auto raw = httpGet(port_, "/api/v1/messages/" + message_id_ + "/raw");
  ASSERT_EQ(raw.body.size(), kBigRaw);
  const long peak = statusKb(pid, "VmHWM");
  ASSERT_GT(rss_before, 0);
  // Reading the 20 MB whole takes over 60 MB (the hex text result, the bytes, the copy); chunk by
  // chunk, with the first request's database connection and thread, about 8 MB.
  if (kMemoryBoundsApply) {
    EXPECT_LT(peak - rss_before, 16 * 1024) << "peak " << peak << " kB, before " << rss_before;
  }
}

TEST_F(ApiChunkedDownload, AClientThatGoesAwayMidDownloadEndsTheStreamCleanly) {
  {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port_));
    const std::string request = "GET /api/v1/messages/" + message_id_ +
                                "/raw HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                                kApiToken + "\r\n\r\n";
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    char buffer[64 * 1024];
    std::size_t received = 0;
    while (received < 256 * 1024) {
      const int n = socket.receiveBytes(buffer, sizeof buffer);
      ASSERT_GT(n, 0);
      received += static_cast<std::size_t>(n);
    }
    socket.close();  // well before the 20 MB
  }
  const auto raw = httpGet(port_, "/api/v1/messages/" + message_id_ + "/raw");
  EXPECT_EQ(raw.status, 200);
  EXPECT_EQ(crypto::sha256Hex(raw.body), spill::sha256Hex(raw_));
  EXPECT_TRUE(service_->running());
  EXPECT_EQ(service_->output().find("GET /api/v1/messages/{id}/raw:"), std::string::npos)
      << service_->output();
}

// A mail of about `size` bytes with a base64 attachment, spilled to a file as a fetch spills it.
spill::Bytes bigMail(std::size_t size) {
  spill::BytesBuilder builder(spill::SpillPolicy{
      .directory = std::filesystem::temp_directory_path().string(), .threshold_bytes = 1024});
  builder.append(
      "From: Jane Doe <jane@example.com>\r\nTo: support@example.com\r\nSubject: Big retry\r\n"
      "Message-ID: <big-retry@example.com>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
      "Content-Type: text/plain\r\n\r\nThe scan is attached.\r\n--b\r\n"
      "Content-Type: application/pdf; name=\"scan.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n");
  const std::string line = std::string(76, 'Q') + "\r\n";
  while (builder.size() + line.size() < size) builder.append(line);
  builder.append("--b--\r\n");
  return std::move(builder).finish();
}

TEST_F(ApiChunkedDownload, ARetryOfAChunkedQuarantineEntryStoresItChunkedByteForByte) {
  // Quarantined while the database refused it, say: 6 MB, over the default spill threshold.
  const spill::Bytes raw = bigMail(6 * 1024 * 1024);
  db::TicketStore(db_.url()).quarantine("imap:support:1:2", "support", raw, "database refused");
  const auto id = db_.scalar("SELECT id FROM quarantine");
  ASSERT_EQ(db_.scalar("SELECT (raw IS NULL)::text FROM quarantine"), "true");

  const auto retried = httpCall(port_, "POST", "/api/v1/quarantine/" + id + "/retry");
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.json()["result"], "inserted") << retried.body;
  const auto message_id = db_.scalar(
      "SELECT m.id || '|' || (r.raw IS NULL) FROM messages m JOIN raw_messages r"
      " ON r.message_id = m.id WHERE m.source_key = 'imap:support:1:2'");
  EXPECT_EQ(message_id.substr(message_id.find('|')), "|true");  // read back spilled, stored chunked
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM quarantine_chunks"), "0");
  const auto download =
      httpGet(port_, "/api/v1/messages/" + message_id.substr(0, message_id.find('|')) + "/raw");
  EXPECT_EQ(download.headers.at("Content-Length"), std::to_string(raw.size()));
  EXPECT_EQ(crypto::sha256Hex(download.body), spill::sha256Hex(raw));
}

}  // namespace
}  // namespace hd::test
