#include "connectors/mime/part_content.hpp"

#include <algorithm>
#include <vector>

#include "connectors/crypto/sha256.hpp"
#include "connectors/mime/base64_decoder.hpp"
#include "connectors/mime/sink_stream.hpp"

namespace hd::mime {
namespace {

constexpr std::size_t kEncodedChunk = 64 * 1024;

PartContent emptyContent() {
  return {spill::Bytes(), crypto::sha256Hex("")};
}

// Rewinds a stream when it goes out of scope, as GMime does after reading a part's content.
struct RewindWhenDone {
  GMimeStream* stream;
  ~RewindWhenDone() { g_mime_stream_reset(stream); }
};

// What `write(sink)` writes, into a builder and a digest; a failed write leaves nothing, as a
// content GMime cannot produce is empty.
template <class Write>
PartContent collect(const spill::SpillPolicy& policy, const Write& write) {
  spill::BytesBuilder builder(policy);
  crypto::Sha256 digest;
  const SinkStream sink([&](std::string_view piece) {
    builder.append(piece);
    digest.update(piece);
    return true;
  });
  const bool written = write(sink.get()) >= 0;
  sink.rethrowFailure();
  if (!written) return emptyContent();
  return {std::move(builder).finish(), digest.hexDigest()};
}

// A base64 content decoded by Base64Decoder (GMime's bytes, whole quanta at a time) from the
// encoded bytes read in big chunks, instead of through GMime's filter stream, which decodes a
// character at a time and copies every piece twice: attachments are mostly base64, and decoding
// them was a fifth of our CPU.
PartContent base64Content(GMimeDataWrapper* wrapper, const spill::SpillPolicy& policy) {
  GMimeStream* encoded = g_mime_data_wrapper_get_stream(wrapper);
  if (encoded == nullptr) return emptyContent();  // GMime's write fails the same way
  spill::BytesBuilder builder(policy);
  if (const gint64 length = g_mime_stream_length(encoded); length > 0) {
    // One allocation for the whole content, never more than the spill threshold: a content that
    // turns out bigger still goes to a file from there, and memory stays bounded.
    builder.expect(std::min<std::uint64_t>(
        Base64Decoder::maxDecodedSize(static_cast<std::size_t>(length)), policy.threshold_bytes));
  }
  crypto::Sha256 digest;
  Base64Decoder decoder;
  std::vector<char> in(kEncodedChunk);
  std::vector<char> out(Base64Decoder::maxDecodedSize(kEncodedChunk));
  g_mime_stream_reset(encoded);
  const RewindWhenDone rewind{encoded};
  // Nothing after the '=' that ends a stream is decoded. eos() before each read, as GMime reads:
  // a bounded file stream fails a read at its end rather than return 0.
  while (!decoder.ended() && !g_mime_stream_eos(encoded)) {
    const ssize_t read = g_mime_stream_read(encoded, in.data(), in.size());
    if (read < 0) return emptyContent();  // as when GMime's write fails
    if (read == 0) break;
    const std::size_t decoded =
        decoder.decode(std::string_view(in.data(), static_cast<std::size_t>(read)), out);
    builder.append(std::string_view(out.data(), decoded));
    digest.update(std::string_view(out.data(), decoded));
  }
  return {std::move(builder).finish(), digest.hexDigest()};
}

}  // namespace

PartContent decodedContent(GMimePart* part, const spill::SpillPolicy& policy) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (wrapper != nullptr &&
      g_mime_data_wrapper_get_encoding(wrapper) == GMIME_CONTENT_ENCODING_BASE64) {
    return base64Content(wrapper, policy);
  }
  return collect(policy, [&](GMimeStream* sink) -> gint64 {
    return wrapper != nullptr ? g_mime_data_wrapper_write_to_stream(wrapper, sink) : 0;
  });
}

PartContent serializedContent(GMimeObject* object, const spill::SpillPolicy& policy) {
  return collect(policy, [&](GMimeStream* sink) -> gint64 {
    return g_mime_object_write_to_stream(object, nullptr, sink);
  });
}

ContentHead decodedHead(GMimePart* part, std::size_t max) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (wrapper == nullptr) return {};
  ContentHead head;
  const SinkStream sink([&](std::string_view piece) {
    const std::size_t room = max - head.bytes.size();
    head.bytes.append(piece.substr(0, room));
    head.cut = piece.size() > room;
    return !head.cut;
  });
  const bool written = g_mime_data_wrapper_write_to_stream(wrapper, sink.get()) >= 0;
  sink.rethrowFailure();
  if (!written && !head.cut) return {};
  return head;
}

}  // namespace hd::mime
