// libFuzzer target: arbitrary server bytes into the IMAP response parser. Any input must end in
// responses, ProtocolError or NetworkError (end of input): never a crash, hang or leak.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/imap/response_parser.hpp"
#include "connectors/net/buffered_reader.hpp"
#include "connectors/net/errors.hpp"

namespace {

// Serves the input in small, input-dependent chunks so reads split at many boundaries.
class FuzzStream : public hd::net::ByteStream {
 public:
  explicit FuzzStream(std::string_view data) : data_(data) {}
  std::size_t read(char* buffer, std::size_t size) override {
    if (data_.empty()) return 0;
    const std::size_t chunk = 1 + static_cast<unsigned char>(data_.front()) % 64;
    const std::size_t n = std::min({size, chunk, data_.size()});
    data_.copy(buffer, n);
    data_.remove_prefix(n);
    return n;
  }
  void write(std::string_view) override {}
  void startTls() override {}
  bool isEncrypted() const override { return false; }

 private:
  std::string_view data_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzStream stream(std::string_view(reinterpret_cast<const char*>(data), size));
  hd::imap::ImapLimits limits;
  // Small limits so the fuzzer reaches them quickly; the logic is the same as with defaults.
  limits.max_line_length = 4096;
  limits.max_literal_size = 64 * 1024;
  limits.max_nesting_depth = 16;
  limits.max_tokens = 10'000;
  hd::net::BufferedReader reader(stream, 256);
  hd::imap::ResponseParser parser(reader, limits);
  try {
    for (int i = 0; i < 1000; ++i) parser.next();
  } catch (const hd::net::ProtocolError&) {
  } catch (const hd::net::NetworkError&) {
  }
  return 0;
}
