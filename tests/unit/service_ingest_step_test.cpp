// The ingest step's parse (PreparedBatch::add) keeps no decoded copy of an attachment the store
// keeps as a base64 span of the raw bytes (its size and SHA-256 are enough), and keeps the
// returned header block of a bounce, which decide() reads to thread it.

#include <gtest/gtest.h>

#include <string>

#include "connectors/crypto/sha256.hpp"
#include "service/ingest/bounce.hpp"
#include "service/ingest_step.hpp"
#include "tests/support/noise_bytes.hpp"

namespace hd::service {
namespace {

using hd::test::base64Lines;
using hd::test::noise;

const std::string kPdf = noise(50'000, 0x5DEECE66Dull);
const std::string kReturnedHeaders =
    "Message-ID: <original-42@support.example>\r\nSubject: Printer on fire\r\n\r\n";

// A delivery status report returning the headers of our mail, both parts base64 (as Exchange
// writes them), with a PDF the reporting server attached.
std::string bounceWithBase64Parts() {
  return "From: MAILER-DAEMON@mx.example\r\nSubject: Undeliverable: Printer on fire\r\n"
         "Message-ID: <bounce-1@mx.example>\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n"
         "--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
         "--r\r\nContent-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
         base64Lines(kReturnedHeaders) +
         "\r\n--r\r\nContent-Type: application/pdf; name=report.pdf\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         base64Lines(kPdf) + "\r\n--r--\r\n";
}

const mime::Attachment& ofType(const mime::Message& message, const std::string& type) {
  for (const auto& a : message.attachments) {
    if (a.content_type == type) return a;
  }
  throw std::runtime_error("no attachment of type " + type);
}

TEST(IngestStep, AnAttachmentStoredAsASpanKeepsNoDecodedCopyButItsSizeAndSha256) {
  PreparedBatch batch(64 * 1024 * 1024, mime::Limits{});
  batch.add("imap:support:1:1", "support", spill::Bytes(bounceWithBase64Parts()));
  ASSERT_EQ(batch.messages().size(), 1u);
  const IncomingMessage& in = batch.messages().front();
  ASSERT_NE(in.parsed, nullptr) << in.quarantine_reason;

  const mime::Attachment& pdf = ofType(*in.parsed, "application/pdf");
  ASSERT_TRUE(pdf.base64_in_raw.has_value());
  EXPECT_TRUE(pdf.content.empty());
  EXPECT_EQ(pdf.size, kPdf.size());
  EXPECT_EQ(pdf.sha256_hex, crypto::sha256Hex(kPdf));
}

TEST(IngestStep, TheReturnedHeadersOfABounceAreKeptForThreading) {
  PreparedBatch batch(64 * 1024 * 1024, mime::Limits{});
  batch.add("imap:support:1:1", "support", spill::Bytes(bounceWithBase64Parts()));
  const IncomingMessage& in = batch.messages().front();
  ASSERT_NE(in.parsed, nullptr) << in.quarantine_reason;

  const mime::Attachment& headers = ofType(*in.parsed, "text/rfc822-headers");
  ASSERT_TRUE(headers.base64_in_raw.has_value());
  EXPECT_TRUE(headers.content == kReturnedHeaders);
  EXPECT_EQ(ingest::bouncedMessageIds(*in.parsed),
            (std::vector<std::string>{"original-42@support.example"}));
}

}  // namespace
}  // namespace hd::service
