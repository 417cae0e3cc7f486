#include "connectors/mime/gmime_support.hpp"

#include <fcntl.h>

#include <cerrno>
#include <mutex>
#include <system_error>

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

BorrowedMemoryStream::BorrowedMemoryStream(std::string_view bytes)
    : array_(g_byte_array_new_take(reinterpret_cast<guint8*>(const_cast<char*>(bytes.data())),
                                   bytes.size())),
      stream_(g_mime_stream_mem_new_with_byte_array(array_)) {
  g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream_.get()), FALSE);
}

BorrowedMemoryStream::~BorrowedMemoryStream() {
  stream_.reset();
  static_cast<void>(g_byte_array_steal(array_, nullptr));  // back to their owner, not to g_free()
  g_byte_array_unref(array_);
}

GPtr<GMimeStream> fileStream(const spill::SpillFile& file, std::uint64_t start) {
  const std::string own = "/proc/self/fd/" + std::to_string(file.descriptor());
  int fd = ::open(own.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fd = ::fcntl(file.descriptor(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot read a spill file");
  return GPtr<GMimeStream>(g_mime_stream_fs_new_with_bounds(fd, static_cast<gint64>(start),
                                                            static_cast<gint64>(file.size())));
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
