// Issue 10: a base64 attachment says where its encoded text lies in the raw message
// (Attachment::base64_in_raw), so the store keeps the raw bytes alone and decodes the span on
// download. The promise under test: decoding that span with Base64Decoder gives the content the
// parser decoded, byte for byte, in memory and from a spill file, after a byte order mark too;
// and no span is claimed for a content that is not the base64 decoding of raw bytes.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "connectors/crypto/sha256.hpp"
#include "connectors/mime/base64_decoder.hpp"
#include "connectors/mime/parse.hpp"
#include "mime_spill_helpers.hpp"
#include "tests/support/noise_bytes.hpp"

namespace hd::mime {
namespace {

namespace fs = std::filesystem;

// The span's bytes decoded as the store's download decodes them: in pieces, until a '=' ends it.
std::string decodeSpan(std::string_view raw, const Base64InRaw& span, std::size_t piece) {
  std::string_view encoded = raw.substr(span.offset, span.length);
  Base64Decoder decoder;
  std::string out;
  std::vector<char> buffer(Base64Decoder::maxDecodedSize(piece));
  while (!encoded.empty() && !decoder.ended()) {
    const std::string_view next = encoded.substr(0, piece);
    encoded.remove_prefix(next.size());
    out.append(buffer.data(), decoder.decode(next, buffer));
  }
  return out;
}

using hd::test::base64Lines;
using hd::test::noise;

const std::string kPdf = noise(70'000, 0x9E3779B97F4A7C15ull);
const std::string kImage = noise(5'000, 0x0123456789ABCDEFull);

// Every kind of part: a base64 attachment, an inline base64 image in multipart/related, a
// quoted-printable attachment, and an attached message whose own attachment is base64.
std::string mixedMessage() {
  return "From: a@b.example\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
         "--outer\r\nContent-Type: multipart/related; boundary=rel\r\n\r\n"
         "--rel\r\nContent-Type: text/html\r\n\r\n<p>hi <img src=cid:i1></p>\r\n"
         "--rel\r\nContent-Type: image/png\r\nContent-ID: <i1>\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         base64Lines(kImage) +
         "\r\n--rel--\r\n"
         "--outer\r\nContent-Type: application/pdf; name=a.pdf\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         base64Lines(kPdf) +
         "\r\n--outer\r\nContent-Type: text/csv; name=t.csv\r\n"
         "Content-Transfer-Encoding: quoted-printable\r\n\r\na=3Db,c\r\n"
         "--outer\r\nContent-Type: message/rfc822\r\n\r\n"
         "From: c@d.example\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n"
         "--in\r\nContent-Type: text/plain\r\n\r\ninner text\r\n"
         "--in\r\nContent-Type: application/zip; name=z.zip\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         base64Lines(kImage) + "\r\n--in--\r\n\r\n--outer--\r\n";
}

const Attachment& named(const ParseResult& r, const std::string& type) {
  for (const auto& a : r.message.attachments) {
    if (a.content_type == type) return a;
  }
  throw std::runtime_error("no attachment of type " + type);
}

void expectSpansDecodeToContents(std::string_view raw, const ParseResult& r) {
  ASSERT_TRUE(r.ok) << r.error;
  const Attachment& pdf = named(r, "application/pdf");
  const Attachment& image = named(r, "image/png");
  ASSERT_TRUE(pdf.base64_in_raw.has_value());
  ASSERT_TRUE(image.base64_in_raw.has_value());
  for (std::size_t piece : {1u, 3u, 77u, 4096u, 1u << 20}) {
    EXPECT_EQ(decodeSpan(raw, *pdf.base64_in_raw, piece), kPdf) << "pieces of " << piece;
    EXPECT_EQ(decodeSpan(raw, *image.base64_in_raw, piece), kImage) << "pieces of " << piece;
  }
  // The span is the part's body: it starts where its first base64 line does.
  EXPECT_EQ(raw.substr(pdf.base64_in_raw->offset, 76), base64Lines(kPdf).substr(0, 76));
  EXPECT_TRUE(pdf.content == kPdf);
  // Not the base64 of raw bytes: quoted-printable, and the attached message (its bytes as a
  // whole, whatever encodings it holds).
  EXPECT_FALSE(named(r, "text/csv").base64_in_raw.has_value());
  EXPECT_FALSE(named(r, "message/rfc822").base64_in_raw.has_value());
}

TEST(MimeBase64InRaw, ASpanDecodesToTheAttachmentInMemory) {
  const std::string raw = mixedMessage();
  expectSpansDecodeToContents(raw, parse(raw));
}

TEST(MimeBase64InRaw, ASpanDecodesToTheAttachmentFromASpillFile) {
  const std::string raw = mixedMessage();
  expectSpansDecodeToContents(raw, parseBytes(test::spilled(raw), test::spillingEverything()));
}

// The byte order mark is skipped before GMime reads: spans still count from the raw's first byte.
TEST(MimeBase64InRaw, SpansCountFromTheFirstByteAfterAByteOrderMark) {
  const std::string raw = "\xEF\xBB\xBF" + mixedMessage();
  expectSpansDecodeToContents(raw, parse(raw));
  expectSpansDecodeToContents(raw, parseBytes(test::spilled(raw), test::spillingEverything()));
}

// Garbage, a missing final '=' and a body cut short still decode from the span as the parser
// decoded them: the span is the stream GMime gave the decoder, not a re-reading of the mail.
TEST(MimeBase64InRaw, ADirtyBodyDecodesFromItsSpanAsTheParserDecodedIt) {
  const std::string raw =
      "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"
      "--m\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "SGVs bG8*\r\n!!d29y\tbGQ=trailing garbage\r\nmore\r\n--m\r\n"
      "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: BASE64\r\n\r\n"
      "QUJD RA\r\n";  // no closing boundary, no padding
  const ParseResult r = parse(raw);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.message.attachments.size(), 2u);
  for (const Attachment& a : r.message.attachments) {
    ASSERT_TRUE(a.base64_in_raw.has_value());
    EXPECT_TRUE(a.content == decodeSpan(raw, *a.base64_in_raw, 5));
  }
}

// Every base64 attachment of the golden corpus (real mail from many writers, and our hard cases)
// decodes from its span, parsed in memory and from a spill file.
TEST(MimeBase64InRaw, EveryCorpusAttachmentWithASpanDecodesFromIt) {
  std::size_t spans = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(HD_TEST_DATA_DIR) / "corpus")) {
    const fs::path& path = entry.path();
    if (!entry.is_regular_file() || (path.extension() != ".eml" && path.extension() != ".txt")) {
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const ParseResult& r :
         {parse(raw), parseBytes(test::spilled(raw), test::spillingEverything())}) {
      if (!r.ok) continue;
      for (const Attachment& a : r.message.attachments) {
        if (!a.base64_in_raw) continue;
        ++spans;
        ASSERT_LE(a.base64_in_raw->offset + a.base64_in_raw->length, raw.size()) << path;
        EXPECT_TRUE(a.content == decodeSpan(raw, *a.base64_in_raw, 4096))
            << path << ": " << a.filename;
        EXPECT_EQ(crypto::sha256Hex(decodeSpan(raw, *a.base64_in_raw, 4096)), a.sha256_hex);
      }
    }
  }
  // The corpus has ten base64 attachments, each parsed twice here.
  EXPECT_GE(spans, 20u) << "the corpus's base64 attachments must all have spans";
}

}  // namespace
}  // namespace hd::mime
