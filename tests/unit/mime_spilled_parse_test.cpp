// Issue 11, big mail: a message in a spill file is parsed by GMime from the file, and decoded
// contents (attachments, attached messages) are written to spill files as GMime decodes them,
// with their SHA-256 computed on the way. The golden corpus proves the same result as in memory
// (mime_golden_test); these tests prove sizes where it matters.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "connectors/crypto/sha256.hpp"
#include "connectors/mime/parse.hpp"
#include "mime_spill_helpers.hpp"
#include "tests/support/noise_bytes.hpp"

namespace hd::mime {
namespace {

using hd::test::base64Lines;
using hd::test::noise;

Limits spillingAbove1MiB() {
  Limits limits;
  limits.spill.threshold_bytes = 1024 * 1024;
  return limits;
}

TEST(MimeSpilledParse, ABigBase64AttachmentIsDecodedIntoASpillFile) {
  const std::string original = noise(15 * 1024 * 1024);
  const std::string raw =
      "From: a@b.example\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"
      "--m\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--m\r\n"
      "Content-Type: application/octet-stream; name=big.bin\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      base64Lines(original) + "\r\n--m--\r\n";
  ASSERT_GT(raw.size(), 20u * 1000 * 1000);

  const ParseResult r = parseBytes(test::spilled(raw), spillingAbove1MiB());
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.message.text_body, "see attached");
  ASSERT_EQ(r.message.attachments.size(), 1u);
  const Attachment& big = r.message.attachments[0];
  EXPECT_EQ(big.filename, "big.bin");
  EXPECT_FALSE(big.content.inMemory());
  EXPECT_EQ(big.content.size(), original.size());
  EXPECT_TRUE(big.content == original);
  EXPECT_EQ(big.sha256_hex, crypto::sha256Hex(original));
}

// The forwarded summary comes from the attached message's headers; its bytes go to a spill file.
TEST(MimeSpilledParse, AnAttachedMessageIsWrittenToASpillFile) {
  const std::string inner =
      "From: Old <old@b.example>\r\nSubject: forwarded big\r\nMessage-ID: <inner@b.example>\r\n"
      "Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\n"
      "inner text\r\n--i\r\nContent-Type: application/octet-stream\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      base64Lines(noise(3 * 1024 * 1024)) + "\r\n--i--\r\n";
  const std::string raw =
      "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n"
      "Content-Type: text/plain\r\n\r\nfyi\r\n--m\r\nContent-Type: message/rfc822\r\n\r\n" +
      inner + "\r\n--m--\r\n";

  const ParseResult r = parseBytes(test::spilled(raw), spillingAbove1MiB());
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.message.attachments.size(), 1u);
  const Attachment& attached = r.message.attachments[0];
  ASSERT_TRUE(attached.forwarded);
  EXPECT_EQ(attached.forwarded->subject, "forwarded big");
  EXPECT_EQ(attached.forwarded->message_id, "inner@b.example");
  EXPECT_EQ(attached.filename, "forwarded big.eml");
  EXPECT_FALSE(attached.content.inMemory());
  // GMime writes the attached message out again, with LF line ends: as in memory.
  const ParseResult from_memory = parse(raw);
  const Attachment& in_memory = from_memory.message.attachments.at(0);
  EXPECT_GT(attached.content.size(), 4u * 1000 * 1000);
  EXPECT_TRUE(attached.content == in_memory.content.toString());
  EXPECT_EQ(attached.sha256_hex, in_memory.sha256_hex);
  EXPECT_EQ(spill::sha256Hex(attached.content), attached.sha256_hex);
}

// Attachments each under the threshold must not add up in memory: the threshold bounds the
// decoded contents a message keeps in memory together, the others go to spill files.
TEST(MimeSpilledParse, ManyAttachmentsUnderTheThresholdShareItsMemory) {
  std::string raw = "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n";
  std::vector<std::string> originals;
  for (int i = 0; i < 5; ++i) {
    originals.push_back(noise(300'000 + i));
    raw +=
        "--m\r\nContent-Type: application/octet-stream\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" +
        base64Lines(originals.back()) + "\r\n";
  }
  raw += "--m\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\n" +
         std::string(400'000, 'x') + "\r\n--m--\r\n";
  const Limits limits = spillingAbove1MiB();
  const ParseResult r = parseBytes(test::spilled(raw), limits);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.message.attachments.size(), 6u);
  std::uint64_t in_memory = 0;
  for (std::size_t i = 0; i < r.message.attachments.size(); ++i) {
    const Attachment& attachment = r.message.attachments[i];
    if (attachment.content.inMemory()) in_memory += attachment.content.size();
    if (i < originals.size()) {
      EXPECT_TRUE(attachment.content == originals[i]) << i;
      EXPECT_EQ(attachment.sha256_hex, crypto::sha256Hex(originals[i])) << i;
    }
  }
  EXPECT_LE(in_memory, limits.spill.threshold_bytes);
  EXPECT_TRUE(r.message.attachments[0].content.inMemory());
  EXPECT_FALSE(r.message.attachments[3].content.inMemory());
  EXPECT_FALSE(r.message.attachments[5].content.inMemory());
}

// A full or missing spill directory is a broken environment, not bad mail: parse throws, and the
// caller ends the pass instead of quarantining a good message.
TEST(MimeSpilledParse, AnAttachmentThatCannotBeSpilledThrows) {
  const std::string raw =
      "From: a@b.example\r\nContent-Type: application/octet-stream\r\n\r\n" + noise(4096);
  Limits limits = test::spillingEverything();
  limits.spill.directory = "/nonexistent/helpdesk-ingest-spill";
  EXPECT_THROW(parseBytes(test::spilled(raw), limits), std::system_error);
  EXPECT_THROW(parse(raw, limits), std::system_error);
}

}  // namespace
}  // namespace hd::mime
