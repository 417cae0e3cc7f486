#include "connectors/mime/gmime_support.hpp"

#include <mutex>

#include "connectors/mime/ascii.hpp"

namespace hd::mime {
namespace {

void discardLog(const gchar*, GLogLevelFlags, const gchar*, gpointer) {}

// "text" or "text/" with no subtype (parameters may follow): RFC 2045 section 5.2 reads an
// invalid Content-Type as text/plain, GMime reads it as application/octet-stream.
bool isTextWithoutSubtype(GMimeObject* object) {
  const RawHeader raw = rawHeader(object, "Content-Type");
  if (!raw.present) return false;
  std::string_view type = trimView(std::string_view(raw.value).substr(0, raw.value.find(';')));
  if (type.ends_with('/')) type = trimView(type.substr(0, type.size() - 1));
  return equalsIgnoreCase(type, "text");
}

}  // namespace

void ensureGMimeInitialised() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
    // GMime reports malformed input through g_warning()/g_critical() in a few code paths (bad
    // charsets, broken base64); those would print to stderr for every hostile message.
    constexpr auto kAllLevels =
        static_cast<GLogLevelFlags>(G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION);
    for (const char* domain : {"GMime", "GLib", "GLib-GObject", "GLib-GIO"}) {
      g_log_set_handler(domain, kAllLevels, discardLog, nullptr);
    }
    g_log_set_default_handler(discardLog, nullptr);
  });
}

GPtr<GMimeStream> memoryStream(std::string_view bytes) {
  return GPtr<GMimeStream>(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
}

std::string memoryStreamBytes(GMimeStream* stream) {
  GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
  if (array == nullptr || array->len == 0) return {};
  return std::string(reinterpret_cast<const char*>(array->data), array->len);
}

std::string decodedContent(GMimePart* part) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (wrapper == nullptr) return {};
  GPtr<GMimeStream> out(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(wrapper, out.get()) < 0) return {};
  return memoryStreamBytes(out.get());
}

std::string serialize(GMimeObject* object) {
  GPtr<GMimeStream> out(g_mime_stream_mem_new());
  if (g_mime_object_write_to_stream(object, nullptr, out.get()) < 0) return {};
  return memoryStreamBytes(out.get());
}

std::string mimeType(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (type == nullptr) return "application/octet-stream";
  GString text(g_mime_content_type_get_mime_type(type));
  if (!text || g_ascii_strcasecmp(text.get(), "application/octet-stream") == 0) {
    return isTextWithoutSubtype(object) ? "text/plain" : "application/octet-stream";
  }
  return asciiLower(text.get());
}

RawHeader rawHeader(GMimeObject* object, const char* name) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(object);
  if (headers == nullptr) return {};
  GMimeHeader* header = g_mime_header_list_get_header(headers, name);
  if (header == nullptr) return {};
  const char* raw = g_mime_header_get_raw_value(header);
  return {true, raw != nullptr ? raw : ""};
}

}  // namespace hd::mime
