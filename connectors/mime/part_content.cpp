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
  return {spill::Bytes(), crypto::sha256Hex(""), std::nullopt, 0};
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
  spill::Bytes bytes = std::move(builder).finish();
  const std::uint64_t size = bytes.size();
  return {std::move(bytes), digest.hexDigest(), std::nullopt, size};
}

// Decodes a base64 part's encoded stream with Base64Decoder (GMime's bytes, whole quanta at a
// time) from big chunks, instead of through GMime's filter stream, which decodes a character at a
// time and copies every piece twice: attachments and text bodies are mostly base64, and decoding
// them was a fifth of our CPU. Hands each decoded piece to `consume` until it returns false;
// returns false when the stream cannot be read (where GMime's write fails).
template <class Consume>
bool decodeBase64(GMimeStream* encoded, const Consume& consume) {
  if (encoded == nullptr) return false;  // GMime's write fails the same way
  // Chunks no bigger than the stream: a small text body needs no 64 KiB buffers.
  const gint64 length = g_mime_stream_length(encoded);
  const std::size_t chunk =
      length > 0 ? std::min<std::size_t>(static_cast<std::size_t>(length), kEncodedChunk)
                 : kEncodedChunk;
  Base64Decoder decoder;
  std::vector<char> in(chunk);
  std::vector<char> out(Base64Decoder::maxDecodedSize(chunk));
  g_mime_stream_reset(encoded);
  const RewindWhenDone rewind{encoded};
  // Nothing after the '=' that ends a stream is decoded. eos() before each read, as GMime reads:
  // a bounded file stream fails a read at its end rather than return 0.
  while (!decoder.ended() && !g_mime_stream_eos(encoded)) {
    const ssize_t read = g_mime_stream_read(encoded, in.data(), in.size());
    if (read < 0) return false;
    if (read == 0) break;
    const std::size_t decoded =
        decoder.decode(std::string_view(in.data(), static_cast<std::size_t>(read)), out);
    if (!consume(std::string_view(out.data(), decoded))) break;
  }
  return true;
}

// The most bytes a base64 stream can decode to, and at most `cap`; 0 when its length is unknown.
std::size_t decodedSizeAtMost(GMimeStream* encoded, std::uint64_t cap) {
  const gint64 length = encoded != nullptr ? g_mime_stream_length(encoded) : 0;
  if (length <= 0) return 0;
  return static_cast<std::size_t>(std::min<std::uint64_t>(
      Base64Decoder::maxDecodedSize(static_cast<std::size_t>(length)), cap));
}

bool isBase64(GMimeDataWrapper* wrapper) {
  return g_mime_data_wrapper_get_encoding(wrapper) == GMIME_CONTENT_ENCODING_BASE64;
}

// Where `encoded` lies in the raw message, when it is a window of the stream GMime parsed the
// message from (GMime's parser hands out windows of its stream, not copies): the same bytes in
// memory or the same spill file, both bounds known and inside the message.
std::optional<Base64InRaw> spanInRaw(GMimeStream* encoded, const RawSource& source) {
  GMimeStream* whole = source.stream;
  if (encoded == nullptr || whole == nullptr) return std::nullopt;
  const bool same_memory = GMIME_IS_STREAM_MEM(encoded) && GMIME_IS_STREAM_MEM(whole) &&
                           GMIME_STREAM_MEM(encoded)->buffer == GMIME_STREAM_MEM(whole)->buffer;
  const bool same_file = GMIME_IS_STREAM_FS(encoded) && GMIME_IS_STREAM_FS(whole) &&
                         GMIME_STREAM_FS(encoded)->fd == GMIME_STREAM_FS(whole)->fd;
  if (!same_memory && !same_file) return std::nullopt;
  const gint64 start = encoded->bound_start, end = encoded->bound_end;
  if (start < whole->bound_start || end < start) return std::nullopt;
  if (whole->bound_end >= 0 && end > whole->bound_end) return std::nullopt;
  return Base64InRaw{static_cast<std::uint64_t>(start - whole->bound_start + source.origin),
                     static_cast<std::uint64_t>(end - start)};
}

PartContent base64Content(GMimeDataWrapper* wrapper, const spill::SpillPolicy& policy,
                          const RawSource& source, bool keep_span) {
  GMimeStream* encoded = g_mime_data_wrapper_get_stream(wrapper);
  const std::optional<Base64InRaw> span = spanInRaw(encoded, source);
  const bool keep = keep_span || !span;
  spill::BytesBuilder builder(policy);
  // One allocation for the whole content, never more than the spill threshold: a content that
  // turns out bigger still goes to a file from there, and memory stays bounded.
  if (const std::size_t size = decodedSizeAtMost(encoded, policy.threshold_bytes);
      keep && size > 0) {
    builder.expect(size);
  }
  crypto::Sha256 digest;
  std::uint64_t size = 0;
  const bool read = decodeBase64(encoded, [&](std::string_view piece) {
    if (keep) builder.append(piece);
    digest.update(piece);
    size += piece.size();
    return true;
  });
  if (!read) return emptyContent();  // as when GMime's write fails
  return {std::move(builder).finish(), digest.hexDigest(), span, size};
}

// Appends a decoded piece to `head` up to `max` bytes; false (stop) once a byte is beyond it.
bool appendUpTo(ContentHead& head, std::size_t max, std::string_view piece) {
  const std::size_t room = max - head.bytes.size();
  head.bytes.append(piece.substr(0, room));
  head.cut = piece.size() > room;
  return !head.cut;
}

}  // namespace

PartContent decodedContent(GMimePart* part, const spill::SpillPolicy& policy,
                           const RawSource& source, bool keep_span) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (wrapper != nullptr && isBase64(wrapper)) {
    return base64Content(wrapper, policy, source, keep_span);
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
  const auto consume = [&](std::string_view piece) { return appendUpTo(head, max, piece); };
  if (isBase64(wrapper)) {
    GMimeStream* encoded = g_mime_data_wrapper_get_stream(wrapper);
    // One allocation, never more than `max`, instead of the string doubling as it grows.
    head.bytes.reserve(decodedSizeAtMost(encoded, max));
    if (!decodeBase64(encoded, consume)) return {};
    return head;
  }
  const SinkStream sink(consume);
  const bool written = g_mime_data_wrapper_write_to_stream(wrapper, sink.get()) >= 0;
  sink.rethrowFailure();
  if (!written && !head.cut) return {};
  return head;
}

}  // namespace hd::mime
