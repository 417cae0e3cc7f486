#pragma once
// A ByteStream for fuzz targets: serves the input in small, input-dependent chunks so reads split
// at many boundaries, swallows writes and ends with end-of-stream (read() returns 0).

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "connectors/net/byte_stream.hpp"

namespace hd::fuzz {

class FuzzStream : public net::ByteStream {
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
  void write(std::string_view bytes) override { written_.append(bytes); }
  void startTls() override {}
  bool isEncrypted() const override { return false; }

  // What the client under test sent, to check that no secret leaks where it must not.
  const std::string& written() const { return written_; }

 private:
  std::string_view data_;
  std::string written_;
};

}  // namespace hd::fuzz
