// The head of a base64 text body (hd::mime::decodedHead, bounded by `max`) is decoded by our
// Base64Decoder: it must be the first `max` bytes of what GMime itself decodes, `cut` exactly when
// GMime decodes more, for clean and hostile bodies, in a message read from memory (parse()) or
// from a spill file (parseBytes()).

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/parse.hpp"
#include "connectors/mime/part_content.hpp"
#include "mime_base64_test_inputs.hpp"
#include "mime_spill_helpers.hpp"

namespace {

using hd::mime::test::encode;
using hd::mime::test::gmimeContentOfFirstLeaf;
using hd::mime::test::Inputs;

std::string textMessage(std::string_view encoding, std::string_view body) {
  return "From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: " +
         std::string(encoding) + "\r\n\r\n" + std::string(body);
}

// `flat` base64 in lines of 76 characters ending with `eol`.
std::string wrapped(std::string_view flat, std::string_view eol) {
  std::string out;
  for (std::size_t at = 0; at < flat.size(); at += 76) {
    out += std::string(flat.substr(at, 76)) + std::string(eol);
  }
  return out;
}

// decodedHead of the first leaf part of `raw`, read by GMime from memory as parse() reads it, or
// from a spill file as parseBytes() reads a spilled message.
hd::mime::ContentHead headOfFirstLeaf(const std::string& raw, std::size_t max, bool spilled) {
  hd::mime::ensureGMimeInitialised();
  const hd::spill::Bytes file = hd::mime::test::spilled(raw);
  // Declared before the parser and the message, so that they go first.
  std::optional<hd::mime::BorrowedMemoryStream> memory;
  hd::mime::GPtr<GMimeStream> from_file;
  if (spilled) {
    from_file = hd::mime::fileStream(*file.file(), 0);
  } else {
    memory.emplace(raw);
  }
  GMimeStream* stream = spilled ? from_file.get() : memory->get();
  const hd::mime::GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream));
  const hd::mime::GPtr<GMimeMessage> message(
      g_mime_parser_construct_message(parser.get(), nullptr));
  GMimeObject* part = g_mime_message_get_mime_part(message.get());
  while (GMIME_IS_MULTIPART(part)) part = g_mime_multipart_get_part(GMIME_MULTIPART(part), 0);
  return hd::mime::decodedHead(GMIME_PART(part), max);
}

// The heads of `raw` at `max` (from memory and from a file) against GMime's whole decoding.
void expectGMimesHead(const std::string& raw, std::size_t max) {
  const std::string full = gmimeContentOfFirstLeaf(raw);
  for (const bool spilled : {false, true}) {
    const hd::mime::ContentHead head = headOfFirstLeaf(raw, max, spilled);
    ASSERT_EQ(head.bytes, full.substr(0, max))
        << "max " << max << (spilled ? ", spilled: " : ": ") << testing::PrintToString(raw);
    ASSERT_EQ(head.cut, full.size() > max)
        << "max " << max << " of " << full.size() << (spilled ? ", spilled" : "");
  }
}

// Every bound that matters for a content of `size` bytes: none, one, half, one short, exactly,
// one over, far over.
std::vector<std::size_t> boundsAround(std::size_t size) {
  return {0, 1, size / 2, size > 0 ? size - 1 : 0, size, size + 1, size * 4 + 100};
}

TEST(MimeBase64Head, CleanBodiesWithCrlfOrLfAreGMimesBytesAtEveryBound) {
  Inputs inputs(27);
  for (const std::size_t size : {0u, 1u, 2u, 3u, 57u, 58u, 1000u, 70000u, 200000u}) {
    const std::string flat = encode(inputs.bytes(size));
    for (const std::string_view eol : {"\r\n", "\n"}) {
      const std::string raw = textMessage("base64", wrapped(flat, eol));
      ASSERT_EQ(gmimeContentOfFirstLeaf(raw).size(), size);  // the input decodes whole
      for (const std::size_t max : boundsAround(size)) expectGMimesHead(raw, max);
    }
  }
}

