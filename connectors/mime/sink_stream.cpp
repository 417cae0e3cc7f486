#include "connectors/mime/sink_stream.hpp"

namespace hd::mime {
namespace {

struct HdSinkStream {
  GMimeStream parent;
  SinkStream::State* state;
};
struct HdSinkStreamClass {
  GMimeStreamClass parent_class;
};

ssize_t sinkWrite(GMimeStream* stream, const char* buffer, size_t length) {
  SinkStream::State* state = reinterpret_cast<HdSinkStream*>(stream)->state;
  if (state == nullptr || state->failure) return -1;
  try {
    if (!state->consume(std::string_view(buffer, length))) return -1;
  } catch (...) {
    state->failure = std::current_exception();
    return -1;
  }
  stream->position += static_cast<gint64>(length);
  return static_cast<ssize_t>(length);
}

// GMime's other stream operations keep their defaults: nothing reads or seeks a sink.
void sinkClassInit(gpointer stream_class, gpointer) {
  GMIME_STREAM_CLASS(stream_class)->write = sinkWrite;
}

GType sinkStreamType() {
  static const GType type = g_type_register_static_simple(
      GMIME_TYPE_STREAM, "HdSinkStream", sizeof(HdSinkStreamClass), sinkClassInit,
      sizeof(HdSinkStream), nullptr, static_cast<GTypeFlags>(0));
  return type;
}

}  // namespace

SinkStream::SinkStream(std::function<bool(std::string_view)> consume)
    : state_(std::make_unique<State>(State{std::move(consume), nullptr})) {
  ensureGMimeInitialised();
  stream_.reset(static_cast<GMimeStream*>(g_object_new(sinkStreamType(), nullptr)));
  g_mime_stream_construct(stream_.get(), 0, -1);
  reinterpret_cast<HdSinkStream*>(stream_.get())->state = state_.get();
}

SinkStream::~SinkStream() {
  // GMime may still hold a reference: it must not reach the state after this.
  reinterpret_cast<HdSinkStream*>(stream_.get())->state = nullptr;
}

void SinkStream::rethrowFailure() const {
  if (state_->failure) std::rethrow_exception(state_->failure);
}

}  // namespace hd::mime
