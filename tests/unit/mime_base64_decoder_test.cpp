// hd::mime::Base64Decoder must give, for every input split anywhere, exactly the bytes of GMime's
// own g_mime_encoding_base64_decode_step (which it replaces for attachments): a differential test
// over seeded random inputs (valid, dirty, padded anywhere, pure noise), named hostile cases, and
// the attachments hd::mime::parse() returns compared with GMime's decoding of the same part.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/crypto/sha256.hpp"
#include "connectors/mime/base64_decoder.hpp"
#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/parse.hpp"
#include "mime_base64_test_inputs.hpp"
#include "mime_spill_helpers.hpp"

namespace {

using hd::mime::Base64Decoder;
using hd::mime::test::encode;
using hd::mime::test::gmimeContentOfFirstLeaf;
using hd::mime::test::Inputs;

// The input cut at `cuts` (ascending offsets into it).
std::vector<std::string_view> pieces(std::string_view input, const std::vector<std::size_t>& cuts) {
  std::vector<std::string_view> out;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    out.push_back(input.substr(from, cut - from));
    from = cut;
  }
  out.push_back(input.substr(from));
  return out;
}

// GMime's decoder fed the pieces in turn, then flushed with an empty step as its filter does.
std::string gmimeDecode(const std::vector<std::string_view>& input) {
  int state = 0;
  guint32 save = 0;
  std::string out;
  std::vector<unsigned char> buffer;
  auto step = [&](std::string_view piece) {
    buffer.assign(piece.size() + 8, 0);
    const std::size_t n =
        g_mime_encoding_base64_decode_step(reinterpret_cast<const unsigned char*>(piece.data()),
                                           piece.size(), buffer.data(), &state, &save);
    out.append(reinterpret_cast<const char*>(buffer.data()), n);
  };
  for (std::string_view piece : input) step(piece);
  step({});
  return out;
}

std::string ourDecode(const std::vector<std::string_view>& input) {
  Base64Decoder decoder;
  std::string out;
  std::vector<char> buffer;
  auto step = [&](std::string_view piece) {
    buffer.assign(Base64Decoder::maxDecodedSize(piece.size()), '\0');
    out.append(buffer.data(), decoder.decode(piece, buffer));
  };
  for (std::string_view piece : input) step(piece);
  step({});
  return out;
}

std::string ourDecode(std::string_view input) {
  return ourDecode(pieces(input, {}));
}

TEST(MimeBase64Decoder, EncoderOfThisTestIsRight) {
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(encode("A"), "QQ==");
  EXPECT_EQ(encode("AB"), "QUI=");
  EXPECT_EQ(encode("ABC"), "QUJD");
  EXPECT_EQ(encode("ABCD"), "QUJDRA==");
}

TEST(MimeBase64Decoder, GivesGMimesBytesForRandomInputsSplitAnywhere) {
  Inputs inputs(20261127);
  std::size_t nonempty = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string input = inputs.any();
    const auto split = pieces(input, inputs.cuts(input.size()));
    const std::string expected = gmimeDecode(split);
    ASSERT_EQ(ourDecode(split), expected)
        << "input #" << i << ": " << testing::PrintToString(input);
    ASSERT_EQ(ourDecode(input), expected) << "input #" << i << " in one piece";
    nonempty += expected.empty() ? 0 : 1;
  }
  EXPECT_GT(nonempty, 2000u);  // the inputs mostly decode to something: the test has teeth
}

TEST(MimeBase64Decoder, GivesGMimesBytesForEverySplitOfHostileInputs) {
  const std::vector<std::string> hostile = {"QUJD",
                                            "QUJDRA==",
                                            "QUI=",
                                            "QQ==",
                                            "QQ=",
                                            "Q=",
                                            "=",
                                            "==",
                                            "QUJD=QUJD",
                                            "QU=JD",
                                            "QUJ=D",
                                            "Q=UJD",
                                            "QUJDQQ==QUJD",
                                            "QQ====",
                                            "QUJDQ",
                                            "QUJDQU",
                                            "QUJDQUI",
                                            "QUI",
                                            std::string("QU\0J\xff"
                                                        "D\x80",
                                                        7),
                                            "QU\r\nJD\r\n",
                                            "Q U J D",
                                            "QU-J_D",
                                            "\r\n\r\n",
                                            "QUJD\r\n=\r\nQUJD",
                                            "QUJD.QUJD",
                                            "////",
                                            "++++",
                                            "QUJD\nRA=\n=",
                                            std::string(9, '='),
                                            std::string("\0\0\0\0QUJD", 8)};
  for (const std::string& input : hostile) {
    for (std::size_t i = 0; i <= input.size(); ++i) {
      for (std::size_t j = i; j <= input.size(); ++j) {
        const auto split = pieces(input, {i, j});
        ASSERT_EQ(ourDecode(split), gmimeDecode(split))
            << testing::PrintToString(input) << " cut at " << i << " and " << j;
      }
    }
  }
}

