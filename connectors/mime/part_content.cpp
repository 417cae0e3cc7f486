#include "connectors/mime/part_content.hpp"

#include "connectors/crypto/sha256.hpp"
#include "connectors/mime/sink_stream.hpp"

namespace hd::mime {
namespace {

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
  if (!written) return {spill::Bytes(), crypto::sha256Hex("")};
  return {std::move(builder).finish(), digest.hexDigest()};
}

}  // namespace

PartContent decodedContent(GMimePart* part, const spill::SpillPolicy& policy) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
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
