#include "connectors/pop3/response_reader.hpp"

#include "connectors/net/errors.hpp"
#include "connectors/pop3/dot_decoder.hpp"

namespace hd::pop3 {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

}  // namespace

void ResponseReader::fill(const char* what) {
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ > kReadChunk) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  const std::size_t old_size = buffer_.size();
  buffer_.resize(old_size + kReadChunk);
  const std::size_t got = stream_.read(buffer_.data() + old_size, kReadChunk);
  buffer_.resize(old_size + got);
  if (got == 0) {
    throw net::NetworkError(std::string("POP3: server closed the connection in the middle of ") +
                            what);
  }
}

std::string ResponseReader::readLine() {
  // Bytes after pos_ already searched for LF; relative, because fill() may move the buffer.
  std::size_t scanned = 0;
  for (;;) {
    const auto lf = buffer_.find('\n', pos_ + scanned);
    if (lf != std::string::npos) {
      std::size_t end = lf;
      if (end > pos_ && buffer_[end - 1] == '\r') --end;
      if (end - pos_ > limits_.max_line_length) break;
      std::string line = buffer_.substr(pos_, end - pos_);
      pos_ = lf + 1;
      return line;
    }
    scanned = buffer_.size() - pos_;
    // +1: the CR of a line of exactly max_line_length may be buffered before its LF.
    if (scanned > limits_.max_line_length + 1) break;
    fill("a response line");
  }
  throw net::ProtocolError("POP3: response line longer than " +
                           std::to_string(limits_.max_line_length) + " bytes");
}

StatusLine ResponseReader::readStatus() {
  return parseStatusLine(readLine());
}

std::string ResponseReader::readBody(std::uint64_t max_size) {
  DotDecoder decoder(max_size);
  std::string out;
  for (;;) {
    pos_ += decoder.feed(std::string_view(buffer_).substr(pos_), out);
    if (decoder.done()) return out;
    fill("a multi-line response (no terminating \".\" line)");
  }
}

ResponseReader::CappedBody ResponseReader::readBodyCapped(std::uint64_t keep,
                                                          const spill::SpillPolicy& spill) {
  DotDecoder decoder(keep, DotDecoder::Overflow::kDiscard);
  // LIST sizes are approximate: the builder spills when the bytes pass the threshold, not on an
  // announced size. One read's decoded bytes at a time: one write per read, not per line.
  spill::BytesBuilder builder(spill);
  std::string piece;
  for (;;) {
    piece.clear();
    pos_ += decoder.feed(std::string_view(buffer_).substr(pos_), piece);
    builder.append(piece);
    if (decoder.done()) break;
    fill("a multi-line response (no terminating \".\" line)");
  }
  CappedBody body;
  body.bytes = std::move(builder).finish();
  body.size = decoder.size();
  return body;
}

std::vector<std::string> ResponseReader::readListing() {
  const std::string body = readBody(limits_.max_listing_size);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < body.size()) {
    auto lf = body.find('\n', start);
    if (lf == std::string::npos) lf = body.size();
    std::size_t end = lf;
    if (end > start && body[end - 1] == '\r') --end;
    if (end - start > limits_.max_line_length) {
      throw net::ProtocolError("POP3: listing line longer than " +
                               std::to_string(limits_.max_line_length) + " bytes");
    }
    lines.emplace_back(body, start, end - start);
    start = lf + 1;
  }
  return lines;
}

}  // namespace hd::pop3
