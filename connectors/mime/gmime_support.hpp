#pragma once
// Internal RAII layer over GMime 3 / GLib for the hd::mime parser. Not part of the module's public
// interface: only connectors/mime sources include it.

#include <gmime/gmime.h>

#include <memory>
#include <string>
#include <string_view>

namespace hd::mime {

struct GObjectUnref {
  void operator()(gpointer object) const noexcept {
    if (object != nullptr) g_object_unref(object);
  }
};
struct GFree {
  void operator()(gpointer memory) const noexcept { g_free(memory); }
};

// Owns one GObject reference (GMimeStream, GMimeParser, GMimeMessage, InternetAddressList, ...).
template <class T>
using GPtr = std::unique_ptr<T, GObjectUnref>;
// Owns a g_malloc'ed C string.
using GString = std::unique_ptr<char, GFree>;

// Initialises GMime exactly once per process and silences GLib/GMime logging so that warnings
// about malformed mail never reach stderr (we report them as hd::mime::Warning instead).
// Thread-safe; cheap after the first call.
void ensureGMimeInitialised();

// A memory stream holding a copy of `bytes`.
GPtr<GMimeStream> memoryStream(std::string_view bytes);

// The bytes written so far to a GMimeStreamMem.
std::string memoryStreamBytes(GMimeStream* stream);

// Content of a leaf part with its Content-Transfer-Encoding removed; "" when it has none.
std::string decodedContent(GMimePart* part);

// The object as it would be written to the wire (headers and body), e.g. an attached message.
std::string serialize(GMimeObject* object);

// Lowercase "type/subtype" of an object; "application/octet-stream" if it has no content type.
std::string mimeType(GMimeObject* object);

// A header's value as it appeared in the input (folding and encoded words kept); the first of
// several headers of that name. present == false when the header is absent.
struct RawHeader {
  bool present = false;
  std::string value;
};
RawHeader rawHeader(GMimeObject* object, const char* name);

}  // namespace hd::mime
