#pragma once
// Internal RAII layer over GMime 3 / GLib for the hd::mime parser. Not part of the module's public
// interface: only connectors/mime sources include it.

#include <gmime/gmime.h>

#include <cstdint>

#include <memory>
#include <string>
#include <string_view>

#include "connectors/spill/spill_file.hpp"

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

// A memory stream over `bytes` themselves, not a copy: a message parsed from memory is read in
// place (a copy cost a memcpy and fresh pages for every message). `bytes` must outlive the
// stream and every GMime object made from it; the parse is over when this goes out of scope.
// GLib never frees or grows the bytes: the byte array that lends them to the stream is not the
// stream's to free (GMime only reads it), and this takes them back before freeing the array.
class BorrowedMemoryStream {
 public:
  explicit BorrowedMemoryStream(std::string_view bytes);
  ~BorrowedMemoryStream();
  BorrowedMemoryStream(const BorrowedMemoryStream&) = delete;
  BorrowedMemoryStream& operator=(const BorrowedMemoryStream&) = delete;

  GMimeStream* get() const { return stream_.get(); }

 private:
  GByteArray* array_;
  GPtr<GMimeStream> stream_;
};

// A stream over a spill file from byte `start` to its end. GMime reads it with lseek() and
// read(), so it gets a descriptor of its own (the file opened anew through /proc, else a dup()
// whose offset is shared: then no two threads may parse the same file at once). Parts parsed
// from it keep their contents in the file (GMime's persistent-stream mode, on for any seekable
// stream). Throws std::system_error when no descriptor can be had.
GPtr<GMimeStream> fileStream(const spill::SpillFile& file, std::uint64_t start);

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