TEST(MimeBase64Head, HostileBodiesAreGMimesBytesAtEveryBound) {
  const std::string flat = encode("The quick brown fox jumps over the lazy dog, twice over.");
  std::string no_padding = encode("ab");
  no_padding.erase(no_padding.find('='));
  const std::vector<std::string> hostile = {
      flat.substr(0, 20) + "=" + flat.substr(20),            // '=' mid-stream, between quanta
      flat.substr(0, 22) + "=" + flat.substr(22),            // '=' mid-quantum
      flat.substr(0, 21) + "==\r\n=\r\n" + flat.substr(21),  // padding, then more
      no_padding,                                            // a quantum short of its '='
      flat + "QUJ",                                          // a trailing partial quantum
      "=" + flat,                                            // nothing before the end
      std::string("QU\0J\xff"
                  "D\x80\r\n-_.*QUJD",
                  17),                                    // junk between characters
      wrapped(flat, "\r\n").substr(0, 50) + "\n" + flat,  // CRLF then LF
      wrapped(flat, "\r") + "\r\n\r\n",                   // bare CRs and empty lines
      std::string(9, '='),
      "\r\n \t\r\n"};
  for (const std::string& body : hostile) {
    const std::string raw = textMessage("base64", body);
    for (const std::size_t max : boundsAround(gmimeContentOfFirstLeaf(raw).size())) {
      expectGMimesHead(raw, max);
    }
  }
}

TEST(MimeBase64Head, RandomDirtyBodiesAreGMimesBytesAtEveryBound) {
  Inputs inputs(2030);
  for (int i = 0; i < 300; ++i) {
    const std::string encoding = i % 3 == 0 ? "BASE64" : (i % 3 == 1 ? "base64" : " Base64 ");
    const std::string raw = textMessage(encoding, inputs.withJunk(inputs.any(), 20));
    const std::size_t size = gmimeContentOfFirstLeaf(raw).size();
    for (const std::size_t max : boundsAround(size)) expectGMimesHead(raw, max);
    expectGMimesHead(raw, inputs.below(size + 2));
  }
}

TEST(MimeBase64Head, OtherEncodingsKeepGMimesBytesAtEveryBound) {
  for (const std::string_view encoding : {"quoted-printable", "7bit", "x-uuencode", "bogus"}) {
    const std::string raw = textMessage(encoding, "Caf=C3=A9 au lait=\r\nsoft break\r\nend\r\n");
    for (const std::size_t max : boundsAround(gmimeContentOfFirstLeaf(raw).size())) {
      expectGMimesHead(raw, max);
    }
  }
}

// ASCII lines: the text body is the decoded head itself (cut after its last line when cut).
std::string asciiLines(Inputs& inputs, std::size_t size) {
  std::string out;
  while (out.size() < size) {
    out.push_back(inputs.below(40) == 0 ? '\n' : static_cast<char>('a' + inputs.below(26)));
  }
  return out;
}

TEST(MimeBase64Head, ParsedTextBodiesAreCutWhereGMimesWouldBe) {
  Inputs inputs(5);
  const std::string text = asciiLines(inputs, 5000) + "\n";
  for (const std::string_view eol : {"\r\n", "\n"}) {
    const std::string raw = textMessage("base64", wrapped(encode(text), eol));
    for (const std::size_t max :
         {text.size() - 1, text.size(), text.size() + 1, std::size_t{777}, std::size_t{3}}) {
      hd::mime::Limits limits;
      limits.max_body_bytes = max;
      std::string expected = text.substr(0, max);
      const bool cut = text.size() > max;
      if (const std::size_t lf = expected.rfind('\n'); cut && lf != std::string::npos) {
        expected.resize(lf + 1);
      }
      const hd::mime::ParseResult in_memory = hd::mime::parse(raw, limits);
      const hd::mime::ParseResult spilled =
          hd::mime::parseBytes(hd::mime::test::spilled(raw), limits);
      for (const hd::mime::ParseResult* result : {&in_memory, &spilled}) {
        ASSERT_TRUE(result->ok) << result->error;
        EXPECT_EQ(result->message.text_body, expected) << "max " << max;
        const bool warned = std::any_of(result->warnings.begin(), result->warnings.end(),
                                        [](const hd::mime::Warning& w) {
                                          return w.kind == hd::mime::WarningKind::kBodyTruncated;
                                        });
        EXPECT_EQ(warned, cut) << "max " << max;
      }
    }
  }
}

}  // namespace
