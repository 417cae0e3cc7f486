// libFuzzer target for hd::mime::parse() and the HTML/quoted-history text paths, and two
// differential checks: the same bytes parsed from a spill file (and prescanned in tiny chunks)
// must give the in-memory result, and our base64 decoder must give GMime's bytes for the input
// (split in three pieces where its first bytes say). A third: an attachment's base64 span of the
// input (what the store keeps instead of its content) must decode to its content; the spill-file
// parse keeps no span content (as the ingest does), and must still give each one's size and
// SHA-256.
// Seed corpus: tests/corpus (mimekit/ and hard/). Build with -DHD_FUZZ=ON and clang.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mime/base64_decoder.hpp"
#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/html_to_text.hpp"
#include "connectors/mime/parse.hpp"
#include "connectors/mime/prescan.hpp"
#include "connectors/mime/quoted_history.hpp"

namespace {

hd::spill::Bytes spilled(std::string_view input) {
  hd::spill::BytesBuilder builder(
      hd::spill::SpillPolicy{.directory = "/tmp", .threshold_bytes = 0});
  builder.append(input);
  return std::move(builder).finish();
}

bool sameResult(const hd::mime::ParseResult& a, const hd::mime::ParseResult& b) {
  if (a.ok != b.ok || a.error != b.error || a.warnings != b.warnings) return false;
  const hd::mime::Message& x = a.message;
  const hd::mime::Message& y = b.message;
  if (x.subject != y.subject || x.text_body != y.text_body || x.html_body != y.html_body ||
      x.attachments.size() != y.attachments.size()) {
    return false;
  }
  for (std::size_t i = 0; i < x.attachments.size(); ++i) {
    const hd::mime::Attachment& p = x.attachments[i];
    const hd::mime::Attachment& q = y.attachments[i];
    if (p.sha256_hex != q.sha256_hex || p.size != q.size) return false;
    if (p.base64_in_raw.has_value() != q.base64_in_raw.has_value()) return false;
    if (p.base64_in_raw && (p.base64_in_raw->offset != q.base64_in_raw->offset ||
                            p.base64_in_raw->length != q.base64_in_raw->length)) {
      return false;
    }
  }
  return true;
}

// Every attachment with a base64 span: the span of `input`, decoded in 4 KiB pieces as a download
// decodes it, has its size, and is its content when `kept`, else the content is empty.
bool spansDecodeToContents(std::string_view input, const hd::mime::ParseResult& result, bool kept) {
  for (const auto& a : result.message.attachments) {
    if (!a.base64_in_raw) continue;
    if (a.base64_in_raw->offset + a.base64_in_raw->length > input.size()) return false;
    std::string_view encoded = input.substr(a.base64_in_raw->offset, a.base64_in_raw->length);
    hd::mime::Base64Decoder decoder;
    std::string decoded;
    std::vector<char> out(hd::mime::Base64Decoder::maxDecodedSize(4096));
    while (!encoded.empty() && !decoder.ended()) {
      const std::string_view piece = encoded.substr(0, 4096);
      encoded.remove_prefix(piece.size());
      decoded.append(out.data(), decoder.decode(piece, out));
    }
    if (decoded.size() != a.size) return false;
    if (!(kept ? a.content == decoded : a.content.empty())) return false;
  }
  return true;
}

// The input decoded in three pieces, cut at offsets taken from its first two bytes, by GMime's
// decoder and by ours: they must agree.
bool sameBase64Decoding(std::string_view input) {
  const std::size_t first =
      input.empty() ? 0 : static_cast<unsigned char>(input[0]) % (input.size() + 1);
  const std::size_t second =
      input.size() < 2 ? first
                       : first + static_cast<unsigned char>(input[1]) % (input.size() - first + 1);
  const std::string_view pieces[] = {input.substr(0, first), input.substr(first, second - first),
                                     input.substr(second)};
  std::string ours;
  std::string theirs;
  hd::mime::Base64Decoder decoder;
  int state = 0;
  guint32 save = 0;
  for (std::string_view piece : pieces) {
    std::vector<char> out(hd::mime::Base64Decoder::maxDecodedSize(piece.size()));
    ours.append(out.data(), decoder.decode(piece, out));
    out.assign(piece.size() + 8, '\0');
    theirs.append(out.data(),
                  g_mime_encoding_base64_decode_step(
                      reinterpret_cast<const unsigned char*>(piece.data()), piece.size(),
                      reinterpret_cast<unsigned char*>(out.data()), &state, &save));
  }
  return ours == theirs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!sameBase64Decoding(input)) __builtin_trap();
  hd::mime::Limits limits;
  limits.max_message_bytes = 1024 * 1024;
  const hd::mime::ParseResult result = hd::mime::parse(input, limits);
  if (!spansDecodeToContents(input, result, true)) __builtin_trap();
  if (result.ok && !result.message.html_body.empty()) {
    (void)hd::mime::stripQuotedHistoryHtml(result.message.html_body);
  }
  (void)hd::mime::htmlToText(input);
  (void)hd::mime::stripQuotedHistory(input);

  const hd::spill::Bytes file = spilled(input);
  hd::mime::Limits no_span_contents = limits;
  no_span_contents.keep_span_content = [](std::string_view) { return false; };
  const hd::mime::ParseResult from_file = hd::mime::parseBytes(file, no_span_contents);
  if (!sameResult(from_file, result) || !spansDecodeToContents(input, from_file, false)) {
    __builtin_trap();
  }
  const hd::mime::Prescan in_memory = hd::mime::prescan(input, limits);
  const hd::mime::Prescan in_chunks = hd::mime::prescanBytes(file, limits, 7);
  if (in_memory.boundary_lines != in_chunks.boundary_lines ||
      in_memory.parameter_bytes != in_chunks.parameter_bytes) {
    __builtin_trap();
  }
  return 0;
}
