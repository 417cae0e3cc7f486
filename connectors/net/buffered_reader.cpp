#include "connectors/net/buffered_reader.hpp"

#include <algorithm>
#include <cstring>

#include "connectors/net/errors.hpp"

namespace hd::net {

BufferedReader::BufferedReader(ByteStream& stream, std::size_t buffer_size)
    : stream_(stream), buffer_(std::max<std::size_t>(buffer_size, 1)) {}

void BufferedReader::fill() {
  if (begin_ < end_) return;
  begin_ = end_ = 0;
  const std::size_t n = stream_.read(buffer_.data(), buffer_.size());
  if (n == 0) throw NetworkError("connection closed by the server");
  end_ = n;
}

char BufferedReader::peek() {
  fill();
  return buffer_[begin_];
}

char BufferedReader::get() {
  fill();
  return buffer_[begin_++];
}

std::string BufferedReader::readLine(std::size_t max_length) {
  std::string line;
  for (;;) {
    fill();
    const char* start = buffer_.data() + begin_;
    const std::size_t available = end_ - begin_;
    const void* lf = std::memchr(start, '\n', available);
    const std::size_t take =
        lf != nullptr ? static_cast<std::size_t>(static_cast<const char*>(lf) - start) : available;
    // +1: the CR of a CRLF is still in `line` until the end is found.
    if (line.size() + take > max_length + 1) {
      throw ProtocolError("line longer than " + std::to_string(max_length) + " bytes");
    }
    line.append(start, take);
    begin_ += take;
    if (lf != nullptr) {
      ++begin_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() > max_length) {
        throw ProtocolError("line longer than " + std::to_string(max_length) + " bytes");
      }
      return line;
    }
  }
}

void BufferedReader::readExact(std::size_t count, std::string& out) {
  const std::size_t from_buffer = std::min(count, end_ - begin_);
  out.append(buffer_.data() + begin_, from_buffer);
  begin_ += from_buffer;
  std::size_t remaining = count - from_buffer;
  if (remaining == 0) return;

  // Large remainders bypass the buffer: read straight into the destination string.
  std::size_t offset = out.size();
  out.resize(offset + remaining);
  while (remaining > 0) {
    const std::size_t n = stream_.read(out.data() + offset, remaining);
    if (n == 0) {
      out.resize(offset);
      throw NetworkError("connection closed by the server in the middle of " +
                         std::to_string(count) + " bytes of data");
    }
    offset += n;
    remaining -= n;
  }
}

void BufferedReader::readPieces(std::uint64_t count,
                                const std::function<void(std::string_view)>& consume) {
  const std::uint64_t total = count;
  while (count > 0) {
    if (begin_ == end_) {
      begin_ = end_ = 0;
      end_ = stream_.read(buffer_.data(), buffer_.size());
      if (end_ == 0) {
        throw NetworkError("connection closed by the server in the middle of " +
                           std::to_string(total) + " bytes of data");
      }
    }
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(count, end_ - begin_));
    consume(std::string_view(buffer_.data() + begin_, take));
    begin_ += take;
    count -= take;
  }
}

void BufferedReader::skip(std::size_t count) {
  readPieces(count, [](std::string_view) {});
}

}  // namespace hd::net
