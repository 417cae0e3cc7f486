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
  // Every content is kept by default, and `size` is its size.
  for (const Attachment& a : r.message.attachments) {
    EXPECT_EQ(a.size, a.content.size()) << a.content_type;
  }
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

// Told not to keep span contents but one type's, the parse leaves the others' decoded bytes out
// and describes them as before: same size, SHA-256 and span, and the span still decodes to the
// content. Contents without a span (quoted-printable, an attached message) are kept whatever
// the setting; so is the one type asked for.
void expectSpanContentsLeftOut(std::string_view raw, const ParseResult& kept,
                               const ParseResult& left_out) {
  ASSERT_TRUE(kept.ok) << kept.error;
  ASSERT_TRUE(left_out.ok) << left_out.error;
  ASSERT_EQ(left_out.message.attachments.size(), kept.message.attachments.size());
  const Attachment& pdf = named(left_out, "application/pdf");
  EXPECT_TRUE(pdf.content.empty());
  EXPECT_TRUE(pdf.content.inMemory());  // no spill file either
  EXPECT_EQ(pdf.size, kPdf.size());
  EXPECT_EQ(pdf.sha256_hex, crypto::sha256Hex(kPdf));
  ASSERT_TRUE(pdf.base64_in_raw.has_value());
  EXPECT_EQ(pdf.base64_in_raw->offset, named(kept, "application/pdf").base64_in_raw->offset);
  EXPECT_EQ(pdf.base64_in_raw->length, named(kept, "application/pdf").base64_in_raw->length);
  EXPECT_EQ(decodeSpan(raw, *pdf.base64_in_raw, 4096), kPdf);
  EXPECT_TRUE(named(left_out, "image/png").content == kImage);  // the type asked for
  for (const char* type : {"text/csv", "message/rfc822"}) {
    const Attachment& a = named(kept, type);
    const Attachment& b = named(left_out, type);
    EXPECT_EQ(b.content.size(), a.content.size()) << type;
    EXPECT_EQ(spill::sha256Hex(b.content), spill::sha256Hex(a.content)) << type;
    EXPECT_EQ(b.size, a.size) << type;
  }
}

TEST(MimeBase64InRaw, SpanContentsCanBeLeftOutKeepingTheirSizeAndSha256) {
  const std::string raw = mixedMessage();
  Limits limits;
  limits.keep_span_content = [](std::string_view type) { return type == "image/png"; };
  expectSpanContentsLeftOut(raw, parse(raw), parse(raw, limits));
  expectSpanContentsLeftOut(raw, parseBytes(test::spilled(raw), test::spillingEverything()),
                            parseBytes(test::spilled(raw), test::spillingEverything(limits)));
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
    Limits none_kept;
    none_kept.keep_span_content = [](std::string_view) { return false; };
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
    // Parsed again keeping no span content: the same attachments, the span ones described by
    // their size and SHA-256 alone.
    const ParseResult kept = parse(raw);
    const ParseResult left_out = parse(raw, none_kept);
    ASSERT_EQ(left_out.ok, kept.ok) << path;
    ASSERT_EQ(left_out.message.attachments.size(), kept.message.attachments.size()) << path;
    for (std::size_t i = 0; i < kept.message.attachments.size(); ++i) {
      const Attachment& a = kept.message.attachments[i];
      const Attachment& b = left_out.message.attachments[i];
      EXPECT_EQ(b.size, a.content.size()) << path << ": " << a.filename;
      EXPECT_EQ(b.sha256_hex, a.sha256_hex) << path << ": " << a.filename;
      EXPECT_EQ(b.base64_in_raw.has_value(), a.base64_in_raw.has_value()) << path;
      EXPECT_TRUE(b.base64_in_raw ? b.content.empty() : b.content == a.content.memory())
          << path << ": " << a.filename;
    }
  }
  // The corpus has ten base64 attachments, each parsed twice here.
  EXPECT_GE(spans, 20u) << "the corpus's base64 attachments must all have spans";
}

}  // namespace
}  // namespace hd::mime