TEST(MimeBase64Decoder, HostileCasesDecodeAsGMimeDoes) {
  EXPECT_EQ(ourDecode("QUJD"), "ABC");
  EXPECT_EQ(ourDecode("QUI="), "AB");
  EXPECT_EQ(ourDecode("QQ=="), "A");
  EXPECT_EQ(ourDecode("QQ="), "A");  // one '=' is enough
  EXPECT_EQ(ourDecode("Q="), "");    // a lone character before '=' is dropped
  EXPECT_EQ(ourDecode("QUI"), "");   // so is a trailing quantum without padding
  EXPECT_EQ(ourDecode("QUJDQUI"), "ABC");
  EXPECT_EQ(ourDecode("QU=JD"), "A");            // '=' mid-quantum ends the stream
  EXPECT_EQ(ourDecode("QUJDQQ==QUJD"), "ABCA");  // nothing after padding is decoded
  EXPECT_EQ(ourDecode("QUJD=QUJD"), "ABC");      // nor after a '=' between quanta
  EXPECT_EQ(ourDecode("QUJD\r\n=\r\nQUJD"), "ABC");
  EXPECT_EQ(ourDecode("QQ====QUJD"), "A");
  EXPECT_EQ(ourDecode(std::string("Q\0U\r\nJ \xff"
                                  "D",
                                  9)),
            "ABC");                       // skipped anywhere
  EXPECT_EQ(ourDecode("QU-J_D"), "ABC");  // base64url's characters are not base64's
  EXPECT_EQ(ourDecode("////"), "\xff\xff\xff");
}

TEST(MimeBase64Decoder, WritesNothingOnceTheStreamHasEnded) {
  Base64Decoder decoder;
  std::vector<char> out(Base64Decoder::maxDecodedSize(8));
  EXPECT_EQ(decoder.decode("QUI=", out), 2u);
  EXPECT_TRUE(decoder.ended());
  EXPECT_EQ(decoder.decode("QUJDQUJD", out), 0u);
}

TEST(MimeBase64Decoder, RefusesAnOutputBufferThatCouldOverflow) {
  Base64Decoder decoder;
  std::vector<char> out(Base64Decoder::maxDecodedSize(8) - 1);
  EXPECT_THROW(decoder.decode("QUJDQUJD", out), std::invalid_argument);
}

TEST(MimeBase64Decoder, MaxDecodedSizeBoundsTheWorstCase) {
  // Three characters carried over, then a piece that completes quanta and ends with "xy=".
  for (std::size_t n = 0; n < 64; ++n) {
    Base64Decoder decoder;
    std::vector<char> out(Base64Decoder::maxDecodedSize(64));
    decoder.decode("QUJ", out);
    const std::string piece = std::string(n, 'Q') + "=";
    out.assign(Base64Decoder::maxDecodedSize(piece.size()), '\0');
    EXPECT_LE(decoder.decode(piece, out), out.size());
  }
}

std::string messageWithAttachment(std::string_view encoding, std::string_view body) {
  return "From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
         "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; "
         "filename=a.bin\r\nContent-Transfer-Encoding: " +
         std::string(encoding) + "\r\n\r\n" + std::string(body) + "\r\n";
}

TEST(MimeBase64Content, AttachmentsAreGMimesBytesInMemoryAndSpilled) {
  Inputs inputs(11);
  for (int i = 0; i < 300; ++i) {
    const std::string encoding = i % 3 == 0 ? "BASE64" : (i % 3 == 1 ? "base64" : " Base64 ");
    const std::string raw = messageWithAttachment(encoding, inputs.withJunk(inputs.any(), 20));
    const std::string expected = gmimeContentOfFirstLeaf(raw);
    const hd::mime::ParseResult in_memory = hd::mime::parse(raw);
    ASSERT_TRUE(in_memory.ok) << in_memory.error;
    ASSERT_EQ(in_memory.message.attachments.size(), 1u);
    EXPECT_EQ(in_memory.message.attachments[0].content, expected) << testing::PrintToString(raw);
    EXPECT_EQ(in_memory.message.attachments[0].sha256_hex, hd::crypto::sha256Hex(expected));
    const hd::mime::ParseResult spilled =
        hd::mime::parseBytes(hd::mime::test::spilled(raw), hd::mime::test::spillingEverything());
    ASSERT_TRUE(spilled.ok) << spilled.error;
    ASSERT_EQ(spilled.message.attachments.size(), 1u);
    EXPECT_EQ(spilled.message.attachments[0].content, expected) << testing::PrintToString(raw);
    EXPECT_EQ(spilled.message.attachments[0].sha256_hex, hd::crypto::sha256Hex(expected));
  }
}

TEST(MimeBase64Content, AContentAtTheThresholdStaysInMemoryOneByteMoreSpills) {
  // The decoded size is estimated from the encoded one (line breaks included) to reserve memory;
  // the estimate must not decide where the content goes.
  hd::mime::Limits limits;
  limits.spill.threshold_bytes = 3000;
  std::string wrapped;
  const std::string flat = encode(std::string(3000, 'x'));
  for (std::size_t at = 0; at < flat.size(); at += 76) wrapped += flat.substr(at, 76) + "\r\n";
  const hd::mime::ParseResult at_threshold =
      hd::mime::parse(messageWithAttachment("base64", wrapped), limits);
  ASSERT_EQ(at_threshold.message.attachments.size(), 1u);
  EXPECT_EQ(at_threshold.message.attachments[0].content, std::string(3000, 'x'));
  EXPECT_TRUE(at_threshold.message.attachments[0].content.inMemory());

  const hd::mime::ParseResult above =
      hd::mime::parse(messageWithAttachment("base64", encode(std::string(3001, 'x'))), limits);
  ASSERT_EQ(above.message.attachments.size(), 1u);
  EXPECT_EQ(above.message.attachments[0].content, std::string(3001, 'x'));
  EXPECT_FALSE(above.message.attachments[0].content.inMemory());
}

}  // namespace
